package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusedAtStartUp runs the command with inputs it must refuse and checks that it exits
// with status 1 before listening, with one message that names the problem and carries the
// program's prefix once.
func TestRefusedAtStartUp(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(typo, []byte(`[{"action":"DescribeMigrateJobs","kind":"error","code":"InternalError"},{"action":"StartMigrateJob","kind":"error","code":"InternalError","probabilty":0.05}]`), 0o600); err != nil { //nolint:misspell // the misspelt field is what the test feeds
		t.Fatal(err)
	}
	unknownAction := filepath.Join(dir, "action.json")
	if err := os.WriteFile(unknownAction, []byte(`[{"action":"StartMigrateJobs","kind":"drop_connection"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	dup := filepath.Join(dir, "dup.json")
	if err := os.WriteFile(dup, []byte(`{"version":99,"seq":0,"jobs":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"-state", filepath.Join(dir, "nodir", "state.json")}, []string{"nodir", "no such file or directory"}},
		{[]string{"-max-idle-jobs", "-5"}, []string{"idle jobs", "-5"}},
		{[]string{"-faults", typo}, []string{"fault rule 1", `"probabilty"`, "unknown field"}}, //nolint:misspell // the misspelt field is what the test feeds
		{[]string{"-faults", unknownAction}, []string{"fault rule 0", `"action"`, "StartMigrateJobs"}},
		{[]string{"-state", dup}, []string{"version 99"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "DTSMOCK_TEST_RUN_MAIN=1", "DTSMOCK_TEST_ARGS="+strings.Join(append([]string{"-addr", "127.0.0.1:0"}, tc.args...), " "))
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit %v, want status 1; stderr: %s", err, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q", stdout.String())
			}
			msg := stderr.String()
			if !strings.HasPrefix(msg, "dtsmock: ") || strings.Count(msg, "dtsmock:") != 1 || strings.Count(msg, "\n") != 1 {
				t.Errorf("stderr %q: want one line with the prefix once", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr %q lacks %q", msg, w)
				}
			}
		})
	}
}
