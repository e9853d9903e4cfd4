package dtsmock

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkDescribeMigrateJobs serves the default DescribeMigrateJobs page with 1,000 jobs
// stored, in process, for profiling (go test -bench Describe -cpuprofile cpu.out); the speed
// goal itself is measured by make bench (P6).
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
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := NewSignedRequest(context.Background(), "http://127.0.0.1:1", "DescribeMigrateJobs", []byte(`{}`), cred, time.Now())
			if err != nil {
				b.Error(err)
				return
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Errorf("HTTP %d", w.Code)
				return
			}
		}
	})
}
