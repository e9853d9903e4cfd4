package dtsmock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the emulator what time it is; tests inject a ManualClock.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that only moves when told to. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock showing t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// offsetClock is real time shifted by a fixed offset.
type offsetClock struct{ offset time.Duration }

func (c offsetClock) Now() time.Time { return time.Now().Add(c.offset) }

// NewOffsetClock returns a Clock that runs at real speed but is offset from real time by
// offset (positive: ahead), for testing how a client copes with a server whose clock is off.
func NewOffsetClock(offset time.Duration) Clock {
	return offsetClock{offset: offset}
}

// sleepReal waits d of real time, or until ctx ends. The Clock does not drive it: an injected
// latency and the live mode's polls wait for the servers and clients on the other side, which
// live in real time.
func sleepReal(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
