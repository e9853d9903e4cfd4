// Command mock is `make mock`: it builds the provider and the standalone emulator into a folder
// (.dtsmock by default), writes a CLI configuration there that loads the provider from it for
// Terraform and OpenTofu alike, prints the export lines that point either at the emulator, and
// then replaces itself with the emulator, keeping its jobs in that folder. The emulator is thus
// the very process that make (or the shell) started, so SIGTERM and Ctrl-C reach it and nothing
// is left listening.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mock:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	dir := fs.String("dir", "", "the folder for the binaries, the CLI configuration and the emulator's jobs (default .dtsmock at the repository's root)")
	addr := fs.String("addr", "127.0.0.1:8088", "the emulator's listen address; flags after the arguments go to the emulator")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkAddr(*addr); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := devenv.RepoRoot()
	if err != nil {
		return err
	}
	if *dir == "" {
		*dir = filepath.Join(root, ".dtsmock")
	}
	if *dir, err = filepath.Abs(*dir); err != nil {
		return fmt.Errorf("resolving the folder: %w", err)
	}
	providerDir := filepath.Join(*dir, "provider")
	if err := os.MkdirAll(providerDir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", providerDir, err)
	}
	fmt.Fprintf(out, "Building the provider and the emulator into %s ...\n", *dir)
	if _, err := devenv.BuildProvider(ctx, root, providerDir, "dev"); err != nil {
		return err
	}
	emulator, err := devenv.BuildEmulator(ctx, root, *dir)
	if err != nil {
		return err
	}
	tf := devenv.Terraform{CLIConfig: filepath.Join(*dir, "terraform.tfrc"), Endpoint: "http://" + *addr}
	if err := devenv.WriteCLIConfig(tf.CLIConfig, providerDir); err != nil {
		return err
	}
	state, journal := filepath.Join(*dir, "state.json"), filepath.Join(*dir, "journal.jsonl")
	fmt.Fprintf(out, "\nPoint Terraform or OpenTofu at the emulator from another shell:\n\n")
	for _, line := range devenv.ExportLines(tf.ProviderEnv()) {
		fmt.Fprintln(out, line)
	}
	fmt.Fprintf(out, "\nthen plan and apply in any folder with a dts configuration, without init.\n"+
		"Ctrl-C stops the emulator; its jobs stay in %s, its journal in %s.\n\n", state, journal)
	stop()
	argv := append([]string{emulator, "-addr", *addr, "-state", state, "-journal", journal}, fs.Args()...)
	return execEmulator(argv)
}

// checkAddr refuses an address whose port is not known before the emulator starts: the export
// lines, printed before, name it.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q is not HOST:PORT: %w", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return errors.New("-addr needs a fixed port (1-65535): the export lines name it before the emulator starts")
	}
	return nil
}
