package devenv

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseListeningLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line, want string
		ok         bool
	}{
		{"dtsmock listening on http://127.0.0.1:40123", "http://127.0.0.1:40123", true},
		{"dtsmock listening on http://[::1]:8088", "http://[::1]:8088", true},
		{"dtsmock listening on https://127.0.0.1:1", "", false},
		{"dtsmock listening on http://127.0.0.1", "", false},
		{"dtsmock listening on http://127.0.0.1:0", "", false},
		{"dtsmock listening on http://127.0.0.1:1/x", "", false},
		{"listening on http://127.0.0.1:1", "", false},
		{"", "", false},
	} {
		got, err := ParseListeningLine(tc.line)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseListeningLine(%q) = %q, %v; want %q, ok %t", tc.line, got, err, tc.want, tc.ok)
		}
	}
}

func TestCLIConfig(t *testing.T) {
	t.Parallel()
	got, err := CLIConfig(`/tmp/a "b"\c`)
	if err != nil {
		t.Fatal(err)
	}
	want := `provider_installation {
  dev_overrides {
    "registry.terraform.io/opendts/dts" = "/tmp/a \"b\"\\c"
    "registry.opentofu.org/opendts/dts" = "/tmp/a \"b\"\\c"
  }
  direct {}
}
`
	if got != want {
		t.Errorf("CLIConfig =\n%s\nwant\n%s", got, want)
	}
	if _, err := CLIConfig("/tmp/a\nb"); err == nil {
		t.Error("CLIConfig accepted a path with a newline")
	}
}

func TestCommandNoColor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		noColor bool
		args    []string
		want    []string
	}{
		{false, []string{"apply", "-auto-approve"}, []string{"tofu", "-chdir=/w", "apply", "-auto-approve"}},
		{true, []string{"apply", "-auto-approve"}, []string{"tofu", "-chdir=/w", "apply", "-no-color", "-auto-approve"}},
		{true, []string{"output"}, []string{"tofu", "-chdir=/w", "output", "-no-color"}},
		{true, nil, []string{"tofu", "-chdir=/w"}},
	} {
		cmd := Terraform{Binary: "tofu", NoColor: tc.noColor}.Command(t.Context(), "/w", tc.args...)
		if !slices.Equal(cmd.Args, tc.want) {
			t.Errorf("NoColor %t, %q: runs %q, want %q", tc.noColor, tc.args, cmd.Args, tc.want)
		}
	}
}

func TestExportLines(t *testing.T) {
	t.Parallel()
	got := ExportLines([][2]string{{"A", "/tmp/x.tfrc"}, {"B", "it's here"}, {"C", ""}})
	want := []string{"export A=/tmp/x.tfrc", `export B='it'\''s here'`, "export C=''"}
	if !slices.Equal(got, want) {
		t.Errorf("ExportLines = %q, want %q", got, want)
	}
}

func TestMergeEnv(t *testing.T) {
	t.Parallel()
	base := []string{
		"PATH=/bin",
		"TF_LOG=info",
		"TENCENTCLOUD_SECRET_ID=AKIDreal",
		"TENCENTCLOUD_SECURITY_TOKEN=token",
		"TF_CLI_CONFIG_FILE=/home/me/.terraformrc",
	}
	tf := Terraform{CLIConfig: "/tmp/x.tfrc", Endpoint: "http://127.0.0.1:1"}
	got := mergeEnv(base, tf.ProviderEnv())
	for _, want := range []string{
		"PATH=/bin",
		"TF_LOG=info",
		"TF_CLI_CONFIG_FILE=/tmp/x.tfrc",
		"CHECKPOINT_DISABLE=1",
		"TENCENTCLOUD_SECRET_ID=AKIDdtsmockEXAMPLE",
		"TENCENTCLOUD_SECRET_KEY=dtsmockSecretKeyEXAMPLE",
		"TENCENTCLOUD_REGION=ap-guangzhou",
		"TENCENTCLOUD_DTS_ENDPOINT=http://127.0.0.1:1",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("environment lacks %s: %q", want, got)
		}
	}
	for _, gone := range []string{"TENCENTCLOUD_SECRET_ID=AKIDreal", "TENCENTCLOUD_SECURITY_TOKEN=token", "TF_CLI_CONFIG_FILE=/home/me/.terraformrc"} {
		if slices.Contains(got, gone) {
			t.Errorf("environment keeps the caller's %s", gone)
		}
	}
}

func TestReadJournal(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	lines := `{"time":"2026-01-02T03:04:05Z","action":"CreateMigrateJob","sign_method":"TC3-HMAC-SHA256","http_method":"POST","job_id":"dts-1","error_code":""}
{"time":"2026-01-02T03:04:06Z","action":"DescribeMigrateJobs","sign_method":"TC3-HMAC-SHA256","http_method":"POST","job_id":"dts-1","error_code":"RequestLimitExceeded"}

{"time":"2026-01-02T03:04:07Z","action":"DescribeMigrateJobs","sign_method":"TC3-HMAC-SHA256","http_method":"POST","job_id":"dts-1","error_code":""}
`
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].JobID != "dts-1" || entries[0].Action != "CreateMigrateJob" {
		t.Fatalf("ReadJournal = %+v", entries)
	}
	if got := CountByAction(entries); got["DescribeMigrateJobs"] != 2 || got["CreateMigrateJob"] != 1 {
		t.Errorf("CountByAction = %v", got)
	}
	if got := CountErrors(entries, "RequestLimitExceeded"); got != 1 {
		t.Errorf("CountErrors = %d, want 1", got)
	}
	if err := os.WriteFile(path, []byte("{not json}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJournal(path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("ReadJournal of a bad line: %v, want an error naming line 1", err)
	}
}

func TestParsePlanChanges(t *testing.T) {
	t.Parallel()
	plan := `{
  "resource_changes": [
    {"address": "dts_migrate_job.a", "change": {"actions": ["no-op"]}},
    {"address": "dts_migrate_job.b", "change": {"actions": ["update"]}},
    {"address": "data.dts_migrate_jobs.all", "change": {"actions": ["read"]}}
  ],
  "output_changes": {
    "lag": {"actions": ["update"]},
    "id": {"actions": ["no-op"]}
  }
}`
	pc, err := ParsePlanChanges([]byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pc.Resources, []string{"dts_migrate_job.b (update)"}) || !slices.Equal(pc.Outputs, []string{"lag (update)"}) {
		t.Errorf("ParsePlanChanges = %+v", pc)
	}
	if _, err := ParsePlanChanges([]byte("nope")); err == nil {
		t.Error("ParsePlanChanges accepted text that is not JSON")
	}
}

func TestFindRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+ModulePath+"\n\ngo 1.26\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	nested := filepath.Join(root, "internal", "x")
	if err := os.MkdirAll(nested, 0o700); err != nil {
		t.Fatal(err)
	}
	// A go.mod of another module on the way up is passed over.
	if err := os.WriteFile(filepath.Join(root, "internal", "go.mod"), []byte("module example.com/other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := findRoot(nested)
	if err != nil {
		t.Fatal(err)
	}
	if got != root {
		t.Errorf("findRoot = %s, want %s", got, root)
	}
}

func TestCopyConfig(t *testing.T) {
	t.Parallel()
	src, dst := t.TempDir(), t.TempDir()
	for _, name := range []string{"main.tf", "outputs.tf", "x.tfvars", "terraform.tfstate", ".terraform.lock.hcl", "README.md"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(src, ".terraform"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := CopyConfig(src, dst); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if want := []string{"main.tf", "outputs.tf", "x.tfvars"}; !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	if err := CopyConfig(t.TempDir(), dst); err == nil {
		t.Error("CopyConfig of a folder without configuration succeeded")
	}
}

// TestEmulatorLifecycle builds the standalone emulator, starts it on a free port, makes one
// request, and stops it; the request must be in the journal.
func TestEmulatorLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the emulator")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin, err := BuildEmulator(ctx, root, dir)
	if err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(dir, "journal.jsonl")
	emu, err := StartEmulator(ctx, EmulatorConfig{Binary: bin, Phase: time.Second, Journal: journal})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			if err := emu.Stop(); err != nil {
				t.Error(err)
			}
		}
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, emu.Endpoint, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-TC-Action", "DescribeMigrateJobs")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the emulator at %s does not answer: %v", emu.Endpoint, err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if err := emu.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := emu.Stop(); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
	entries, err := ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the journal holds %d entries, want 1: %+v", len(entries), entries)
	}
}

// TestStartEmulatorFails checks that an emulator that exits at once is reported, not waited on.
func TestStartEmulatorFails(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false command on PATH")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err = StartEmulator(ctx, EmulatorConfig{Binary: bin})
	if err == nil || !strings.Contains(err.Error(), "listening line") {
		t.Errorf("StartEmulator of false: %v, want an error about the listening line", err)
	}
}

func TestCLIName(t *testing.T) {
	for path, want := range map[string]string{
		"/usr/bin/terraform":      "terraform",
		"/work/bin/tofu-1.12.6":   "tofu",
		"tofu":                    "tofu",
		"/opt/tofu/bin/terraform": "terraform",
	} {
		if got := CLIName(path); got != want {
			t.Errorf("CLIName(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestSessionUndoesLastFirst: a session ends by undoing what it was asked to, the latest first
// (the live demo destroys its job before the emulator stops, and stops the emulator before its
// servers), and every undo runs although an earlier one failed.
func TestSessionUndoesLastFirst(t *testing.T) {
	t.Parallel()
	var order []string
	s := &Session{}
	for _, name := range []string{"servers", "emulator", "job"} {
		s.Defer(func() error {
			order = append(order, name)
			if name == "job" {
				return errors.New("destroy failed")
			}
			return nil
		})
	}
	err := s.close()
	if want := []string{"job", "emulator", "servers"}; !slices.Equal(order, want) {
		t.Errorf("undone in the order %v, want %v", order, want)
	}
	if err == nil || !strings.Contains(err.Error(), "destroy failed") {
		t.Errorf("close() = %v, want the failed undo's error", err)
	}
}
