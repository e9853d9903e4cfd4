package provider

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// sweepJobPrefix starts the name of every job an acceptance test creates. The sweeper deletes
// the jobs so named and no other: a name is the only mark a test's job carries that a user's
// job does not. The reserved create-token tag (#8) neither widens nor narrows the sweep, since
// the provider tags every job it creates with it, a user's production migration included.
const sweepJobPrefix = "tf-acc-"

// sweepTimeout bounds one sweep of a region: stopping a running migration takes minutes on the
// real service.
const sweepTimeout = 30 * time.Minute

// TestMain runs the sweepers when `go test` is given -sweep=REGION (make sweep), and the tests
// otherwise.
func TestMain(m *testing.M) {
	resource.TestMain(m)
}

func init() {
	resource.AddTestSweepers("dts_migrate_job", &resource.Sweeper{
		Name: "dts_migrate_job",
		F:    sweepMigrateJobs,
	})
}

// sweepMigrateJobs deletes the jobs whose names start with sweepJobPrefix in region, the ones
// acceptance tests against the real service leaked: idle jobs count against the account's
// quota. It stops a running migration first and waits until the job is gone, exactly as the
// resource's Delete does, and goes on past a job it cannot delete, reporting every failure.
func sweepMigrateJobs(region string) error {
	client, err := sweeperClient(region)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
	defer cancel()
	// The API matches JobName as a substring; the prefix is checked here.
	req := &dtsapi.DescribeMigrateJobsRequest{JobName: dtsapi.String(sweepJobPrefix)}
	_, jobs, err := client.ListMigrateJobsMatching(ctx, req, func(j *dtsapi.MigrateJobInfo) bool {
		return strings.HasPrefix(dtsapi.StringValue(j.JobName), sweepJobPrefix)
	}, 0)
	if err != nil {
		return fmt.Errorf("listing DTS Migrate Jobs named %s* in %s: %w", sweepJobPrefix, region, err)
	}
	l := newLifecycle(&providerData{client: client, pollMinInterval: 500 * time.Millisecond, pollMaxInterval: 5 * time.Second}, sweepTimeout)
	var errs []error
	for _, j := range jobs {
		id, name := dtsapi.StringValue(j.JobId), dtsapi.StringValue(j.JobName)
		// Test jobs are swept whatever they are doing: no deletion guard.
		if err := l.remove(ctx, id, false); err != nil {
			errs = append(errs, fmt.Errorf("deleting DTS Migrate Job (%s) %q: %w", id, name, err))
			continue
		}
		log.Printf("[INFO] swept DTS Migrate Job (%s) %q, which was %s", id, name, dtsapi.StatusName(dtsapi.Int64Value(j.Status)))
	}
	return errors.Join(errs...)
}

// sweeperClient builds a client for region from the provider's environment variables. Sweeping
// deletes jobs, so it refuses the real service unless DTS_ACC_REAL=1 says that is meant; an
// endpoint on a loopback address (an emulator) needs no such consent.
func sweeperClient(region string) (*dtsapi.Client, error) {
	host, scheme, err := dtsapi.ParseEndpoint(os.Getenv(envEndpoint))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envEndpoint, err)
	}
	if !realService() && !isLoopback(host) {
		return nil, fmt.Errorf("sweeping deletes the jobs named %s* in %s: set DTS_ACC_REAL=1 to sweep the real service, or %s to a local emulator", sweepJobPrefix, region, envEndpoint)
	}
	return dtsapi.New(dtsapi.Config{
		SecretID:        os.Getenv(envSecretID),
		SecretKey:       os.Getenv(envSecretKey),
		SecurityToken:   os.Getenv(envSecurityToken),
		Region:          region,
		Endpoint:        host,
		Scheme:          scheme,
		SignatureMethod: os.Getenv(envSignatureMethod),
		Version:         "sweeper",
	})
}

// isLoopback reports whether host ("name[:port]") is localhost or a loopback address.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TestSweepMigrateJobs seeds the emulator with jobs in every kind of status, runs the sweeper,
// and checks that exactly the jobs named with the tests' prefix are gone, running ones stopped
// first, and that the others are untouched.
func TestSweepMigrateJobs(t *testing.T) {
	// Migrations run until stopped, so that the running jobs are still running when swept.
	mock := dtsmock.StartTest(t, dtsmock.WithPhase(accPhase), dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	t.Setenv("DTS_ACC_REAL", "")
	t.Setenv(envSecretID, dtsmock.DefaultSecretID)
	t.Setenv(envSecretKey, dtsmock.DefaultSecretKey)
	t.Setenv(envSecurityToken, "")
	t.Setenv(envSignatureMethod, "")
	t.Setenv(envEndpoint, mock.URL)

	token := map[string]string{"terraform-provider-dts:create-token": "f3b1c2d4"}
	seeds := []struct {
		name   string
		status int
		tags   map[string]string
		swept  bool
	}{
		{"tf-acc-job", dtsapi.StatusCreated, nil, true},
		{"tf-acc-checked", dtsapi.StatusCheckPass, token, true},
		{"tf-acc-check-failed", dtsapi.StatusCheckNotPass, nil, true},
		{"tf-acc-running", dtsapi.StatusRunning, token, true},
		{"tf-acc-caught-up", dtsapi.StatusReadyComplete, nil, true},
		{"tf-acc-stopping", dtsapi.StatusStopping, nil, true},
		{"tf-acc-done", dtsapi.StatusSuccess, nil, true},
		{"tf-acc-failed", dtsapi.StatusFailed, token, true},
		// The prefix anywhere but at the start, or only the create token: a user's jobs.
		{"orders-tf-acc-copy", dtsapi.StatusRunning, nil, false},
		{"orders-live", dtsapi.StatusRunning, token, false},
		{"orders-idle", dtsapi.StatusCreated, token, false},
		{"TF-ACC-upper", dtsapi.StatusCreated, nil, false},
	}
	ids := map[string]string{}
	for _, s := range seeds {
		id, err := mock.SeedJob(dtsmock.Job{
			JobName: s.name, Status: s.status, MigrateType: 3, Tags: s.tags,
			SrcIP: "10.0.0.5", SrcPort: 3306, DstInstanceID: "cdb-a1b2c3d4", DstRegion: "ap-guangzhou",
		})
		if err != nil {
			t.Fatalf("seeding %s: %v", s.name, err)
		}
		ids[s.name] = id
	}

	if err := sweepMigrateJobs("ap-guangzhou"); err != nil {
		t.Fatalf("sweeping: %v", err)
	}

	for _, s := range seeds {
		status, exists := mock.JobStatus(ids[s.name])
		switch {
		case s.swept && exists:
			t.Errorf("%s (%s) survived the sweep in status %s", s.name, ids[s.name], dtsapi.StatusName(int64(status)))
		case !s.swept && !exists:
			t.Errorf("%s (%s) was swept, but its name does not start with %s", s.name, ids[s.name], sweepJobPrefix)
		case !s.swept && status != s.status:
			t.Errorf("%s (%s) went from %s to %s, but the sweeper must leave it alone", s.name, ids[s.name],
				dtsapi.StatusName(int64(s.status)), dtsapi.StatusName(int64(status)))
		}
	}
	// The API deletes no running job: each was stopped first, and nothing else was.
	var stopped []string
	for _, j := range mock.Journal() {
		if j.Action == dtsapi.ActionStopMigrateJob && j.ErrorCode == "" {
			stopped = append(stopped, j.JobID)
		}
	}
	slices.Sort(stopped)
	want := []string{ids["tf-acc-running"], ids["tf-acc-caught-up"]}
	slices.Sort(want)
	if !slices.Equal(stopped, want) {
		t.Errorf("the sweeper stopped %v, want exactly the running jobs %v", stopped, want)
	}

	// A second sweep finds nothing to do.
	calls := len(mock.Journal())
	if err := sweepMigrateJobs("ap-guangzhou"); err != nil {
		t.Fatalf("sweeping again: %v", err)
	}
	for _, j := range mock.Journal()[calls:] {
		if j.Action != dtsapi.ActionDescribeMigrateJobs {
			t.Errorf("a sweep with nothing to sweep called %s", j.Action)
		}
	}
}

// TestSweepMigrateJobs_refusesRealService: without DTS_ACC_REAL=1, the sweeper sends nothing
// to an endpoint that is not a local emulator.
func TestSweepMigrateJobs_refusesRealService(t *testing.T) {
	t.Setenv("DTS_ACC_REAL", "")
	t.Setenv(envSecretID, dtsmock.DefaultSecretID)
	t.Setenv(envSecretKey, dtsmock.DefaultSecretKey)
	for _, endpoint := range []string{"", "dts.tencentcloudapi.com", "https://203.0.113.7:443"} {
		t.Setenv(envEndpoint, endpoint)
		err := sweepMigrateJobs("ap-guangzhou")
		if err == nil || !strings.Contains(err.Error(), "DTS_ACC_REAL=1") {
			t.Errorf("sweeping with endpoint %q: %v, want a refusal naming DTS_ACC_REAL=1", endpoint, err)
		}
	}
	for _, host := range []string{"127.0.0.1:8088", "localhost", "[::1]:1"} {
		if !isLoopback(host) {
			t.Errorf("isLoopback(%q) = false", host)
		}
	}
}
