// Command demo is `make demo`: it builds the provider, starts the standalone emulator, and runs
// examples/demo through terraform apply, output, a drift check and destroy, streaming
// terraform's output. KEEP=1 leaves the emulator running afterwards. -tf runs OpenTofu (or
// another terraform) instead of the terraform on PATH.
package main

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

	"github.com/opendts/terraform-provider-dts/internal/devenv"
)

// phase is the emulator's simulated phase: long enough to see a job move through its states,
// short enough for the whole demo to take well under a minute and a half.
const phase = 2 * time.Second

// startTimeout bounds the wait for the emulator's listening line.
const startTimeout = 30 * time.Second

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tfFlag := flag.String("tf", "terraform", "the terraform or tofu executable: a name on PATH or a path")
	flag.Parse()
	start := time.Now()
	d := &demo{keep: os.Getenv("KEEP") == "1", out: os.Stdout, tfName: *tfFlag}
	err := d.run(ctx)
	if cerr := d.cleanup(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintf(os.Stderr, "\ndemo: FAILED after %s: %v\n", since(start), err)
	} else {
		d.header("Done")
		fmt.Fprintf(d.out, "The demo passed in %s.\n", since(start))
	}
	if d.keep && d.emu != nil {
		d.printKeepHints()
	}
	if err != nil {
		return 1
	}
	return 0
}

type demo struct {
	keep bool
	out  io.Writer
	// tfName is the -tf flag, and cli the command's name in headers: terraform or tofu.
	tfName, cli string
	tmp         string
	emuLog      string
	emu         *devenv.Emulator
	tf          devenv.Terraform
}

func (d *demo) run(ctx context.Context) error {
	tfBin, err := devenv.LookCLI(d.tfName)
	if err != nil {
		return err
	}
	d.cli = devenv.CLIName(tfBin)

	d.header("Building the provider and the emulator")
	ws, err := devenv.NewWorkspace(ctx, "dts-demo-", "demo")
	d.tmp = ws.Dir
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "Built into %s.\n", d.tmp)

	d.header("Starting the DTS emulator")
	if err := d.startEmulator(ctx, ws.Emulator); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "The emulator listens on %s (pid %d); each simulated phase lasts %s.\n", d.emu.Endpoint, d.emu.PID(), phase)

	work := ws.Work
	d.tf = devenv.Terraform{Binary: tfBin, CLIConfig: ws.CLIConfig, Endpoint: d.emu.Endpoint, Stdout: d.out, Stderr: os.Stderr,
		NoColor: !isTerminal(os.Stdout) || !isTerminal(os.Stderr)}
	fmt.Fprintf(d.out, "Running examples/demo in %s with %s and the provider from %s (dev_overrides; no %s init).\n", work, tfBin, ws.ProviderDir, d.cli)
	if os.Getenv("TF_LOG") == "" {
		fmt.Fprintln(d.out, "Tip: run with TF_LOG=info to see the waiters' progress lines.")
	}

	d.header(d.cli + " apply: create, check and start both jobs, and wait for them")
	if err := d.terraform(ctx, work, "apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	d.header(d.cli + " output")
	if err := d.terraform(ctx, work, "output"); err != nil {
		return err
	}
	d.header(d.cli + " plan -detailed-exitcode: the state matches the jobs, so no changes")
	if err := d.checkNoDrift(ctx, work); err != nil {
		return err
	}
	d.header(d.cli + " destroy: stop and delete both jobs")
	return d.terraform(ctx, work, "destroy", "-auto-approve", "-input=false")
}

// checkNoDrift plans and fails if the plan would change any resource. The plan's exit code
// alone cannot tell: the incremental job's lag (detail.seconds_behind_master and
// detail.master_slave_distance_mb) moves from second to second, so the outputs that show it
// change between apply and plan although the job does not. Those output changes are reported,
// not counted as drift.
func (d *demo) checkNoDrift(ctx context.Context, work string) error {
	const planFile = "drift.tfplan"
	code, err := d.tf.Run(ctx, work, "plan", "-detailed-exitcode", "-input=false", "-out="+planFile)
	switch {
	case code == 0:
		fmt.Fprintln(d.out, "No changes: the provider reads back exactly what it applied.")
		return nil
	case code != 2:
		return err
	}
	pc, err := d.tf.ShowPlan(ctx, work, planFile)
	if err != nil {
		return err
	}
	if len(pc.Resources) > 0 {
		return fmt.Errorf("drift: %s plan right after apply would change %s; the plan above shows how", d.cli, strings.Join(pc.Resources, ", "))
	}
	fmt.Fprintf(d.out, "\nNo resource changes: the provider reads back exactly what it applied. Only outputs changed (%s),\n"+
		"because they show the incremental job's live replication lag, which moves from second to second.\n", strings.Join(pc.Outputs, ", "))
	return nil
}

func (d *demo) startEmulator(ctx context.Context, bin string) error {
	// The log goes to a file, not to a pipe, so that a kept emulator can go on writing to it
	// after the demo has exited.
	d.emuLog = filepath.Join(d.tmp, "dtsmock.log")
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var err error
	d.emu, err = devenv.StartEmulator(sctx, devenv.EmulatorConfig{
		Binary:  bin,
		Phase:   phase,
		Journal: filepath.Join(d.tmp, "journal.jsonl"),
		LogFile: d.emuLog,
	})
	if err != nil {
		// The log says why the emulator did not start; the temporary folder is about to go.
		err = errors.Join(err, d.showEmulatorLog())
	}
	return err
}

func (d *demo) terraform(ctx context.Context, dir string, args ...string) error {
	_, err := d.tf.Run(ctx, dir, args...)
	return err
}

// cleanup stops the emulator and removes the temporary folder, unless KEEP=1 asks to keep the
// emulator running, which needs the folder (the provider binary, the CLI configuration, the log).
func (d *demo) cleanup() error {
	if d.keep && d.emu != nil {
		return nil
	}
	var err error
	if d.emu != nil {
		d.header("Stopping the emulator")
		if serr := d.emu.Stop(); serr != nil {
			err = errors.Join(err, serr, d.showEmulatorLog())
		}
	}
	if d.tmp != "" {
		if rerr := os.RemoveAll(d.tmp); rerr != nil {
			err = errors.Join(err, fmt.Errorf("removing the temporary folder: %w", rerr))
		}
	}
	return err
}

// showEmulatorLog prints the emulator's log, which explains why it failed.
func (d *demo) showEmulatorLog() error {
	b, err := os.ReadFile(d.emuLog)
	if err != nil {
		return fmt.Errorf("reading the emulator's log: %w", err)
	}
	fmt.Fprintf(os.Stderr, "The emulator's log:\n%s\n", strings.TrimSpace(string(b)))
	return nil
}

func (d *demo) printKeepHints() {
	work := filepath.Join(d.tmp, "work")
	fmt.Fprintf(d.out, "\nKEEP=1: the emulator is still running at %s (pid %d); its log is %s and its journal %s.\n",
		d.emu.Endpoint, d.emu.PID(), d.emuLog, d.emu.Journal)
	fmt.Fprintf(d.out, "Point %s at it from any shell:\n\n", d.cli)
	for _, line := range devenv.ExportLines(d.tf.ProviderEnv()) {
		fmt.Fprintf(d.out, "  %s\n", line)
	}
	fmt.Fprintln(d.out)
	fmt.Fprintf(d.out, "then, without %[1]s init: %[1]s -chdir=%[2]s apply (or any folder with a dts configuration).\n", d.cli, devenv.ShellQuote(work))
	fmt.Fprintf(d.out, "When done: kill %d && rm -rf %s\n", d.emu.PID(), devenv.ShellQuote(d.tmp))
}

func (d *demo) header(title string) {
	fmt.Fprintf(d.out, "\n==> %s\n\n", title)
}

func since(t time.Time) time.Duration {
	return time.Since(t).Round(100 * time.Millisecond)
}

// isTerminal reports whether f is a terminal: only a terminal gets terraform's colours, never
// a file or a pipe.
func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
