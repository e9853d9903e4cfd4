//go:build !unix

package dtsmock

// openFileLimit reports that the limit of open files is unknown on this platform.
func openFileLimit() (int, bool) { return 0, false }
