package dtsmock

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startRun runs Run in the background and returns the client endpoint and a stop function
// that cancels the context and returns Run's error and everything written to stdout.
func startRun(t *testing.T, args ...string) (*TestServer, func() (string, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		err := Run(ctx, args, pw, stderr)
		done <- errors.Join(err, pw.Close())
	}()
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var line string
	select {
	case line = <-lines:
	case err := <-done:
		cancel()
		t.Fatalf("Run ended early: %v (stderr %s)", err, stderr.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("no listening line")
	}
	url, ok := strings.CutPrefix(line, "dtsmock listening on http://")
	if !ok || !strings.HasPrefix(url, "127.0.0.1:") || strings.HasSuffix(url, ":0") {
		cancel()
		t.Fatalf("listening line %q", line)
	}
	stopped := false
	stop := func() (string, error) {
		stopped = true
		cancel()
		err := <-done
		var rest []string
		for l := range lines {
			rest = append(rest, l)
		}
		return strings.Join(rest, "\n"), err
	}
	t.Cleanup(func() {
		if !stopped {
			if _, err := stop(); err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	})
	return &TestServer{URL: "http://" + url, Endpoint: url}, stop
}

func TestRunStandalone(t *testing.T) {
	dir := t.TempDir()
	journal := filepath.Join(dir, "journal.jsonl")
	state := filepath.Join(dir, "state.json")
	faults := filepath.Join(dir, "faults.json")
	if err := os.WriteFile(faults, []byte(`[{"action":"StopMigrateJob","kind":"error","code":"InternalError"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, stop := startRun(t, "-addr", "0.0.0.0:0", "-phase", "1h", "-journal", journal, "-state", state,
		"-faults", faults, "-rate-limit=false", "-max-idle-jobs", "1", "-secret-id", "AKIDflag", "-secret-key", "flagKey")
	c := newClient(t, ts, realClock{})
	c.id, c.key = "AKIDflag", "flagKey"
	id := c.create(baseCreate("cli"))
	c.wantCode("CreateMigrateJob", baseCreate("second"), "LimitExceeded.MaxUnusedJobs")
	c.wantCode("StopMigrateJob", jobID(id), "InternalError")
	for i := 0; i < 30; i++ {
		c.wantCode("DescribeMigrateCheckJob", jobID(id), "")
	}
	c.id, c.key = DefaultSecretID, DefaultSecretKey
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "AuthFailure.SecretIdNotFound")
	rest, err := stop()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rest != "" {
		t.Fatalf("more stdout after the listening line: %q", rest)
	}
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 34 {
		t.Fatalf("%d journal lines", len(lines))
	}
	var first JournalEntry
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.JobID != id || first.Action != "CreateMigrateJob" {
		t.Fatalf("first journal line %s: %v", lines[0], err)
	}
	if strings.Contains(string(b), "srcSecretPW1") {
		t.Fatal("secret in the journal")
	}
	// The state survives a restart of the standalone server.
	ts2, stop2 := startRun(t, "-addr", "127.0.0.1:0", "-state", state)
	c2 := newClient(t, ts2, realClock{})
	if c2.status(id) != StatusCreating {
		t.Fatal("job lost across restart")
	}
	if _, err := stop2(); err != nil {
		t.Fatal(err)
	}
}

func TestRunEnvironment(t *testing.T) {
	t.Setenv("DTSMOCK_SECRET_ID", "AKIDenv")
	t.Setenv("DTSMOCK_SECRET_KEY", "envKey")
	ts, _ := startRun(t, "-addr", "127.0.0.1:0")
	c := newClient(t, ts, realClock{})
	c.id, c.key = "AKIDenv", "envKey"
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "")

	// An explicit flag beats the environment.
	ts, _ = startRun(t, "-addr", "127.0.0.1:0", "-secret-id", "AKIDflag", "-secret-key", "flagKey")
	c = newClient(t, ts, realClock{})
	c.id, c.key = "AKIDenv", "envKey"
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "AuthFailure.SecretIdNotFound")
	c.id, c.key = "AKIDflag", "flagKey"
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
}

func TestRunDefaults(t *testing.T) {
	t.Setenv("DTSMOCK_SECRET_ID", "")
	t.Setenv("DTSMOCK_SECRET_KEY", "")
	ts, _ := startRun(t, "-addr", ":0")
	c := newClient(t, ts, realClock{})
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
}

func TestRunErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	ctx := context.Background()
	if err := Run(ctx, []string{"-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(errOut.String(), "-max-idle-jobs") {
		t.Errorf("usage lacks flags: %s", errOut.String())
	}
	for _, args := range [][]string{
		{"-nope"},
		{"extra"},
		{"-addr", "256.0.0.1:1"},
		{"-faults", filepath.Join(t.TempDir(), "missing.json")},
		{"-journal", filepath.Join(t.TempDir(), "no", "dir", "j")},
		{"-phase", "-1s", "-addr", "127.0.0.1:0"},
	} {
		if err := Run(ctx, args, &out, &errOut); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"kind":"boom"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, []string{"-faults", bad}, &out, &errOut); err == nil {
		t.Error("bad fault file accepted")
	}
	if out.Len() != 0 {
		t.Errorf("stdout written on failure: %q", out.String())
	}
}
