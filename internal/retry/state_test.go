package retry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sequence returns a refresh function that walks through the given states, staying on the last.
func sequence(states ...string) (RefreshFunc[int], *atomic.Int32) {
	var calls atomic.Int32
	return func(context.Context) (int, string, error) {
		n := int(calls.Add(1)) - 1
		if n >= len(states) {
			n = len(states) - 1
		}
		return n, states[n], nil
	}, &calls
}

func TestWaitForStateReachesTarget(t *testing.T) {
	refresh, calls := sequence("creating", "creating", "created")
	var changes []string
	conf := &StateChangeConf[int]{
		Pending:     []string{"creating"},
		Target:      []string{"created"},
		Refresh:     refresh,
		MinInterval: time.Millisecond,
		MaxInterval: 2 * time.Millisecond,
		OnChange:    func(_ context.Context, _ int, s string) { changes = append(changes, s) },
	}
	got, err := conf.WaitForState(t.Context())
	if err != nil {
		t.Fatalf("WaitForState: %v", err)
	}
	if got != 2 || calls.Load() != 3 {
		t.Errorf("got object %d after %d calls, want 2 after 3", got, calls.Load())
	}
	if strings.Join(changes, ",") != "creating,created" {
		t.Errorf("OnChange saw %v, want each distinct state once", changes)
	}
}

func TestWaitForStateFailureStateEndsAtOnce(t *testing.T) {
	refresh, calls := sequence("checking", "check_not_pass", "check_pass")
	conf := &StateChangeConf[int]{
		Pending:     []string{"checking"},
		Target:      []string{"check_pass"},
		Refresh:     refresh,
		MinInterval: time.Millisecond,
		Describe:    func(int) string { return "table does not exist" },
	}
	_, err := conf.WaitForState(t.Context())
	var use *UnexpectedStateError
	if !errors.As(err, &use) {
		t.Fatalf("error = %v, want *UnexpectedStateError", err)
	}
	if use.State != "check_not_pass" || calls.Load() != 2 {
		t.Errorf("state %q after %d calls, want check_not_pass after 2", use.State, calls.Load())
	}
	if !strings.Contains(err.Error(), "table does not exist") {
		t.Errorf("error %q lacks the detail", err)
	}
}

func TestWaitForStatePendingFunc(t *testing.T) {
	refresh, _ := sequence("unknown(23)", "running")
	conf := &StateChangeConf[int]{
		Target:      []string{"running"},
		PendingFunc: func(s string) bool { return strings.HasPrefix(s, "unknown(") },
		Refresh:     refresh,
		MinInterval: time.Millisecond,
	}
	if _, err := conf.WaitForState(t.Context()); err != nil {
		t.Fatalf("unknown state should be waited on: %v", err)
	}
}

func TestWaitForStateTimeoutReportsLastState(t *testing.T) {
	refresh, _ := sequence("running")
	conf := &StateChangeConf[int]{
		Pending:     []string{"running"},
		Target:      []string{"success"},
		Refresh:     refresh,
		Timeout:     20 * time.Millisecond,
		MinInterval: time.Millisecond,
		MaxInterval: 5 * time.Millisecond,
		Describe:    func(int) string { return "progress 40%" },
	}
	_, err := conf.WaitForState(t.Context())
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("error = %v, want *TimeoutError", err)
	}
	if te.LastState != "running" || !strings.Contains(err.Error(), "progress 40%") {
		t.Errorf("timeout error %q should name the last state and progress", err)
	}
}

// goneError is an absence as a client reports it: the engine knows it by its NotFound method.
type goneError struct{}

func (goneError) Error() string  { return "job not found" }
func (goneError) NotFound() bool { return true }

func TestWaitForStateNotFound(t *testing.T) {
	gone := func(context.Context) (int, string, error) {
		return 0, "", fmt.Errorf("reading: %w", goneError{})
	}
	conf := &StateChangeConf[int]{Pending: []string{"deleting"}, Refresh: gone, TargetNotFound: true}
	if _, err := conf.WaitForState(t.Context()); err != nil {
		t.Errorf("TargetNotFound wait: %v", err)
	}
	conf.TargetNotFound = false
	conf.Target = []string{"running"}
	if _, err := conf.WaitForState(t.Context()); !IsNotFound(err) {
		t.Errorf("error = %v, want not found", err)
	}
}

func TestWaitForStateRefreshErrorIsReturned(t *testing.T) {
	boom := errors.New("boom")
	conf := &StateChangeConf[int]{
		Target:  []string{"x"},
		Refresh: func(context.Context) (int, string, error) { return 0, "", boom },
	}
	if _, err := conf.WaitForState(t.Context()); !errors.Is(err, boom) {
		t.Errorf("error = %v, want boom", err)
	}
}

func TestWaitForStateContextCancelEndsWait(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	refresh := func(context.Context) (int, string, error) {
		cancel()
		return 0, "running", nil
	}
	conf := &StateChangeConf[int]{
		Pending:     []string{"running"},
		Target:      []string{"success"},
		Refresh:     refresh,
		MinInterval: time.Hour,
	}
	if _, err := conf.WaitForState(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestNextIntervalShortensWait(t *testing.T) {
	refresh, calls := sequence("checking", "check_pass")
	var asked atomic.Int32
	conf := &StateChangeConf[int]{
		Pending:     []string{"checking"},
		Target:      []string{"check_pass"},
		Refresh:     refresh,
		MinInterval: time.Millisecond,
		MaxInterval: time.Hour,
		NextInterval: func(_ int, _ string, chosen time.Duration) time.Duration {
			asked.Add(1)
			return 0 // raised to MinInterval, so the wait stays short
		},
	}
	if _, err := conf.WaitForState(t.Context()); err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 1 || calls.Load() != 2 {
		t.Errorf("NextInterval asked %d times, %d calls", asked.Load(), calls.Load())
	}
}

func TestJitterStaysWithinAFifth(t *testing.T) {
	for i := range 1000 {
		d := jitter(time.Second)
		if d < 800*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("jitter #%d = %s, outside ±20%%", i, d)
		}
	}
	if jitter(0) != 0 {
		t.Error("jitter(0) should be 0")
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&UnexpectedStateError{State: "failed", Expected: []string{"running", "success"}}, `unexpected state "failed", wanted "running" or "success"`},
		{&TimeoutError{Expected: nil, Timeout: time.Minute}, `timeout while waiting for state to become gone (timeout: 1m0s); the state was never read`},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("Error() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestDelayPostponesFirstRefreshAndHonoursCancel(t *testing.T) {
	refresh, calls := sequence("created")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	conf := &StateChangeConf[int]{Target: []string{"created"}, Refresh: refresh, Delay: time.Hour}
	if _, err := conf.WaitForState(ctx); !errors.Is(err, context.Canceled) || calls.Load() != 0 {
		t.Errorf("error %v after %d refreshes, want cancellation before any", err, calls.Load())
	}
	conf.Delay = time.Millisecond
	if _, err := conf.WaitForState(t.Context()); err != nil || calls.Load() != 1 {
		t.Errorf("error %v after %d refreshes, want success after 1", err, calls.Load())
	}
}

func TestAlignMovesTheDelayAndEveryPoll(t *testing.T) {
	refresh, _ := sequence("creating", "creating", "created")
	var asked []time.Duration
	conf := &StateChangeConf[int]{
		Pending:     []string{"creating"},
		Target:      []string{"created"},
		Refresh:     refresh,
		Delay:       time.Hour,
		MinInterval: time.Hour,
		// Each wake-up, the first read's delay included, comes at once.
		Align: func(wait time.Duration) time.Duration {
			asked = append(asked, wait)
			return time.Millisecond
		},
	}
	if _, err := conf.WaitForState(t.Context()); err != nil {
		t.Fatalf("WaitForState: %v", err)
	}
	if len(asked) != 3 || asked[0] != time.Hour {
		t.Errorf("Align was asked %v, want the delay of an hour and then the two polls'", asked)
	}
}
