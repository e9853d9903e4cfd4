package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// seededJob is what the listing tests put into the emulator, and what they expect back.
type seededJob struct {
	id, name, env, team string
	status              int
	created             time.Time
}

const secretCanary = "canary-7d1e0c"

// seedJobs puts n jobs into the emulator: three name families, three environments, seven
// statuses and a canary in every secret field.
func seedJobs(t *testing.T, mock *dtsmock.TestServer, n int) []seededJob {
	t.Helper()
	families := []string{"orders", "billing", "orders-archive"}
	envs := []string{"prod", "staging", "dev"}
	statuses := []int{2, 4, 5, 7, 8, 9, 10}
	base := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	out := make([]seededJob, n)
	for i := range n {
		j := seededJob{
			name:    fmt.Sprintf("%s-%03d", families[i%3], i),
			env:     envs[i%len(envs)],
			team:    fmt.Sprintf("t%d", i%5),
			status:  statuses[i%len(statuses)],
			created: base.Add(time.Duration(i) * time.Minute),
		}
		id, err := mock.SeedJob(dtsmock.Job{
			JobName: j.name, Status: j.status, CreateTime: j.created, MigrateType: 1 + i%3,
			SrcIP: "10.0.0.5", SrcPort: 3306, SrcUser: "migrator",
			SrcPassword: secretCanary, SrcAccessKey: secretCanary, DstPassword: secretCanary,
			DstInstanceID: "cdb-a1b2c3d4", DstRegion: "ap-guangzhou",
			Tags: map[string]string{"env": j.env, "team": j.team},
		})
		if err != nil {
			t.Fatal(err)
		}
		j.id = id
		out[i] = j
	}
	return out
}

func idsOf(jobs []seededJob) []knownvalue.Check {
	out := make([]knownvalue.Check, len(jobs))
	for i, j := range jobs {
		out[i] = knownvalue.StringExact(j.id)
	}
	return out
}

func filterJobs(jobs []seededJob, keep func(seededJob) bool) []seededJob {
	var out []seededJob
	for _, j := range jobs {
		if keep(j) {
			out = append(out, j)
		}
	}
	return out
}

// pagesPerRead checks, from the journal, that each read of the listing cost the given number
// of DescribeMigrateJobs calls. Every configuration also reads one job by ID, which costs one
// call per read, so the two counts give the number of reads whatever Terraform's command
// sequence.
func pagesPerRead(env *accEnv, probeID string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		reads, pages := 0, 0
		for _, j := range env.mock.Journal() {
			if j.Action != "DescribeMigrateJobs" {
				continue
			}
			switch j.JobID {
			case probeID:
				reads++
			case "":
				pages++
			}
		}
		if reads == 0 || pages != want*reads {
			return fmt.Errorf("%d listing calls over %d reads, want %d per read", pages, reads, want)
		}
		return nil
	}
}

func noSecretInState(s *terraform.State) error {
	for _, m := range s.Modules {
		for name, rs := range m.Resources {
			for k, v := range rs.Primary.Attributes {
				if strings.Contains(v, secretCanary) {
					return fmt.Errorf("%s exposes a secret in %s", name, k)
				}
			}
		}
	}
	return nil
}

func TestAccMigrateJobsDataSource_listing(t *testing.T) {
	newListing := func(t *testing.T) (*accEnv, []seededJob) {
		env := newAccEnv(t, dtsmock.WithPhase(time.Hour), dtsmock.WithRateLimit(false))
		return env, seedJobs(t, env.needMock(t), 250)
	}
	// byCreatedDesc is the API's default order.
	byCreatedDesc := func(jobs []seededJob) []seededJob {
		out := slices.Clone(jobs)
		slices.Reverse(out)
		return out
	}
	cases := []struct {
		name  string
		args  string
		pages int
		want  func(all []seededJob) []seededJob
	}{
		{"all", ``, 3, byCreatedDesc},
		{"max_results", `max_results = 120`, 2, func(all []seededJob) []seededJob { return byCreatedDesc(all)[:120] }},
		{"name substring", `name = "orders-archive"`, 1, func(all []seededJob) []seededJob {
			return filterJobs(byCreatedDesc(all), func(j seededJob) bool { return strings.Contains(j.name, "orders-archive") })
		}},
		{"name exact", "name = \"orders-003\"\n  name_exact = true", 1, func(all []seededJob) []seededJob {
			return filterJobs(all, func(j seededJob) bool { return j.name == "orders-003" })
		}},
		{"tags", `tag_filters = { env = ["prod", "staging"], team = ["t1"] }`, 1, func(all []seededJob) []seededJob {
			return filterJobs(byCreatedDesc(all), func(j seededJob) bool { return j.env != "dev" && j.team == "t1" })
		}},
		{"tag key with any value", "tag_filters = { env = [\"dev\"], team = [] }\n  max_results = 40", 1, func(all []seededJob) []seededJob {
			return filterJobs(byCreatedDesc(all), func(j seededJob) bool { return j.env == "dev" })[:40]
		}},
		{"statuses", `statuses = ["running", "failed"]`, 3, func(all []seededJob) []seededJob {
			return filterJobs(byCreatedDesc(all), func(j seededJob) bool { return j.status == 7 || j.status == 10 })
		}},
		{"statuses with max", "statuses = [\"success\"]\n  max_results = 5", 1, func(all []seededJob) []seededJob {
			return filterJobs(byCreatedDesc(all), func(j seededJob) bool { return j.status == 9 })[:5]
		}},
		{"order by name asc", "order_by = \"name\"\n  order = \"asc\"\n  max_results = 30", 1, func(all []seededJob) []seededJob {
			out := slices.Clone(all)
			slices.SortFunc(out, func(a, b seededJob) int { return strings.Compare(a.name, b.name) })
			return out[:30]
		}},
		{"order by status desc", "order_by = \"status\"\n  max_results = 30", 1, func(all []seededJob) []seededJob {
			// Ties keep the creation sequence, in the direction of the order.
			out := byCreatedDesc(all)
			slices.SortStableFunc(out, func(a, b seededJob) int { return b.status - a.status })
			return out[:30]
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, all := newListing(t)
			want := c.want(all)
			probe := all[0].id
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories,
				Steps: []resource.TestStep{{
					Config: env.config(fmt.Sprintf(`
data "dts_migrate_jobs" "test" {
  %s
}

data "dts_migrate_jobs" "probe" {
  job_id = %q
}
`, c.args, probe)),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.dts_migrate_jobs.test", tfjsonpath.New("ids"), knownvalue.ListExact(idsOf(want))),
						statecheck.ExpectKnownValue("data.dts_migrate_jobs.probe", tfjsonpath.New("total_count"), knownvalue.Int64Exact(1)),
					},
					Check: resource.ComposeAggregateTestCheckFunc(noSecretInState, pagesPerRead(env, probe, c.pages)),
				}},
			})
		})
	}
}

// TestAccMigrateJobsDataSource_jobAttributes checks one listed job attribute by attribute
// against the resource that made it: the listing and the resource flatten a job alike.
func TestAccMigrateJobsDataSource_jobAttributes(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.needMock(t)
	cfg := env.config(jobSpec{name: "tf-acc-listed", attrs: `
  migrate_type   = "full"
  migrate_object = "databases"
  databases      = [{ database = "orders", tables = ["order"] }]
  tags           = { env = "prod" }`}.hcl() + `
data "dts_migrate_jobs" "test" {
  job_id = dts_migrate_job.test.id
}
`)
	same := func(attr string) resource.TestCheckFunc {
		return resource.TestCheckResourceAttrPair("data.dts_migrate_jobs.test", "jobs.0."+attr, jobResource, attr)
	}
	env.parallelTest(t, []resource.TestStep{{
		Config: cfg,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.dts_migrate_jobs.test", "total_count", "1"),
			same("id"), same("name"), same("migrate_type"), same("run_mode"), same("migrate_object"),
			same("databases.0.database"), same("databases.0.tables.0"), same("consistency_type"),
			same("override_root"), same("source.ip"), same("source.port"), same("source.user"),
			same("destination.instance_id"), same("destination.region"), same("tags.env"),
			same("create_time"),
			resource.TestCheckNoResourceAttr("data.dts_migrate_jobs.test", "jobs.0.source.password"),
			resource.TestCheckNoResourceAttr("data.dts_migrate_jobs.test", "jobs.0.destination.password"),
			resource.TestCheckResourceAttr("data.dts_migrate_jobs.test", "jobs.0.status", "running"),
		),
	}})
}

func TestAccMigrateJobsDataSource_invalidArguments(t *testing.T) {
	env := newAccEnv(t)
	env.needMock(t)
	bad := []struct{ args, want string }{
		{`order_by = "size"`, `order_by.*value must be one of`},
		{`order = "up"`, `order.*value must be one of`},
		{`max_results = 0`, `max_results.*at least 1`},
		{`statuses = ["done"]`, `statuses.*value must be one of`},
		{`job_id = "job-1"`, `job_id.*must be a job ID`},
	}
	failures := make([]planFailure, len(bad))
	for i, b := range bad {
		failures[i] = planFailure{fmt.Sprintf("data \"dts_migrate_jobs\" \"test\" {\n  %s\n}\n", b.args), b.want}
	}
	env.expectPlanFailures(t, "invalid arguments", failures)
}

func TestAccMigrateCheckDataSource_passed(t *testing.T) {
	env := newAccEnv(t)
	env.parallelTest(t, []resource.TestStep{{
		Config: env.config(jobSpec{attrs: `
  migrate_type = "full"
  start        = false`}.hcl() + `
data "dts_migrate_check" "test" {
  job_id = dts_migrate_job.test.id
}
`),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("status"), knownvalue.StringExact("finished")),
			statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("passed"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("check_flag"), knownvalue.Int64Exact(1)),
			statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("progress"), knownvalue.Int64Exact(100)),
		},
	}})
}

// TestAccMigrateCheckDataSource_waitsForFailingCheck starts a check that will fail and reads it
// while it still runs: with wait = true the data source returns the finished, failed result.
func TestAccMigrateCheckDataSource_waitsForFailingCheck(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseChecking, 3*time.Second))
	mock := env.needMock(t)
	jobID, err := mock.SeedJob(dtsmock.Job{JobName: "failing-check", SrcIP: "192.0.2.10", SrcPort: 3306, DstInstanceID: "cdb-a1b2c3d4"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := dtsapi.New(dtsapi.Config{
		SecretID: dtsmock.DefaultSecretID, SecretKey: dtsmock.DefaultSecretKey,
		Region: "ap-guangzhou", Endpoint: mock.Endpoint, Scheme: "http",
	})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := client.CreateMigrateCheckJob(t.Context(), jobID); err != nil {
					t.Fatal(err)
				}
				c, err := client.DescribeMigrateCheckJob(t.Context(), jobID)
				if err != nil {
					t.Fatal(err)
				}
				if s := dtsapi.StringValue(c.Status); s == dtsapi.CheckStatusFinished {
					t.Fatalf("the check should still be running when the data source reads it, it is %s", s)
				}
			},
			Config: env.config(fmt.Sprintf(`
data "dts_migrate_check" "test" {
  job_id = %q
  wait   = true
}
`, jobID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("status"), knownvalue.StringExact("finished")),
				statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("passed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("check_flag"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.dts_migrate_check.test", tfjsonpath.New("error_message"), knownvalue.StringRegexp(regexpWords(`192\.0\.2\.10`))),
			},
		}},
	})
}

func TestAccMigrateCheckDataSource_unknownJob(t *testing.T) {
	env := newAccEnv(t)
	env.needMock(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config:      env.config(`data "dts_migrate_check" "test" { job_id = "dts-zz00zz00" }`),
			ExpectError: regexpWords(`DTS Migrate Job Not Found.*no DTS Migrate Job with ID dts-zz00zz00`),
		}},
	})
}
