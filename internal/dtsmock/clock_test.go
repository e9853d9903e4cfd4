package dtsmock

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestOffsetClock checks that a server clock offset from real time moves both the signature's
// timestamp window and the job's times, and that StartTest takes it.
func TestOffsetClock(t *testing.T) {
	cred := Credential{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}
	send := func(ts *TestServer, action string, body map[string]any, signedAt time.Time) map[string]any {
		t.Helper()
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req, err := NewSignedRequest(context.Background(), ts.URL, action, b, cred, signedAt)
		if err != nil {
			t.Fatal(err)
		}
		return newClient(t, ts, realClock{}).do(req)
	}
	for _, offset := range []time.Duration{120 * time.Second, -120 * time.Second} {
		ts := StartTest(t, WithClock(NewOffsetClock(offset)), WithRateLimit(false))
		before := time.Now()
		r := send(ts, "CreateMigrateJob", baseCreate("skewed"), time.Now())
		after := time.Now()
		if code := errCode(r); code != "" {
			t.Fatalf("offset %s: a request signed with real time answered %s", offset, code)
		}
		j, ok := ts.Job(str(r["JobId"]))
		if !ok {
			t.Fatalf("offset %s: job %v not stored", offset, r["JobId"])
		}
		if j.CreateTime.Before(before.Add(offset)) || j.CreateTime.After(after.Add(offset)) {
			t.Fatalf("offset %s: CreateTime %s is not the server's time (real %s..%s)", offset, j.CreateTime, before, after)
		}
		// 200 s the other way puts the request 320 s from the server's time: outside the window.
		away := time.Now().Add(-offset / 120 * 200)
		if code := errCode(send(ts, "DescribeMigrateJobs", map[string]any{}, away)); code != "AuthFailure.SignatureExpire" {
			t.Fatalf("offset %s: a request 320 s off answered %q", offset, code)
		}
		// A request signed with the server's own time is always accepted.
		if code := errCode(send(ts, "DescribeMigrateJobs", map[string]any{}, time.Now().Add(offset))); code != "" {
			t.Fatalf("offset %s: a request at server time answered %q", offset, code)
		}
	}
}
