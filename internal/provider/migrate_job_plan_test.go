package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// throughRewriter points env's provider at a proxy in front of its emulator that passes every
// job of a DescribeMigrateJobs answer through rewrite: a server that answers in ways the
// emulator never does.
func throughRewriter(t *testing.T, env *accEnv, rewrite func(job map[string]any)) {
	t.Helper()
	target, err := url.Parse(env.mock.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Header.Get("X-TC-Action") != dtsapi.ActionDescribeMigrateJobs {
			return nil
		}
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if err := resp.Body.Close(); err != nil {
			return err
		}
		var body struct {
			Response map[string]any
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			return err
		}
		if list, ok := body.Response["JobList"].([]any); ok {
			for _, j := range list {
				if job, ok := j.(map[string]any); ok {
					rewrite(job)
				}
			}
		}
		out, err := json.Marshal(body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(out))
		resp.ContentLength = int64(len(out))
		resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	env.provider = strings.Replace(env.provider, env.mock.URL, srv.URL, 1)
}

// TestAccMigrateJob_hostileAnswers: nil list entries, missing nested objects, unknown codes and
// unreadable JSON strings in the API's answers never crash the provider; the job reaches state.
func TestAccMigrateJob_hostileAnswers(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	throughRewriter(t, env, func(job map[string]any) {
		job["Tags"] = append([]any{nil}, orEmpty(job["Tags"])...)
		job["ErrorInfo"] = []any{nil}
		if d, ok := job["Detail"].(map[string]any); ok {
			d["StepInfo"] = []any{nil, map[string]any{"Status": 99}}
			d["Progress"] = "not a number"
		}
		if o, ok := job["MigrateOption"].(map[string]any); ok {
			o["ExternParams"] = "{not json"
			o["ConsistencyParams"] = nil
		}
		job["DatabaseInfo"] = "[null"
		job["EndTime"] = "yesterday"
		job["StartTime"] = nil
	})
	env.parallelTest(t, []resource.TestStep{{
		Config:            env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
		ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
		Check: checkMockJobID(env, func(id string) error {
			if _, ok := mock.Job(id); !ok {
				return fmt.Errorf("state holds %s, which the emulator does not", id)
			}
			return nil
		}),
	}})
}

func orEmpty(v any) []any {
	list, _ := v.([]any)
	return list
}

// TestAccMigrateJob_emptyParamBlocks: redis_params = {} and mongodb_params = {} read back as
// they were written, so an apply is consistent and the next plan is empty.
func TestAccMigrateJob_emptyParamBlocks(t *testing.T) {
	for _, engine := range []string{"redis", "mongodb"} {
		t.Run(engine, func(t *testing.T) {
			env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
			env.parallelTest(t, []resource.TestStep{{
				Config: env.config(jobSpec{
					attrs:       fmt.Sprintf("  migrate_type = \"full\"\n  %s_params = {}", engine),
					source:      strings.Replace(mysqlSource, `"mysql"`, strconv.Quote(engine), 1),
					destination: strings.Replace(mysqlDestination, `"mysql"`, strconv.Quote(engine), 1),
				}.hcl()),
				ConfigStateChecks: []statecheck.StateCheck{statusIs("running")},
			}})
		})
	}
}

// TestAccMigrateJob_importUntaggedWithEmptyTags: an untagged job imported under tags = {} is
// updated in place, never replaced.
func TestAccMigrateJob_importUntaggedWithEmptyTags(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	jobID := seedRunningJob(t, mock)
	env.parallelTest(t, []resource.TestStep{{
		Config:            env.config(jobSpec{attrs: "  migrate_type = \"full\"\n  tags = {}"}.hcl() + importBlock(jobID)),
		ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
		ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("id"), knownvalue.StringExact(jobID))},
		Check: func(*terraform.State) error {
			if got := env.mutations(jobID); len(got) != 0 {
				return fmt.Errorf("adopting the job called %v, want nothing", got)
			}
			return nil
		},
	}})
}

// TestAccMigrateJob_sameSelectionNoRestart: a start time written as the same second in another
// zone or with a fraction, and databases or tables reordered, are no change to the API: the
// running job is neither stopped nor modified, and the state follows the configuration.
func TestAccMigrateJob_sameSelectionNoRestart(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.needMock(t)
	at := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	spec := func(expect, databases string) jobSpec {
		return jobSpec{attrs: fmt.Sprintf(`
  migrate_type   = "full"
  run_mode       = "scheduled"
  expect_time    = %q
  migrate_object = "databases"
  databases      = %s`, expect, databases)}
	}
	first := `[{ database = "orders", tables = ["order", "order_item"] }, { database = "customers" }]`
	reordered := `[{ database = "customers" }, { database = "orders", tables = ["order_item", "order"] }]`
	unchanged := expectMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob")
	env.parallelTest(t, []resource.TestStep{
		{
			Config:            env.config(spec(at.In(time.FixedZone("", 8*3600)).Format(time.RFC3339), first).hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("ready_run")},
		},
		{
			Config:            env.config(spec(at.UTC().Format(time.RFC3339), first).hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("ready_run")},
			Check:             unchanged,
		},
		{
			Config:            env.config(spec(at.UTC().Add(300*time.Millisecond).Format(time.RFC3339Nano), first).hcl()),
			ConfigStateChecks: []statecheck.StateCheck{statusIs("ready_run")},
			Check:             unchanged,
		},
		{
			Config: env.config(spec(at.UTC().Format(time.RFC3339), reordered).hcl()),
			ConfigStateChecks: []statecheck.StateCheck{
				statusIs("ready_run"),
				statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("databases").AtSliceIndex(0).AtMapKey("database"), knownvalue.StringExact("customers")),
			},
			Check: unchanged,
		},
	})
}

// TestAccMigrateJob_listedOnlyEngine: a job of an engine the API lists but does not create is
// imported and read without a diff; changing it, or creating one, fails at plan time.
func TestAccMigrateJob_listedOnlyEngine(t *testing.T) {
	t.Run("import", testListedOnlyImport)
	t.Run("create", testListedOnlyCreate)
}

func testListedOnlyImport(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	mock := env.needMock(t)
	jobID, err := mock.SeedJob(dtsmock.Job{
		JobName: "tf-acc-job", Status: dtsapi.StatusRunning, MigrateType: 2, ConsistencyType: 5,
		SrcDatabaseType: "postgresql", DstDatabaseType: "postgresql",
		SrcIP: "10.0.0.5", SrcPort: 5432, SrcUser: "migrator", DstInstanceID: "cdb-a1b2c3d4", DstRegion: "ap-guangzhou",
	})
	if err != nil {
		t.Fatal(err)
	}
	pg := func(name string) string {
		return jobSpec{name: name, attrs: `  migrate_type = "full"`,
			source: `
    database_type = "postgresql"
    access_type   = "extranet"
    ip            = "10.0.0.5"
    port          = 5432
    user          = "migrator"`,
			destination: `
    database_type = "postgresql"
    access_type   = "cdb"
    instance_id   = "cdb-a1b2c3d4"
    region        = "ap-guangzhou"`,
		}.hcl()
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(pg("tf-acc-job") + importBlock(jobID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statusIs("running"),
					statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("source").AtMapKey("database_type"), knownvalue.StringExact("postgresql")),
				},
				Check: func(*terraform.State) error {
					if got := env.mutations(jobID); len(got) != 0 {
						return fmt.Errorf("importing the job called %v", got)
					}
					return nil
				},
			},
			{Config: env.config(pg("tf-acc-renamed")), PlanOnly: true, ExpectError: regexpWords(`Job Cannot Be Modified.*postgresql job`)},
		},
	})
}

// testListedOnlyCreate: a new job of such an engine is refused before any call.
func testListedOnlyCreate(t *testing.T) {
	env2 := newAccEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env2.factories,
		Steps: []resource.TestStep{{
			Config:      env2.config(strings.ReplaceAll(jobSpec{attrs: `  migrate_type = "full"`}.hcl(), `"mysql"`, `"sqlserver"`)),
			PlanOnly:    true,
			ExpectError: regexpWords(`Engine Cannot Be Created.*sqlserver job`),
		}},
	})
	if n := env2.countCalls(""); n != 0 {
		t.Errorf("the refused create made %d API calls", n)
	}
}

// fakePlan serves GetAttribute from a map, for the plan-time checks' unit tests.
type fakePlan map[string]any

func (f fakePlan) GetAttribute(_ context.Context, p path.Path, target any) diag.Diagnostics {
	v, ok := f[p.String()]
	if !ok {
		return nil
	}
	t, ok1 := target.(*timetypes.RFC3339)
	value, ok2 := v.(timetypes.RFC3339)
	if ok1 && ok2 {
		*t = value
	}
	return nil
}

func TestWarnPastExpectTime(t *testing.T) {
	past := fakePlan{"expect_time": timetypes.NewRFC3339TimeValue(time.Now().Add(-time.Hour))}
	d := warnPastExpectTime(context.Background(), past)
	if d.WarningsCount() != 1 || !strings.Contains(d.Warnings()[0].Detail(), "in the past") {
		t.Errorf("a past expect_time: %v", d)
	}
	ahead := fakePlan{"expect_time": timetypes.NewRFC3339TimeValue(time.Now().Add(time.Hour))}
	if d := warnPastExpectTime(context.Background(), ahead); len(d) != 0 {
		t.Errorf("an expect_time ahead: %v", d)
	}
	if d := warnPastExpectTime(context.Background(), fakePlan{}); len(d) != 0 {
		t.Errorf("no expect_time: %v", d)
	}
}

func TestGoalReached(t *testing.T) {
	run := jobGoal{start: true, waitFor: "running"}
	cases := []struct {
		status int64
		goal   jobGoal
		want   bool
	}{
		{dtsapi.StatusCheckPass, jobGoal{}, true},
		{dtsapi.StatusChecking, jobGoal{}, false},
		{dtsapi.StatusFailed, jobGoal{}, false},
		{dtsapi.StatusRunning, jobGoal{}, true},
		{dtsapi.StatusCheckPass, run, false},
		{dtsapi.StatusReadyRun, run, false},
		{dtsapi.StatusReadyRun, jobGoal{start: true, waitFor: "running", scheduled: true}, true},
		{dtsapi.StatusRunning, run, true},
		{dtsapi.StatusSuccess, run, true},
		{dtsapi.StatusRunning, jobGoal{start: true, waitFor: "ready_complete"}, false},
		{dtsapi.StatusReadyComplete, jobGoal{start: true, waitFor: "ready_complete"}, true},
		{dtsapi.StatusReadyComplete, jobGoal{start: true, waitFor: "ready_complete", complete: true}, false},
		{dtsapi.StatusCompleting, jobGoal{start: true, complete: true}, false},
		{dtsapi.StatusSuccess, jobGoal{start: true, complete: true}, true},
		{dtsapi.StatusStopping, run, false},
		{23, run, true},
	}
	for _, c := range cases {
		if got := goalReached(c.status, c.goal); got != c.want {
			t.Errorf("goalReached(%s, %+v) = %t, want %t", dtsapi.StatusName(c.status), c.goal, got, c.want)
		}
	}
	if got := remainingWork(run, dtsapi.StatusFailed); got != "checks the job again, then starts the migration again from the beginning, then waits until it runs" {
		t.Errorf("remainingWork for a failed job: %q", got)
	}
}

// TestAccMigrateJobsDataSource_unknownStatus: statuses = ["unknown"] selects the jobs whose
// status code the provider does not know.
func TestAccMigrateJobsDataSource_unknownStatus(t *testing.T) {
	env := newAccEnv(t)
	mock := env.needMock(t)
	var odd string
	for _, name := range []string{"plain", "odd", "other"} {
		id, err := mock.SeedJob(dtsmock.Job{JobName: name, Status: dtsapi.StatusCheckPass, MigrateType: 2, SrcIP: "10.0.0.5", DstInstanceID: "cdb-a1b2c3d4"})
		if err != nil {
			t.Fatal(err)
		}
		if name == "odd" {
			odd = id
		}
	}
	throughRewriter(t, env, func(job map[string]any) {
		if job["JobName"] == "odd" {
			job["Status"] = 23
		}
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config: env.config(`
data "dts_migrate_jobs" "test" {
  statuses = ["unknown"]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dts_migrate_jobs.test", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(odd)})),
				statecheck.ExpectKnownValue("data.dts_migrate_jobs.test", tfjsonpath.New("jobs").AtSliceIndex(0).AtMapKey("status_code"), knownvalue.Int64Exact(23)),
			},
		}},
	})
}
