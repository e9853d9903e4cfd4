// Package retry is the small waiter engine behind the provider's waiters: it polls a refresh
// function until the object reaches a target state, fails at once on any state that is neither
// pending nor a target, and reports timeouts with the last state it saw.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"
)

// RefreshFunc reads the object once. It returns the object, the name of its current state, and
// an error. An error that is or wraps a NotFounder whose NotFound returns true means the object
// does not exist.
type RefreshFunc[T any] func(ctx context.Context) (T, string, error)

// StateChangeConf describes one wait: which states may pass, which end it, and how to poll.
type StateChangeConf[T any] struct {
	// Pending are the states the object may pass through on its way to a target.
	Pending []string
	// Target are the states that end the wait successfully. An empty Target with
	// TargetNotFound waits for the object to disappear.
	Target []string
	// PendingFunc, when set, also treats the states it accepts as pending. The provider uses it
	// for status codes it does not know, which are waited on rather than failed.
	PendingFunc func(state string) bool
	// TargetNotFound ends the wait successfully when the object is not found.
	TargetNotFound bool
	// Refresh reads the object.
	Refresh RefreshFunc[T]
	// Delay is how long to wait before the first refresh, for a wait that follows a call
	// whose effect cannot be seen at once.
	Delay time.Duration
	// Timeout bounds the whole wait; zero means only the context bounds it. Either deadline
	// passing gives a *TimeoutError.
	Timeout time.Duration
	// MinInterval is the first polling interval; later ones grow by half each time up to
	// MaxInterval, and drop back to MinInterval whenever the state changes.
	MinInterval time.Duration
	// MaxInterval caps the polling interval.
	MaxInterval time.Duration
	// NextInterval, when set, may shorten the coming interval (for instance to wake up when a
	// progress estimate says the state is about to change). It receives the interval the
	// engine chose and returns the one to use; results below MinInterval are raised to it.
	NextInterval func(last T, state string, chosen time.Duration) time.Duration
	// Align, when set, moves each coming wake-up (the Delay's too), as the engine chose it, to an instant it
	// shares with other waits, never later than chosen: waiters that read one shared source
	// then read it together.
	Align func(wait time.Duration) time.Duration
	// OnChange is called after every refresh whose state or Describe text differs from the
	// previous one; waiters log progress from it.
	OnChange func(ctx context.Context, last T, state string)
	// Describe renders the object for progress and timeout messages, e.g. "step 2/5, 40%".
	Describe func(last T) string
}

const (
	defaultMinInterval = 200 * time.Millisecond
	defaultMaxInterval = 10 * time.Second
)

// WaitForState polls until the object reaches a target state and returns it. It returns a
// *UnexpectedStateError as soon as a state is neither pending nor a target, a *TimeoutError
// when Timeout passes, the refresh's not-found error when the object vanishes (unless TargetNotFound), the
// context's error when the context ends, and any other refresh error as it is.
func (c *StateChangeConf[T]) WaitForState(ctx context.Context) (T, error) {
	var (
		last      T
		lastState string
		lastText  string
		seen      bool
	)
	minInterval, maxInterval := c.MinInterval, c.MaxInterval
	if minInterval <= 0 {
		minInterval = defaultMinInterval
	}
	if maxInterval < minInterval {
		maxInterval = max(defaultMaxInterval, minInterval)
	}
	waitCtx := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	interval := minInterval
	if c.Delay > 0 {
		delay := c.Delay
		if c.Align != nil {
			delay = c.Align(delay)
		}
		timer := time.NewTimer(delay)
		select {
		case <-waitCtx.Done():
			timer.Stop()
			if errors.Is(waitCtx.Err(), context.DeadlineExceeded) {
				return last, c.timeoutError("", "")
			}
			return last, waitCtx.Err()
		case <-timer.C:
		}
	}
	for {
		obj, state, err := c.Refresh(waitCtx)
		switch {
		case err == nil:
		case IsNotFound(err) && c.TargetNotFound:
			return obj, nil
		case errors.Is(waitCtx.Err(), context.DeadlineExceeded):
			return last, c.timeoutError(lastState, lastText)
		default:
			return obj, err
		}
		text := ""
		if c.Describe != nil {
			text = c.Describe(obj)
		}
		changed := !seen || state != lastState || text != lastText
		if changed && c.OnChange != nil {
			c.OnChange(ctx, obj, state)
		}
		if seen && state != lastState {
			interval = minInterval
		}
		last, lastState, lastText, seen = obj, state, text, true

		switch {
		case slices.Contains(c.Target, state):
			return obj, nil
		case slices.Contains(c.Pending, state), c.PendingFunc != nil && c.PendingFunc(state):
		default:
			return obj, &UnexpectedStateError{State: state, Expected: c.Target, Detail: text}
		}

		wait := jitter(interval)
		if c.NextInterval != nil {
			wait = max(c.NextInterval(obj, state, wait), minInterval)
		}
		if c.Align != nil {
			wait = c.Align(wait)
		}
		interval = min(interval+interval/2, maxInterval)

		timer := time.NewTimer(wait)
		select {
		case <-waitCtx.Done():
			timer.Stop()
			if errors.Is(waitCtx.Err(), context.DeadlineExceeded) {
				return last, c.timeoutError(lastState, lastText)
			}
			return last, waitCtx.Err()
		case <-timer.C:
		}
	}
}

func (c *StateChangeConf[T]) timeoutError(state, text string) error {
	return &TimeoutError{LastState: state, Expected: c.Target, Timeout: c.Timeout, Detail: text}
}

// jitter spreads an interval by up to a fifth either way, so that many waiters started
// together do not poll in lockstep.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := int64(d) / 5
	if spread == 0 {
		return d
	}
	return d - time.Duration(spread) + time.Duration(rand.Int64N(2*spread+1))
}

// NotFounder is implemented by errors that say the object does not exist. The engine defines
// no such error of its own: the client's not-found error (dtsapi.NotFoundError) is the one, so
// that callers test for absence one way.
type NotFounder interface {
	error
	NotFound() bool
}

// IsNotFound reports whether err is or wraps a NotFounder that says the object does not exist.
func IsNotFound(err error) bool {
	var nf NotFounder
	return errors.As(err, &nf) && nf.NotFound()
}
