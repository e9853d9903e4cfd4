//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// execEmulator replaces this process with the emulator, which keeps its PID, its stdio and its
// place among make's children.
func execEmulator(argv []string) error {
	if err := syscall.Exec(argv[0], argv, os.Environ()); err != nil {
		return fmt.Errorf("running the emulator: %w", err)
	}
	return nil
}
