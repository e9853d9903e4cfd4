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
	env.parallelTest(t, []resource.TestStep{
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
	})
}

// TestAccMigrateJob_concurrentWaitsShareListings: jobs applied together wait through the shared
// view, their polls aligned, so that their reads cost far fewer calls than a poll each.
func TestAccMigrateJob_concurrentWaitsShareListings(t *testing.T) {
	const n = 20
	env := newAccEnv(t, dtsmock.WithMaxIdleJobs(200), dtsmock.WithPhase(time.Second))
	mock := env.needMock(t)
	cfg := env.config(jobSpec{name: "tf-acc-wait-${count.index}", attrs: fmt.Sprintf("  count        = %d\n  migrate_type = \"full\"", n)}.hcl())
	env.parallelTest(t, []resource.TestStep{{
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
	}})
}

// TestAccMigrateJob_manyWaitsCostAListingATick: 20 jobs applied and destroyed together, with
// the default ratio of poll intervals, wait through the shared view: their polls meet at shared
// instants, a check that passed costs no read of its result, and the delete waits are answered
// by listings too. Polling alone, each job would make about a dozen reads.
func TestAccMigrateJob_manyWaitsCostAListingATick(t *testing.T) {
	const n = 20
	env := newAccEnv(t, dtsmock.WithMaxIdleJobs(200), dtsmock.WithPhase(time.Second))
	mock := env.needMock(t)
	factories := testFactories(Options{
		PollMinInterval: 200 * time.Millisecond, PollMaxInterval: 2 * time.Second,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
	})
	cfg := env.config(jobSpec{name: "tf-acc-tick-${count.index}", attrs: fmt.Sprintf("  count        = %d\n  migrate_type = \"full\"", n)}.hcl())
	applied := 0
	count := func(from int) (jobs, byID, checks int) {
		for _, j := range mock.Journal()[from:] {
			switch j.Action {
			case dtsapi.ActionDescribeMigrateJobs:
				jobs++
				if j.JobID != "" {
					byID++
				}
			case dtsapi.ActionDescribeMigrateCheckJob:
				checks++
			}
		}
		return jobs, byID, checks
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy: func(s *terraform.State) error {
			jobs, byID, _ := count(applied)
			t.Logf("%d jobs destroyed: %d DescribeMigrateJobs calls, %d of them by JobId", n, jobs, byID)
			// Alone, each job reads itself before the delete and at least once after it: 2n
			// reads at the least. Shared, about n/2; the bound leaves room for a loaded machine,
			// whose slower answers split the polls into more ticks, and stays below 2n.
			if limit := 3 * n / 2; jobs > limit {
				return fmt.Errorf("destroying %d jobs together made %d DescribeMigrateJobs calls, want at most %d", n, jobs, limit)
			}
			return checkDestroyed(env)(s)
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				jobs, byID, checks := count(0)
				applied = len(mock.Journal())
				t.Logf("%d jobs applied: %d DescribeMigrateJobs calls, %d of them by JobId; %d DescribeMigrateCheckJob", n, jobs, byID, checks)
				// Alone, each job's three waits through one-second phases take about a dozen reads.
				if jobs > 5*n || checks > n/2 {
					return fmt.Errorf("%d jobs applied together made %d DescribeMigrateJobs and %d DescribeMigrateCheckJob calls, want at most %d and %d",
						n, jobs, checks, 5*n, n/2)
				}
				return nil
			},
		}},
	})
}
