package dtsapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock for tests. In auto mode After moves the time forward by d and fires at
// once, so that waits take no wall time; otherwise After never fires and only reports that a
// wait began, so that a test can end it by cancelling the context.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	waits   []time.Duration
	waiting chan time.Duration
}

func newAutoClock(start time.Time) *fakeClock { return &fakeClock{now: start, auto: true} }

func newBlockingClock(start time.Time) *fakeClock {
	return &fakeClock{now: start, waiting: make(chan time.Duration, 100)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	if !f.auto {
		f.waiting <- d
		return nil // A nil channel never fires.
	}
	f.now = f.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- f.now
	return ch
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeClock) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// recordedRequest is what stubTransport saw of one HTTP request.
type recordedRequest struct {
	Method string
	URL    string
	Host   string
	Header http.Header
	Body   string
}

// stubTransport answers HTTP requests in-process, without a server, so that unit tests can see
// exactly what the SDK put on the wire. respond gets the 0-based call number.
type stubTransport struct {
	mu       sync.Mutex
	requests []recordedRequest
	respond  func(n int, r *http.Request) (*http.Response, error)
}

func (s *stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if err := r.Body.Close(); err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, recordedRequest{
		Method: r.Method, URL: r.URL.String(), Host: r.Host, Header: r.Header.Clone(), Body: string(body),
	})
	s.mu.Unlock()
	return s.respond(n, r)
}

func (s *stubTransport) Requests() []recordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recordedRequest(nil), s.requests...)
}

// jsonAnswer is an HTTP 200 JSON answer.
func jsonAnswer(r *http.Request, body string) *http.Response {
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Header:     http.Header{"Content-Type": []string{"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    r,
	}
}

// apiErrorBody is the envelope of an API error.
func apiErrorBody(code, requestID string) string {
	return fmt.Sprintf(`{"Response":{"Error":{"Code":%q,"Message":"test %s"},"RequestId":%q}}`, code, code, requestID)
}

// answers answers in turn with the given bodies (HTTP 200), repeating the last one.
func answers(bodies ...string) func(int, *http.Request) (*http.Response, error) {
	return func(n int, r *http.Request) (*http.Response, error) {
		return jsonAnswer(r, bodies[min(n, len(bodies)-1)]), nil
	}
}

// recordingLogger keeps every line it is given.
type recordingLogger struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	Level, Msg string
	Fields     map[string]any
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("debug", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("warn", msg, fields)
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logLine{Level: level, Msg: msg, Fields: fields})
}

func (l *recordingLogger) Lines() []logLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logLine(nil), l.lines...)
}

// testStart is a fixed instant for fake clocks: 2024-05-01 12:00:00 UTC.
var testStart = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// newStubClient builds a client on a stub transport and an auto clock.
func newStubClient(t *testing.T, signMethod string, respond func(int, *http.Request) (*http.Response, error), mutate ...func(*Config)) (*Client, *stubTransport, *fakeClock) {
	t.Helper()
	transport := &stubTransport{respond: respond}
	clock := newAutoClock(testStart)
	cfg := Config{
		SecretID:        "AKIDtestEXAMPLE",
		SecretKey:       "testSecretKeyEXAMPLE",
		Region:          "ap-guangzhou",
		Endpoint:        "dts.example.test:8443",
		Scheme:          "http",
		SignatureMethod: signMethod,
		MaxRetries:      3,
		Version:         "1.2.3",
		MinBackoff:      time.Second,
		MaxBackoff:      8 * time.Second,
		Clock:           clock,
		Transport:       transport,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// Waits at the top of their range make the backoff sequence predictable.
	c.jitter = func(ceiling time.Duration) time.Duration { return ceiling }
	return c, transport, clock
}
