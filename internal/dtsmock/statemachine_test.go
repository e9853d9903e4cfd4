package dtsmock

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const testPhase = 10 * time.Second

// env is one emulator with a manual clock and a signing client.
type env struct {
	t     *testing.T
	clock *ManualClock
	ts    *TestServer
	c     *apiClient
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	clock := NewManualClock(testStart)
	opts = append([]Option{WithClock(clock), WithPhase(testPhase), WithSeed(7), WithRateLimit(false)}, opts...)
	ts := StartTest(t, opts...)
	return &env{t: t, clock: clock, ts: ts, c: newClient(t, ts, clock)}
}

// reach drives a new job into status through the API alone.
func (e *env) reach(status int) string {
	e.t.Helper()
	body := baseCreate(fmt.Sprintf("job-%d", status))
	switch status {
	case StatusCheckNotPass:
		obj(body["SrcInfo"])["Ip"] = "192.0.2.10"
	case StatusReadyComplete, StatusCompleting:
		withOption(body, func(mo map[string]any) { mo["MigrateType"] = 3 })
	}
	id := e.c.create(body)
	if status == StatusCreating {
		return id
	}
	e.clock.Advance(testPhase)
	if status == StatusCreated {
		return id
	}
	e.c.mustOK("CreateMigrateCheckJob", jobID(id))
	if status == StatusChecking {
		return id
	}
	e.clock.Advance(testPhase)
	if status == StatusCheckPass || status == StatusCheckNotPass {
		return id
	}
	e.c.mustOK("StartMigrateJob", jobID(id))
	switch status {
	case StatusReadyRun:
		return id
	case StatusStopping:
		e.c.mustOK("StopMigrateJob", jobID(id))
		return id
	case StatusFailed:
		e.c.mustOK("StopMigrateJob", jobID(id))
		e.clock.Advance(testPhase)
		return id
	}
	e.clock.Advance(testPhase)
	if status == StatusRunning {
		return id
	}
	e.clock.Advance(testPhase)
	if status == StatusCompleting {
		e.c.mustOK("CompleteMigrateJob", jobID(id))
	}
	return id
}

// checked creates a job from body and lets its creation and then its check run to their end,
// whatever the check's verdict.
func (e *env) checked(body map[string]any) string {
	e.t.Helper()
	id := e.c.create(body)
	e.clock.Advance(testPhase)
	e.c.mustOK("CreateMigrateCheckJob", jobID(id))
	e.clock.Advance(testPhase)
	return id
}

// TestTransitionTable checks every action in every status: allowed calls have their effect,
// disallowed ones answer FailedOperation.NotAllowOperation.
func TestTransitionTable(t *testing.T) {
	const gone = -1
	type rule struct {
		allowed map[int]bool
		after   int
		body    func(id string) map[string]any
	}
	set := func(s ...int) map[int]bool {
		m := map[int]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	all := set(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	table := map[string]rule{
		"ModifyMigrateJob":        {set(1, 2, 4, 5, 10), StatusCreated, func(id string) map[string]any { return map[string]any{"JobId": id, "JobName": "renamed"} }},
		"CreateMigrateCheckJob":   {set(2, 4, 5, 10), StatusChecking, jobID},
		"StartMigrateJob":         {set(4), StatusReadyRun, jobID},
		"StopMigrateJob":          {set(6, 7, 8), StatusStopping, jobID},
		"CompleteMigrateJob":      {set(8), StatusCompleting, jobID},
		"DeleteMigrateJob":        {set(1, 2, 4, 5, 9, 10), gone, jobID},
		"DescribeMigrateCheckJob": {all, 0, jobID},
	}
	for action, r := range table {
		for status := 1; status <= 12; status++ {
			t.Run(fmt.Sprintf("%s/from%d", action, status), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				id := e.reach(status)
				if got := e.c.status(id); got != status {
					t.Fatalf("setup reached %d, want %d", got, status)
				}
				if !r.allowed[status] {
					e.c.wantCode(action, r.body(id), "FailedOperation.NotAllowOperation")
					if got := e.c.status(id); got != status {
						t.Fatalf("a refused call changed the status to %d", got)
					}
					return
				}
				e.c.mustOK(action, r.body(id))
				switch r.after {
				case 0:
					if got := e.c.status(id); got != status {
						t.Fatalf("status moved to %d", got)
					}
				case gone:
					if n := num(e.c.mustOK("DescribeMigrateJobs", jobID(id))["TotalCount"]); n != 0 {
						t.Fatal("deleted job still listed")
					}
					e.c.wantCode("DescribeMigrateCheckJob", jobID(id), "ResourceNotFound.JobNotExist")
				default:
					if got := e.c.status(id); got != r.after {
						t.Fatalf("status %d after %s, want %d", got, action, r.after)
					}
				}
			})
		}
	}
}

// TestAutomaticTransitions follows the time-driven transitions.
func TestAutomaticTransitions(t *testing.T) {
	e := newEnv(t)
	id := e.c.create(baseCreate("auto"))
	steps := []struct {
		advance time.Duration
		want    int
	}{{testPhase - time.Second, 1}, {time.Second, 2}}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		if got := e.c.status(id); got != s.want {
			t.Fatalf("status %d, want %d", got, s.want)
		}
	}
	e.c.mustOK("CreateMigrateCheckJob", jobID(id))
	var progress []string
	for i := 0; i < 10; i++ {
		r := e.c.mustOK("DescribeMigrateCheckJob", jobID(id))
		progress = append(progress, str(r["Status"])+":"+str(r["Progress"]))
		e.clock.Advance(testPhase / 10)
	}
	want := "starting:0 running:1 running:11 running:22 running:33 running:44 running:55 running:66 running:77 running:88"
	if got := strings.Join(progress, " "); got != want {
		t.Fatalf("check progress:\n got %s\nwant %s", got, want)
	}
	r := e.c.mustOK("DescribeMigrateCheckJob", jobID(id))
	if r["Status"] != "finished" || num(r["CheckFlag"]) != 1 || r["Progress"] != "100" || num(r["ErrorCode"]) != 0 {
		t.Fatalf("finished check: %v", r)
	}
	e.c.mustOK("StartMigrateJob", jobID(id))
	e.clock.Advance(testPhase)
	j := e.c.describe(id)
	if num(j["Status"]) != 7 || j["StartTime"] != formatTime(e.clock.Now()) {
		t.Fatalf("running job: %v", j)
	}
	// Full migration has five steps, each a fifth of the migrating phase.
	var nows []float64
	for i := 0; i < 5; i++ {
		d := obj(e.c.describe(id)["Detail"])
		nows = append(nows, num(d["StepNow"]))
		steps := arr(d["StepInfo"])
		if len(steps) != 5 || num(d["StepAll"]) != 5 {
			t.Fatalf("detail: %v", d)
		}
		cur := obj(steps[int(num(d["StepNow"]))-1])
		if num(cur["Status"]) != 3 || cur["StartTime"] == zeroTime || cur["StepName"] == "" {
			t.Fatalf("current step: %v", cur)
		}
		e.clock.Advance(testPhase / 5)
	}
	if fmt.Sprint(nows) != "[1 2 3 4 5]" {
		t.Fatalf("StepNow sequence %v", nows)
	}
	j = e.c.describe(id)
	if num(j["Status"]) != 9 || j["EndTime"] == zeroTime || obj(j["Detail"])["Progress"] != "100" {
		t.Fatalf("finished job: %v", j)
	}
}

// TestScheduledRun checks that RunMode 2 waits in ReadyRun until ExpectTime, read as UTC+8.
func TestScheduledRun(t *testing.T) {
	e := newEnv(t)
	expect := e.clock.Now().Add(2 * time.Hour)
	body := withOption(baseCreate("scheduled"), func(mo map[string]any) {
		mo["RunMode"] = 2
		mo["ExpectTime"] = expect.In(vendorZone).Format(timeLayout)
	})
	id := e.c.create(body)
	if got := obj(e.c.describe(id)["MigrateOption"])["ExpectTime"]; got != expect.In(vendorZone).Format(timeLayout) {
		t.Fatalf("ExpectTime echoed as %v", got)
	}
	e.clock.Advance(testPhase)
	e.c.mustOK("CreateMigrateCheckJob", jobID(id))
	e.clock.Advance(testPhase)
	e.c.mustOK("StartMigrateJob", jobID(id))
	e.clock.Set(expect.Add(-time.Second))
	if got := e.c.status(id); got != StatusReadyRun {
		t.Fatalf("one second before ExpectTime: status %d", got)
	}
	e.clock.Set(expect)
	if got := e.c.status(id); got != StatusRunning {
		t.Fatalf("at ExpectTime: status %d", got)
	}
	if got := e.c.describe(id)["StartTime"]; got != formatTime(expect) {
		t.Fatalf("StartTime %v, want %s", got, formatTime(expect))
	}

	// An ExpectTime in the past still waits one ready-run phase.
	body = withOption(baseCreate("past"), func(mo map[string]any) {
		mo["RunMode"] = 2
		mo["ExpectTime"] = e.clock.Now().Add(-time.Hour).In(vendorZone).Format(timeLayout)
	})
	id = e.checked(body)
	e.c.mustOK("StartMigrateJob", jobID(id))
	e.clock.Advance(testPhase - time.Second)
	if got := e.c.status(id); got != StatusReadyRun {
		t.Fatalf("status %d before the ready-run phase ends", got)
	}
	e.clock.Advance(time.Second)
	if got := e.c.status(id); got != StatusRunning {
		t.Fatalf("status %d after the ready-run phase", got)
	}
}

// TestIncrementalThenComplete follows a full + incremental job to success.
func TestIncrementalThenComplete(t *testing.T) {
	e := newEnv(t)
	id := e.reach(StatusReadyComplete)
	seen := map[string]bool{}
	for i := 0; i < 12; i++ {
		j := e.c.describe(id)
		if num(j["Status"]) != StatusReadyComplete {
			t.Fatalf("status %v in incremental sync", j["Status"])
		}
		d := obj(j["Detail"])
		sbm, msd := num(d["SecondsBehindMaster"]), num(d["MasterSlaveDistance"])
		if sbm < 0 || sbm > 5 || msd < 0 || msd > 5 {
			t.Fatalf("lag not small: %v", d)
		}
		last := obj(arr(d["StepInfo"])[3])
		if num(last["Status"]) != 3 || num(d["StepNow"]) != 4 {
			t.Fatalf("incremental step not running: %v", d)
		}
		seen[fmt.Sprint(sbm, msd)] = true
		e.clock.Advance(time.Second)
	}
	if len(seen) < 2 {
		t.Fatalf("lag never varies: %v", seen)
	}
	e.c.wantCode("CompleteMigrateJob", map[string]any{"JobId": id, "CompleteMode": "later"}, "InvalidParameterValue")
	e.c.mustOK("CompleteMigrateJob", map[string]any{"JobId": id, "CompleteMode": "immediately"})
	if got := e.c.status(id); got != StatusCompleting {
		t.Fatalf("status %d after complete", got)
	}
	e.clock.Advance(testPhase)
	j := e.c.describe(id)
	d := obj(j["Detail"])
	if num(j["Status"]) != StatusSuccess || j["EndTime"] == zeroTime || num(d["SecondsBehindMaster"]) != 0 {
		t.Fatalf("completed job: %v", j)
	}
	for _, s := range arr(d["StepInfo"]) {
		if num(obj(s)["Status"]) != 1 {
			t.Fatalf("step not successful: %v", s)
		}
	}
}

// TestTriggers checks the deterministic failure triggers and the Go test controls.
func TestTriggers(t *testing.T) {
	t.Run("connection error", func(t *testing.T) {
		e := newEnv(t)
		body := baseCreate("unreachable")
		obj(body["SrcInfo"])["Ip"] = "192.0.2.77"
		id := e.checked(body)
		r := e.c.mustOK("DescribeMigrateCheckJob", jobID(id))
		msg, _ := r["ErrorMessage"].(string)
		if num(r["CheckFlag"]) != 0 || num(r["ErrorCode"]) != -1 || !strings.Contains(msg, "192.0.2.77") || !strings.HasSuffix(msg, ".") {
			t.Fatalf("check: %v", r)
		}
		j := e.c.describe(id)
		if num(j["Status"]) != StatusCheckNotPass || len(arr(j["ErrorInfo"])) != 1 {
			t.Fatalf("job: %v", j)
		}
		// Fixing the source and checking again passes.
		e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": id, "SrcInfo": map[string]any{"Ip": "10.0.0.9", "Port": 3306}})
		if j := e.c.describe(id); len(arr(j["ErrorInfo"])) != 0 {
			t.Fatalf("ErrorInfo kept after modify: %v", j["ErrorInfo"])
		}
		e.c.mustOK("CreateMigrateCheckJob", jobID(id))
		e.clock.Advance(testPhase)
		if got := e.c.status(id); got != StatusCheckPass {
			t.Fatalf("status %d after fixing the source", got)
		}
	})
	t.Run("missing table", func(t *testing.T) {
		e := newEnv(t)
		body := withOption(baseCreate("missing"), func(mo map[string]any) { mo["MigrateObject"] = 2 })
		body["DatabaseInfo"] = `[{"Database":"shop"},{"Database":"missing_orders","Table":["t"]}]`
		id := e.checked(body)
		r := e.c.mustOK("DescribeMigrateCheckJob", jobID(id))
		if num(r["CheckFlag"]) != 0 || !strings.Contains(str(r["ErrorMessage"]), "table does not exist") {
			t.Fatalf("check: %v", r)
		}
	})
	t.Run("migration fails at step 2", func(t *testing.T) {
		e := newEnv(t)
		body := baseCreate("flaky")
		obj(body["SrcInfo"])["Ip"] = "198.51.100.20"
		id := e.checked(body)
		e.c.mustOK("StartMigrateJob", jobID(id))
		e.clock.Advance(testPhase)
		if got := e.c.status(id); got != StatusRunning {
			t.Fatalf("status %d", got)
		}
		e.clock.Advance(testPhase)
		j := e.c.describe(id)
		d := obj(j["Detail"])
		steps := arr(d["StepInfo"])
		if num(j["Status"]) != StatusFailed || len(arr(j["ErrorInfo"])) != 1 || num(d["StepNow"]) != 2 ||
			num(obj(steps[0])["Status"]) != 1 || num(obj(steps[1])["Status"]) != 2 ||
			num(obj(steps[2])["Status"]) != 4 || j["EndTime"] == zeroTime {
			t.Fatalf("failed job: %v", j)
		}
	})
	t.Run("controls", func(t *testing.T) {
		e := newEnv(t)
		s := e.ts.Server
		id := e.c.create(baseCreate("ctl"))
		e.clock.Advance(testPhase)
		s.FailNextCheck("Custom failure for the test.")
		e.c.mustOK("CreateMigrateCheckJob", jobID(id))
		e.clock.Advance(testPhase)
		r := e.c.mustOK("DescribeMigrateCheckJob", jobID(id))
		if r["ErrorMessage"] != "Custom failure for the test." || num(r["CheckFlag"]) != 0 || num(r["ErrorCode"]) != -1 {
			t.Fatalf("forced check failure: %v", r)
		}
		if len(arr(e.c.describe(id)["ErrorInfo"])) != 1 {
			t.Fatal("no ErrorInfo entry for the forced failure")
		}
		// The failure is consumed: the next check passes.
		e.c.mustOK("CreateMigrateCheckJob", jobID(id))
		e.clock.Advance(testPhase)
		if got := e.c.status(id); got != StatusCheckPass {
			t.Fatalf("second check: %d", got)
		}
		s.FailMigrationAtStep("", 3)
		e.c.mustOK("StartMigrateJob", jobID(id))
		e.clock.Advance(2 * testPhase)
		d := obj(e.c.describe(id)["Detail"])
		if got, _ := s.JobStatus(id); got != StatusFailed || num(d["StepNow"]) != 3 {
			t.Fatalf("forced migration failure: status %d, detail %v", got, d)
		}
		if err := s.SetJobStatus(id, StatusCheckPass); err != nil {
			t.Fatal(err)
		}
		s.FailMigrationAtStep(id, 1)
		e.c.mustOK("StartMigrateJob", jobID(id))
		e.clock.Advance(testPhase + testPhase/10)
		if got, _ := s.JobStatus(id); got != StatusFailed {
			t.Fatalf("job-specific failure: status %d", got)
		}
		if err := s.SetJobStatus(id, 13); err == nil {
			t.Fatal("status 13 accepted")
		}
		if err := s.SetJobStatus("dts-nothere", 2); err == nil {
			t.Fatal("unknown job accepted")
		}
		if err := s.SetJobStatus(id, StatusReadyComplete); err != nil {
			t.Fatal(err)
		}
		e.c.mustOK("CompleteMigrateJob", jobID(id))
		if !s.Vanish(id) || s.Vanish(id) {
			t.Fatal("Vanish did not report the job correctly")
		}
		if n := num(e.c.mustOK("DescribeMigrateJobs", jobID(id))["TotalCount"]); n != 0 {
			t.Fatal("vanished job listed")
		}
		for _, a := range []string{"ModifyMigrateJob", "StartMigrateJob", "StopMigrateJob", "DeleteMigrateJob", "CompleteMigrateJob", "CreateMigrateCheckJob", "DescribeMigrateCheckJob"} {
			e.c.wantCode(a, jobID(id), "ResourceNotFound.JobNotExist")
			e.c.wantCode(a, jobID("abc"), "ResourceNotFound.JobNotExist")
			e.c.wantCode(a, map[string]any{}, "MissingParameter")
		}
		if _, ok := s.Job(id); ok {
			t.Fatal("Job found after Vanish")
		}
	})
}

// TestIdleQuota checks LimitExceeded.MaxUnusedJobs.
func TestIdleQuota(t *testing.T) {
	e := newEnv(t, WithMaxIdleJobs(2))
	a := e.c.create(baseCreate("a"))
	b := e.c.create(baseCreate("b"))
	e.c.wantCode("CreateMigrateJob", baseCreate("c"), "LimitExceeded.MaxUnusedJobs")
	// A running job is not idle.
	e.clock.Advance(testPhase)
	e.c.mustOK("CreateMigrateCheckJob", jobID(a))
	e.c.create(baseCreate("c"))
	e.c.wantCode("CreateMigrateJob", baseCreate("d"), "LimitExceeded.MaxUnusedJobs")
	e.clock.Advance(testPhase)
	e.c.wantCode("CreateMigrateJob", baseCreate("d"), "LimitExceeded.MaxUnusedJobs")
	// Now a (passed check), b and c are idle; deleting one frees a slot.
	e.c.mustOK("DeleteMigrateJob", jobID(a))
	e.c.wantCode("CreateMigrateJob", baseCreate("d"), "LimitExceeded.MaxUnusedJobs")
	e.c.mustOK("DeleteMigrateJob", jobID(b))
	e.c.create(baseCreate("d"))
}

// TestIdleQuotaCountsAFinishedCheck: a check that has ended by the time of a create makes its
// job idle again, although nothing has read the job since, and a quota of 0 refuses every
// create.
func TestIdleQuotaCountsAFinishedCheck(t *testing.T) {
	e := newEnv(t, WithMaxIdleJobs(2))
	a := e.c.create(baseCreate("a"))
	b := e.c.create(baseCreate("b"))
	e.clock.Advance(testPhase)
	e.c.mustOK("CreateMigrateCheckJob", jobID(a))
	// a checks, so only b is idle.
	c := e.c.create(baseCreate("c"))
	e.clock.Advance(testPhase)
	// a's check has passed: a, b and c are idle. Without c, a and b still fill the quota.
	e.c.mustOK("DeleteMigrateJob", jobID(c))
	e.c.wantCode("CreateMigrateJob", baseCreate("d"), "LimitExceeded.MaxUnusedJobs")
	e.c.mustOK("DeleteMigrateJob", jobID(b))
	e.c.create(baseCreate("d"))

	none := newEnv(t, WithMaxIdleJobs(0))
	none.c.wantCode("CreateMigrateJob", baseCreate("a"), "LimitExceeded.MaxUnusedJobs")
}
