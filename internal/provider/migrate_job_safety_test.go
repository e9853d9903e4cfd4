package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// interrupter cancels the context of the first ApplyResourceChange once the emulator shows a
// job in the given status: what terraform-plugin-go does to every running call when Terraform
// sends StopProvider after Ctrl-C or SIGTERM.
type interrupter struct {
	mock   *dtsmock.TestServer
	status int
	armed  atomic.Bool
	// returned is how long the provider took to answer after the cancellation.
	mu       sync.Mutex
	returned time.Duration
	fired    bool
}

func newInterrupter(env *accEnv, status int) *interrupter {
	in := &interrupter{mock: env.mock, status: status}
	in.armed.Store(true)
	base := env.factories["dts"]
	env.factories = map[string]func() (tfprotov6.ProviderServer, error){
		"dts": func() (tfprotov6.ProviderServer, error) {
			srv, err := base()
			return &interruptingServer{ProviderServer: srv, in: in}, err
		},
	}
	return in
}

// watch cancels once a job reaches the status; it gives up when ctx ends.
func (in *interrupter) watch(ctx context.Context, cancel context.CancelFunc, cancelled chan<- time.Time) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, j := range in.mock.Jobs() {
			if j.Status == in.status {
				cancelled <- time.Now()
				cancel()
				return
			}
		}
	}
}

type interruptingServer struct {
	tfprotov6.ProviderServer
	in *interrupter
}

func (s *interruptingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if !s.in.armed.CompareAndSwap(true, false) {
		return s.ProviderServer.ApplyResourceChange(ctx, req)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go s.in.watch(ctx, cancel, cancelled)
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	select {
	case at := <-cancelled:
		s.in.mu.Lock()
		s.in.fired, s.in.returned = true, time.Since(at)
		s.in.mu.Unlock()
	default:
	}
	return resp, err
}

// check fails unless the interrupt fired and the provider answered within 5 s of it.
func (in *interrupter) check(*terraform.State) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.fired {
		return fmt.Errorf("the interrupt never fired: no job reached status %d during the apply", in.status)
	}
	if in.returned > 5*time.Second {
		return fmt.Errorf("the provider answered %s after the interrupt, want within 5s", in.returned)
	}
	return nil
}

// actionsSince lists the journal's actions from index from on, reads left out.
func actionsSince(mock *dtsmock.TestServer, from int) []string {
	var out []string
	for _, j := range mock.Journal()[from:] {
		if !strings.HasPrefix(j.Action, "Describe") {
			out = append(out, j.Action)
		}
	}
	return out
}

// TestAccMigrateJob_interruptResumesInPlace: an interrupt during a wait after the job exists
// leaves the job in state untainted with its real status, and the next apply resumes the
// unfinished work in place (the start not sent yet, then the wait): same job, no Stop, no
// Delete, no second Create.
func TestAccMigrateJob_interruptResumesInPlace(t *testing.T) {
	for _, c := range []struct {
		name   string
		phase  dtsmock.Phase
		status int
	}{
		{"during the check", dtsmock.PhaseChecking, dtsapi.StatusChecking},
		{"during the migration", dtsmock.PhaseMigrating, dtsapi.StatusRunning},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The phase lasts long enough that every plan of the first step sees the job short
			// of success; the second step moves the clock to near its end.
			clock := &shiftClock{}
			env := newAccEnv(t, dtsmock.WithClock(clock), dtsmock.WithPhaseDuration(c.phase, 100*time.Second))
			env.needMock(t)
			in := newInterrupter(env, c.status)
			id := statecheck.CompareValue(compare.ValuesSame())
			cfg := env.config(jobSpec{attrs: fullUntilSuccess}.hcl())
			env.parallelTest(t, []resource.TestStep{
				{
					Config:             cfg,
					ConfigStateChecks:  []statecheck.StateCheck{statusIs(dtsapi.StatusName(int64(c.status))), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
					Check:              in.check,
					ExpectNonEmptyPlan: true,
				},
				{
					// Untainted: the plan resumes the job in place rather than replacing it.
					PreConfig:         func() { clock.shift(92 * time.Second) },
					Config:            cfg,
					ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
					ConfigStateChecks: []statecheck.StateCheck{statusIs("success"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
					Check:             expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
				},
			})
		})
	}
}

// TestAccMigrateJob_createTimeoutStopsAtGuard: a create that times out on a healthy job fails
// with an error that says so and what to do; the replacement Terraform then plans for the
// tainted job stops at the deletion guard without any mutating call.
func TestAccMigrateJob_createTimeoutStopsAtGuard(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	var jobID string
	journalAt := 0
	env.parallelTest(t, []resource.TestStep{
		{
			Config:      env.config(jobSpec{protected: true, attrs: fullUntilSuccessWithin("create", "2s")}.hcl()),
			ExpectError: regexpWords(`timed out .*2s.* waiting for status success.*running.* The job is healthy and still running.*terraform untaint`),
		},
		{
			PreConfig: func() {
				jobs := mock.Jobs()
				if len(jobs) != 1 {
					t.Fatalf("%d jobs after the timeout, want 1", len(jobs))
				}
				jobID, journalAt = jobs[0].JobID, len(mock.Journal())
			},
			Config:      env.config(jobSpec{protected: true, attrs: fullUntilSuccess}.hcl()),
			ExpectError: regexpWords(`DTS Migrate Job Is Protected.*dts-[a-z0-9]+\) is running.*terraform untaint.*deletion_protection = false`),
		},
		{
			PreConfig: func() {
				if got := actionsSince(mock, journalAt); len(got) != 0 {
					t.Fatalf("the guarded apply called %v, want no mutating call", got)
				}
				if st, ok := mock.JobStatus(jobID); !ok || st != dtsapi.StatusRunning {
					t.Fatalf("the guarded job is in status %d (exists %t), want still running", st, ok)
				}
				// Once the migration has finished the job moves nothing and may go.
				if err := mock.SetJobStatus(jobID, dtsapi.StatusSuccess); err != nil {
					t.Fatal(err)
				}
			},
			Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
			ConfigPlanChecks:  expectAction(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
		},
	})
}

// TestAccMigrateJob_deletionGuard: destroying a protected job that moves data fails without
// stopping or deleting it; turning the guard off, in place, lets it go.
func TestAccMigrateJob_deletionGuard(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	protected := env.config(jobSpec{protected: true, attrs: `  migrate_type = "full_and_incremental"`}.hcl())
	var jobID string
	env.parallelTest(t, []resource.TestStep{
		{
			Config:            protected,
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
			Check: func(s *terraform.State) (err error) {
				jobID, err = jobIDOf(s)
				return err
			},
		},
		{Config: protected, Destroy: true, ExpectError: regexpWords(`DTS Migrate Job Is Protected`)},
		{
			PreConfig: func() {
				if got := env.mutations(jobID); !slices.Equal(got, []string{"CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"}) {
					t.Fatalf("the refused destroy left mutations %v", got)
				}
				if st, _ := mock.JobStatus(jobID); st != dtsapi.StatusRunning {
					t.Fatalf("the refused destroy left the job in status %d", st)
				}
			},
			Config:           env.config(jobSpec{attrs: `  migrate_type = "full_and_incremental"`}.hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
			Check:            expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
		},
	})
}

// TestAccMigrateJob_updateTimeoutResumes: an update that times out on a healthy job leaves it
// as it is; the next plan is an in-place update that resumes the wait, and apply waits without
// stopping anything.
func TestAccMigrateJob_updateTimeoutResumes(t *testing.T) {
	clock := &shiftClock{}
	env := newAccEnv(t, dtsmock.WithClock(clock), dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, 100*time.Second))
	env.needMock(t)
	id := statecheck.CompareValue(compare.ValuesSame())
	env.parallelTest(t, []resource.TestStep{
		{
			Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
		},
		{
			Config:      env.config(jobSpec{attrs: fullUntilSuccessWithin("update", "1s")}.hcl()),
			ExpectError: regexpWords(`timed out .* waiting for status success.* The job is healthy and still running.* The next apply resumes waiting`),
		},
		{
			// Most of the migration passes before the next apply, which waits for the rest.
			PreConfig:         func() { clock.shift(95 * time.Second) },
			Config:            env.config(jobSpec{attrs: fullUntilSuccess}.hcl()),
			ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("success"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
			Check:             expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
		},
	})
}

// shiftClock is real time moved forward by what tests shift it: the emulator's phases pass at
// once, while the signatures' timestamps stay within the API's five minutes.
type shiftClock struct {
	offset atomic.Int64
}

func (c *shiftClock) Now() time.Time            { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *shiftClock) shift(d time.Duration)     { c.offset.Add(int64(d)) }
func newShiftClock(d time.Duration) *shiftClock { c := &shiftClock{}; c.shift(d); return c }

// TestAccMigrateJob_lostAnswersConverge: lost answers (the call took effect, the answer never
// came) and InternalErrors on every mutation of a lifecycle converge in one apply and one
// destroy, with exactly one job and each call taking effect once.
func TestAccMigrateJob_lostAnswersConverge(t *testing.T) {
	var rules []dtsmock.FaultRule
	for _, action := range []string{"CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob", "StopMigrateJob", "DeleteMigrateJob"} {
		rules = append(rules,
			dtsmock.FaultRule{Action: action, Kind: dtsmock.FaultError, Code: "InternalError", Count: 1},
			dtsmock.FaultRule{Action: action, Kind: dtsmock.FaultDropAfterCommit, Count: 1})
	}
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour), dtsmock.WithFaults(rules...))
	mock := env.needMock(t)
	fired := func(action string) error {
		n := 0
		for _, j := range mock.Journal() {
			if j.Action == action && j.ErrorCode != "" {
				n++
			}
		}
		if n < 2 {
			return fmt.Errorf("%s met %d faults, want both", action, n)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkDestroyed(env)(s); err != nil {
				return err
			}
			for _, action := range []string{"StopMigrateJob", "DeleteMigrateJob"} {
				if err := fired(action); err != nil {
					return err
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config:            env.config(jobSpec{attrs: `  migrate_type = "full_and_incremental"`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
			Check: func(s *terraform.State) error {
				if jobs := mock.Jobs(); len(jobs) != 1 {
					return fmt.Errorf("the emulator holds %d jobs, want 1", len(jobs))
				}
				for _, action := range []string{"CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"} {
					if err := fired(action); err != nil {
						return err
					}
				}
				return nil
			},
		}},
	})
}

// TestAccMigrateJob_lostAnswersOnModifyAndComplete: the same for ModifyMigrateJob and
// CompleteMigrateJob.
func TestAccMigrateJob_lostAnswersOnModifyAndComplete(t *testing.T) {
	var rules []dtsmock.FaultRule
	for _, action := range []string{"ModifyMigrateJob", "CompleteMigrateJob"} {
		rules = append(rules,
			dtsmock.FaultRule{Action: action, Kind: dtsmock.FaultError, Code: "InternalError", Count: 1},
			dtsmock.FaultRule{Action: action, Kind: dtsmock.FaultDropAfterCommit, Count: 1})
	}
	env := newAccEnv(t, dtsmock.WithFaults(rules...))
	env.needMock(t)
	base := `
  migrate_type = "full_and_incremental"
  wait_for     = "ready_complete"`
	env.parallelTest(t, []resource.TestStep{
		{Config: env.config(jobSpec{attrs: base}.hcl()), ConfigStateChecks: []statecheck.StateCheck{statusIs("ready_complete")}},
		{
			Config:            env.config(jobSpec{name: "tf-acc-renamed", attrs: base}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("ready_complete")},
			Check: checkMockJob(env, func(job dtsmock.Job) error {
				if job.JobName != "tf-acc-renamed" {
					return fmt.Errorf("the job is named %q", job.JobName)
				}
				return nil
			}),
		},
		{
			Config:            env.config(jobSpec{name: "tf-acc-renamed", attrs: base + "\n  complete = true"}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("success")},
		},
	})
}

// TestAccMigrateJob_sameNameLostCreates: two resources with one name, each create losing its
// answer, get two distinct jobs: a create is recovered by its own token, not by the name.
func TestAccMigrateJob_sameNameLostCreates(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour),
		dtsmock.WithFaults(dtsmock.FaultRule{Action: "CreateMigrateJob", Kind: dtsmock.FaultDropAfterCommit, Count: 2}))
	mock := env.needMock(t)
	cfg := env.config(jobSpec{name: "tf-acc-twin", attrs: "  count        = 2\n  migrate_type = \"full\""}.hcl())
	env.parallelTest(t, []resource.TestStep{{
		Config: cfg,
		Check: func(s *terraform.State) error {
			jobs := mock.Jobs()
			if len(jobs) != 2 {
				return fmt.Errorf("the emulator holds %d jobs, want 2", len(jobs))
			}
			a, b := s.RootModule().Resources[jobResource+".0"], s.RootModule().Resources[jobResource+".1"]
			if a == nil || b == nil || a.Primary.ID == b.Primary.ID {
				return fmt.Errorf("the two resources do not hold two jobs: %v, %v", a, b)
			}
			for _, j := range jobs {
				if j.JobID != a.Primary.ID && j.JobID != b.Primary.ID {
					return fmt.Errorf("job %s belongs to no resource", j.JobID)
				}
			}
			if n := countDrops(mock, "CreateMigrateJob"); n != 2 {
				return fmt.Errorf("%d creates lost their answers, want 2", n)
			}
			return nil
		},
	}})
}

func countDrops(mock *dtsmock.TestServer, action string) int {
	n := 0
	for _, j := range mock.Journal() {
		if j.Action == action && j.ErrorCode == "Fault.DropAfterCommit" {
			n++
		}
	}
	return n
}

// TestAccMigrateJob_clockSkewLostCreate: with the server's clock two minutes off either way, a
// lost create still ends with exactly one job, in state.
func TestAccMigrateJob_clockSkewLostCreate(t *testing.T) {
	for _, skew := range []time.Duration{120 * time.Second, -120 * time.Second} {
		t.Run(skew.String(), func(t *testing.T) {
			env := newAccEnv(t, dtsmock.WithClock(newShiftClock(skew)), dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour),
				dtsmock.WithFaults(dtsmock.FaultRule{Action: "CreateMigrateJob", Kind: dtsmock.FaultDropAfterCommit, Count: 1}))
			mock := env.needMock(t)
			env.parallelTest(t, []resource.TestStep{{
				Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
				ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
				Check: checkOnlyJob(env, func(job dtsmock.Job) error {
					if n := countDrops(mock, "CreateMigrateJob"); n != 1 {
						return fmt.Errorf("%d creates lost their answers, want 1", n)
					}
					if _, ok := job.Tags[createTokenTagKey]; !ok {
						return fmt.Errorf("the job carries no create token: %v", job.Tags)
					}
					return nil
				}),
			}})
		})
	}
}

// TestAccMigrateJob_failedSinceLastRunRestarts: a job that failed outside Terraform is never
// left alone: the plan is an in-place update, and apply checks it again and starts it again.
func TestAccMigrateJob_failedSinceLastRunRestarts(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	cfg := env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl())
	id := statecheck.CompareValue(compare.ValuesSame())
	env.parallelTest(t, []resource.TestStep{
		{
			Config:            cfg,
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
			Check: checkMockJobID(env, func(jobID string) error {
				return mock.SetJobStatus(jobID, dtsapi.StatusFailed)
			}),
			ExpectNonEmptyPlan: true,
		},
		{
			// A refresh reads it back as failed, with its errors.
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobResource, "status", "failed"),
				resource.TestCheckResourceAttr(jobResource, "status_code", "10"),
				resource.TestCheckResourceAttrSet(jobResource, "end_time"),
			),
		},
		{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(jobResource, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(jobResource, tfjsonpath.New("status")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
			Check: expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob",
				"CreateMigrateCheckJob", "StartMigrateJob"),
		},
	})
}
