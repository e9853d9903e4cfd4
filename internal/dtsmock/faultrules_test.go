package dtsmock

import (
	"bytes"
	"log"
	"strings"
	"testing"
	"time"
)

func TestParseFaultsStrict(t *testing.T) {
	cases := []struct{ data, want string }{
		{`[{"kind":"error","code":"InternalError"},{"kind":"error","code":"InternalError","probabilty":0.05}]`, `fault rule 1: field "probabilty": unknown field`}, //nolint:misspell // the misspelt field is what the test feeds
		{`[{"action":"StartMigrateJobs","kind":"drop_connection"}]`, `fault rule 0: field "action": unknown action "StartMigrateJobs"`},
		{`[{"kind":"drop"}]`, `fault rule 0: field "kind": unknown kind "drop"`},
		{`[{"action":"StartMigrateJob"}]`, `fault rule 0: field "kind": missing`},
		{`[{"kind":"error","code":"InternalError","probability":1.5}]`, `fault rule 0: field "probability": 1.5 is outside 0..1`},
		{`[{"kind":"error","code":"InternalError","every":-1}]`, `fault rule 0: field "every": -1 is negative`},
		{`[{"kind":"error","code":"InternalError","count":-2}]`, `fault rule 0: field "count": -2 is negative`},
		{`[{"kind":"error","code":"InternalError","every":"3"}]`, `fault rule 0: field "every"`},
		{`[{"kind":"http_status","http_status":200}]`, `fault rule 0: field "http_status": 200 is not an HTTP error status`},
		{`[{"kind":"latency","latency":"10m"}]`, `fault rule 0: field "latency": 10m0s is not a latency`},
		{`[{"kind":"latency","latency":"-1s"}]`, `fault rule 0: field "latency"`},
		{`[{"kind":"latency","latency":"soon"}]`, `fault rule 0: field "latency"`},
		{`[{"kind":"latency","latency":"1s","code":"InternalError"}]`, `fault rule 0: field "code": does not apply to a rule of kind "latency"`},
		{`[{"kind":"drop_connection","job_id":"abc"}]`, `fault rule 0: field "job_id": "abc" is not a job ID`},
		{`{"kind":"error"}`, `a JSON array`},
	}
	for _, tc := range cases {
		_, err := ParseFaults([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseFaults(%s) = %v, want an error containing %q", tc.data, err, tc.want)
		}
	}
	if _, err := New(WithFaults(FaultRule{Kind: FaultError, Code: "X"}, FaultRule{Kind: FaultLatency})); err == nil || !strings.Contains(err.Error(), `fault rule 1: field "latency"`) {
		t.Errorf("New with a bad second rule: %v", err)
	}
}

func TestNegativeIdleQuotaRefused(t *testing.T) {
	if _, err := New(WithMaxIdleJobs(-5)); err == nil || !strings.Contains(err.Error(), "-5") {
		t.Fatalf("New(WithMaxIdleJobs(-5)) = %v", err)
	}
}

func TestLogLinesCarryNoPrefix(t *testing.T) {
	var buf bytes.Buffer
	s, err := New(WithLogger(log.New(&buf, "dtsmock: ", 0)))
	if err != nil {
		t.Fatal(err)
	}
	s.AddFault(FaultRule{Kind: "nope"})
	if got := buf.String(); !strings.HasPrefix(got, "dtsmock: ignoring fault rule") || strings.Count(got, "dtsmock:") != 1 {
		t.Fatalf("log %q", got)
	}
}

// faultTrace returns "action error_code faults" for each journal entry.
func faultTrace(s *Server) string {
	var lines []string
	for _, en := range s.Journal() {
		lines = append(lines, strings.Join(strings.Fields(en.Action+" "+en.ErrorCode+" "+en.Faults), " "))
	}
	return strings.Join(lines, "\n")
}

func TestFaultLatencyCombinesWithOneAnswer(t *testing.T) {
	ms := Duration(time.Millisecond)
	e := newEnv(t, WithFaults(
		FaultRule{Action: "DescribeMigrateJobs", Kind: FaultLatency, Latency: ms},
		FaultRule{Action: "DescribeMigrateJobs", Kind: FaultLatency, Latency: 2 * ms, Count: 1},
		FaultRule{Action: "DescribeMigrateJobs", Kind: FaultError, Code: "InternalError", Count: 1},
		FaultRule{Action: "DescribeMigrateJobs", Kind: FaultHTTPStatus, HTTPStatus: 503, Count: 1},
		FaultRule{Action: "DescribeMigrateCheckJob", Kind: FaultError, Code: "ResourceUnavailable", Every: 2},
	))
	e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "InternalError")
	resp, err := rawPost(t, e.c, "DescribeMigrateJobs", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil || resp.StatusCode != 503 {
		t.Fatalf("second call: HTTP %d %v", resp.StatusCode, err)
	}
	e.c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
	e.c.wantCode("DescribeMigrateCheckJob", jobID("dts-00000000"), "ResourceNotFound.JobNotExist")
	e.c.wantCode("DescribeMigrateCheckJob", jobID("dts-00000000"), "ResourceUnavailable")
	// Only the first latency rule and the first answering rule fire; the second latency rule
	// never fires, and the http_status rule waits for the call after the error rule's.
	want := strings.Join([]string{
		"DescribeMigrateJobs InternalError latency:1ms error:InternalError",
		"DescribeMigrateJobs Fault.HTTPStatus latency:1ms http_status:503",
		"DescribeMigrateJobs latency:1ms",
		"DescribeMigrateCheckJob ResourceNotFound.JobNotExist",
		"DescribeMigrateCheckJob ResourceUnavailable error:ResourceUnavailable",
	}, "\n")
	if got := faultTrace(e.ts.Server); got != want {
		t.Fatalf("journal:\n%s\nwant:\n%s", got, want)
	}
}

func TestFaultDropsInTheJournal(t *testing.T) {
	e := newEnv(t, WithFaults(
		FaultRule{Action: "CreateMigrateJob", Kind: FaultDropConnection, Count: 1},
		FaultRule{Action: "CreateMigrateJob", Kind: FaultDropAfterCommit, Count: 1},
	))
	for range 2 {
		if _, err := rawPost(t, e.c, "CreateMigrateJob", baseCreate("x")); err == nil {
			t.Fatal("a dropped request got an answer")
		}
	}
	want := "CreateMigrateJob Fault.DropConnection drop_connection\nCreateMigrateJob Fault.DropAfterCommit drop_after_commit"
	if got := faultTrace(e.ts.Server); got != want {
		t.Fatalf("journal:\n%s\nwant:\n%s", got, want)
	}
}

// TestDropAfterCommitEveryMutatingAction checks that every mutating action can be made to
// take effect and then lose its answer.
func TestDropAfterCommitEveryMutatingAction(t *testing.T) {
	cases := []struct {
		action string
		from   int
		body   func(id string) map[string]any
		after  int // the status after the action; 0 for a deleted job
	}{
		{"ModifyMigrateJob", StatusCheckPass, func(id string) map[string]any { return map[string]any{"JobId": id, "JobName": "renamed"} }, StatusCreated},
		{"CreateMigrateCheckJob", StatusCreated, jobID, StatusChecking},
		{"StartMigrateJob", StatusCheckPass, jobID, StatusReadyRun},
		{"StopMigrateJob", StatusRunning, jobID, StatusStopping},
		{"CompleteMigrateJob", StatusReadyComplete, jobID, StatusCompleting},
		{"DeleteMigrateJob", StatusCreated, jobID, 0},
	}
	for _, tc := range cases {
		t.Run(tc.action, func(t *testing.T) {
			e := newEnv(t)
			id := e.reach(tc.from)
			e.ts.AddFault(FaultRule{Action: tc.action, JobID: id, Kind: FaultDropAfterCommit, Count: 1})
			if _, err := rawPost(t, e.c, tc.action, tc.body(id)); err == nil {
				t.Fatal("the request got an answer")
			}
			st, ok := e.ts.JobStatus(id)
			if tc.after == 0 && ok {
				t.Fatalf("the job is still there in status %d", st)
			}
			if tc.after != 0 && st != tc.after {
				t.Fatalf("status %d, want %d", st, tc.after)
			}
			last := e.ts.Journal()[len(e.ts.Journal())-1]
			if last.Action != tc.action || last.JobID != id || last.ErrorCode != "Fault.DropAfterCommit" || last.Faults != FaultDropAfterCommit {
				t.Fatalf("journal entry %+v", last)
			}
		})
	}
}
