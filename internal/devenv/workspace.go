package devenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Workspace is the temporary folder of a demo: the provider and the emulator built into it, a
// CLI configuration whose dev_overrides name that provider, and a working copy of an example.
type Workspace struct {
	// Dir is the temporary folder; the caller removes it when done.
	Dir string
	// ProviderDir holds the provider's build, the folder dev_overrides names.
	ProviderDir string
	// Emulator is the emulator's binary.
	Emulator string
	// CLIConfig is the CLI configuration file with dev_overrides.
	CLIConfig string
	// Work is the working copy of the example, where terraform runs.
	Work string
}

// NewWorkspace makes a temporary folder named after prefix, builds the provider (version
// "demo") and the emulator into it, writes the CLI configuration, and copies the example
// examples/<example> of the repository into Work. Dir is set as soon as the folder exists,
// also when an error follows, so that the caller can remove it.
func NewWorkspace(ctx context.Context, prefix, example string) (Workspace, error) {
	var w Workspace
	root, err := RepoRoot()
	if err != nil {
		return w, err
	}
	if w.Dir, err = os.MkdirTemp("", prefix); err != nil {
		return w, fmt.Errorf("creating a temporary folder: %w", err)
	}
	w.ProviderDir, w.Work = filepath.Join(w.Dir, "provider"), filepath.Join(w.Dir, "work")
	w.CLIConfig = filepath.Join(w.Dir, "terraform.tfrc")
	for _, dir := range []string{w.ProviderDir, w.Work} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return w, fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	if _, err := BuildProvider(ctx, root, w.ProviderDir, "demo"); err != nil {
		return w, err
	}
	if w.Emulator, err = BuildEmulator(ctx, root, w.Dir); err != nil {
		return w, err
	}
	if err := WriteCLIConfig(w.CLIConfig, w.ProviderDir); err != nil {
		return w, err
	}
	return w, CopyConfig(filepath.Join(root, "examples", example), w.Work)
}

// CLIName is the name a demo gives the command at path in what it prints: tofu for an
// OpenTofu binary, terraform otherwise.
func CLIName(path string) string {
	if strings.HasPrefix(filepath.Base(path), "tofu") {
		return "tofu"
	}
	return "terraform"
}
