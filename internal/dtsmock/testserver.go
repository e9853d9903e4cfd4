package dtsmock

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServer is a Server running on httptest at a random loopback port.
type TestServer struct {
	*Server
	// URL is "http://127.0.0.1:PORT".
	URL string
	// Endpoint is "127.0.0.1:PORT", what the Tencent SDK wants with HttpProfile.Scheme = "HTTP".
	Endpoint string

	listener net.Listener
}

// StartTest starts a Server on httptest and registers its shutdown with t.Cleanup.
func StartTest(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("starting dtsmock: %v", err)
	}
	hs := httptest.NewUnstartedServer(s)
	s.configure(hs.Config)
	hs.Listener = s.Listen(hs.Listener)
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		if err := s.Close(); err != nil {
			t.Errorf("closing dtsmock: %v", err)
		}
	})
	return &TestServer{Server: s, URL: hs.URL, Endpoint: strings.TrimPrefix(hs.URL, "http://"), listener: hs.Listener}
}
