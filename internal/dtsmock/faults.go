package dtsmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault kinds understood by FaultRule.Kind.
const (
	FaultError           = "error"
	FaultHTTPStatus      = "http_status"
	FaultLatency         = "latency"
	FaultDropConnection  = "drop_connection"
	FaultDropAfterCommit = "drop_after_commit"
)

// MaxFaultLatency is the longest latency a fault rule may add; longer ones are refused as
// typos (a latency of "5m" meant as "5ms").
const MaxFaultLatency = 5 * time.Minute

// FaultRule describes one injected failure. See the package documentation for how rules
// combine.
type FaultRule struct {
	// Action limits the rule to one action; empty means every action.
	Action string `json:"action"`
	// JobID limits the rule to requests naming this job; empty means every request.
	JobID string `json:"job_id,omitempty"`
	// Every makes the rule fire on every Every-th matching request only.
	Every int `json:"every,omitempty"`
	// Probability makes the rule fire with this probability (0 < p <= 1); 0 means always.
	Probability float64 `json:"probability,omitempty"`
	// Count limits how many times the rule fires; 0 means without limit.
	Count int `json:"count,omitempty"`
	// Kind is one of the Fault… constants.
	Kind string `json:"kind"`
	// Code and Message are the error answered by a rule of kind FaultError.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// HTTPStatus is the status answered by a rule of kind FaultHTTPStatus (default 502).
	HTTPStatus int `json:"http_status,omitempty"`
	// Latency is the delay added by a rule of kind FaultLatency.
	Latency Duration `json:"latency,omitempty"`
}

// fieldError names the field of a fault rule that is wrong.
type fieldError struct {
	field, problem string
}

func (e *fieldError) Error() string { return fmt.Sprintf("field %q: %s", e.field, e.problem) }

func bad(field, format string, args ...any) error {
	return &fieldError{field: field, problem: fmt.Sprintf(format, args...)}
}

func (f FaultRule) validate() error {
	kindFields := map[string]bool{
		"code":        f.Code != "",
		"message":     f.Message != "",
		"http_status": f.HTTPStatus != 0,
		"latency":     f.Latency != 0,
	}
	var uses []string
	switch f.Kind {
	case FaultError:
		if f.Code == "" {
			return bad("code", "a rule of kind %q needs an error code", f.Kind)
		}
		uses = []string{"code", "message"}
	case FaultHTTPStatus:
		if f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599) {
			return bad("http_status", "%d is not an HTTP error status (400..599)", f.HTTPStatus)
		}
		uses = []string{"http_status"}
	case FaultLatency:
		if f.Latency <= 0 || time.Duration(f.Latency) > MaxFaultLatency {
			return bad("latency", "%s is not a latency between 0 and %s", time.Duration(f.Latency), MaxFaultLatency)
		}
		uses = []string{"latency"}
	case FaultDropConnection, FaultDropAfterCommit:
	case "":
		return bad("kind", "missing; use one of %s", strings.Join(faultKinds, ", "))
	default:
		return bad("kind", "unknown kind %q; use one of %s", f.Kind, strings.Join(faultKinds, ", "))
	}
	for _, name := range []string{"code", "message", "http_status", "latency"} {
		if kindFields[name] && !contains(uses, name) {
			return bad(name, "does not apply to a rule of kind %q", f.Kind)
		}
	}
	if _, known := actions[f.Action]; f.Action != "" && !known {
		return bad("action", "unknown action %q", f.Action)
	}
	if f.JobID != "" && !validJobID(f.JobID) {
		return bad("job_id", "%q is not a job ID", f.JobID)
	}
	switch {
	case f.Every < 0:
		return bad("every", "%d is negative", f.Every)
	case f.Count < 0:
		return bad("count", "%d is negative", f.Count)
	case f.Probability < 0 || f.Probability > 1:
		return bad("probability", "%v is outside 0..1", f.Probability)
	}
	return nil
}

var faultKinds = []string{FaultError, FaultHTTPStatus, FaultLatency, FaultDropConnection, FaultDropAfterCommit}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ParseFaults reads a JSON array of fault rules, as given to the -faults flag. It refuses
// unknown fields, unknown kinds and actions, and out-of-range values, naming the rule's index
// and the field.
func ParseFaults(data []byte) ([]FaultRule, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("parsing fault rules (a JSON array of objects): %w", err)
	}
	rules := make([]FaultRule, 0, len(raws))
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var r FaultRule
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("fault rule %d: %w", i, describeDecodeError(err))
		}
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("fault rule %d: %w", i, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// describeDecodeError turns the decoder's message into one that names the field.
func describeDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	var de durationError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return bad(te.Field, "a JSON %s is not a %s", te.Value, te.Type)
	case errors.As(err, &de):
		return bad("latency", "%v", de.err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return bad(strings.Trim(name, `"`), "unknown field")
	}
	return err
}

// firedFaults are the rules that fire for one request: at most one latency rule and at most
// one rule that answers in its stead (error, http_status, drop_connection, drop_after_commit).
type firedFaults struct {
	latency *FaultRule
	answer  *FaultRule
}

// trace is what the journal records of the fired rules: "kind" or "kind:value" for each,
// latency first.
func (ff firedFaults) trace() string {
	var parts []string
	for _, r := range []*FaultRule{ff.latency, ff.answer} {
		if r == nil {
			continue
		}
		switch r.Kind {
		case FaultLatency:
			parts = append(parts, r.Kind+":"+time.Duration(r.Latency).String())
		case FaultError:
			parts = append(parts, r.Kind+":"+r.Code)
		case FaultHTTPStatus:
			parts = append(parts, r.Kind+":"+strconv.Itoa(faultStatus(r)))
		default:
			parts = append(parts, r.Kind)
		}
	}
	return strings.Join(parts, " ")
}

func faultStatus(r *FaultRule) int {
	if r.HTTPStatus == 0 {
		return http.StatusBadGateway
	}
	return r.HTTPStatus
}

// pickFaults returns the rules that fire for this call. Rules are tried in order; every rule
// that matches the call counts it (for Every), and the first latency rule and the first other
// rule that fire are kept. Once a rule of one class has fired, later rules of that class do
// not fire, so their Count and their random draw are not used up.
func (s *Server) pickFaults(action, jobID string) firedFaults {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ff firedFaults
	for _, f := range s.faults {
		r := f.rule
		if (r.Action != "" && r.Action != action) || (r.JobID != "" && r.JobID != jobID) {
			continue
		}
		if r.Count > 0 && f.fired >= r.Count {
			continue
		}
		f.seen++
		slot := &ff.answer
		if r.Kind == FaultLatency {
			slot = &ff.latency
		}
		if *slot != nil {
			continue
		}
		if r.Every > 1 && f.seen%r.Every != 0 {
			continue
		}
		if r.Probability > 0 && s.rng.Float64() >= r.Probability {
			continue
		}
		f.fired++
		*slot = &r
	}
	return ff
}
