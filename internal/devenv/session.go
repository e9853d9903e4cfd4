package devenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
)

// emulatorStartTimeout bounds a session's wait for the emulator's listening line.
const emulatorStartTimeout = 30 * time.Second

// Session is one run of a demo program (make demo, make demo-live): where it prints, the
// terraform or tofu it drives, its workspace, the emulator it starts there, and what it has to
// undo when it ends. What is a demo's own (its servers, its data, its checks) stays beside it.
type Session struct {
	// Out is where the demo prints; terraform's own output goes there too.
	Out io.Writer
	// CLIBinary is the terraform or tofu the session runs, and CLI its name in headers.
	CLIBinary, CLI string
	// Workspace is set by Build.
	Workspace Workspace
	// Emu and EmuLog, the emulator and its log file, are set by StartEmulator.
	Emu    *Emulator
	EmuLog string
	// TF runs CLIBinary against Emu; StartEmulator sets it.
	TF Terraform
	// Keep leaves the emulator running and the workspace in place when the session ends (the
	// demo's KEEP=1), so that the user can go on with them.
	Keep bool

	cleanups []func() error
}

// Main is a demo program's main: it reads -tf, runs demo with a context that SIGINT and
// SIGTERM cancel, ends the session, and says how it went, as name (the program) and what (the
// demo, in the last line). It returns the exit code.
func Main(name, what string, keep bool, demo func(ctx context.Context, s *Session) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tfFlag := flag.String("tf", "terraform", "the terraform or tofu executable: a name on PATH or a path")
	flag.Parse()
	start := time.Now()
	s := &Session{Out: os.Stdout, Keep: keep}
	err := s.lookCLI(*tfFlag)
	if err == nil {
		err = demo(ctx, s)
	}
	err = errors.Join(err, s.close())
	took := time.Since(start).Round(100 * time.Millisecond)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintf(os.Stderr, "\n%s: FAILED after %s: %v\n", name, took, err)
	} else {
		s.Header("Done")
		fmt.Fprintf(s.Out, "%s passed in %s.\n", what, took)
	}
	if s.Keep && s.Emu != nil {
		s.printKeepHints()
	}
	if err != nil {
		return 1
	}
	return 0
}

func (s *Session) lookCLI(name string) error {
	bin, err := LookCLI(name)
	s.CLIBinary, s.CLI = bin, CLIName(bin)
	return err
}

// Header prints a section title.
func (s *Session) Header(title string) {
	fmt.Fprintf(s.Out, "\n==> %s\n\n", title)
}

// Defer has the session call undo when it ends, after what later calls of Defer ask, as
// testing.T.Cleanup orders them. An error undo returns fails the demo.
func (s *Session) Defer(undo func() error) {
	s.cleanups = append(s.cleanups, undo)
}

// close undoes, last first, what the session was asked to.
func (s *Session) close() error {
	var err error
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		err = errors.Join(err, s.cleanups[i]())
	}
	return err
}

// Build makes the workspace of examples/<example>, in a temporary folder named after prefix,
// which the session removes when it ends.
func (s *Session) Build(ctx context.Context, prefix, example string) error {
	ws, err := NewWorkspace(ctx, prefix, example)
	s.Workspace = ws
	if ws.Dir != "" {
		s.Defer(func() error {
			if s.Keep && s.Emu != nil {
				// The kept emulator needs the folder: its binary, the CLI configuration, its log.
				return nil
			}
			if err := os.RemoveAll(ws.Dir); err != nil {
				return fmt.Errorf("removing the temporary folder: %w", err)
			}
			return nil
		})
	}
	return err
}

// StartEmulator starts the workspace's emulator as cfg says, with its log in the workspace,
// and points TF at it. The session stops the emulator when it ends. When the emulator fails
// to start or to stop, its log, which says why, is printed: the folder is about to go.
func (s *Session) StartEmulator(ctx context.Context, cfg EmulatorConfig) error {
	cfg.Binary = s.Workspace.Emulator
	cfg.LogFile = filepath.Join(s.Workspace.Dir, "dtsmock.log")
	s.EmuLog = cfg.LogFile
	sctx, cancel := context.WithTimeout(ctx, emulatorStartTimeout)
	defer cancel()
	emu, err := StartEmulator(sctx, cfg)
	if err != nil {
		return errors.Join(err, s.showEmulatorLog())
	}
	s.Emu = emu
	s.Defer(func() error {
		if s.Keep {
			return nil
		}
		s.Header("Stopping the emulator")
		if err := emu.Stop(); err != nil {
			return errors.Join(err, s.showEmulatorLog())
		}
		return nil
	})
	s.TF = Terraform{Binary: s.CLIBinary, CLIConfig: s.Workspace.CLIConfig, Endpoint: emu.Endpoint,
		Stdout: s.Out, Stderr: os.Stderr, NoColor: !isTerminal(os.Stdout) || !isTerminal(os.Stderr)}
	return nil
}

// showEmulatorLog prints the emulator's log.
func (s *Session) showEmulatorLog() error {
	b, err := os.ReadFile(s.EmuLog)
	if err != nil {
		return fmt.Errorf("reading the emulator's log: %w", err)
	}
	fmt.Fprintf(os.Stderr, "The emulator's log:\n%s\n", strings.TrimSpace(string(b)))
	return nil
}

// printKeepHints says how to use the emulator that Keep left running, and how to be rid of it.
func (s *Session) printKeepHints() {
	fmt.Fprintf(s.Out, "\nKEEP=1: the emulator is still running at %s (pid %d); its log is %s and its journal %s.\n",
		s.Emu.Endpoint, s.Emu.PID(), s.EmuLog, s.Emu.Journal)
	fmt.Fprintf(s.Out, "Point %s at it from any shell:\n\n", s.CLI)
	for _, line := range ExportLines(s.TF.ProviderEnv()) {
		fmt.Fprintf(s.Out, "  %s\n", line)
	}
	fmt.Fprintln(s.Out)
	fmt.Fprintf(s.Out, "then, without %[1]s init: %[1]s -chdir=%[2]s apply (or any folder with a dts configuration).\n", s.CLI, ShellQuote(s.Workspace.Work))
	fmt.Fprintf(s.Out, "When done: kill %d && rm -rf %s\n", s.Emu.PID(), ShellQuote(s.Workspace.Dir))
}

// isTerminal reports whether f is a terminal: only a terminal gets terraform's colours, never
// a file or a pipe.
func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
