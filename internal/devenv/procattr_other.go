//go:build !unix

package devenv

import "syscall"

// ownProcessGroup leaves the child in the caller's process group where Unix process groups do
// not exist.
func ownProcessGroup() *syscall.SysProcAttr {
	return nil
}
