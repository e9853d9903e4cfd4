package devenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// ProviderAddresses are the provider's addresses that dev_overrides map to a folder: source
// "opendts/dts" means the first to Terraform and the second to OpenTofu.
var ProviderAddresses = []string{"registry.terraform.io/opendts/dts", "registry.opentofu.org/opendts/dts"}

// Region is the region the demo and the benchmark configure the provider with.
const Region = "ap-guangzhou"

// interruptGrace is how long a cancelled terraform run may take to stop after SIGINT, so that
// it can still write its state, before it is killed.
const interruptGrace = 60 * time.Second

// CLIConfig returns a CLI configuration, for Terraform and OpenTofu alike, that loads the
// provider from providerDir (dev_overrides) and every other provider as usual. Both refuse
// `init` with it, and need none: plan, apply and destroy work directly.
func CLIConfig(providerDir string) (string, error) {
	dir, err := hclString(providerDir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, addr := range ProviderAddresses {
		fmt.Fprintf(&b, "    %q = %s\n", addr, dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String(), nil
}

// WriteCLIConfig writes CLIConfig(providerDir) to path.
func WriteCLIConfig(path, providerDir string) error {
	text, err := CLIConfig(providerDir)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("writing the CLI configuration: %w", err)
	}
	return nil
}

// hclString quotes s as an HCL string. Only backslash and double quote need escaping in a
// path; control characters are refused rather than escaped, since HCL's escapes differ from Go's.
func hclString(s string) (string, error) {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("the path %q contains a control character", s)
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`, nil
}

// Terraform runs the terraform CLI against an emulator, with a dev_overrides CLI configuration.
type Terraform struct {
	// Binary is the terraform executable; empty means "terraform" on PATH.
	Binary string
	// CLIConfig is the CLI configuration file written by WriteCLIConfig.
	CLIConfig string
	// Endpoint is the emulator's base URL.
	Endpoint string
	// Stdout and Stderr receive terraform's output; nil discards it.
	Stdout, Stderr io.Writer
	// NoColor passes -no-color, for output that does not go to a terminal.
	NoColor bool
}

// ProviderEnv returns the variables that point Terraform and the provider at the emulator, in
// the order a user would export them.
func (t Terraform) ProviderEnv() [][2]string {
	return [][2]string{
		{"TF_CLI_CONFIG_FILE", t.CLIConfig},
		{"CHECKPOINT_DISABLE", "1"},
		{"TENCENTCLOUD_SECRET_ID", dtsmock.DefaultSecretID},
		{"TENCENTCLOUD_SECRET_KEY", dtsmock.DefaultSecretKey},
		{"TENCENTCLOUD_REGION", Region},
		{"TENCENTCLOUD_DTS_ENDPOINT", t.Endpoint},
	}
}

// Env returns the environment of a terraform run: the caller's environment (so that TF_LOG and
// the like pass through) without any TENCENTCLOUD_ variable or CLI configuration of its own,
// plus ProviderEnv. Dropping the caller's TENCENTCLOUD_ variables keeps real credentials, a
// session token or a signature method meant for the real service away from the emulator.
func (t Terraform) Env() []string {
	return mergeEnv(os.Environ(), t.ProviderEnv())
}

func mergeEnv(base []string, set [][2]string) []string {
	out := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TENCENTCLOUD_") || name == "TF_CLI_CONFIG_FILE" || name == "CHECKPOINT_DISABLE" {
			continue
		}
		out = append(out, kv)
	}
	for _, kv := range set {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}

// Command returns `terraform -chdir=dir args...` with Env. Cancelling ctx interrupts terraform
// with SIGINT, as Ctrl-C would, so that it stops cleanly and saves its state; it is killed only
// if it has not exited a minute later.
func (t Terraform) Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	bin := t.Binary
	if bin == "" {
		bin = "terraform"
	}
	argv := append([]string{"-chdir=" + dir}, args...)
	if t.NoColor && len(args) > 0 {
		// -no-color is an option of the subcommand, so it follows it.
		argv = slices.Insert(argv, 2, "-no-color")
	}
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Env = t.Env()
	cmd.Stdout, cmd.Stderr = t.Stdout, t.Stderr
	cmd.SysProcAttr = ownProcessGroup()
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	return cmd
}

// Run runs terraform in dir and returns its exit code; err is set for any exit other than 0.
func (t Terraform) Run(ctx context.Context, dir string, args ...string) (int, error) {
	err := t.Command(ctx, dir, args...).Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exit.ExitCode(), fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
	default:
		return -1, fmt.Errorf("running terraform %s: %w", strings.Join(args, " "), err)
	}
}

// LookTerraform returns the path of terraform on PATH, with an error saying what to do when it
// is missing.
func LookTerraform() (string, error) {
	return LookCLI("terraform")
}

// LookCLI returns the path of bin, a terraform or tofu executable given as a name to look up on
// PATH or as a path, with an error saying what to do when it is missing.
func LookCLI(bin string) (string, error) {
	p, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH (install Terraform or OpenTofu 1.11 or later): %w", bin, err)
	}
	return p, nil
}

// ExportLines returns env as the `export NAME=VALUE` lines of a POSIX shell, quoted as needed.
func ExportLines(env [][2]string) []string {
	lines := make([]string, len(env))
	for i, kv := range env {
		lines[i] = "export " + kv[0] + "=" + ShellQuote(kv[1])
	}
	return lines
}

// ShellQuote quotes s for a POSIX shell when it holds anything but plain path characters.
func ShellQuote(s string) string {
	safe := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:+=@,", r)
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CopyConfig copies the Terraform configuration files (*.tf, *.tf.json, *.tfvars) at the top
// of src into dst, leaving out any .terraform folder, lock or state file found there.
func CopyConfig(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !isConfigFile(name) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o600); err != nil {
			return fmt.Errorf("copying %s: %w", name, err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no Terraform configuration files in %s", src)
	}
	return nil
}

func isConfigFile(name string) bool {
	for _, suffix := range []string{".tf", ".tf.json", ".tfvars"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}
