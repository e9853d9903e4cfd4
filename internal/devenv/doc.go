// Package devenv runs the provider the way a user would, against the standalone emulator: it
// builds the provider and the emulator into temporary folders, starts and stops the emulator,
// writes a dev_overrides CLI configuration and runs terraform with the environment that points
// the provider at the emulator. The demos (internal/demo, internal/demolive, which run as a
// Session) and the benchmark (internal/bench) share it.
package devenv
