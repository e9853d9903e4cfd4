package retry

import (
	"fmt"
	"strings"
	"time"
)

// UnexpectedStateError says that the object reached a state the wait did not allow, such as a
// failure state. Detail carries what the object said about itself at that moment.
type UnexpectedStateError struct {
	State    string
	Expected []string
	Detail   string
}

func (e *UnexpectedStateError) Error() string {
	msg := fmt.Sprintf("unexpected state %q, wanted %s", e.State, listOf(e.Expected))
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// TimeoutError says that the wait ran out of time. LastState is "" when no refresh finished.
type TimeoutError struct {
	LastState string
	Expected  []string
	Timeout   time.Duration
	Detail    string
}

func (e *TimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timeout while waiting for state to become %s", listOf(e.Expected))
	if e.Timeout > 0 {
		fmt.Fprintf(&b, " (timeout: %s)", e.Timeout)
	}
	if e.LastState == "" {
		b.WriteString("; the state was never read")
	} else {
		fmt.Fprintf(&b, "; last state %q", e.LastState)
	}
	if e.Detail != "" {
		b.WriteString(", " + e.Detail)
	}
	return b.String()
}

func listOf(states []string) string {
	if len(states) == 0 {
		return "gone"
	}
	quoted := make([]string, len(states))
	for i, s := range states {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(quoted, " or ")
}
