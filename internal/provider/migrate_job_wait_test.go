package provider

import (
	"testing"
	"time"
)

func TestETAEstimator(t *testing.T) {
	e := &etaEstimator{}
	if got := e.next(0, time.Second, time.Minute); got != time.Second {
		t.Errorf("no progress yet: %s", got)
	}
	if got := e.next(10, time.Second, time.Minute); got != time.Second {
		t.Errorf("first progress: %s", got)
	}
	e.start = e.start.Add(-time.Second) // 10% more took a second: 80% to go takes about 8 s
	got := e.next(20, time.Second, time.Minute)
	if got < 8*time.Second || got > 9*time.Second {
		t.Errorf("estimate %s, want a little over 8s", got)
	}
	if got := e.next(20, time.Second, 5*time.Second); got != time.Second {
		t.Errorf("an estimate past the longest wait should give way to the backoff: %s", got)
	}
	if got := e.next(100, time.Second, time.Minute); got != time.Second {
		t.Errorf("finished progress: %s", got)
	}
}
