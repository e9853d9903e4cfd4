package dtsmock

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

// BenchmarkDescribeMigrateJobs serves the default DescribeMigrateJobs page with 1,000 jobs
// stored, in process, for profiling (go test -bench Describe -benchmem -cpuprofile cpu.out);
// the speed goal itself is measured by make bench (P6). Each goroutine replays one signed
// request, as the API's 300-second window allows, and answers into a writer that keeps
// nothing, so that the figures are the emulator's own: verification, listing and encoding.
func BenchmarkDescribeMigrateJobs(b *testing.B) {
	s, err := New(WithRateLimit(false), WithMaxIdleJobs(1<<20))
	if err != nil {
		b.Fatal(err)
	}
	for range 1000 {
		if _, err := s.SeedJob(Job{JobName: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	cred := Credential{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}
	body := []byte(`{}`)
	signed, err := NewSignedRequest(context.Background(), "http://127.0.0.1:1", "DescribeMigrateJobs", body, cred, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rd := &replayBody{}
		w := &discardWriter{header: http.Header{}}
		for pb.Next() {
			req := *signed
			rd.Reset(body)
			req.Body = rd
			w.code, w.n = 0, 0
			s.ServeHTTP(w, &req)
			if w.code != http.StatusOK || w.n < 1000 {
				b.Errorf("HTTP %d with %d bytes", w.code, w.n)
				return
			}
		}
	})
}

// replayBody is a request body that can be read again after a Reset.
type replayBody struct{ bytes.Reader }

func (*replayBody) Close() error { return nil }

// discardWriter is a ResponseWriter that only counts what it is given.
type discardWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) { w.code = code }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

// SetReadDeadline accepts the body deadline the emulator sets, as a connection's writer does.
func (w *discardWriter) SetReadDeadline(time.Time) error { return nil }
