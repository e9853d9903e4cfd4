package devenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// listeningPrefix starts the one line the emulator prints to stdout once it accepts requests.
const listeningPrefix = "dtsmock listening on "

// stopTimeout bounds how long Stop waits after SIGTERM before it kills the emulator.
const stopTimeout = 10 * time.Second

// EmulatorConfig says how to run the standalone emulator.
type EmulatorConfig struct {
	// Binary is the emulator built by BuildEmulator.
	Binary string
	// Phase is the base duration of each simulated phase; zero keeps the emulator's default.
	Phase time.Duration
	// Journal is the file the emulator appends one JSON line per request to; empty for none.
	Journal string
	// Args are further flags, such as "-max-idle-jobs", "1000".
	Args []string
	// Stderr receives the emulator's log; nil discards it. Give an *os.File when the emulator
	// is to outlive the calling program.
	Stderr io.Writer
	// LogFile, when set, is the file the emulator's log is written to instead of Stderr,
	// created or truncated. The emulator holds its own descriptor of it, so it can go on
	// writing after the calling program has exited.
	LogFile string
}

// Emulator is a running standalone emulator.
type Emulator struct {
	// Endpoint is the emulator's base URL, such as http://127.0.0.1:40123.
	Endpoint string
	// Journal is the journal file, or empty.
	Journal string

	cmd       *exec.Cmd
	stdout    *os.File
	done      chan struct{}
	waitErr   error
	closeOnce sync.Once
}

// StartEmulator starts the emulator on a free loopback port and returns once it has printed its
// listening line, so that it accepts requests. ctx bounds the start only: the emulator keeps
// running until Stop, even after the calling program exits.
func StartEmulator(ctx context.Context, cfg EmulatorConfig) (*Emulator, error) {
	args := []string{"-addr", "127.0.0.1:0"}
	if cfg.Phase > 0 {
		args = append(args, "-phase", cfg.Phase.String())
	}
	if cfg.Journal != "" {
		args = append(args, "-journal", cfg.Journal)
	}
	args = append(args, cfg.Args...)

	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("creating the emulator's stdout pipe: %w", err)
	}
	cmd := exec.Command(cfg.Binary, args...)
	cmd.Stdout = pw
	cmd.Stderr = cfg.Stderr
	cmd.SysProcAttr = ownProcessGroup()
	var logFile *os.File
	if cfg.LogFile != "" {
		if logFile, err = os.Create(cfg.LogFile); err != nil {
			return nil, errors.Join(fmt.Errorf("creating the emulator's log: %w", err), pr.Close(), pw.Close())
		}
		cmd.Stderr = logFile
	}
	err = cmd.Start()
	if logFile != nil {
		// The child has its own descriptor of the log, or none if it did not start.
		if cerr := logFile.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the emulator's log: %w", cerr)
			return nil, errors.Join(err, cmd.Process.Kill(), pr.Close(), pw.Close())
		}
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting the emulator: %w", err), pr.Close(), pw.Close())
	}
	// The child holds its own copy of the write end; closing ours lets the reader see EOF when
	// the emulator exits.
	if err := pw.Close(); err != nil {
		return nil, errors.Join(fmt.Errorf("closing the emulator's stdout pipe: %w", err), cmd.Process.Kill(), pr.Close())
	}
	e := &Emulator{Journal: cfg.Journal, cmd: cmd, stdout: pr, done: make(chan struct{})}
	go func() {
		e.waitErr = cmd.Wait()
		close(e.done)
	}()

	type lineResult struct {
		line string
		err  error
	}
	lines := make(chan lineResult, 1)
	// The emulator prints exactly one line to stdout, so the read end stays open, unread, until
	// Stop: closing it earlier would kill the emulator with SIGPIPE should it ever print again.
	go func() {
		line, err := bufio.NewReader(pr).ReadString('\n')
		lines <- lineResult{strings.TrimRight(line, "\r\n"), err}
	}()

	select {
	case res := <-lines:
		if res.err != nil {
			return nil, errors.Join(fmt.Errorf("the emulator did not print its listening line: %w", res.err), e.Stop())
		}
		endpoint, err := ParseListeningLine(res.line)
		if err != nil {
			return nil, errors.Join(err, e.Stop())
		}
		e.Endpoint = endpoint
		return e, nil
	case <-ctx.Done():
		return nil, errors.Join(fmt.Errorf("waiting for the emulator to listen: %w", ctx.Err()), e.Stop())
	}
}

// ParseListeningLine returns the base URL in the emulator's listening line.
func ParseListeningLine(line string) (string, error) {
	raw, ok := strings.CutPrefix(line, listeningPrefix)
	if !ok {
		return "", fmt.Errorf("unexpected first line from the emulator: %q", line)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parsing the emulator's address %q: %w", raw, err)
	}
	if u.Scheme != "http" || u.Host == "" || u.Path != "" {
		return "", fmt.Errorf("the emulator's address %q is not http://HOST:PORT", raw)
	}
	_, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return "", fmt.Errorf("the emulator's address %q has no port: %w", raw, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return "", fmt.Errorf("the emulator's address %q has an invalid port", raw)
	}
	return raw, nil
}

// PID returns the emulator's process ID.
func (e *Emulator) PID() int {
	return e.cmd.Process.Pid
}

// Stop sends SIGTERM, waits for the emulator to exit, and kills it if it does not within a few
// seconds. Stopping an emulator that has exited already reports how it exited.
func (e *Emulator) Stop() error {
	select {
	case <-e.done:
		return e.exitErr()
	default:
	}
	if err := e.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping the emulator: %w", err)
	}
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-e.done:
		return e.exitErr()
	case <-timer.C:
	}
	if err := e.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing the emulator: %w", err)
	}
	<-e.done
	return errors.Join(fmt.Errorf("the emulator did not exit within %s of SIGTERM and was killed", stopTimeout), e.exitErr())
}

// exitErr reports how the emulator exited and releases the read end of its stdout.
func (e *Emulator) exitErr() error {
	var err error
	if e.waitErr != nil {
		err = fmt.Errorf("the emulator exited: %w", e.waitErr)
	}
	e.closeOnce.Do(func() {
		if cerr := e.stdout.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("closing the emulator's stdout pipe: %w", cerr))
		}
	})
	return err
}
