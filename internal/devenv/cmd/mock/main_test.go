//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
)

// TestAccMockByHand does what the README tells a newcomer to do, on a copy of the repository as
// a fresh clone has it: `make mock`, then, in a shell that has nothing but PATH, HOME and the
// export lines make mock printed, `terraform apply` and `terraform destroy` of the README's full
// example. It also checks that the README's export lines are the ones make mock prints, and that
// a SIGTERM to make stops the emulator, leaving the port free.
func TestAccMockByHand(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	for _, tool := range []string{"terraform", "make", "bash", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("this test needs %s on PATH: %v", tool, err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	root, err := devenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	clone := filepath.Join(t.TempDir(), "terraform-provider-dts")
	copyCheckout(ctx, t, root, clone)
	readme, err := os.ReadFile(filepath.Join(clone, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readmeExports, example := readmeSteps(t, string(readme))

	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	began := time.Now()
	mock := startMakeMock(ctx, t, clone, addr)
	printed := mock.exports
	t.Logf("make mock: the emulator listens after %s", time.Since(began).Round(100*time.Millisecond))

	// The README shows the default port and $PWD for the clone's root; with those in place,
	// its lines must set exactly what make mock printed.
	wantEnv := shellEnv(ctx, t, clone, printed)
	gotEnv := shellEnv(ctx, t, clone, strings.ReplaceAll(readmeExports, "127.0.0.1:8088", addr))
	if !slices.Equal(gotEnv, wantEnv) {
		t.Errorf("the README's export lines set\n%v\nbut make mock printed lines that set\n%v", gotEnv, wantEnv)
	}

	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	for _, step := range []struct{ command, want string }{
		{"terraform apply -auto-approve -input=false -var source_password=example-secret", "Apply complete! Resources: 1 added"},
		// A syncing job is protected from destroy: the README cuts over first.
		{"sed -i 's/complete = false/complete = true/' main.tf && terraform apply -auto-approve -input=false -var source_password=example-secret",
			"Apply complete! Resources: 0 added, 1 changed"},
		{"terraform destroy -auto-approve -input=false -var source_password=example-secret", "Destroy complete! Resources: 1 destroyed"},
	} {
		cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-e", "-c", printed+step.command)
		cmd.Dir = work
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
		began := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), step.want) {
			t.Fatalf("%s: %v\n%s\nthe emulator's log:\n%s", step.command, err, out, mock.log())
		}
		t.Logf("%s: %s", step.command, time.Since(began).Round(100*time.Millisecond))
	}

	// A SIGTERM to make reaches the emulator, which make exec'd: when make has exited, nothing
	// listens on the port any more.
	if err := mock.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := mock.cmd.Wait(); err == nil {
		t.Error("make mock exited 0 after SIGTERM; make reports a signal as an error")
	}
	mock.waited = true
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("after make mock was stopped with SIGTERM, %s is still taken: %v\n%s", addr, err, mock.log())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyCheckout copies the files a clone of root's working tree would have (tracked and
// untracked, never ignored ones such as bin/ and .dtsmock/) to dst.
func copyCheckout(ctx context.Context, t *testing.T, root, dst string) {
	t.Helper()
	out, err := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("listing the repository's files: %v", err)
	}
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, rel), b, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	fencedBlock = regexp.MustCompile("(?s)```(\\w+)\n(.*?)```")
	exportLine  = regexp.MustCompile(`(?m)^export .*$`)
)

// readmeSteps returns the export lines of the README's by-hand section and the HCL of its full
// example.
func readmeSteps(t *testing.T, readme string) (exports, example string) {
	t.Helper()
	section := func(heading string) string {
		_, rest, ok := strings.Cut(readme, "\n"+heading+"\n")
		if !ok {
			t.Fatalf("the README has no heading %q", heading)
		}
		if i := strings.Index(rest, "\n## "); i >= 0 {
			rest = rest[:i]
		}
		return rest
	}
	for _, m := range fencedBlock.FindAllStringSubmatch(section("## The emulator"), -1) {
		if m[1] == "sh" && strings.Contains(m[2], "export TF_CLI_CONFIG_FILE=") {
			exports = strings.Join(exportLine.FindAllString(m[2], -1), "\n") + "\n"
		}
	}
	if exports == "" {
		t.Fatal("the README's emulator section has no sh block with the export lines")
	}
	if m := fencedBlock.FindStringSubmatch(section("## A full example")); m != nil && m[1] == "hcl" {
		example = m[2]
	} else {
		t.Fatal("the README's full example is not an hcl block")
	}
	return exports, example
}

// shellEnv runs script in bash at dir and returns the variables it exports, as NAME=VALUE.
func shellEnv(ctx context.Context, t *testing.T, dir, script string) []string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-e", "-c", script+"env -0")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the export lines:\n%s\n%v", script, err)
	}
	var set []string
	for _, kv := range strings.Split(string(out), "\x00") {
		name, _, _ := strings.Cut(kv, "=")
		if strings.Contains(script, "export "+name+"=") {
			set = append(set, kv)
		}
	}
	slices.Sort(set)
	return set
}

// freePort returns a loopback port that was free a moment ago: make mock must print its
// address before the emulator listens, so it cannot pick one itself.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("a TCP listener has the address %T", l.Addr())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr.Port
}

type makeMock struct {
	cmd     *exec.Cmd
	exports string
	stderr  *os.File
	waited  bool
}

// log returns what make and the emulator wrote to stderr so far.
func (m *makeMock) log() string {
	b, err := os.ReadFile(m.stderr.Name())
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// startMakeMock runs `make mock MOCK_ADDR=addr` in clone and returns once the emulator listens,
// with the export lines make mock printed before.
func startMakeMock(ctx context.Context, t *testing.T, clone, addr string) *makeMock {
	t.Helper()
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "mock", "MOCK_ADDR="+addr)
	cmd.Dir = clone
	// The go and make settings of the caller (caches, proxy) pass; nothing that would point
	// the provider somewhere does.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENCENTCLOUD_") && !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "MAKE") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A pipe of our own rather than StdoutPipe: Wait closes that one, even while it is read.
	stdout, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	m := &makeMock{cmd: cmd, stderr: stderr}
	t.Cleanup(func() {
		// The whole process group: make and the emulator it runs, and any emulator that
		// survived make when the test failed.
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Error(err)
		}
		if !m.waited {
			var exit *exec.ExitError
			if err := cmd.Wait(); err != nil && !errors.As(err, &exit) {
				t.Error(err)
			}
		}
		for _, f := range []*os.File{stdout, stderr} {
			if err := f.Close(); err != nil {
				t.Error(err)
			}
		}
	})

	type result struct {
		exports string
		err     error
	}
	ready := make(chan result, 1)
	go func() {
		var exports, all bytes.Buffer
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			all.WriteString(line + "\n")
			if strings.HasPrefix(line, "export ") {
				exports.WriteString(line + "\n")
			}
			if endpoint, err := devenv.ParseListeningLine(line); err == nil {
				if endpoint != "http://"+addr {
					ready <- result{err: fmt.Errorf("the emulator listens on %s, want http://%s", endpoint, addr)}
				} else {
					ready <- result{exports: exports.String()}
				}
				// Drain the rest, so that the emulator never blocks on its stdout.
				for sc.Scan() {
				}
				return
			}
		}
		ready <- result{err: fmt.Errorf("make mock ended before the emulator listened (%v); its output:\n%s", sc.Err(), all.String())}
	}()
	select {
	case r := <-ready:
		if r.err != nil {
			t.Fatalf("%v\n%s", r.err, m.log())
		}
		m.exports = r.exports
	case <-ctx.Done():
		t.Fatalf("make mock did not start the emulator: %v\n%s", ctx.Err(), m.log())
	}
	if m.exports == "" {
		t.Fatalf("make mock printed no export lines\n%s", m.log())
	}
	return m
}
