// Command demo is `make demo`: it builds the provider, starts the standalone emulator, and runs
// examples/demo through terraform apply, output, a drift check and destroy, streaming
// terraform's output. KEEP=1 leaves the emulator running afterwards. -tf runs OpenTofu (or
// another terraform) instead of the terraform on PATH.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
)

// phase is the emulator's simulated phase: long enough to see a job move through its states,
// short enough for the whole demo to take well under a minute and a half.
const phase = 2 * time.Second

func main() {
	os.Exit(devenv.Main("demo", "The demo", os.Getenv("KEEP") == "1", run))
}

func run(ctx context.Context, s *devenv.Session) error {
	s.Header("Building the provider and the emulator")
	if err := s.Build(ctx, "dts-demo-", "demo"); err != nil {
		return err
	}
	ws := s.Workspace
	fmt.Fprintf(s.Out, "Built into %s.\n", ws.Dir)

	s.Header("Starting the DTS emulator")
	if err := s.StartEmulator(ctx, devenv.EmulatorConfig{Phase: phase, Journal: filepath.Join(ws.Dir, "journal.jsonl")}); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "The emulator listens on %s (pid %d); each simulated phase lasts %s.\n", s.Emu.Endpoint, s.Emu.PID(), phase)

	fmt.Fprintf(s.Out, "Running examples/demo in %s with %s and the provider from %s (dev_overrides; no %s init).\n", ws.Work, s.CLIBinary, ws.ProviderDir, s.CLI)
	if os.Getenv("TF_LOG") == "" {
		fmt.Fprintln(s.Out, "Tip: run with TF_LOG=info to see the waiters' progress lines.")
	}

	s.Header(s.CLI + " apply: create, check and start both jobs, and wait for them")
	if _, err := s.TF.Run(ctx, ws.Work, "apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	s.Header(s.CLI + " output")
	if _, err := s.TF.Run(ctx, ws.Work, "output"); err != nil {
		return err
	}
	s.Header(s.CLI + " plan -detailed-exitcode: the state matches the jobs, so no changes")
	if err := checkNoDrift(ctx, s); err != nil {
		return err
	}
	s.Header(s.CLI + " destroy: stop and delete both jobs")
	_, err := s.TF.Run(ctx, ws.Work, "destroy", "-auto-approve", "-input=false")
	return err
}

// checkNoDrift plans and fails if the plan would change any resource. The plan's exit code
// alone cannot tell: the incremental job's lag (detail.seconds_behind_master and
// detail.master_slave_distance_mb) moves from second to second, so the outputs that show it
// change between apply and plan although the job does not. Those output changes are reported,
// not counted as drift.
func checkNoDrift(ctx context.Context, s *devenv.Session) error {
	const planFile = "drift.tfplan"
	work := s.Workspace.Work
	code, err := s.TF.Run(ctx, work, "plan", "-detailed-exitcode", "-input=false", "-out="+planFile)
	switch {
	case code == 0:
		fmt.Fprintln(s.Out, "No changes: the provider reads back exactly what it applied.")
		return nil
	case code != 2:
		return err
	}
	pc, err := s.TF.ShowPlan(ctx, work, planFile)
	if err != nil {
		return err
	}
	if len(pc.Resources) > 0 {
		return fmt.Errorf("drift: %s plan right after apply would change %s; the plan above shows how", s.CLI, strings.Join(pc.Resources, ", "))
	}
	fmt.Fprintf(s.Out, "\nNo resource changes: the provider reads back exactly what it applied. Only outputs changed (%s),\n"+
		"because they show the incremental job's live replication lag, which moves from second to second.\n", strings.Join(pc.Outputs, ", "))
	return nil
}
