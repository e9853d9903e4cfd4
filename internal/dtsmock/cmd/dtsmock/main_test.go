package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the command when re-executed by TestSignals.
func TestMain(m *testing.M) {
	if os.Getenv("DTSMOCK_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"dtsmock"}, strings.Fields(os.Getenv("DTSMOCK_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// command is the dtsmock command running in a child process.
type command struct {
	cmd *exec.Cmd
	url string
	// stderrFile receives the child's stderr.
	stderrFile string
	lines      chan string
	waited     chan error
}

// stderr is what the child has written to its stderr so far. The child writes to the file
// itself, so reading it races with nothing in this process.
func (c *command) stderr() string {
	b, err := os.ReadFile(c.stderrFile)
	if err != nil {
		return fmt.Sprintf("(reading the child's stderr: %v)", err)
	}
	return string(b)
}

// startCommand runs the test binary as the command with args and waits for its listening
// line; the child is killed when the test ends if it still runs.
func startCommand(t *testing.T, args ...string) *command {
	t.Helper()
	return startWrapped(t, exec.Command(os.Args[0], "-test.run=^$"), args...)
}

// startWrapped is startCommand with the command line cmd, which runs the test binary.
func startWrapped(t *testing.T, cmd *exec.Cmd, args ...string) *command {
	t.Helper()
	c := &command{stderrFile: filepath.Join(t.TempDir(), "stderr"), lines: make(chan string, 4), waited: make(chan error, 1)}
	c.cmd = cmd
	c.cmd.Env = append(os.Environ(), "DTSMOCK_TEST_RUN_MAIN=1", "DTSMOCK_TEST_ARGS="+strings.Join(args, " "))
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(c.stderrFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stderr.Close(); err != nil {
			t.Error(err)
		}
	})
	c.cmd.Stderr = stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.waited <- c.cmd.Wait()
	}()
	t.Cleanup(func() {
		// Killing a child that has already exited reports ErrProcessDone, which is fine.
		if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Error(err)
		}
	})
	select {
	case line, ok := <-c.lines:
		url, found := strings.CutPrefix(line, "dtsmock listening on ")
		if !ok || !found || !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Fatalf("listening line %q; stderr: %s", line, c.stderr())
		}
		c.url = url
	case <-time.After(20 * time.Second):
		t.Fatalf("no listening line; stderr: %s", c.stderr())
	}
	return c
}

// wait waits for the child to exit after it was signalled.
func (c *command) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.waited:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit after the signal")
	}
	return nil
}

// TestSignals starts the command on port 0, reads its listening line, and checks that
// SIGTERM and SIGINT each end it with exit status 0.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			c := startCommand(t, "-addr", "127.0.0.1:0", "-phase", "200ms")
			resp, err := http.Post(c.url+"/", "application/json", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %d", resp.StatusCode)
			}
			if err := c.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := c.wait(t); err != nil {
				t.Fatalf("exit: %v; stderr: %s", err, c.stderr())
			}
			for extra := range c.lines {
				t.Fatalf("extra stdout line %q", extra)
			}
		})
	}
}
