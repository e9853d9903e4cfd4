package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

const jobResource = "dts_migrate_job.test"

// jobSpec builds a dts_migrate_job configuration: a MySQL to MySQL job with the given extra
// top-level attributes, source and destination bodies.
type jobSpec struct {
	name        string
	attrs       string
	source      string
	destination string
	// protected keeps deletion_protection at its default (true). Most tests destroy jobs that
	// still move data, so they turn it off.
	protected bool
}

const (
	mysqlSource = `
    database_type = "mysql"
    access_type   = "extranet"
    ip            = "10.0.0.5"
    port          = 3306
    user          = "migrator"
    password      = "src-secret"`
	mysqlDestination = `
    database_type = "mysql"
    access_type   = "cdb"
    instance_id   = "cdb-a1b2c3d4"
    region        = "ap-guangzhou"
    password      = "dst-secret"`
)

func (s jobSpec) hcl() string {
	if s.source == "" {
		s.source = mysqlSource
	}
	if s.destination == "" {
		s.destination = mysqlDestination
	}
	if s.name == "" {
		s.name = "tf-acc-job"
	}
	protection := "  deletion_protection = false\n"
	if s.protected {
		protection = ""
	}
	return fmt.Sprintf(`
resource "dts_migrate_job" "test" {
  name = %[1]q
%[5]s%[2]s
  source = {%[3]s
  }
  destination = {%[4]s
  }
}
`, s.name, s.attrs, s.source, s.destination, protection)
}

// fullUntilSuccess are the attributes of a full migration whose apply waits for its end.
const fullUntilSuccess = `
  migrate_type = "full"
  wait_for     = "success"`

// fullUntilSuccessWithin is fullUntilSuccess with a timeout of the given operation.
func fullUntilSuccessWithin(operation, timeout string) string {
	return fullUntilSuccess + fmt.Sprintf(`
  timeouts {
    %[1]s = %[2]q
  }`, operation, timeout)
}

func statusIs(name string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("status"), knownvalue.StringExact(name))
}

// jobIDOf reads the job ID from state, for checks that ask the emulator about the job.
func jobIDOf(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[jobResource]
	if !ok {
		return "", fmt.Errorf("%s not in state", jobResource)
	}
	return rs.Primary.ID, nil
}

// checkMockJobID runs check with the ID of the job in state; against the real service, whose
// stored jobs and calls a test cannot see, it checks nothing.
func checkMockJobID(env *accEnv, check func(jobID string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if env.mock == nil {
			return nil
		}
		jobID, err := jobIDOf(s)
		if err != nil {
			return err
		}
		return check(jobID)
	}
}

// checkMockStatus checks the emulator's own view of the job's status.
func checkMockStatus(env *accEnv, want int) resource.TestCheckFunc {
	return checkMockJobID(env, func(id string) error {
		got, ok := env.mock.JobStatus(id)
		if !ok || got != want {
			return fmt.Errorf("emulator has job %s in status %d (exists %t), want %d", id, got, ok, want)
		}
		return nil
	})
}

// checkMockJob runs check on the emulator's stored copy of the job in state; against the real
// service there is no such copy and it checks nothing.
func checkMockJob(env *accEnv, check func(job dtsmock.Job) error) resource.TestCheckFunc {
	return checkMockJobID(env, func(jobID string) error {
		job, ok := env.mock.Job(jobID)
		if !ok {
			return fmt.Errorf("job %s is not in the emulator", jobID)
		}
		return check(job)
	})
}

// expectMutations checks the successful mutating calls the emulator saw for the job in state,
// in order.
func expectMutations(env *accEnv, want ...string) resource.TestCheckFunc {
	return checkMockJobID(env, func(jobID string) error {
		if got := env.mutations(jobID); !slices.Equal(got, want) {
			return fmt.Errorf("mutations %v, want %v", got, want)
		}
		return nil
	})
}

// checkOnlyJob checks that the emulator holds exactly one job, the one in state, and runs check
// on it: after a lost answer, the proof that the provider found the job it made rather than
// making another.
func checkOnlyJob(env *accEnv, check func(job dtsmock.Job) error) resource.TestCheckFunc {
	return checkMockJobID(env, func(id string) error {
		jobs := env.mock.Jobs()
		if len(jobs) != 1 {
			return fmt.Errorf("the emulator holds %d jobs, want exactly 1", len(jobs))
		}
		if jobs[0].JobID != id {
			return fmt.Errorf("state holds %s, the emulator %s", id, jobs[0].JobID)
		}
		return check(jobs[0])
	})
}

// checkDestroyed proves, with the same finder the resource uses, that no job is left.
func checkDestroyed(env *accEnv) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if env.mock == nil {
			return nil
		}
		if jobs := env.mock.Jobs(); len(jobs) != 0 {
			ids := make([]string, len(jobs))
			for i, j := range jobs {
				ids[i] = fmt.Sprintf("%s (status %d)", j.JobID, j.Status)
			}
			return fmt.Errorf("jobs left after destroy: %s", strings.Join(ids, ", "))
		}
		return nil
	}
}

// testCase is the test case of steps on env's provider that checks after the destroy that no
// job is left: the case that most acceptance tests need.
func (e *accEnv) testCase(steps []resource.TestStep) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: e.factories,
		CheckDestroy:             checkDestroyed(e),
		Steps:                    steps,
	}
}

// parallelTest runs testCase(steps) as a parallel test.
func (e *accEnv) parallelTest(t *testing.T, steps []resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, e.testCase(steps))
}

// expectAction is a plan check that the job in state is planned for action.
func expectAction(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(jobResource, action),
	}}
}

// importBlock is an import block that imports the job jobID as the test job.
func importBlock(jobID string) string {
	return fmt.Sprintf(`
import {
  to = dts_migrate_job.test
  id = %[1]q
}
`, jobID)
}

func TestAccMigrateJob_basic(t *testing.T) {
	// A long migrating phase keeps the job running, so that the imported state equals the
	// state apply left.
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	cfg := env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl())
	env.parallelTest(t, []resource.TestStep{
		{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("running"),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^dts-[a-z0-9]{8}$`))),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("status_code"), knownvalue.Int64Exact(7)),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("check").AtMapKey("passed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("check").AtMapKey("flag"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("run_mode"), knownvalue.StringExact("immediate")),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("consistency_type"), knownvalue.StringExact("none")),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("start_time"), knownvalue.NotNull()),
			},
			Check: checkMockStatus(env, dtsapi.StatusRunning),
		},
		{
			ResourceName:      jobResource,
			ImportState:       true,
			ImportStateVerify: true,
			// The API never returns passwords, so an import cannot know them; nor does it know
			// deletion_protection, the provider's own guard, which an import sets to true.
			ImportStateVerifyIgnore: []string{"source.password", "destination.password", "deletion_protection"},
		},
		{
			Config:   cfg,
			PlanOnly: true,
		},
	})
}

// An import block followed by a matching configuration plans nothing at all when the passwords
// are write-only (plain passwords, which the API never returns, would be the only difference).
func TestAccMigrateJob_importBlockNoDiff(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.parallelTest(t, importBlockSteps(env, `  migrate_type = "full_and_incremental"`, resource.ImportBlockWithID, statusIs("running")))
}

// importBlockSteps create a job of the given attributes, import it through an import block of
// the given kind, whose plan must be empty, and then destroy it; created are the checks of the
// first apply. The import keeps the deletion guard's default, so the configuration does too
// until the last step. The passwords are write-only: an import cannot know plain ones, which
// would be the only diff.
func importBlockSteps(env *accEnv, attrs string, kind resource.ImportStateKind, created ...statecheck.StateCheck) []resource.TestStep {
	spec := jobSpec{protected: true, attrs: attrs, source: woSource, destination: woDestination}
	cfg := env.config(spec.hcl())
	spec.protected = false
	return []resource.TestStep{
		{Config: cfg, ConfigStateChecks: created},
		{
			ResourceName:    jobResource,
			ImportState:     true,
			ImportStateKind: kind,
			Config:          cfg,
		},
		// The running job is protected: lifting the guard, in place, lets the test destroy it.
		{Config: env.config(spec.hcl())},
	}
}

func TestAccMigrateJob_fullToSuccess(t *testing.T) {
	env := newAccEnv(t)
	env.parallelTest(t, []resource.TestStep{{
		Config: env.config(jobSpec{attrs: `
  migrate_type   = "full"
  migrate_object = "databases"
  databases = [
    { database = "orders", tables = ["order", "order_item"] },
    { database = "customers" },
  ]
  wait_for = "success"
  tags     = {}`}.hcl()),
		ConfigStateChecks: []statecheck.StateCheck{
			statusIs("success"),
			statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("detail").AtMapKey("progress"), knownvalue.Int64Exact(100)),
			statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("end_time"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("databases").AtSliceIndex(0).AtMapKey("tables"),
				knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("order"), knownvalue.StringExact("order_item")})),
		},
		Check: resource.ComposeAggregateTestCheckFunc(
			checkMockJob(env, func(job dtsmock.Job) error {
				want := `[{"Database":"orders","Table":["order","order_item"]},{"Database":"customers"}]`
				if job.DatabaseInfo != want {
					return fmt.Errorf("emulator received DatabaseInfo %s, want %s", job.DatabaseInfo, want)
				}
				return nil
			}),
			checkMockStatus(env, dtsapi.StatusSuccess),
		),
	}})
}

func TestAccMigrateJob_incrementalThenComplete(t *testing.T) {
	env := newAccEnv(t)
	id := statecheck.CompareValue(compare.ValuesSame())
	base := `
  migrate_type = "full_and_incremental"
  wait_for     = "ready_complete"`
	env.parallelTest(t, []resource.TestStep{
		{
			Config: env.config(jobSpec{attrs: base}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("ready_complete"),
				id.AddStateValue(jobResource, tfjsonpath.New("id")),
			},
		},
		{
			Config: env.config(jobSpec{attrs: base + `
  complete      = true
  complete_mode = "immediately"`}.hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("success"),
				id.AddStateValue(jobResource, tfjsonpath.New("id")),
			},
			Check: checkMockJobID(env, func(jobID string) error {
				if got := env.mutations(jobID); slices.Contains(got, "ModifyMigrateJob") || !slices.Contains(got, "CompleteMigrateJob") {
					return fmt.Errorf("mutations %v: want CompleteMigrateJob and no ModifyMigrateJob", got)
				}
				return nil
			}),
		},
	})
}

func TestAccMigrateJob_scheduled(t *testing.T) {
	env := newAccEnv(t)
	at := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	env.parallelTest(t, []resource.TestStep{
		{
			Config: env.config(jobSpec{attrs: fmt.Sprintf(`
  migrate_type = "full"
  run_mode     = "scheduled"
  expect_time  = %q`, at.Format(time.RFC3339))}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("ready_run"),
				// The API answers in UTC+8; the state keeps the configuration's spelling.
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("expect_time"), knownvalue.StringExact(at.Format(time.RFC3339))),
			},
			Check: checkMockJob(env, func(job dtsmock.Job) error {
				if !job.ExpectTime.Equal(at) {
					return fmt.Errorf("emulator stored ExpectTime %s, want %s", job.ExpectTime, at)
				}
				return nil
			}),
		},
	})
}

// TestAccMigrateJob_scheduledToSuccess waits through a scheduled start: the waiter sleeps until
// the start time instead of polling through the wait.
func TestAccMigrateJob_scheduledToSuccess(t *testing.T) {
	env := newAccEnv(t)
	mock := env.needMock(t)
	// Whole seconds, as the API keeps them, and far enough ahead to outlast create and check.
	at := time.Now().Add(4 * time.Second).Truncate(time.Second).Add(time.Second).UTC()
	env.parallelTest(t, []resource.TestStep{{
		Config: env.config(jobSpec{attrs: fmt.Sprintf(`
  migrate_type = "full"
  run_mode     = "scheduled"
  expect_time  = %q
  wait_for     = "success"`, at.Format(time.RFC3339))}.hcl()),
		ConfigStateChecks: []statecheck.StateCheck{statusIs("success")},
		Check: checkMockJobID(env, func(jobID string) error {
			// Count the reads between the start call and the start time: polling every
			// 20 to 100 ms would make dozens.
			var started time.Time
			reads := 0
			for _, j := range mock.Journal() {
				switch {
				case j.Action == "StartMigrateJob" && j.JobID == jobID && j.ErrorCode == "":
					started = j.Time
				case !started.IsZero() && j.Action == "DescribeMigrateJobs" && j.Time.Before(at):
					reads++
				}
			}
			if started.IsZero() || reads > 3 {
				return fmt.Errorf("%d reads while the job waited for its start time (started at %s), want at most 3", reads, started)
			}
			return nil
		}),
	}})
}

func TestAccMigrateJob_checkFailure(t *testing.T) {
	env := newAccEnv(t)
	env.needMock(t)
	bad := strings.Replace(mysqlSource, "10.0.0.5", "192.0.2.10", 1)
	env.parallelTest(t, []resource.TestStep{
		{
			Config:      env.config(jobSpec{attrs: `  migrate_type = "full"`, source: bad}.hcl()),
			ExpectError: regexp.MustCompile(`(?s)check did not pass.*192\.0\.2\.10`),
		},
		{
			// The failed job is tainted: fixing the configuration replaces it.
			Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
			ConfigPlanChecks:  expectAction(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
		},
	})
}

func TestAccMigrateJob_updateBeforeStart(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	id := statecheck.CompareValue(compare.ValuesSame())
	env.parallelTest(t, []resource.TestStep{
		{
			Config: env.config(jobSpec{name: "tf-acc-before", attrs: `
  migrate_type = "full"
  start        = false`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("check_pass"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
		},
		{
			Config: env.config(jobSpec{name: "tf-acc-after", attrs: `
  migrate_type = "full"
  start        = false`}.hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("check_pass"),
				id.AddStateValue(jobResource, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("name"), knownvalue.StringExact("tf-acc-after")),
			},
		},
		{
			Config: env.config(jobSpec{name: "tf-acc-after", attrs: `
  migrate_type = "full"
  start        = true`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
			Check:             expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "ModifyMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
		},
	})
}

func TestAccMigrateJob_updateWhileRunning(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	id := statecheck.CompareValue(compare.ValuesSame())
	env.parallelTest(t, []resource.TestStep{
		{
			Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running"), id.AddStateValue(jobResource, tfjsonpath.New("id"))},
		},
		{
			Config:           env.config(jobSpec{attrs: `  migrate_type = "full"`, source: strings.Replace(mysqlSource, "3306", "3307", 1)}.hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("running"),
				id.AddStateValue(jobResource, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("source").AtMapKey("port"), knownvalue.Int64Exact(3307)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(expectMutations(env,
				"CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob",
				"StopMigrateJob", "ModifyMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
				checkMockJob(env, func(job dtsmock.Job) error {
					if job.SrcPassword != "src-secret" || job.DstPassword != "dst-secret" {
						return fmt.Errorf("the modification lost the passwords: source %q, destination %q", job.SrcPassword, job.DstPassword)
					}
					return nil
				})),
		},
	})
}

func TestAccMigrateJob_updateAfterSuccessReplaces(t *testing.T) {
	env := newAccEnv(t)
	env.parallelTest(t, []resource.TestStep{
		{
			Config:            env.config(jobSpec{name: "tf-acc-first", attrs: fullUntilSuccess}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("success")},
		},
		{
			Config:           env.config(jobSpec{name: "tf-acc-second", attrs: fullUntilSuccess}.hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("success"),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("name"), knownvalue.StringExact("tf-acc-second")),
			},
		},
	})
}

func TestAccMigrateJob_replaceOnDatabaseType(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	redis := func(typ string) string {
		return strings.Replace(mysqlSource, `"mysql"`, fmt.Sprintf("%q", typ), 1)
	}
	env.parallelTest(t, []resource.TestStep{
		{Config: env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl())},
		{
			Config: env.config(jobSpec{
				attrs:       `  migrate_type = "full"`,
				source:      redis("redis"),
				destination: strings.Replace(mysqlDestination, `"mysql"`, `"redis"`, 1),
			}.hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("running"),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("source").AtMapKey("database_type"), knownvalue.StringExact("redis")),
			},
		},
	})
}

func TestAccMigrateJob_disappears(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	env.parallelTest(t, []resource.TestStep{{
		Config: env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
		Check: checkMockJobID(env, func(id string) error {
			if !mock.Vanish(id) {
				return fmt.Errorf("job %s was not in the emulator", id)
			}
			return nil
		}),
		ExpectNonEmptyPlan: true,
	}})
}

func TestAccMigrateJob_destroyWhileRunning(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	var jobID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkDestroyed(env)(s); err != nil {
				return err
			}
			got := env.mutations(jobID)
			want := []string{"CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob", "StopMigrateJob", "DeleteMigrateJob"}
			if !slices.Equal(got, want) {
				return fmt.Errorf("mutations %v, want %v", got, want)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config:            env.config(jobSpec{attrs: `  migrate_type = "full_and_incremental"`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
			Check: func(s *terraform.State) (err error) {
				jobID, err = jobIDOf(s)
				if _, ok := mock.JobStatus(jobID); !ok {
					return fmt.Errorf("job %s missing", jobID)
				}
				return err
			},
		}},
	})
}

func TestAccMigrateJob_lostCreateAnswer(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithFaults(dtsmock.FaultRule{
		Action: "CreateMigrateJob", Kind: dtsmock.FaultDropAfterCommit, Count: 1,
	}))
	env.needMock(t)
	env.parallelTest(t, []resource.TestStep{{
		Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
		ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
		Check: checkOnlyJob(env, func(dtsmock.Job) error {
			if n := env.countCalls("CreateMigrateJob"); n != 1 {
				return fmt.Errorf("CreateMigrateJob was sent %d times, want 1", n)
			}
			return nil
		}),
	}})
}

func TestAccMigrateJob_throttlingAndTransientFaults(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithFaults(
		dtsmock.FaultRule{Action: "StartMigrateJob", Kind: dtsmock.FaultError, Code: "RequestLimitExceeded", Count: 2},
		dtsmock.FaultRule{Action: "CreateMigrateCheckJob", Kind: dtsmock.FaultError, Code: "RequestLimitExceeded", Count: 1},
		dtsmock.FaultRule{Action: "DescribeMigrateJobs", Kind: dtsmock.FaultError, Code: "InternalError", Every: 3, Count: 4},
		dtsmock.FaultRule{Action: "DescribeMigrateCheckJob", Kind: dtsmock.FaultHTTPStatus, HTTPStatus: 503, Count: 2},
		dtsmock.FaultRule{Action: "DescribeMigrateJobs", Kind: dtsmock.FaultDropConnection, Every: 5, Count: 2},
	))
	env.needMock(t)
	env.parallelTest(t, []resource.TestStep{{
		Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
		ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
		Check: func(*terraform.State) error {
			faulted := map[string]int{}
			for _, j := range env.mock.Journal() {
				if j.ErrorCode != "" {
					faulted[j.ErrorCode]++
				}
			}
			if faulted["RequestLimitExceeded"] < 3 || faulted["InternalError"] < 1 {
				return fmt.Errorf("the faults did not all fire: %v", faulted)
			}
			return nil
		},
	}})
}

func TestAccMigrateJob_writeOnlyPasswords(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.needMock(t)
	const srcCanary, dstCanary = "canary-src-7f3a9c", "canary-dst-2b8e1d"
	spec := func(version int, src string) jobSpec {
		return jobSpec{
			attrs: `  migrate_type = "full"`,
			source: fmt.Sprintf(`
    database_type       = "mysql"
    access_type         = "extranet"
    ip                  = "10.0.0.5"
    port                = 3306
    user                = "migrator"
    password_wo         = %q
    password_wo_version = %d`, src, version),
			destination: fmt.Sprintf(`
    database_type       = "mysql"
    access_type         = "cdb"
    instance_id         = "cdb-a1b2c3d4"
    password_wo         = %q
    password_wo_version = 1`, dstCanary),
		}
	}
	noCanary := func(canaries ...string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for _, m := range s.Modules {
				for name, rs := range m.Resources {
					for k, v := range rs.Primary.Attributes {
						for _, c := range canaries {
							if strings.Contains(v, c) {
								return fmt.Errorf("state of %s holds a write-only password in %s", name, k)
							}
						}
					}
				}
			}
			return nil
		}
	}
	received := func(src string) resource.TestCheckFunc {
		return checkMockJob(env, func(job dtsmock.Job) error {
			if job.SrcPassword != src || job.DstPassword != dstCanary {
				return fmt.Errorf("emulator received passwords %q / %q, want %q / %q", job.SrcPassword, job.DstPassword, src, dstCanary)
			}
			return nil
		})
	}
	env.parallelTest(t, []resource.TestStep{
		{
			Config: env.config(spec(1, srcCanary).hcl()),
			Check:  resource.ComposeAggregateTestCheckFunc(received(srcCanary), noCanary(srcCanary, dstCanary)),
		},
		{
			// A new value without a new version is not sent: there is nothing to compare.
			Config:   env.config(spec(1, srcCanary+"-rotated").hcl()),
			PlanOnly: true,
		},
		{
			Config:           env.config(spec(2, srcCanary+"-rotated").hcl()),
			ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
			Check:            resource.ComposeAggregateTestCheckFunc(received(srcCanary+"-rotated"), noCanary(srcCanary, dstCanary)),
		},
	})
}

func TestAccMigrateJob_createTimeout(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.needMock(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config:      env.config(jobSpec{attrs: fullUntilSuccessWithin("create", "2s")}.hcl()),
			ExpectError: regexp.MustCompile(`(?s)timed out.*2s.*waiting for status success.*running`),
		}},
	})
}

// TestAccMigrateJob_migrationFailure: a migration that fails ends the wait at once with the
// server's reason, and the job is reported failed.
func TestAccMigrateJob_migrationFailure(t *testing.T) {
	env := newAccEnv(t)
	env.needMock(t)
	failing := strings.Replace(mysqlSource, "10.0.0.5", "198.51.100.7", 1)
	env.parallelTest(t, []resource.TestStep{{
		Config:      env.config(jobSpec{attrs: fullUntilSuccess, source: failing}.hcl()),
		ExpectError: regexpWords(`reached status failed, not success: .+`),
	}})
}

// TestAccMigrateJob_updateWhileStopping: an update that finds the job stopping waits for the
// stop to end, then modifies, checks and starts it.
func TestAccMigrateJob_updateWhileStopping(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	var jobID string
	env.parallelTest(t, []resource.TestStep{
		{
			Config: env.config(jobSpec{name: "tf-acc-one", attrs: `  migrate_type = "full"`}.hcl()),
			Check: func(s *terraform.State) (err error) {
				jobID, err = jobIDOf(s)
				return err
			},
		},
		{
			PreConfig: func() {
				if err := mock.SetJobStatus(jobID, dtsapi.StatusStopping); err != nil {
					t.Fatal(err)
				}
			},
			Config:            env.config(jobSpec{name: "tf-acc-two", attrs: `  migrate_type = "full"`}.hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
			Check: expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob",
				"ModifyMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
		},
	})
}

// TestAccMigrateJob_importAdoptsPlainPasswords: after importing a running job, the passwords
// of the configuration (which the API never returns) are recorded, not sent, so that the
// first apply does not stop and restart the migration.
func TestAccMigrateJob_importAdoptsPlainPasswords(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	jobID := seedRunningJob(t, mock)
	cfg := env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl() + importBlock(jobID))
	env.parallelTest(t, []resource.TestStep{
		{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("running"),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("id"), knownvalue.StringExact(jobID)),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("source").AtMapKey("password"), knownvalue.StringExact("src-secret")),
			},
			Check: func(*terraform.State) error {
				if got := env.mutations(jobID); len(got) != 0 {
					return fmt.Errorf("adopting an imported job called %v, want nothing", got)
				}
				return nil
			},
		},
		{
			// Once recorded, a password change is a real change again.
			Config: env.config(jobSpec{attrs: `  migrate_type = "full"`, source: strings.Replace(mysqlSource, "src-secret", "src-rotated", 1)}.hcl()),
			Check: func(*terraform.State) error {
				if job, _ := mock.Job(jobID); job.SrcPassword != "src-rotated" {
					return fmt.Errorf("the emulator has source password %q, want the rotated one", job.SrcPassword)
				}
				return nil
			},
		},
	})
}

// seedRunningJob puts in the emulator, as if made elsewhere, the running job that jobSpec's
// default configuration describes, for tests that import it.
func seedRunningJob(t *testing.T, mock *dtsmock.TestServer) string {
	t.Helper()
	jobID, err := mock.SeedJob(dtsmock.Job{
		JobName: "tf-acc-job", Status: dtsapi.StatusRunning, MigrateType: 2, ConsistencyType: 5,
		SrcIP: "10.0.0.5", SrcPort: 3306, SrcUser: "migrator", SrcPassword: "src-secret",
		DstInstanceID: "cdb-a1b2c3d4", DstRegion: "ap-guangzhou", DstPassword: "dst-secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	return jobID
}
