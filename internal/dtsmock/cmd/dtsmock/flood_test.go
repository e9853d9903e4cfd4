package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFloodUnderFileLimit runs the command with 128 open files allowed and floods it on
// loopback with three times as many connections that send headers and stall in the body,
// while a well-behaved client sends requests: every request must be answered. Without a cap
// below the file limit, accept fails once the descriptors are gone and the stalled
// connections are never closed, so the client waits forever.
func TestFloodUnderFileLimit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs the shell's ulimit -n")
	}
	const nofile, flood, requests = 128, 384, 12
	cmd := exec.Command("sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, nofile), os.Args[0], "-test.run=^$")
	c := startWrapped(t, cmd, "-addr", "127.0.0.1:0", "-rate-limit=false", "-secret-id", crashCred.SecretID, "-secret-key", crashCred.SecretKey)
	addr := strings.TrimPrefix(c.url, "http://")
	var held []net.Conn
	defer func() {
		for _, h := range held {
			if err := h.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				t.Error(err)
			}
		}
	}()
	stall := func() {
		h, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, h)
		if _, err := io.WriteString(h, "POST / HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
			// The emulator may already have closed this one to make room.
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
				t.Fatal(err)
			}
		}
	}
	for range flood - requests*8 {
		stall()
	}
	// The timeout is far above the normal latency; it only keeps a starved client from
	// hanging the test.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range requests {
		for range 8 {
			stall()
		}
		if _, err := call(context.Background(), client, c.url, "DescribeMigrateJobs", map[string]any{}); err != nil {
			t.Fatalf("request %d during the flood: %v; stderr: %s", i, err, c.stderr())
		}
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(t); err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, c.stderr())
	}
}
