//go:build !unix

package main

import (
	"fmt"
	"os"
	"os/exec"
)

// execEmulator runs the emulator in the foreground where a process cannot replace itself; the
// console delivers Ctrl-C to both.
func execEmulator(argv []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running the emulator: %w", err)
	}
	return nil
}
