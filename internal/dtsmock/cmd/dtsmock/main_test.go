package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
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

// TestSignals starts the command on port 0, reads its listening line, and checks that
// SIGTERM and SIGINT each end it with exit status 0.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "DTSMOCK_TEST_RUN_MAIN=1", "DTSMOCK_TEST_ARGS=-addr 127.0.0.1:0 -phase 200ms")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 4)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			var line string
			select {
			case line = <-lines:
			case <-time.After(20 * time.Second):
				if err := cmd.Process.Kill(); err != nil {
					t.Error(err)
				}
				t.Fatalf("no listening line; stderr: %s", stderr.String())
			}
			url, ok := strings.CutPrefix(line, "dtsmock listening on ")
			if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("listening line %q", line)
			}
			resp, err := http.Post(url+"/", "application/json", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %d", resp.StatusCode)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			waitErr := make(chan error, 1)
			go func() { waitErr <- cmd.Wait() }()
			select {
			case err := <-waitErr:
				if err != nil {
					t.Fatalf("exit: %v; stderr: %s", err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				if err := cmd.Process.Kill(); err != nil {
					t.Error(err)
				}
				t.Fatal("did not exit after the signal")
			}
			for extra := range lines {
				t.Fatalf("extra stdout line %q", extra)
			}
		})
	}
}
