package dtsmock

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// ConnLimits bounds what one client connection may hold: how long the emulator waits for a
// request, and how many connections it keeps open at once. A zero field takes its default.
type ConnLimits struct {
	// MaxConns caps the open connections (default: the file-descriptor limit minus a reserve
	// for the state file, the journal and the listener, at most DefaultMaxConns). When a new
	// connection would pass the cap, the connection that has gone longest without a complete
	// request (idle, or still sending its request) is closed to make room; when every
	// connection is working on a request, the new one is closed instead.
	MaxConns int
	// HeaderTimeout bounds the reading of a request's headers (default 10 s).
	HeaderTimeout time.Duration
	// ReadTimeout bounds the reading of a whole request, headers and body (default 30 s).
	ReadTimeout time.Duration
	// BodyTimeout bounds the reading of a request's body once the headers are in (default 10 s).
	BodyTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends no request for this long
	// (default 60 s).
	IdleTimeout time.Duration
}

// Default connection limits.
const (
	DefaultMaxConns      = 4096
	DefaultHeaderTimeout = 10 * time.Second
	DefaultReadTimeout   = 30 * time.Second
	DefaultBodyTimeout   = 10 * time.Second
	DefaultIdleTimeout   = 60 * time.Second
	// fdReserve is how many file descriptors are kept out of the connection cap.
	fdReserve = 64
	minConns  = 8
)

// WithConnLimits sets the connection limits the standalone command and StartTest apply.
func WithConnLimits(l ConnLimits) Option {
	return func(o *options) { o.conns = l }
}

func (l ConnLimits) withDefaults() ConnLimits {
	if l.MaxConns <= 0 {
		l.MaxConns = DefaultMaxConns
		if n, ok := openFileLimit(); ok {
			l.MaxConns = max(minConns, min(DefaultMaxConns, n-fdReserve))
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.HeaderTimeout, DefaultHeaderTimeout)
	def(&l.ReadTimeout, DefaultReadTimeout)
	def(&l.BodyTimeout, DefaultBodyTimeout)
	def(&l.IdleTimeout, DefaultIdleTimeout)
	return l
}

// configure applies the limits to hs, which will serve from the listener Listen returns.
func (s *Server) configure(hs *http.Server) {
	hs.Handler = s
	hs.ReadHeaderTimeout = s.conns.HeaderTimeout
	hs.ReadTimeout = s.conns.ReadTimeout
	hs.IdleTimeout = s.conns.IdleTimeout
	// No WriteTimeout: an injected latency may legitimately hold an answer for minutes.
	hs.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if tc, ok := c.(*trackedConn); ok {
			return context.WithValue(ctx, connKey{}, tc)
		}
		return ctx
	}
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		if tc, ok := c.(*trackedConn); ok && (st == http.StateIdle || st == http.StateActive) {
			tc.setBusy(false)
		}
	}
}

// Listen wraps ln so that it keeps at most the configured number of connections open.
func (s *Server) Listen(ln net.Listener) net.Listener {
	return &connLimiter{Listener: ln, max: s.conns.MaxConns, conns: map[*trackedConn]struct{}{}}
}

type connKey struct{}

// connLimiter is a listener that caps the open connections by closing the least useful one.
type connLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

// trackedConn is one accepted connection.
type trackedConn struct {
	net.Conn
	l *connLimiter
	// since is when the connection last started waiting for a request (accepted, or idle
	// after an answer); busy is set while a handler works on a request it has read whole.
	since     time.Time
	busy      bool
	closeOnce sync.Once
	closeErr  error
}

// Accept returns the next connection, making room for it when the cap is reached.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, l: l, since: time.Now()}
		l.mu.Lock()
		var victim *trackedConn
		if len(l.conns) >= l.max {
			for o := range l.conns {
				if !o.busy && (victim == nil || o.since.Before(victim.since)) {
					victim = o
				}
			}
		}
		full := len(l.conns) >= l.max && victim == nil
		if !full {
			l.conns[tc] = struct{}{}
		}
		l.mu.Unlock()
		if victim != nil {
			// A connection that is closed for room has no answer to lose: it is idle or has
			// not finished sending its request, and its client sees a closed connection.
			if err := victim.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				return nil, err
			}
		}
		if full {
			// Every connection is working on a request: the newcomer waits its turn by
			// being refused, which its client sees as a reset connection.
			if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				return nil, err
			}
			continue
		}
		return tc, nil
	}
}

// setBusy marks the connection as working on a complete request (true), or as waiting for
// one (false).
func (c *trackedConn) setBusy(busy bool) {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.busy != busy {
		c.busy = busy
		if !busy {
			c.since = time.Now()
		}
	}
}

// Close closes the connection once and forgets it.
func (c *trackedConn) Close() error {
	c.closeOnce.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
		c.closeErr = c.Conn.Close()
	})
	return c.closeErr
}

// closeWaiting closes every connection that is not working on a complete request, so that a
// graceful shutdown waits only for the requests it can still answer.
func (l *connLimiter) closeWaiting() error {
	l.mu.Lock()
	var waiting []*trackedConn
	for c := range l.conns {
		if !c.busy {
			waiting = append(waiting, c)
		}
	}
	l.mu.Unlock()
	var errs []error
	for _, c := range waiting {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// openConns returns how many connections the listener holds.
func (l *connLimiter) openConns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// requestRead marks the request's connection busy now that its body is read, and lifts the
// body deadline so that a long injected latency is not cut short by it.
func (s *Server) requestRead(w http.ResponseWriter, r *http.Request) error {
	if tc, ok := r.Context().Value(connKey{}).(*trackedConn); ok {
		tc.setBusy(true)
	}
	return clearReadDeadline(w)
}

// setBodyDeadline bounds the reading of the body from now.
func (s *Server) setBodyDeadline(w http.ResponseWriter) error {
	err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.conns.BodyTimeout))
	if errors.Is(err, http.ErrNotSupported) {
		// A ResponseWriter without a connection (httptest.ResponseRecorder) has no deadline.
		return nil
	}
	return err
}

func clearReadDeadline(w http.ResponseWriter) error {
	err := http.NewResponseController(w).SetReadDeadline(time.Time{})
	if errors.Is(err, http.ErrNotSupported) {
		return nil
	}
	return err
}
