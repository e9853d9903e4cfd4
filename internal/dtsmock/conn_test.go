package dtsmock

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dial opens a connection to addr that the test closes when it ends.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Error(err)
		}
	})
	return c
}

// dribble opens a connection to addr that sends a request's headers and one byte of its body,
// then stalls.
func dribble(t *testing.T, addr string) net.Conn {
	t.Helper()
	c := dial(t, addr)
	req := fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-TC-Action: DescribeMigrateJobs\r\nContent-Length: 1000\r\n\r\n{", addr)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedWithin reports whether the server closes c within d, reading (and discarding)
// whatever it sends before closing.
func closedWithin(c net.Conn, d time.Duration) error {
	if err := c.SetReadDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("still open after %s", d)
	}
	// io.Copy returns nil at EOF; a reset is a close too.
	return nil
}

func TestSlowBodyIsCut(t *testing.T) {
	ts := StartTest(t, WithConnLimits(ConnLimits{BodyTimeout: 100 * time.Millisecond}))
	c := dribble(t, ts.Endpoint)
	// The bound only proves the connection is not held forever; the body deadline is far shorter.
	if err := closedWithin(c, 10*time.Second); err != nil {
		t.Fatalf("a connection whose body stalls: %v", err)
	}
	j := ts.Journal()
	if len(j) != 1 || j[0].ErrorCode != faultCodeBodyNotRead {
		t.Fatalf("journal %+v", j)
	}
}

func TestSlowHeadersAndIdleAreCut(t *testing.T) {
	ts := StartTest(t, WithConnLimits(ConnLimits{HeaderTimeout: 100 * time.Millisecond, IdleTimeout: 100 * time.Millisecond}))
	slow := dial(t, ts.Endpoint)
	if _, err := io.WriteString(slow, "POST / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := closedWithin(slow, 10*time.Second); err != nil {
		t.Fatalf("a connection whose headers stall: %v", err)
	}
	idle := dial(t, ts.Endpoint)
	if err := closedWithin(idle, 10*time.Second); err != nil {
		t.Fatalf("an idle connection: %v", err)
	}
}

// TestFloodOfDribblers keeps a loopback flood of stalled connections, several times the
// connection cap, going while a well-behaved client sends requests: each request is answered,
// and the emulator never holds more connections than its cap.
func TestFloodOfDribblers(t *testing.T) {
	const maxConns, flood, waves = 16, 64, 10
	ts := StartTest(t, WithRateLimit(false), WithConnLimits(ConnLimits{MaxConns: maxConns}))
	for range flood {
		dribble(t, ts.Endpoint)
	}
	// A client timeout far above the normal latency: it only keeps a hung test from hanging.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	c := newClient(t, ts, realClock{})
	c.httpC = client
	for i := range waves {
		for range flood / waves {
			dribble(t, ts.Endpoint)
		}
		if code := errCode(c.call("DescribeMigrateJobs", map[string]any{})); code != "" {
			t.Fatalf("request %d during the flood answered %s", i, code)
		}
	}
	l, ok := ts.listener.(*connLimiter)
	if !ok {
		t.Fatalf("listener %T", ts.listener)
	}
	if n := l.openConns(); n > maxConns {
		t.Fatalf("%d connections open, cap %d", n, maxConns)
	}
	if !strings.Contains(fmt.Sprint(ts.Journal()), "DescribeMigrateJobs") {
		t.Fatal("no request in the journal")
	}
}
