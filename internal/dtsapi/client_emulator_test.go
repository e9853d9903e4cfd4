package dtsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// These tests run the client against the project's emulator, whose signature verifier is written
// independently of the SDK.

// emulatorClient builds a client for ts with the emulator's default key and tiny backoffs.
func emulatorClient(t *testing.T, ts *dtsmock.TestServer, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		SecretID:   dtsmock.DefaultSecretID,
		SecretKey:  dtsmock.DefaultSecretKey,
		Region:     "ap-guangzhou",
		Endpoint:   ts.Endpoint,
		Scheme:     "http",
		MaxRetries: 5,
		MinBackoff: time.Millisecond,
		MaxBackoff: 4 * time.Millisecond,
		Version:    "test",
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// emulatorCreateRequest is a request the emulator accepts, with every field set that a MongoDB
// source over the public network allows.
func emulatorCreateRequest() *CreateMigrateJobRequest {
	req := fullCreateRequest()
	req.SrcDatabaseType = String("mongodb")
	req.DstDatabaseType = String("mongodb")
	req.MigrateOption.IsOverrideRoot = Int64(0)
	return req
}

// journalFor returns the journal entries of one action.
func journalFor(ts *dtsmock.TestServer, action string) []dtsmock.JournalEntry {
	var out []dtsmock.JournalEntry
	for _, e := range ts.Journal() {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestEmulatorSignatureMethods(t *testing.T) {
	t.Parallel()
	for _, method := range []string{SignatureMethodTC3, SignatureMethodHmacSHA256, SignatureMethodHmacSHA1} {
		for _, token := range []string{"", "session-token-1"} {
			t.Run(fmt.Sprintf("%s/token=%v", method, token != ""), func(t *testing.T) {
				t.Parallel()
				ts := dtsmock.StartTest(t, dtsmock.WithCredentials(dtsmock.Credential{
					SecretID: dtsmock.DefaultSecretID, SecretKey: dtsmock.DefaultSecretKey, Token: token,
				}))
				c := emulatorClient(t, ts, func(cfg *Config) {
					cfg.SignatureMethod = method
					cfg.SecurityToken = token
				})
				ctx := context.Background()
				id, err := c.CreateMigrateJob(ctx, emulatorCreateRequest())
				if err != nil {
					t.Fatalf("CreateMigrateJob: %v", err)
				}
				job, err := c.FindMigrateJob(ctx, id)
				if err != nil {
					t.Fatalf("FindMigrateJob: %v", err)
				}
				if StringValue(job.JobName) != "orders-migration" {
					t.Errorf("job name %q", StringValue(job.JobName))
				}
				if _, err := c.DescribeMigrateCheckJob(ctx, id); err != nil {
					t.Fatalf("DescribeMigrateCheckJob: %v", err)
				}
				if err := c.ModifyMigrateJob(ctx, &ModifyMigrateJobRequest{JobId: String(id), JobName: String("renamed")}); err != nil {
					t.Fatalf("ModifyMigrateJob: %v", err)
				}
				if err := c.DeleteMigrateJob(ctx, id); err != nil {
					t.Fatalf("DeleteMigrateJob: %v", err)
				}
				for _, e := range ts.Journal() {
					if e.SignMethod != method || e.HTTPMethod != "POST" || e.ErrorCode != "" {
						t.Errorf("journal entry %+v", e)
					}
				}
				if n := len(ts.Journal()); n != 5 {
					t.Errorf("%d journal entries, want 5", n)
				}
			})
		}
	}
}

// TestEmulatorFullCreateRoundTrip checks that every field of CreateMigrateJob arrives where the
// emulator's own decoder puts it, under each signature method (JSON for TC3, flattened v1 form).
func TestEmulatorFullCreateRoundTrip(t *testing.T) {
	t.Parallel()
	for _, method := range []string{SignatureMethodTC3, SignatureMethodHmacSHA256, SignatureMethodHmacSHA1} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			ts := dtsmock.StartTest(t)
			c := emulatorClient(t, ts, func(cfg *Config) { cfg.SignatureMethod = method })
			id, err := c.CreateMigrateJob(context.Background(), emulatorCreateRequest())
			if err != nil {
				t.Fatal(err)
			}
			j, ok := ts.Job(id)
			if !ok {
				t.Fatalf("job %s not stored", id)
			}
			want := dtsmock.Job{
				JobID: id, JobName: "orders-migration",
				RunMode: 2, MigrateType: 3, MigrateObject: 2, ConsistencyType: 3, IsOverrideRoot: 0,
				ExternParams:       `{"SrcAuthDatabase":"admin"}`,
				SelectRowsPerTable: 10, TablesSelectAll: 20, TablesSelectCount: 30,
				SrcDatabaseType: "mongodb", SrcAccessType: "extranet", DstDatabaseType: "mongodb", DstAccessType: "cdb",
				SrcIP: "203.0.113.7", SrcPort: 3306, SrcUser: "root", SrcPassword: "src-p@ss word&=",
				SrcAccessKey: "src-access-key", SrcRdsInstanceID: "rds-1", SrcCvmInstanceID: "ins-1",
				SrcUniqDcgID: "dcg-1", SrcVpcID: "vpc-1", SrcSubnetID: "subnet-1", SrcUniqVpnGwID: "vpngw-1",
				SrcInstanceID: "cdb-src", SrcRegion: "ap-guangzhou", SrcSupplier: "others", SrcCcnID: "ccn-1",
				SrcEngineVersion: "8.0",
				DstInstanceID:    "cdb-dst", DstRegion: "ap-shanghai", DstUser: "admin", DstPassword: "dst-pass",
				DstIP: "10.0.0.8", DstPort: 3306, DstReadOnly: 1,
				DatabaseInfo: `[{"Database":"db1","Table":["t1","t2"]}]`,
			}
			got := j
			got.Status, got.CreateTime, got.StartTime, got.EndTime, got.CheckFlag, got.ErrorInfo, got.Tags, got.ExpectTime =
				0, time.Time{}, time.Time{}, time.Time{}, 0, nil, nil, time.Time{}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("stored job differs\n got: %+v\nwant: %+v", got, want)
			}
			if j.Tags["team"] != "data" || j.Tags["env"] != "prod" || len(j.Tags) != 2 {
				t.Errorf("tags %v", j.Tags)
			}
			if FormatTime(j.ExpectTime) != "2024-06-01 02:00:00" {
				t.Errorf("expect time %v", j.ExpectTime)
			}
		})
	}
}

func TestEmulatorWrongKeyIsNotRetried(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	c := emulatorClient(t, ts, func(cfg *Config) { cfg.SecretKey = "wrong" })
	_, _, err := c.DescribeMigrateJobs(context.Background(), nil)
	if ErrorCode(err) != "AuthFailure.SignatureFailure" || IsTransient(err) {
		t.Errorf("error %v", err)
	}
	if len(ts.Journal()) != 1 {
		t.Errorf("%d attempts", len(ts.Journal()))
	}
}

// TestEmulatorThrottledThenSuccessFreshlySigned shares one fake clock between client and
// emulator. The waits add up to far more than the emulator's 300 s timestamp window, so a resent
// stale signature would end in AuthFailure.SignatureExpire: every retry is signed anew.
func TestEmulatorThrottledThenSuccessFreshlySigned(t *testing.T) {
	t.Parallel()
	for _, method := range []string{SignatureMethodTC3, SignatureMethodHmacSHA1} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			clock := newAutoClock(time.Now())
			ts := dtsmock.StartTest(t, dtsmock.WithClock(clock))
			const throttles = 4
			ts.AddFault(dtsmock.FaultRule{Action: ActionCreateMigrateJob, Kind: dtsmock.FaultError, Code: "RequestLimitExceeded", Count: throttles})
			c := emulatorClient(t, ts, func(cfg *Config) {
				cfg.SignatureMethod = method
				cfg.Clock = clock
				cfg.MinBackoff = 200 * time.Second
				cfg.MaxBackoff = 400 * time.Second
			})
			c.jitter = func(ceiling time.Duration) time.Duration { return ceiling }
			start := clock.Now()
			id, err := c.CreateMigrateJob(context.Background(), emulatorCreateRequest())
			if err != nil {
				t.Fatalf("CreateMigrateJob: %v", err)
			}
			if _, ok := ts.Job(id); !ok {
				t.Errorf("job %s not stored", id)
			}
			entries := journalFor(ts, ActionCreateMigrateJob)
			if len(entries) != throttles+1 {
				t.Fatalf("%d attempts, want %d", len(entries), throttles+1)
			}
			wantAt := []time.Duration{0, 200 * time.Second, 600 * time.Second, 1000 * time.Second, 1400 * time.Second}
			for i, e := range entries {
				wantCode := "RequestLimitExceeded"
				if i == throttles {
					wantCode = ""
				}
				if e.ErrorCode != wantCode {
					t.Errorf("attempt %d answered %q, want %q", i+1, e.ErrorCode, wantCode)
				}
				if got := e.Time.Sub(start); got != wantAt[i] {
					t.Errorf("attempt %d at %v, want %v", i+1, got, wantAt[i])
				}
			}
		})
	}
}

func TestEmulatorInternalErrorOnDescribeIsRetried(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	ts.AddFault(dtsmock.FaultRule{Action: ActionDescribeMigrateJobs, Kind: dtsmock.FaultError, Code: "InternalError", Count: 2})
	c := emulatorClient(t, ts)
	if _, _, err := c.DescribeMigrateJobs(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	codes := journalCodes(journalFor(ts, ActionDescribeMigrateJobs))
	if want := []string{"InternalError", "InternalError", ""}; fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("journal codes %q, want %q", codes, want)
	}
}

func journalCodes(entries []dtsmock.JournalEntry) []string {
	codes := make([]string, 0, len(entries))
	for _, e := range entries {
		codes = append(codes, e.ErrorCode)
	}
	return codes
}

func TestEmulatorInternalErrorOnCreateIsNotRetried(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	ts.AddFault(dtsmock.FaultRule{Action: ActionCreateMigrateJob, Kind: dtsmock.FaultError, Code: "InternalError", Count: 1})
	c := emulatorClient(t, ts)
	_, err := c.CreateMigrateJob(context.Background(), emulatorCreateRequest())
	if ErrorCode(err) != "InternalError" || !IsTransient(err) {
		t.Fatalf("error %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RequestID == "" || apiErr.Action != ActionCreateMigrateJob {
		t.Errorf("API error %#v", apiErr)
	}
	if n := len(journalFor(ts, ActionCreateMigrateJob)); n != 1 {
		t.Errorf("%d CreateMigrateJob calls, want 1", n)
	}
}

func TestEmulatorTransportFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		rule     dtsmock.FaultRule
		call     func(context.Context, *Client) error
		attempts int
		ok       bool
	}{
		{"502 on Describe is retried", dtsmock.FaultRule{Action: ActionDescribeMigrateJobs, Kind: dtsmock.FaultHTTPStatus, HTTPStatus: 502, Count: 2}, describeOne, 3, true},
		{"dropped connection on Describe is retried", dtsmock.FaultRule{Action: ActionDescribeMigrateJobs, Kind: dtsmock.FaultDropConnection, Count: 1}, describeOne, 2, true},
		{"503 on Create is not retried", dtsmock.FaultRule{Action: ActionCreateMigrateJob, Kind: dtsmock.FaultHTTPStatus, HTTPStatus: 503, Count: 1}, emulatorCreate, 1, false},
		{"dropped connection on Create is not retried", dtsmock.FaultRule{Action: ActionCreateMigrateJob, Kind: dtsmock.FaultDropConnection, Count: 1}, emulatorCreate, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := dtsmock.StartTest(t)
			ts.AddFault(tt.rule)
			c := emulatorClient(t, ts)
			err := tt.call(context.Background(), c)
			if tt.ok != (err == nil) {
				t.Errorf("error %v", err)
			}
			if err != nil && !IsTransient(err) {
				t.Errorf("error %v is not transient", err)
			}
			if n := len(journalFor(ts, tt.rule.Action)); n != tt.attempts {
				t.Errorf("%d attempts, want %d", n, tt.attempts)
			}
		})
	}
}

func emulatorCreate(ctx context.Context, c *Client) error {
	_, err := c.CreateMigrateJob(ctx, emulatorCreateRequest())
	return err
}

// TestEmulatorLostCreateAnswer shows why mutations are not retried: the job exists although the
// client saw only a dropped connection, and the caller must look for it.
func TestEmulatorLostCreateAnswer(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	ts.AddFault(dtsmock.FaultRule{Action: ActionCreateMigrateJob, Kind: dtsmock.FaultDropAfterCommit, Count: 1})
	c := emulatorClient(t, ts)
	_, err := c.CreateMigrateJob(context.Background(), emulatorCreateRequest())
	if ErrorCode(err) != clientErrorNetwork {
		t.Fatalf("error %v", err)
	}
	if n := len(ts.Jobs()); n != 1 {
		t.Errorf("%d jobs stored, want exactly 1", n)
	}
	_, jobs, err := c.ListMigrateJobs(context.Background(), &DescribeMigrateJobsRequest{JobName: String("orders-migration")}, 0)
	if err != nil || len(jobs) != 1 {
		t.Errorf("listing found %d jobs, %v", len(jobs), err)
	}
}

func TestEmulatorContextCancelEndsBackoff(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	ts.AddFault(dtsmock.FaultRule{Action: ActionDescribeMigrateJobs, Kind: dtsmock.FaultError, Code: "InternalError"})
	clock := newBlockingClock(time.Now())
	c := emulatorClient(t, ts, func(cfg *Config) {
		cfg.Clock = clock
		cfg.MinBackoff = time.Hour
		cfg.MaxBackoff = time.Hour
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := c.DescribeMigrateJobs(ctx, nil)
		done <- err
	}()
	<-clock.waiting // The client is now in a backoff that only the context can end.
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || ErrorCode(err) != "InternalError" {
		t.Errorf("error %v", err)
	}
	if n := len(ts.Journal()); n != 1 {
		t.Errorf("%d attempts", n)
	}
}

func TestEmulatorListMigrateJobsPagesAt100(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	const n = 230
	for i := range n {
		if _, err := ts.SeedJob(dtsmock.Job{JobName: fmt.Sprintf("seeded-%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	c := emulatorClient(t, ts)
	ctx := context.Background()
	total, jobs, err := c.ListMigrateJobs(ctx, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != n || len(jobs) != n {
		t.Fatalf("total %d, %d jobs", total, len(jobs))
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		seen[StringValue(j.JobId)] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct jobs", len(seen))
	}
	if calls := len(journalFor(ts, ActionDescribeMigrateJobs)); calls != 3 {
		t.Errorf("%d pages, want 3", calls)
	}
	_, jobs, err = c.ListMigrateJobs(ctx, &DescribeMigrateJobsRequest{JobName: String("seeded-1")}, 0)
	if err != nil || len(jobs) != 100 {
		t.Errorf("filtered listing: %d jobs, %v", len(jobs), err)
	}
	_, jobs, err = c.ListMigrateJobs(ctx, nil, 150)
	if err != nil || len(jobs) != 150 {
		t.Errorf("listing at most 150: %d jobs, %v", len(jobs), err)
	}

	// A filter on the client's side keeps reading pages until enough jobs match.
	before := len(journalFor(ts, ActionDescribeMigrateJobs))
	odd := func(j *MigrateJobInfo) bool { return strings.HasSuffix(StringValue(j.JobName), "1") }
	_, jobs, err = c.ListMigrateJobsMatching(ctx, nil, odd, 20)
	if err != nil || len(jobs) != 20 {
		t.Fatalf("matching listing: %d jobs, %v", len(jobs), err)
	}
	for _, j := range jobs {
		if !odd(j) {
			t.Errorf("job %s does not match", StringValue(j.JobName))
		}
	}
	if calls := len(journalFor(ts, ActionDescribeMigrateJobs)) - before; calls != 2 {
		t.Errorf("20 of the 23 matching jobs took %d pages, want 2", calls)
	}
}

func TestEmulatorNotFoundAndNotAllowed(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	c := emulatorClient(t, ts)
	ctx := context.Background()
	_, err := c.FindMigrateJob(ctx, "dts-zzzzzzzz")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.JobID != "dts-zzzzzzzz" {
		t.Errorf("FindMigrateJob of an unknown job: %v", err)
	}
	if _, err := c.DescribeMigrateCheckJob(ctx, "dts-zzzzzzzz"); !IsNotFound(err) {
		t.Errorf("DescribeMigrateCheckJob of an unknown job: %v", err)
	}
	if err := c.StartMigrateJob(ctx, "dts-zzzzzzzz"); !IsNotFound(err) {
		t.Errorf("StartMigrateJob of an unknown job: %v", err)
	}
	id, err := ts.SeedJob(dtsmock.Job{JobName: "created"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartMigrateJob(ctx, id); !IsNotAllowed(err) {
		t.Errorf("StartMigrateJob of an unchecked job: %v", err)
	}
	if !ts.Vanish(id) {
		t.Fatal("Vanish")
	}
	if _, err := c.FindMigrateJob(ctx, id); !IsNotFound(err) {
		t.Errorf("FindMigrateJob of a vanished job: %v", err)
	}
}

// TestEmulatorClientLimiterAvoidsThrottling runs on one fake clock: at the configured 20/s
// (50/s for DescribeMigrateJobs) the client never provokes the emulator's throttling, while a
// client that sends as fast as it can is throttled and retries.
func TestEmulatorClientLimiterAvoidsThrottling(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, rateLimit float64) (throttled int, elapsed time.Duration) {
		clock := newAutoClock(time.Now())
		ts := dtsmock.StartTest(t, dtsmock.WithClock(clock))
		c := emulatorClient(t, ts, func(cfg *Config) {
			cfg.Clock = clock
			cfg.RateLimit = rateLimit
			cfg.MaxRetries = 20
			cfg.MinBackoff = 50 * time.Millisecond
			cfg.MaxBackoff = time.Second
		})
		start := clock.Now()
		for range 120 {
			if _, _, err := c.DescribeMigrateJobs(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range ts.Journal() {
			if e.ErrorCode == "RequestLimitExceeded" {
				throttled++
			}
		}
		return throttled, clock.Now().Sub(start)
	}
	throttled, elapsed := run(t, 20)
	if throttled != 0 {
		t.Errorf("limited client was throttled %d times", throttled)
	}
	if want := 1400 * time.Millisecond; elapsed < want-time.Millisecond || elapsed > want+time.Millisecond {
		t.Errorf("120 calls at 50/s took %v, want %v", elapsed, want)
	}
	if throttled, _ := run(t, 10000); throttled == 0 {
		t.Error("an unlimited client was never throttled; the comparison proves nothing")
	}
}

// TestEmulatorConcurrentCalls shares one client between goroutines, as parallel Terraform
// operations do.
func TestEmulatorConcurrentCalls(t *testing.T) {
	t.Parallel()
	ts := dtsmock.StartTest(t)
	c := emulatorClient(t, ts)
	ctx := context.Background()
	errs := make(chan error, 40)
	for i := range cap(errs) {
		go func() {
			if i%2 == 0 {
				_, _, err := c.DescribeMigrateJobs(ctx, nil)
				errs <- err
				return
			}
			_, err := c.CreateMigrateJob(ctx, emulatorCreateRequest())
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(ts.Jobs()); n != cap(errs)/2 {
		t.Errorf("%d jobs created, want %d", n, cap(errs)/2)
	}
}
