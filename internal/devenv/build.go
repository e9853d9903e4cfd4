package devenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModulePath is the module path of this repository, used to recognise its root.
const ModulePath = "github.com/opendts/terraform-provider-dts"

// ProviderBinaryName is the file name Terraform looks for in a dev_overrides folder.
const ProviderBinaryName = "terraform-provider-dts"

// emulatorPackage is the standalone emulator's main package, relative to the repository root.
const emulatorPackage = "./internal/dtsmock/cmd/dtsmock"

// RepoRoot returns the root of this repository: the nearest folder, from the working directory
// upwards, whose go.mod declares ModulePath.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("reading the working directory: %w", err)
	}
	return findRoot(wd)
}

func findRoot(start string) (string, error) {
	dir := start
	for {
		ok, err := declaresModule(filepath.Join(dir, "go.mod"))
		if err != nil {
			return "", err
		}
		if ok {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod declaring %s in %s or above: run this from the repository", ModulePath, start)
		}
		dir = parent
	}
}

// declaresModule reports whether the go.mod at path exists and declares ModulePath.
func declaresModule(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("opening %s: %w", path, err)
	}
	found := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 && fields[0] == "module" && strings.Trim(fields[1], `"`) == ModulePath {
			found = true
			break
		}
	}
	if err := sc.Err(); err != nil {
		return false, errors.Join(fmt.Errorf("reading %s: %w", path, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("closing %s: %w", path, err)
	}
	return found, nil
}

// BuildProvider builds the provider from the repository at root into dir and returns the
// binary's path. A non-empty version is stamped into main.version.
func BuildProvider(ctx context.Context, root, dir, version string) (string, error) {
	out := filepath.Join(dir, ProviderBinaryName)
	args := []string{"build", "-o", out}
	if version != "" {
		args = append(args, "-ldflags", "-X main.version="+version)
	}
	args = append(args, ".")
	if err := goCommand(ctx, root, args...); err != nil {
		return "", fmt.Errorf("building the provider: %w", err)
	}
	return out, nil
}

// BuildEmulator builds the standalone emulator from the repository at root into dir and returns
// the binary's path. A built binary, unlike `go run`, receives SIGTERM itself.
func BuildEmulator(ctx context.Context, root, dir string) (string, error) {
	out := filepath.Join(dir, "dtsmock")
	if err := goCommand(ctx, root, "build", "-o", out, emulatorPackage); err != nil {
		return "", fmt.Errorf("building the emulator: %w", err)
	}
	return out, nil
}

func goCommand(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}
