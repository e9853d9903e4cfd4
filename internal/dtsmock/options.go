package dtsmock

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"time"
)

// DefaultSecretID is the SecretId accepted when no credentials are configured.
const DefaultSecretID = "AKIDdtsmockEXAMPLE"

// DefaultSecretKey is the SecretKey paired with DefaultSecretID.
const DefaultSecretKey = "dtsmockSecretKeyEXAMPLE"

// Credential is one accepted key pair; a non-empty Token marks a temporary key that must send
// exactly that token, while an empty Token marks a long-term key that must send none.
type Credential struct {
	SecretID  string
	SecretKey string
	Token     string
}

// Phase names one simulated phase of a job's life.
type Phase int

// The simulated phases, each lasting its own configurable duration.
const (
	PhaseCreating Phase = iota
	PhaseChecking
	PhaseReadyRun
	PhaseMigrating
	PhaseStopping
	PhaseCompleting
	phaseCount
)

// String returns the phase's name.
func (p Phase) String() string {
	switch p {
	case PhaseCreating:
		return "creating"
	case PhaseChecking:
		return "checking"
	case PhaseReadyRun:
		return "ready-run"
	case PhaseMigrating:
		return "migrating"
	case PhaseStopping:
		return "stopping"
	case PhaseCompleting:
		return "completing"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// DefaultPhase is the default duration of every phase.
const DefaultPhase = 3 * time.Second

// DefaultMaxIdleJobs is the default quota of idle jobs (status 1, 2, 4 or 5).
const DefaultMaxIdleJobs = 100

type options struct {
	creds       []Credential
	clock       Clock
	phases      [phaseCount]time.Duration
	phaseSet    [phaseCount]bool
	basePhase   time.Duration
	rateLimit   bool
	maxIdleJobs int
	faults      []FaultRule
	seed        int64
	seedSet     bool
	journal     io.Writer
	noMemory    bool
	stateFile   string
	logger      *log.Logger
	conns       ConnLimits
	live        liveConfig
}

// Option configures a Server.
type Option func(*options)

// WithCredentials replaces the default key pair with creds.
func WithCredentials(creds ...Credential) Option {
	return func(o *options) { o.creds = append([]Credential(nil), creds...) }
}

// WithClock sets the clock that drives timestamps, phases and throttling (default: real time).
func WithClock(c Clock) Option {
	return func(o *options) { o.clock = c }
}

// WithPhase sets the base duration of every phase not set by WithPhaseDuration (default 3s).
func WithPhase(d time.Duration) Option {
	return func(o *options) { o.basePhase = d }
}

// WithPhaseDuration sets the duration of one phase.
func WithPhaseDuration(p Phase, d time.Duration) Option {
	return func(o *options) {
		if p >= 0 && p < phaseCount {
			o.phases[p] = d
			o.phaseSet[p] = true
		}
	}
}

// WithRateLimit switches throttling on or off (default on).
func WithRateLimit(enabled bool) Option {
	return func(o *options) { o.rateLimit = enabled }
}

// WithMaxIdleJobs sets the quota of idle jobs (default 100).
func WithMaxIdleJobs(n int) Option {
	return func(o *options) { o.maxIdleJobs = n }
}

// WithFaults adds fault rules.
func WithFaults(rules ...FaultRule) Option {
	return func(o *options) { o.faults = append(o.faults, rules...) }
}

// WithSeed seeds the random source behind fault probabilities and job IDs.
func WithSeed(seed int64) Option {
	return func(o *options) {
		o.seed = seed
		o.seedSet = true
	}
}

// WithJournal also appends every journal entry as one JSON line to w.
func WithJournal(w io.Writer) Option {
	return func(o *options) { o.journal = w }
}

// WithJournalInMemory says whether the Server keeps every journal entry in memory for
// Journal (the default, for tests). A long-running emulator that nothing asks for its journal
// turns it off, so that its memory does not grow with every request; the journal written by
// WithJournal is unaffected.
func WithJournalInMemory(keep bool) Option {
	return func(o *options) { o.noMemory = !keep }
}

// WithStateFile loads the jobs from path on New and persists every acknowledged mutation there.
func WithStateFile(path string) Option {
	return func(o *options) { o.stateFile = path }
}

// WithLogger sets where the emulator reports its own problems (default: discarded).
func WithLogger(l *log.Logger) Option {
	return func(o *options) { o.logger = l }
}

// Duration is a time.Duration that JSON-encodes as a Go duration string such as "250ms".
type Duration time.Duration

// MarshalJSON encodes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON accepts a duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return durationError{fmt.Errorf("duration must be a string like \"250ms\": %w", err)}
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return durationError{fmt.Errorf("parsing duration: %w", err)}
	}
	*d = Duration(v)
	return nil
}

// durationError marks a Duration that could not be decoded, so that ParseFaults can name the
// field it came from.
type durationError struct{ err error }

func (e durationError) Error() string { return e.err.Error() }

func (e durationError) Unwrap() error { return e.err }
