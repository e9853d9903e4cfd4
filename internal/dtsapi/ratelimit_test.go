package dtsapi

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestRateLimiterSpreadsCalls measures on the limiter's injected clock: with 20/s and a burst of
// 20, 100 calls to one action take (100-20)/20 = 4 s, one every 50 ms after the burst, while the
// first call of another action waits for nothing.
func TestRateLimiterSpreadsCalls(t *testing.T) {
	t.Parallel()
	c, _, clock := newStubClient(t, SignatureMethodTC3, answers(`{"Response":{"RequestId":"r"}}`),
		func(cfg *Config) { cfg.RateLimit = 20 })
	ctx := context.Background()
	var at []time.Duration
	for range 100 {
		if err := c.waitForLimiter(ctx, ActionStartMigrateJob); err != nil {
			t.Fatal(err)
		}
		at = append(at, clock.Now().Sub(testStart))
	}
	for i, got := range at {
		want := time.Duration(max(0, i-19)) * 50 * time.Millisecond
		if diff := got - want; diff < -time.Millisecond || diff > time.Millisecond {
			t.Errorf("call %d admitted at %v, want %v", i+1, got, want)
		}
	}
	before := clock.Now()
	if err := c.waitForLimiter(ctx, ActionStopMigrateJob); err != nil {
		t.Fatal(err)
	}
	if waited := clock.Now().Sub(before); waited != 0 {
		t.Errorf("another action waited %v", waited)
	}
}

// TestRateLimiterDescribeJobsRatio checks the 2.5x rate of DescribeMigrateJobs: 50/s, burst 50.
func TestRateLimiterDescribeJobsRatio(t *testing.T) {
	t.Parallel()
	c, _, clock := newStubClient(t, SignatureMethodTC3, answers(`{"Response":{"RequestId":"r"}}`),
		func(cfg *Config) { cfg.RateLimit = 20 })
	ctx := context.Background()
	for range 150 {
		if err := c.waitForLimiter(ctx, ActionDescribeMigrateJobs); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := clock.Now().Sub(testStart), 2*time.Second; got < want-time.Millisecond || got > want+time.Millisecond {
		t.Errorf("150 DescribeMigrateJobs took %v, want %v", got, want)
	}
}

// TestRateLimiterThroughCalls drives the limiter through real calls: 30 StartMigrateJob calls
// at 20/s end 0.5 s after the start on the client's clock.
func TestRateLimiterThroughCalls(t *testing.T) {
	t.Parallel()
	c, transport, clock := newStubClient(t, SignatureMethodTC3, answers(`{"Response":{"RequestId":"r"}}`),
		func(cfg *Config) { cfg.RateLimit = 20 })
	for range 30 {
		if err := c.StartMigrateJob(context.Background(), "dts-abcd1234"); err != nil {
			t.Fatal(err)
		}
	}
	if got := clock.Now().Sub(testStart); got < 499*time.Millisecond || got > 501*time.Millisecond {
		t.Errorf("30 calls took %v on the client's clock", got)
	}
	if len(transport.Requests()) != 30 {
		t.Errorf("%d requests", len(transport.Requests()))
	}
}

// TestRateLimiterCancelReturnsToken checks that a wait ended by the context gives its token back.
func TestRateLimiterCancelReturnsToken(t *testing.T) {
	t.Parallel()
	clock := newBlockingClock(testStart)
	c, err := New(Config{SecretID: "id", SecretKey: "key", Region: "ap-guangzhou", RateLimit: 1, Clock: clock,
		Transport: &stubTransport{respond: func(int, *http.Request) (*http.Response, error) { return nil, nil }}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := c.waitForLimiter(ctx, ActionStartMigrateJob); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.waitForLimiter(ctx, ActionStartMigrateJob) }()
	if d := <-clock.waiting; d != time.Second {
		t.Errorf("second call would wait %v, want 1s", d)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled wait succeeded")
	}
	// One second later the bucket holds a token again, because the cancelled call returned its own.
	clock.Advance(time.Second)
	if err := c.waitForLimiter(context.Background(), ActionStartMigrateJob); err != nil {
		t.Fatal(err)
	}
	if len(clock.waiting) != 0 {
		t.Error("the call after the cancelled one had to wait")
	}
}
