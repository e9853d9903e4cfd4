package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// readCalls counts the journal's read calls from index from on.
func readCalls(mock *dtsmock.TestServer, from int) (jobs, checks int) {
	for _, j := range mock.Journal()[from:] {
		switch j.Action {
		case dtsapi.ActionDescribeMigrateJobs:
			jobs++
		case dtsapi.ActionDescribeMigrateCheckJob:
			checks++
		}
	}
	return jobs, checks
}

// TestAccMigrateJob_refreshOfManyJobsSharesAListing: a refresh of 40 jobs reads them through
// the shared view, a listing or two in all instead of two calls a job, and reads no check that
// the job's status settles.
func TestAccMigrateJob_refreshOfManyJobsSharesAListing(t *testing.T) {
	const n = 40
	env := newAccEnv(t, dtsmock.WithMaxIdleJobs(200))
	mock := env.needMock(t)
	cfg := env.config(jobSpec{name: "tf-acc-many-${count.index}", attrs: fmt.Sprintf("  count        = %d\n  migrate_type = \"full\"\n  start        = false", n)}.hcl())
	from := 0
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             checkDestroyed(env),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					from = len(mock.Journal())
					return nil
				},
			},
			{
				RefreshState: true,
				Check: func(*terraform.State) error {
					jobs, checks := readCalls(mock, from)
					t.Logf("refresh of %d jobs: %d DescribeMigrateJobs, %d DescribeMigrateCheckJob", n, jobs, checks)
					if checks != 0 || jobs > 6 {
						return fmt.Errorf("a refresh of %d jobs made %d DescribeMigrateJobs and %d DescribeMigrateCheckJob calls, want at most 6 and 0", n, jobs, checks)
					}
					return nil
				},
			},
		},
	})
}

// TestAccMigrateJob_concurrentWaitsShareListings: jobs applied together wait through the shared
// view, their polls aligned, so that their reads cost far fewer calls than a poll each.
func TestAccMigrateJob_concurrentWaitsShareListings(t *testing.T) {
	const n = 20
	env := newAccEnv(t, dtsmock.WithMaxIdleJobs(200), dtsmock.WithPhase(time.Second))
	mock := env.needMock(t)
	cfg := env.config(jobSpec{name: "tf-acc-wait-${count.index}", attrs: fmt.Sprintf("  count        = %d\n  migrate_type = \"full\"", n)}.hcl())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             checkDestroyed(env),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				polls, found := 0, 0
				for _, j := range mock.Journal() {
					if j.Action == dtsapi.ActionDescribeMigrateJobs {
						polls++
						if j.JobID != "" {
							found++
						}
					}
				}
				t.Logf("%d jobs applied: %d DescribeMigrateJobs calls, %d of them by JobId", n, polls, found)
				// Each job passes three one-second phases; polling alone every 20-100 ms, the jobs
				// made about 400 calls (measured: 408), each waiter reading its own job.
				if polls > 12*n {
					return fmt.Errorf("%d jobs waiting together made %d DescribeMigrateJobs calls, want at most %d", n, polls, 12*n)
				}
				return nil
			},
		}},
	})
}
