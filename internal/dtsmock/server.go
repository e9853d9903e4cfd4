package dtsmock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	mrand "math/rand"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	maxBodyBytes   = 1 << 20
	apiVersion     = "2018-03-30"
	defaultRate    = 20
	describeRate   = 50
	idGenAlphabet  = "abcdefghijklmnopqrstuvwxyz0123456789"
	idGenLength    = 8
	faultCodeDrop  = "Fault.DropConnection"
	faultCodeDAC   = "Fault.DropAfterCommit"
	faultCodeHTTP  = "Fault.HTTPStatus"
	faultCodeAbort = "Fault.Canceled"
	// faultCodeBodyNotRead journals a request whose body did not arrive in time, or whose
	// client went away while sending it.
	faultCodeBodyNotRead = "Client.BodyNotRead"
)

// JournalEntry records one request. Secrets are never recorded.
type JournalEntry struct {
	Time       time.Time `json:"time"`
	Action     string    `json:"action"`
	SignMethod string    `json:"sign_method"`
	HTTPMethod string    `json:"http_method"`
	JobID      string    `json:"job_id"`
	ErrorCode  string    `json:"error_code"`
	// Faults lists the fault rules that fired for this request, latency first, each as
	// "kind" or "kind:value" ("latency:250ms error:InternalError"); empty when none fired.
	Faults string `json:"faults,omitempty"`
}

type faultState struct {
	rule  FaultRule
	seen  int
	fired int
}

type bucketKey struct{ secretID, action string }

type bucket struct {
	tokens float64
	last   time.Time
}

// Server is the emulator; it implements http.Handler.
type Server struct {
	clock     Clock
	phases    phases
	verifier  *verifier
	rateLimit bool
	maxIdle   int
	logger    *log.Logger
	journalW  io.Writer
	conns     ConnLimits

	mu    sync.Mutex
	store *store // nil without a state file
	// gen counts the changes to the jobs; orders holds listings sorted at some gen.
	gen        uint64
	orders     map[string]orderCache
	encoded    map[string]encodedJob // see listing.go
	jobs       map[string]*jobState
	seq        int64
	rng        *mrand.Rand
	faults     []*faultState
	buckets    map[bucketKey]*bucket
	journal    []JournalEntry
	noMemory   bool // journal is not kept (WithJournalInMemory(false))
	failChecks []string
	failSteps  map[string]int
	live       liveState
}

// New builds a Server, loading its state file when one is configured.
func New(opts ...Option) (*Server, error) {
	o := options{rateLimit: true, maxIdleJobs: DefaultMaxIdleJobs, basePhase: DefaultPhase}
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.creds) == 0 {
		o.creds = []Credential{{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}}
	}
	for _, c := range o.creds {
		if c.SecretID == "" || c.SecretKey == "" {
			return nil, errors.New("a credential needs both a SecretID and a SecretKey")
		}
	}
	if o.clock == nil {
		o.clock = realClock{}
	}
	if o.basePhase < 0 {
		return nil, errors.New("the phase duration must not be negative")
	}
	if o.maxIdleJobs < 0 {
		return nil, fmt.Errorf("the quota of idle jobs must not be negative (got %d)", o.maxIdleJobs)
	}
	if !o.seedSet {
		o.seed = time.Now().UnixNano()
	}
	if o.logger == nil {
		o.logger = log.New(io.Discard, "", 0)
	}
	s := &Server{
		clock:     o.clock,
		verifier:  newVerifier(serviceName, o.creds),
		rateLimit: o.rateLimit,
		maxIdle:   o.maxIdleJobs,
		logger:    o.logger,
		journalW:  o.journal,
		noMemory:  o.noMemory,
		conns:     o.conns.withDefaults(),
		jobs:      map[string]*jobState{},
		rng:       mrand.New(mrand.NewSource(o.seed)), //nolint:gosec // Faults and IDs need reproducibility, not secrecy.
		buckets:   map[bucketKey]*bucket{},
		orders:    map[string]orderCache{},
		encoded:   map[string]encodedJob{},
		failSteps: map[string]int{},
		live:      newLiveState(o.live),
	}
	if err := o.live.validate(); err != nil {
		return nil, err
	}
	for p := range phaseCount {
		s.phases[p] = o.basePhase
		if o.phaseSet[p] {
			if o.phases[p] < 0 {
				return nil, fmt.Errorf("the %s phase must not be negative", p)
			}
			s.phases[p] = o.phases[p]
		}
	}
	for i, r := range o.faults {
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("fault rule %d: %w", i, err)
		}
		s.faults = append(s.faults, &faultState{rule: r})
	}
	if o.stateFile != "" {
		// The file is read and checked completely before anything is written to it, so a
		// refused file stays exactly as it was.
		ls, err := readState(o.stateFile)
		if err != nil {
			return nil, err
		}
		s.jobs, s.seq = ls.jobs, ls.seq
		if s.store, err = openStore(o.stateFile, ls, s.sortedLocked()); err != nil {
			return nil, fmt.Errorf("state file %s cannot be used: %w", o.stateFile, err)
		}
	}
	return s, nil
}

// Close releases the state file; the Server must not be used afterwards.
func (s *Server) Close() error {
	s.closeLive()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store == nil {
		return nil
	}
	err := s.store.close()
	s.store = nil
	return err
}

// newRequestID returns a random UUID (version 4).
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms; a fixed ID still keeps the envelope valid.
		return "00000000-0000-4000-8000-000000000000"
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// outcome is the result of processing one request.
type outcome struct {
	body   map[string]any
	list   *listing // the answer of DescribeMigrateJobs, instead of body
	err    *apiError
	jobID  string
	drop   bool
	status int
	code   string // journal code for faults that bypass the envelope
	faults string // the journal's trace of the fault rules that fired
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	entry := JournalEntry{HTTPMethod: r.Method}
	out := s.process(w, r, &entry)
	switch {
	case out.code != "":
		entry.ErrorCode = out.code
	case out.err != nil:
		entry.ErrorCode = out.err.Code
	}
	if entry.JobID == "" {
		entry.JobID = out.jobID
	}
	entry.Faults = out.faults
	entry.Time = s.clock.Now()
	s.record(entry)
	if out.drop {
		s.dropConnection(w)
		return
	}
	if out.status != 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(out.status)
		if _, err := fmt.Fprintf(w, "<html><body><h1>%d %s</h1><p>dtsmock injected fault</p></body></html>\n", out.status, http.StatusText(out.status)); err != nil {
			s.logger.Printf("writing fault response: %v", err)
		}
		return
	}
	if out.list != nil && out.err == nil {
		s.writeListing(w, out.list)
		return
	}
	resp := map[string]any{}
	for k, v := range out.body {
		resp[k] = v
	}
	if out.err != nil {
		resp = map[string]any{"Error": map[string]string{"Code": out.err.Code, "Message": out.err.Message}}
	}
	resp["RequestId"] = newRequestID()
	b, err := json.Marshal(map[string]any{"Response": resp})
	if err != nil {
		s.logger.Printf("encoding response: %v", err)
		b = []byte(`{"Response":{"Error":{"Code":"InternalError","Message":"encoding the response failed"},"RequestId":"` + newRequestID() + `"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	// A known length lets the answer go out in one write instead of in chunks.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(b); err != nil {
		s.logger.Printf("writing response: %v", err)
	}
}

// dropConnection closes the client's connection without an answer.
func (s *Server) dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		conn, _, err := hj.Hijack()
		if err == nil {
			if err := conn.Close(); err != nil {
				s.logger.Printf("closing a dropped connection: %v", err)
			}
			return
		}
		s.logger.Printf("hijacking a connection to drop: %v", err)
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) process(w http.ResponseWriter, r *http.Request, entry *JournalEntry) outcome {
	if err := s.setBodyDeadline(w); err != nil {
		s.logger.Printf("setting the body deadline: %v", err)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		// The client was too slow or went away: there is nobody to answer.
		return outcome{drop: true, code: faultCodeBodyNotRead}
	}
	if err := s.requestRead(w, r); err != nil {
		s.logger.Printf("lifting the body deadline: %v", err)
	}
	if len(body) > maxBodyBytes {
		return outcome{err: newError("InvalidParameter", "The request body is larger than %d bytes.", maxBodyBytes)}
	}
	now := s.clock.Now()
	req := &signedRequest{Method: r.Method, Host: r.Host, RawQuery: r.URL.RawQuery, Header: r.Header, Body: body}
	auth, ae := s.verifier.verify(req, now)
	entry.Action, entry.SignMethod = auth.Action, auth.SignMethod
	if ae != nil {
		return outcome{err: ae}
	}
	handler, known := actions[auth.Action]
	switch {
	case auth.Action == "":
		return outcome{err: missing("Action")}
	case !known:
		return outcome{err: newError("InvalidAction", "The action %s does not exist.", auth.Action)}
	case !auth.hasVersion || auth.Version == "":
		return outcome{err: missing("Version")}
	case auth.Version != apiVersion:
		return outcome{err: newError("NoSuchVersion", "The API version %s does not exist; use %s.", auth.Version, apiVersion)}
	case !auth.hasRegion || auth.Region == "":
		return outcome{err: missing("Region")}
	case !regions[auth.Region]:
		return outcome{err: newError("UnsupportedRegion", "The region %s is not supported.", auth.Region)}
	}
	// The parameters are decoded once, here, though an error in them is answered only after
	// the faults and the rate limit have had their say.
	p, pe := decodeParams(auth.Action, auth)
	jobID, _ := p.str("JobId")
	if pe != nil {
		jobID = peekJobID(auth)
	}
	entry.JobID = jobID
	ff := s.pickFaults(auth.Action, jobID)
	out := s.perform(r, auth, handler, call{p: p, err: pe, jobID: jobID}, now, ff)
	out.faults = ff.trace()
	return out
}

// mutating lists the actions that change the store; only they need an undo record.
var mutating = map[string]bool{
	"CreateMigrateJob": true, "ModifyMigrateJob": true, "CreateMigrateCheckJob": true,
	"StartMigrateJob": true, "StopMigrateJob": true, "CompleteMigrateJob": true, "DeleteMigrateJob": true,
}

// call is what an action is called with: its decoded parameters (or the error in them) and
// the job the request names.
type call struct {
	p     params
	err   *apiError
	jobID string
}

// perform applies the fired faults around the action: latency first, then the answering rule.
func (s *Server) perform(r *http.Request, auth *authResult, handler handlerFunc, c call, now time.Time, ff firedFaults) outcome {
	if ff.latency != nil {
		if err := sleepReal(r.Context(), time.Duration(ff.latency.Latency)); err != nil {
			return outcome{drop: true, code: faultCodeAbort}
		}
		now = s.clock.Now()
	}
	commitThenDrop := false
	if f := ff.answer; f != nil {
		switch f.Kind {
		case FaultError:
			msg := f.Message
			if msg == "" {
				msg = "An injected fault answered this request with an error."
			}
			return outcome{err: &apiError{Code: f.Code, Message: msg}}
		case FaultHTTPStatus:
			return outcome{status: faultStatus(f), code: faultCodeHTTP}
		case FaultDropConnection:
			return outcome{drop: true, code: faultCodeDrop}
		case FaultDropAfterCommit:
			commitThenDrop = true
		}
	}
	if !s.allow(auth.SecretID, auth.Action, now) {
		return outcome{err: newError("RequestLimitExceeded", "The number of requests for %s exceeds the frequency limit.", auth.Action)}
	}
	if c.err != nil {
		return outcome{err: c.err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var u undo
	if mutating[auth.Action] {
		u = s.undoLocked(c.jobID)
	}
	res := handler(s, c.p, now)
	if res.err == nil && res.mutated {
		if err := s.commitOrRestoreLocked(u, res.jobID); err != nil {
			s.logger.Printf("persisting state: %v", err)
			return outcome{err: newError("InternalError.DatabaseError", "The job store could not be written.")}
		}
	}
	out := outcome{body: res.body, list: res.list, err: res.err, jobID: res.jobID}
	if commitThenDrop {
		out.drop, out.code = true, faultCodeDAC
	}
	return out
}

// allow takes a token from the (SecretId, action) bucket; a refused request takes none.
func (s *Server) allow(secretID, action string, now time.Time) bool {
	if !s.rateLimit {
		return true
	}
	rate := float64(defaultRate)
	if action == "DescribeMigrateJobs" {
		rate = describeRate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := bucketKey{secretID, action}
	b, ok := s.buckets[k]
	if !ok {
		b = &bucket{tokens: rate, last: now}
		s.buckets[k] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(rate, b.tokens+el.Seconds()*rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Server) record(e JournalEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.noMemory {
		s.journal = append(s.journal, e)
	}
	if s.journalW == nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		s.logger.Printf("encoding journal entry: %v", err)
		return
	}
	if _, err := s.journalW.Write(append(b, '\n')); err != nil {
		s.logger.Printf("writing journal: %v", err)
	}
}

// newJobIDLocked returns an unused job ID: "dts-" and 8 lower-case alphanumerics.
func (s *Server) newJobIDLocked() string {
	for {
		b := make([]byte, idGenLength)
		for i := range b {
			b[i] = idGenAlphabet[s.rng.Intn(len(idGenAlphabet))]
		}
		id := "dts-" + string(b)
		if _, taken := s.jobs[id]; !taken {
			return id
		}
	}
}

// Journal returns every request so far, in order (nothing under WithJournalInMemory(false)).
func (s *Server) Journal() []JournalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]JournalEntry(nil), s.journal...)
}

// AddFault adds a fault rule; an invalid rule is reported to the logger and ignored.
func (s *Server) AddFault(rule FaultRule) {
	if err := rule.validate(); err != nil {
		s.logger.Printf("ignoring fault rule: %v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{rule: rule})
}

// Vanish makes a job disappear silently; it reports whether the job existed.
func (s *Server) Vanish(jobID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[jobID]; !ok {
		return false
	}
	u := s.undoLocked(jobID)
	delete(s.jobs, jobID)
	if err := s.commitOrRestoreLocked(u, jobID); err != nil {
		s.logger.Printf("persisting the vanishing of job %s: %v", jobID, err)
		return false
	}
	return true
}

// FailNextCheck makes the next check started (any job) fail with message.
func (s *Server) FailNextCheck(message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failChecks = append(s.failChecks, message)
}

// FailMigrationAtStep makes the migration of jobID fail at step; jobID "" means the next job
// started.
func (s *Server) FailMigrationAtStep(jobID string, step int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[jobID]; ok && j.Status == StatusRunning && !j.RunStart.IsZero() {
		u := s.undoLocked(jobID)
		j.FailStep = clampStep(j.MigrateType, step)
		if err := s.commitOrRestoreLocked(u, jobID); err != nil {
			s.logger.Printf("persisting the failure step of job %s: %v", jobID, err)
		}
		return
	}
	s.failSteps[jobID] = step
}

func clampStep(migrateType, step int) int {
	return max(1, min(timedSteps(migrateType), step))
}

// SetJobStatus forces a job's status; the phases continue from now.
func (s *Server) SetJobStatus(jobID string, status int) error {
	if status < StatusCreating || status > StatusCompleting {
		return fmt.Errorf("status %d is not between 1 and 12", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return fmt.Errorf("job %s does not exist", jobID)
	}
	u := s.undoLocked(jobID)
	s.forceStatusLocked(j, status, s.clock.Now())
	return s.commitOrRestoreLocked(u, jobID)
}

func (s *Server) forceStatusLocked(j *jobState, status int, now time.Time) {
	switch status {
	case StatusChecking:
		j.CheckFail, j.CheckMessage = false, ""
	case StatusCheckPass:
		j.CheckRan, j.CheckStart = true, now
	case StatusCheckNotPass:
		j.CheckRan, j.CheckStart = true, now
		if j.CheckMessage == "" {
			j.CheckMessage = "The check failed."
		}
	case StatusReadyComplete, StatusCompleting, StatusSuccess:
		if j.RunStart.IsZero() {
			j.RunStart, j.StartTime = now.Add(-s.phases[PhaseMigrating]), now.Add(-s.phases[PhaseMigrating])
		}
	case StatusStopping, StatusFailed:
		if j.RunStart.IsZero() {
			j.RunStart, j.StartTime = now, now
		}
	}
	s.phases.enter(j, status, now)
}

// JobStatus returns a job's current status.
func (s *Server) JobStatus(jobID string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return 0, false
	}
	s.phases.settle(j, s.clock.Now())
	return j.Status, true
}

// Job returns a copy of the stored job, secrets included.
func (s *Server) Job(jobID string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return Job{}, false
	}
	s.phases.settle(j, s.clock.Now())
	return j.publicCopy(), true
}

// Jobs returns copies of all jobs, in creation order.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make([]Job, 0, len(s.jobs))
	for _, j := range s.sortedLocked() {
		s.phases.settle(j, now)
		out = append(out, j.publicCopy())
	}
	return out
}

// SeedJob inserts a job as if it had been created; the ID is generated when empty, CreateTime
// defaults to now and Status to 2 (Created).
func (s *Server) SeedJob(j Job) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if j.JobID == "" {
		j.JobID = s.newJobIDLocked()
	}
	if _, taken := s.jobs[j.JobID]; taken {
		return "", fmt.Errorf("job %s already exists", j.JobID)
	}
	if j.Status == 0 {
		j.Status = StatusCreated
	}
	if j.Status < StatusCreating || j.Status > StatusCompleting {
		return "", fmt.Errorf("status %d is not between 1 and 12", j.Status)
	}
	if j.CreateTime.IsZero() {
		j.CreateTime = now
	}
	defaults(&j)
	j.Tags = cloneTags(j.Tags)
	j.ErrorInfo = append([]ErrorInfo(nil), j.ErrorInfo...)
	u := s.undoLocked(j.JobID)
	s.seq++
	st := &jobState{Job: j, Seq: s.seq, Since: now}
	status := j.Status
	st.Status = StatusCreated
	st.CheckFlag = CheckFlagNotChecked
	if status != StatusCreated {
		s.forceStatusLocked(st, status, now)
	}
	if err := checkStoredJob(st, "the seeded job"); err != nil {
		return "", err
	}
	s.jobs[j.JobID] = st
	if err := s.commitOrRestoreLocked(u, j.JobID); err != nil {
		return "", err
	}
	return j.JobID, nil
}

func defaults(j *Job) {
	if j.RunMode == 0 {
		j.RunMode = 1
	}
	if j.MigrateType == 0 {
		j.MigrateType = 2
	}
	if j.MigrateObject == 0 {
		j.MigrateObject = 1
	}
	if j.ConsistencyType == 0 {
		j.ConsistencyType = 1
	}
	if j.SrcDatabaseType == "" {
		j.SrcDatabaseType = "mysql"
	}
	if j.DstDatabaseType == "" {
		j.DstDatabaseType = "mysql"
	}
	if j.SrcAccessType == "" {
		j.SrcAccessType = "extranet"
	}
	if j.DstAccessType == "" {
		j.DstAccessType = "cdb"
	}
}
