package dtsapi

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBackoffCeiling(t *testing.T) {
	t.Parallel()
	minB, maxB := 200*time.Millisecond, 10*time.Second
	want := []time.Duration{
		200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond,
		3200 * time.Millisecond, 6400 * time.Millisecond, 10 * time.Second, 10 * time.Second,
	}
	for n, w := range want {
		if got := backoffCeiling(minB, maxB, n); got != w {
			t.Errorf("ceiling(%d) = %v, want %v", n, got, w)
		}
	}
	// Very many retries must not overflow into negative or tiny waits.
	if got := backoffCeiling(minB, maxB, 200); got != maxB {
		t.Errorf("ceiling(200) = %v", got)
	}
	if got := backoffCeiling(time.Second, time.Second, 3); got != time.Second {
		t.Errorf("ceiling with min = max: %v", got)
	}
}

func TestFullJitter(t *testing.T) {
	t.Parallel()
	if fullJitter(0) != 0 {
		t.Error("jitter of 0")
	}
	ceiling := 100 * time.Millisecond
	var sum time.Duration
	const n = 2000
	for range n {
		d := fullJitter(ceiling)
		if d < 0 || d > ceiling {
			t.Fatalf("jitter %v outside [0, %v]", d, ceiling)
		}
		sum += d
	}
	// Full jitter is uniform, so the mean is near half the ceiling.
	if mean := sum / n; mean < 35*time.Millisecond || mean > 65*time.Millisecond {
		t.Errorf("mean jitter %v, want about 50ms", mean)
	}
}

func TestNewDefaultsAndValidation(t *testing.T) {
	t.Parallel()
	c, err := New(Config{SecretID: "id", SecretKey: "key", Region: "ap-shanghai-fsi"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "dts.ap-shanghai-fsi.tencentcloudapi.com" || c.Scheme() != "https" || c.Region() != "ap-shanghai-fsi" {
		t.Errorf("endpoint %s://%s", c.Scheme(), c.Endpoint())
	}
	if c.minBackoff != DefaultMinBackoff || c.maxBackoff != DefaultMaxBackoff || c.requestTimeout != DefaultRequestTimeout {
		t.Errorf("defaults %v %v %v", c.minBackoff, c.maxBackoff, c.requestTimeout)
	}
	if c.UserAgent() != "terraform-provider-dts/dev" {
		t.Errorf("user agent %q", c.UserAgent())
	}
	if got := c.limiters[ActionDescribeMigrateJobs].Limit(); got != 50 {
		t.Errorf("DescribeMigrateJobs limit %v", got)
	}
	if got := c.limiters[ActionStartMigrateJob].Limit(); got != 20 {
		t.Errorf("StartMigrateJob limit %v", got)
	}
	if DefaultEndpoint("ap-guangzhou") != "dts.tencentcloudapi.com" || DefaultEndpoint("ap-shenzhen-fsi") != "dts.ap-shenzhen-fsi.tencentcloudapi.com" {
		t.Error("DefaultEndpoint")
	}

	c, err = New(Config{SecretID: "id", SecretKey: "key", Region: "ap-guangzhou", Endpoint: "http://127.0.0.1:9999/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "127.0.0.1:9999" || c.Scheme() != "http" {
		t.Errorf("URL endpoint split into %s and %s", c.Scheme(), c.Endpoint())
	}

	bad := []Config{
		{SecretKey: "key", Region: "r"},
		{SecretID: "id", Region: "r"},
		{SecretID: "id", SecretKey: "key"},
		{SecretID: "id", SecretKey: "key", Region: "r", SignatureMethod: "HmacMD5"},
		{SecretID: "id", SecretKey: "key", Region: "r", Scheme: "ftp"},
		{SecretID: "id", SecretKey: "key", Region: "r", Endpoint: "https://h", Scheme: "http"},
		{SecretID: "id", SecretKey: "key", Region: "r", Endpoint: "h/path"},
		{SecretID: "id", SecretKey: "key", Region: "r", MaxRetries: -1},
		{SecretID: "id", SecretKey: "key", Region: "r", RateLimit: -1},
		{SecretID: "id", SecretKey: "key", Region: "r", RequestTimeout: -time.Second},
	}
	for i, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("config %d accepted: %+v", i, cfg)
		}
	}
}

func TestRetryThrottledThenSuccess(t *testing.T) {
	t.Parallel()
	c, transport, clock := newStubClient(t, SignatureMethodHmacSHA256, answers(
		apiErrorBody("RequestLimitExceeded", "r1"), apiErrorBody("RequestLimitExceeded", "r2"),
		`{"Response":{"JobId":"dts-abcd1234","RequestId":"r3"}}`))
	id, err := c.CreateMigrateJob(context.Background(), &CreateMigrateJobRequest{JobName: String("j")})
	if err != nil || id != "dts-abcd1234" {
		t.Fatalf("got %q, %v", id, err)
	}
	if got := clock.Waits(); !reflect.DeepEqual(got, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("waits %v", got)
	}
	// Every attempt is signed anew: its own timestamp, taken after the wait, and its own nonce
	// and signature.
	reqs := transport.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts", len(reqs))
	}
	wantTS := []int64{testStart.Unix(), testStart.Unix() + 1, testStart.Unix() + 3}
	seen := map[string]bool{}
	for i, r := range reqs {
		form := parseForm(t, r.Body)
		if ts, _ := strconv.ParseInt(form["Timestamp"], 10, 64); ts != wantTS[i] {
			t.Errorf("attempt %d timestamp %d, want %d", i+1, ts, wantTS[i])
		}
		for _, k := range []string{"Nonce", "Signature"} {
			if seen[k+form[k]] {
				t.Errorf("attempt %d reuses %s", i+1, k)
			}
			seen[k+form[k]] = true
		}
	}
}

func parseForm(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for pair := range strings.SplitSeq(body, "&") {
		k, v, _ := strings.Cut(pair, "=")
		out[k] = v
	}
	return out
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		call     func(context.Context, *Client) error
		answer   func(int, *http.Request) (*http.Response, error)
		attempts int
		check    func(error) bool
	}{
		{
			name:     "InternalError on Describe is retried",
			call:     describeOne,
			answer:   answers(apiErrorBody("InternalError", "a"), apiErrorBody("InternalError.DatabaseError", "b"), `{"Response":{"TotalCount":0,"RequestId":"c"}}`),
			attempts: 3,
			check:    func(err error) bool { return err == nil },
		},
		{
			name:     "InternalError on Create is not retried",
			call:     createOne,
			answer:   answers(apiErrorBody("InternalError", "a"), `{"Response":{"JobId":"dts-x","RequestId":"c"}}`),
			attempts: 1,
			check:    func(err error) bool { return IsTransient(err) && ErrorCode(err) == "InternalError" },
		},
		{
			name:     "network error on Describe is retried",
			call:     describeOne,
			answer:   failFirst(2, errors.New("connection reset by peer")),
			attempts: 3,
			check:    func(err error) bool { return err == nil },
		},
		{
			name:     "network error on Delete is not retried",
			call:     func(ctx context.Context, c *Client) error { return c.DeleteMigrateJob(ctx, "dts-abcd1234") },
			answer:   failFirst(1, errors.New("connection reset by peer")),
			attempts: 1,
			check:    func(err error) bool { return IsTransient(err) && ErrorCode(err) == clientErrorNetwork },
		},
		{
			name:     "non-200 HTML on Describe is retried",
			call:     describeOne,
			answer:   badGatewayFirst(1),
			attempts: 2,
			check:    func(err error) bool { return err == nil },
		},
		{
			name:     "throttling on Start is retried",
			call:     func(ctx context.Context, c *Client) error { return c.StartMigrateJob(ctx, "dts-abcd1234") },
			answer:   answers(apiErrorBody("RequestLimitExceeded", "a"), `{"Response":{"RequestId":"c"}}`),
			attempts: 2,
			check:    func(err error) bool { return err == nil },
		},
		{
			name:     "retries end after MaxRetries",
			call:     describeOne,
			answer:   answers(apiErrorBody("InternalError", "a")),
			attempts: 4,
			check:    func(err error) bool { return ErrorCode(err) == "InternalError" },
		},
		{
			name:     "client errors are not retried",
			call:     describeOne,
			answer:   answers(apiErrorBody("InvalidParameterValue", "a")),
			attempts: 1,
			check:    func(err error) bool { return ErrorCode(err) == "InvalidParameterValue" && !IsTransient(err) },
		},
		{
			name:     "not allowed is not retried",
			call:     func(ctx context.Context, c *Client) error { return c.StopMigrateJob(ctx, "dts-abcd1234") },
			answer:   answers(apiErrorBody("FailedOperation.NotAllowOperation", "a")),
			attempts: 1,
			check:    IsNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, transport, _ := newStubClient(t, SignatureMethodTC3, tt.answer)
			err := tt.call(context.Background(), c)
			if !tt.check(err) {
				t.Errorf("unexpected result %v", err)
			}
			if got := len(transport.Requests()); got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
		})
	}
}

func describeOne(ctx context.Context, c *Client) error {
	_, _, err := c.DescribeMigrateJobs(ctx, &DescribeMigrateJobsRequest{JobId: String("dts-abcd1234")})
	return err
}

func createOne(ctx context.Context, c *Client) error {
	_, err := c.CreateMigrateJob(ctx, &CreateMigrateJobRequest{JobName: String("j")})
	return err
}

// failFirst fails the first n round trips with err, then answers an empty success.
func failFirst(n int, err error) func(int, *http.Request) (*http.Response, error) {
	return func(i int, r *http.Request) (*http.Response, error) {
		if i < n {
			return nil, err
		}
		return jsonAnswer(r, `{"Response":{"TotalCount":0,"RequestId":"ok"}}`), nil
	}
}

// badGatewayFirst answers the first n round trips with a 502 HTML page.
func badGatewayFirst(n int) func(int, *http.Request) (*http.Response, error) {
	return func(i int, r *http.Request) (*http.Response, error) {
		if i < n {
			return &http.Response{
				StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway",
				Header:  http.Header{"Content-Type": []string{"text/html"}},
				Body:    io.NopCloser(strings.NewReader("<html>bad gateway</html>")),
				Request: r,
			}, nil
		}
		return jsonAnswer(r, `{"Response":{"TotalCount":0,"RequestId":"ok"}}`), nil
	}
}

func TestRetryContextEndsBackoffAtOnce(t *testing.T) {
	t.Parallel()
	transport := &stubTransport{respond: answers(apiErrorBody("RequestLimitExceeded", "r"))}
	clock := newBlockingClock(testStart)
	c, err := New(Config{
		SecretID: "id", SecretKey: "key", Region: "ap-guangzhou", Endpoint: "h.test", Scheme: "http",
		MaxRetries: 10, MinBackoff: time.Hour, MaxBackoff: time.Hour, Clock: clock, Transport: transport,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.StartMigrateJob(ctx, "dts-abcd1234") }()
	// The clock never fires, so the call can only end through the context.
	<-clock.waiting
	cancel()
	err = <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not say the context was cancelled", err)
	}
	if !IsThrottled(err) {
		t.Errorf("error %v lost the last answer", err)
	}
	if got := len(transport.Requests()); got != 1 {
		t.Errorf("%d attempts after cancel", got)
	}
}

func TestRetryCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	c, transport, _ := newStubClient(t, SignatureMethodTC3, answers(`{"Response":{"RequestId":"r"}}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.StartMigrateJob(ctx, "dts-abcd1234"); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
	if len(transport.Requests()) != 0 {
		t.Error("a request was sent with a cancelled context")
	}
}

func TestRetryRequestTimeoutPerAttempt(t *testing.T) {
	t.Parallel()
	// The first attempt hangs until its own deadline; the retry succeeds.
	respond := func(n int, r *http.Request) (*http.Response, error) {
		if n == 0 {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		return jsonAnswer(r, `{"Response":{"TotalCount":0,"RequestId":"ok"}}`), nil
	}
	c, transport, _ := newStubClient(t, SignatureMethodTC3, respond,
		func(cfg *Config) { cfg.RequestTimeout = 20 * time.Millisecond })
	if err := describeOne(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := len(transport.Requests()); got != 2 {
		t.Errorf("%d attempts", got)
	}
}

func TestLoggingNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	logger := &recordingLogger{}
	c, _, _ := newStubClient(t, SignatureMethodHmacSHA1, answers(
		apiErrorBody("RequestLimitExceeded", "req-throttled"), `{"Response":{"JobId":"dts-abcd1234","RequestId":"req-ok"}}`),
		func(cfg *Config) { cfg.Logger = logger })
	if _, err := c.CreateMigrateJob(context.Background(), fullCreateRequest()); err != nil {
		t.Fatal(err)
	}
	lines := logger.Lines()
	if len(lines) != 2 {
		t.Fatalf("%d log lines: %+v", len(lines), lines)
	}
	first, second := lines[0], lines[1]
	if first.Level != "warn" || first.Fields["error_code"] != "RequestLimitExceeded" ||
		first.Fields["request_id"] != "req-throttled" || first.Fields["attempt"] != 1 || first.Fields["retry_in"] != "1s" {
		t.Errorf("retry line %+v", first)
	}
	if second.Level != "debug" || second.Fields["request_id"] != "req-ok" || second.Fields["attempt"] != 2 ||
		second.Fields["action"] != ActionCreateMigrateJob {
		t.Errorf("success line %+v", second)
	}
	allowed := map[string]bool{"action": true, "attempt": true, "duration": true, "request_id": true, "error_code": true, "retry_in": true}
	for _, l := range lines {
		for k, v := range l.Fields {
			if !allowed[k] {
				t.Errorf("unexpected log field %q", k)
			}
			s := fmt.Sprint(v)
			for _, secret := range []string{"src-p@ss", "dst-pass", "src-access-key", "testSecretKey", "AKIDtest"} {
				if strings.Contains(s, secret) || strings.Contains(l.Msg, secret) {
					t.Errorf("log line %q leaks %q", l.Msg, secret)
				}
			}
		}
	}
}

func TestListMigrateJobsPaging(t *testing.T) {
	t.Parallel()
	const total = 250
	respond := func(n int, r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		var req struct{ Offset, Limit int }
		if err := stdjson.Unmarshal(body, &req); err != nil {
			return nil, err
		}
		var items []string
		for i := req.Offset; i < min(req.Offset+req.Limit, total); i++ {
			items = append(items, fmt.Sprintf(`{"JobId":"dts-%08d"}`, i))
		}
		return jsonAnswer(r, fmt.Sprintf(`{"Response":{"TotalCount":%d,"JobList":[%s],"RequestId":"r%d"}}`,
			total, strings.Join(items, ","), n)), nil
	}
	c, transport, _ := newStubClient(t, SignatureMethodTC3, respond)
	got, jobs, err := c.ListMigrateJobs(context.Background(), &DescribeMigrateJobsRequest{Limit: Int64(5)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != total || len(jobs) != total || StringValue(jobs[249].JobId) != "dts-00000249" {
		t.Fatalf("total %d, %d jobs", got, len(jobs))
	}
	var pages []string
	for _, r := range transport.Requests() {
		pages = append(pages, r.Body)
	}
	want := []string{`{"Offset":0,"Limit":100}`, `{"Offset":100,"Limit":100}`, `{"Offset":200,"Limit":100}`}
	if !reflect.DeepEqual(pages, want) {
		t.Errorf("pages %v, want %v", pages, want)
	}

	_, jobs, err = c.ListMigrateJobs(context.Background(), nil, 130)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 130 {
		t.Errorf("max 130 gave %d jobs", len(jobs))
	}
}

func TestFindMigrateJob(t *testing.T) {
	t.Parallel()
	// The API matches JobId exactly, but an exact match is checked here anyway.
	c, _, _ := newStubClient(t, SignatureMethodTC3, answers(
		`{"Response":{"TotalCount":1,"JobList":[{"JobId":"dts-abcd1234","Status":7}],"RequestId":"r"}}`,
		`{"Response":{"TotalCount":0,"JobList":[],"RequestId":"r"}}`))
	ctx := context.Background()
	job, err := c.FindMigrateJob(ctx, "dts-abcd1234")
	if err != nil || Int64Value(job.Status) != StatusRunning {
		t.Fatalf("got %+v, %v", job, err)
	}
	_, err = c.FindMigrateJob(ctx, "dts-gone0000")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.JobID != "dts-gone0000" || !IsNotFound(err) {
		t.Errorf("missing job gave %v", err)
	}
	if _, err := c.FindMigrateJob(ctx, ""); !IsNotFound(err) {
		t.Errorf("empty ID gave %v", err)
	}
}
