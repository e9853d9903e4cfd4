package dtsmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestThrottling(t *testing.T) {
	e := newEnv(t, WithRateLimit(true), WithCredentials(
		Credential{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey},
		Credential{SecretID: "AKIDother", SecretKey: "otherKey"},
	))
	for i := 0; i < 20; i++ {
		e.c.wantCode("StartMigrateJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
	}
	// Throttling comes before input validation.
	e.c.wantCode("StartMigrateJob", map[string]any{"Bogus": 1}, "RequestLimitExceeded")
	// Other actions and other keys have their own buckets.
	e.c.wantCode("StopMigrateJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
	other := newClient(t, e.ts, e.clock)
	other.id, other.key = "AKIDother", "otherKey"
	other.wantCode("StartMigrateJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
	// Refilled continuously: 50 ms gives one token at 20/s; a refused call takes none.
	for i := 0; i < 3; i++ {
		e.c.wantCode("StartMigrateJob", jobID("dts-00000000"), "RequestLimitExceeded")
	}
	e.clock.Advance(50 * time.Millisecond)
	e.c.wantCode("StartMigrateJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
	e.c.wantCode("StartMigrateJob", jobID("dts-00000000"), "RequestLimitExceeded")
	// DescribeMigrateJobs allows 50 per second.
	for i := 0; i < 50; i++ {
		e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
	}
	e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "RequestLimitExceeded")
	e.clock.Advance(time.Second)
	for i := 0; i < 50; i++ {
		e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
	}
	// Switched off, nothing is throttled.
	off := newEnv(t)
	for i := 0; i < 80; i++ {
		off.c.wantCode("DescribeMigrateCheckJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
	}
}

func TestFaultErrorEveryAndCount(t *testing.T) {
	e := newEnv(t, WithFaults(FaultRule{Action: "DescribeMigrateJobs", Every: 2, Count: 2, Kind: FaultError, Code: "InternalError"}))
	var codes []string
	for i := 0; i < 7; i++ {
		codes = append(codes, errCode(e.c.call("DescribeMigrateJobs", map[string]any{})))
	}
	if got := strings.Join(codes, ","); got != ",InternalError,,InternalError,,," {
		t.Fatalf("codes %s", got)
	}
	// Other actions are untouched.
	e.c.wantCode("DescribeMigrateCheckJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
}

func TestFaultAfterAuthentication(t *testing.T) {
	e := newEnv(t, WithFaults(FaultRule{Kind: FaultError, Code: "InternalError"}))
	e.c.key = "wrong"
	e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "AuthFailure.SignatureFailure")
	e.c.key = DefaultSecretKey
	e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "InternalError")
}

func TestFaultJobID(t *testing.T) {
	e := newEnv(t)
	a := e.c.create(baseCreate("a"))
	b := e.c.create(baseCreate("b"))
	e.ts.AddFault(FaultRule{JobID: a, Kind: FaultError, Code: "FailedOperation.StatusInConflict", Message: "busy"})
	e.c.wantCode("DescribeMigrateCheckJob", jobID(a), "FailedOperation.StatusInConflict")
	e.c.wantCode("DescribeMigrateCheckJob", jobID(b), "")
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	run := func() string {
		e := newEnv(t, WithSeed(42), WithFaults(FaultRule{Action: "DescribeMigrateJobs", Probability: 0.5, Kind: FaultError, Code: "InternalError"}))
		var b strings.Builder
		for i := 0; i < 60; i++ {
			if errCode(e.c.call("DescribeMigrateJobs", map[string]any{})) == "" {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	first, second := run(), run()
	if first != second {
		t.Fatalf("same seed, different faults:\n%s\n%s", first, second)
	}
	if n := strings.Count(first, "x"); n < 15 || n > 45 {
		t.Fatalf("probability 0.5 fired %d of 60 times: %s", n, first)
	}
}

func rawPost(t *testing.T, c *apiClient, action string, body any) (*http.Response, error) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return c.httpC.Do(c.tc3Request(action, b))
}

func TestFaultHTTPStatusAndDrops(t *testing.T) {
	e := newEnv(t)
	e.ts.AddFault(FaultRule{Action: "DescribeMigrateJobs", Count: 1, Kind: FaultHTTPStatus, HTTPStatus: 503})
	resp, err := rawPost(t, e.c, "DescribeMigrateJobs", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	if resp.StatusCode != 503 || json.Valid(b) {
		t.Fatalf("HTTP %d body %s", resp.StatusCode, b)
	}

	// drop_connection: no answer, nothing created.
	e.ts.AddFault(FaultRule{Action: "CreateMigrateJob", Count: 1, Kind: FaultDropConnection})
	if _, err := rawPost(t, e.c, "CreateMigrateJob", baseCreate("dropped")); err == nil {
		t.Fatal("dropped request got an answer")
	}
	if n := len(e.ts.Jobs()); n != 0 {
		t.Fatalf("%d jobs after a dropped create", n)
	}
	// drop_after_commit: no answer, but the job exists.
	e.ts.AddFault(FaultRule{Action: "CreateMigrateJob", Count: 1, Kind: FaultDropAfterCommit})
	if _, err := rawPost(t, e.c, "CreateMigrateJob", baseCreate("committed")); err == nil {
		t.Fatal("drop_after_commit request got an answer")
	}
	jobs := e.ts.Jobs()
	if len(jobs) != 1 || jobs[0].JobName != "committed" {
		t.Fatalf("jobs after drop_after_commit: %+v", jobs)
	}
	// The count is used up: the next create answers.
	e.c.create(baseCreate("answered"))

	var codes []string
	for _, en := range e.ts.Journal() {
		codes = append(codes, en.Action+":"+en.ErrorCode)
	}
	want := "DescribeMigrateJobs:Fault.HTTPStatus CreateMigrateJob:Fault.DropConnection CreateMigrateJob:Fault.DropAfterCommit CreateMigrateJob:"
	if got := strings.Join(codes, " "); got != want {
		t.Fatalf("journal %s, want %s", got, want)
	}
	if j := e.ts.Journal()[2]; j.JobID != jobs[0].JobID {
		t.Fatalf("drop_after_commit journal entry has job %q, want %q", j.JobID, jobs[0].JobID)
	}
}

func TestFaultLatency(t *testing.T) {
	e := newEnv(t, WithFaults(FaultRule{Action: "DescribeMigrateJobs", Kind: FaultLatency, Latency: Duration(20 * time.Millisecond)}))
	start := time.Now()
	e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
	if el := time.Since(start); el < 20*time.Millisecond {
		t.Fatalf("answered after %v", el)
	}
}

func TestParseFaults(t *testing.T) {
	rules, err := ParseFaults([]byte(`[{"action":"StartMigrateJob","kind":"latency","latency":"250ms","every":3},{"kind":"error","code":"InternalError","probability":0.25,"count":2}]`))
	if err != nil {
		t.Fatal(err)
	}
	if rules[0].Latency != Duration(250*time.Millisecond) || rules[0].Every != 3 || rules[1].Probability != 0.25 {
		t.Fatalf("rules %+v", rules)
	}
	b, err := json.Marshal(rules[0])
	if err != nil || !strings.Contains(string(b), `"latency":"250ms"`) {
		t.Fatalf("marshal: %s %v", b, err)
	}
	for _, bad := range []string{`[{"kind":"explode"}]`, `[{"kind":"error"}]`, `[{"kind":"latency"}]`, `[{"kind":"latency","latency":"soon"}]`, `{}`, `[{"kind":"http_status","http_status":200}]`} {
		if _, err := ParseFaults([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := New(WithFaults(FaultRule{Kind: "nope"})); err == nil {
		t.Error("New accepted a bad fault rule")
	}
}

func TestJournal(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, WithJournal(&buf))
	id := e.c.create(baseCreate("j"))
	e.c.wantCode("StartMigrateJob", jobID(id), "FailedOperation.NotAllowOperation")
	e.c.key = "bad"
	e.c.wantCode("DeleteMigrateJob", jobID(id), "AuthFailure.SignatureFailure")
	entries := e.ts.Journal()
	want := []JournalEntry{
		{Action: "CreateMigrateJob", SignMethod: SignTC3, HTTPMethod: "POST", JobID: id},
		{Action: "StartMigrateJob", SignMethod: SignTC3, HTTPMethod: "POST", JobID: id, ErrorCode: "FailedOperation.NotAllowOperation"},
		{Action: "DeleteMigrateJob", SignMethod: SignTC3, HTTPMethod: "POST", ErrorCode: "AuthFailure.SignatureFailure"},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries", len(entries))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for i, w := range want {
		w.Time = testStart
		if entries[i] != w {
			t.Errorf("entry %d: %+v, want %+v", i, entries[i], w)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"time", "action", "sign_method", "http_method", "job_id", "error_code"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %s: %s", i, k, lines[i])
			}
		}
	}
	// An unsigned request is journaled with an empty sign method.
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-TC-Action", "DescribeMigrateJobs")
	if code := errCode(e.c.do(req)); code != "AuthFailure.InvalidAuthorization" {
		t.Fatalf("unsigned: %s", code)
	}
	last := e.ts.Journal()[3]
	if last.SignMethod != "" || last.Action != "DescribeMigrateJobs" || last.ErrorCode != "AuthFailure.InvalidAuthorization" {
		t.Fatalf("unsigned entry %+v", last)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clock := NewManualClock(testStart)
	opts := []Option{WithClock(clock), WithPhase(testPhase), WithStateFile(path), WithRateLimit(false)}
	ts := StartTest(t, opts...)
	c := newClient(t, ts, clock)
	a := c.create(baseCreate("persisted"))
	b := c.create(withOption(baseCreate("incremental"), func(mo map[string]any) { mo["MigrateType"] = 3 }))
	clock.Advance(testPhase)
	c.mustOK("CreateMigrateCheckJob", jobID(b))
	clock.Advance(testPhase)
	c.mustOK("StartMigrateJob", jobID(b))
	deleted := c.create(baseCreate("deleted"))
	c.mustOK("DeleteMigrateJob", jobID(deleted))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v", fi.Mode().Perm())
	}
	before := ts.Jobs()

	// A second server on the same file sees everything acknowledged, and time carries on.
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s2.Close(); err != nil {
			t.Error(err)
		}
	})
	after := s2.Jobs()
	if len(after) != 2 || after[0].JobID != a || after[1].JobID != b {
		t.Fatalf("reloaded jobs %+v", after)
	}
	if after[0].SrcPassword != "srcSecretPW1" || after[1].Status != before[1].Status || !after[0].CreateTime.Equal(before[0].CreateTime) {
		t.Fatalf("reloaded job differs: %+v vs %+v", after, before)
	}
	clock.Advance(2 * testPhase)
	if st, _ := s2.JobStatus(b); st != StatusReadyComplete {
		t.Fatalf("reloaded job status %d after the phases", st)
	}
	if entries, err := os.ReadDir(filepath.Dir(path)); err != nil || len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v %v", entries, err)
	}
	// A fresh ID never collides with a loaded one.
	id, err := s2.SeedJob(Job{JobName: "more"})
	if err != nil || id == a || id == b {
		t.Fatalf("SeedJob after reload: %s %v", id, err)
	}
	if jobs := s2.Jobs(); jobs[2].JobID != id {
		t.Fatal("creation order lost after reload")
	}

	// A corrupt file is an error, a missing one an empty store.
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(WithStateFile(path)); err == nil {
		t.Fatal("corrupt state accepted")
	}
	if s, err := New(WithStateFile(filepath.Join(t.TempDir(), "none.json"))); err != nil || len(s.Jobs()) != 0 {
		t.Fatalf("missing state: %v", err)
	}
}

func TestNewOptions(t *testing.T) {
	if _, err := New(WithCredentials(Credential{SecretID: "x"})); err == nil {
		t.Error("credential without key accepted")
	}
	if _, err := New(WithPhase(-time.Second)); err == nil {
		t.Error("negative phase accepted")
	}
	if _, err := New(WithPhaseDuration(PhaseStopping, -time.Second)); err == nil {
		t.Error("negative phase accepted")
	}
	s, err := New(WithPhase(time.Second), WithPhaseDuration(PhaseChecking, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if s.phases[PhaseChecking] != time.Minute || s.phases[PhaseCreating] != time.Second {
		t.Fatalf("phases %v", s.phases)
	}
	for p := PhaseCreating; p < phaseCount; p++ {
		if p.String() == "" || strings.HasPrefix(p.String(), "Phase(") {
			t.Errorf("phase %d has no name", p)
		}
	}
	var d Duration
	if err := json.Unmarshal([]byte(`1000`), &d); err != nil || d != 1000 {
		t.Errorf("numeric duration: %v %v", d, err)
	}
	if err := json.Unmarshal([]byte(`true`), &d); err == nil {
		t.Error("bool duration accepted")
	}
	if _, err := s.SeedJob(Job{Status: 13}); err == nil {
		t.Error("status 13 seeded")
	}
	id, err := s.SeedJob(Job{JobID: "dts-aaaaaaaa"})
	if err != nil || id != "dts-aaaaaaaa" {
		t.Fatal(id, err)
	}
	if _, err := s.SeedJob(Job{JobID: "dts-aaaaaaaa"}); err == nil {
		t.Error("duplicate ID seeded")
	}
	var ae *apiError
	if !errors.As(error(newError("X", "y")), &ae) || ae.Error() != "X: y" {
		t.Error("apiError formatting")
	}
}
