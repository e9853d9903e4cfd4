//go:build unix

package devenv

import "syscall"

// ownProcessGroup puts a child in its own process group, so that Ctrl-C in the terminal reaches
// only the calling program, which then interrupts terraform exactly once (a second interrupt
// makes terraform quit without saving its state) and stops the emulator itself; a kept emulator
// also survives later interrupts.
func ownProcessGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
