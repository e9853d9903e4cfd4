package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// guidesDir holds the snippets of docs/guides, under examplesDir, one folder a guide.
const guidesDir = "guides"

// guideJob is the job of the snippets that more than one step of a walk-through applies.
const guideJob = "dts_migrate_job.orders"

// guideSync is the live migration that the cutting-over, importing and protecting guides follow;
// guideFullMigration, the resource page's first example, is the job of the recovering and
// troubleshooting guides.
const (
	guideSync          = "guides/cutting-over/sync.tf"
	guideFullMigration = "resources/dts_migrate_job/resource.tf"
)

// guideCase applies snippets of a guide the way the guide walks through them.
type guideCase struct {
	// files are the snippets the case applies, relative to examplesDir.
	files []string
	run   func(t *testing.T)
}

// guideCases are the guides' walk-throughs. Every snippet under examples/guides must be
// applied by at least one of them, so that no snippet in a guide goes untested; a guide may also
// show an example from elsewhere under examples. A .diff snippet is a change a guide shows to
// the configuration before it; the case applies the changed file (guideDiff).
var guideCases = map[string]guideCase{
	"cutting-over": {
		files: []string{guideSync, "guides/cutting-over/cut-over.diff"},
		run:   testGuideCutOver,
	},
	"importing/by-id": {
		files: []string{"guides/importing/by-id.tf", guideSync},
		run:   func(t *testing.T) { testGuideImport(t, "guides/importing/by-id.tf", false) },
	},
	"importing/by-identity": {
		files: []string{"guides/importing/by-identity.tf", guideSync},
		run:   func(t *testing.T) { testGuideImport(t, "guides/importing/by-identity.tf", true) },
	},
	"recovering/timeout": {
		files: []string{guideFullMigration},
		run:   testGuideTimeout,
	},
	"protecting": {
		files: []string{guideSync, "guides/protecting/protect.diff", "guides/protecting/let-go.diff"},
		run:   testGuideProtecting,
	},
	"troubleshooting/failing-check": {
		files: []string{guideFullMigration, "guides/troubleshooting/failing-check.diff"},
		run:   testGuideFailingCheck,
	},
}

// TestAccGuides applies the HCL snippets of docs/guides against the emulator, each walk-through
// in an emulator of its own, and checks what the guides say happens.
func TestAccGuides(t *testing.T) {
	t.Parallel()
	files := exampleFiles(t, guidesDir, ".tf", ".diff")
	covered := map[string]bool{}
	for name, c := range guideCases {
		for _, f := range c.files {
			if _, err := os.Stat(filepath.Join(examplesDir, filepath.FromSlash(f))); err != nil {
				t.Fatalf("guide case %s names examples/%s: %v", name, f, err)
			}
			covered[f] = true
		}
	}
	for _, f := range files {
		if !covered[f] {
			t.Errorf("examples/%s is applied by no guide case: add it to guideCases", f)
		}
	}
	if t.Failed() {
		return
	}
	names := make([]string, 0, len(guideCases))
	for name := range guideCases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		// resource.ParallelTest makes each subtest parallel.
		t.Run(name, guideCases[name].run)
	}
}

// guideStatus expects guideJob in status.
func guideStatus(status string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(guideJob, tfjsonpath.New("status"), knownvalue.StringExact(status))
}

// guideUpdateInPlace expects the plan to update guideJob in place.
func guideUpdateInPlace() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(guideJob, plancheck.ResourceActionUpdate),
	}}
}

// guideMutations checks the successful mutating calls the emulator saw for guideJob, in order;
// against the real service it checks nothing.
func guideMutations(env *accEnv, want ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if env.mock == nil {
			return nil
		}
		rs, ok := s.RootModule().Resources[guideJob]
		if !ok {
			return fmt.Errorf("%s not in state", guideJob)
		}
		if got := env.mutations(rs.Primary.ID); !slices.Equal(got, want) {
			return fmt.Errorf("mutations of %s: %v, want %v", rs.Primary.ID, got, want)
		}
		return nil
	}
}

// guideDiff applies the snippet rel, a diff a guide shows, to the configuration hcl. Each hunk
// (after an "@@" line) must match hcl exactly once: its context (" ") and removed ("-") lines
// are replaced by its context and added ("+") lines. "---" and "+++" lines name the files.
func guideDiff(t *testing.T, hcl, rel string) string {
	t.Helper()
	var hunks [][2][]string
	for line := range strings.Lines(readExample(t, rel)) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
		case strings.HasPrefix(line, "@@"):
			hunks = append(hunks, [2][]string{})
		case len(hunks) == 0:
			t.Fatalf("%s: a change before the first @@ line: %q", rel, line)
		case strings.HasPrefix(line, " "), strings.HasPrefix(line, "-"), strings.HasPrefix(line, "+"):
			h := &hunks[len(hunks)-1]
			if line[0] != '+' {
				h[0] = append(h[0], line[1:])
			}
			if line[0] != '-' {
				h[1] = append(h[1], line[1:])
			}
		default:
			t.Fatalf("%s: a line that is not part of a diff: %q", rel, line)
		}
	}
	if len(hunks) == 0 {
		t.Fatalf("%s changes nothing", rel)
	}
	for i, h := range hunks {
		before, after := strings.Join(h[0], "\n")+"\n", strings.Join(h[1], "\n")+"\n"
		if n := strings.Count(hcl, before); n != 1 {
			t.Fatalf("%s: hunk %d matches the configuration %d times, want once:\n%s", rel, i+1, n, before)
		}
		hcl = strings.Replace(hcl, before, after, 1)
	}
	return hcl
}

// onlyJob returns the emulator's one job.
func onlyJob(t *testing.T, mock *dtsmock.TestServer) dtsmock.Job {
	t.Helper()
	jobs := mock.Jobs()
	if len(jobs) != 1 {
		t.Fatalf("the emulator has %d jobs, want 1", len(jobs))
	}
	return jobs[0]
}

// testGuideCutOver: sync.tf waits for ready_complete; cut-over.diff, its one change, is an
// in-place update that completes the job without stopping it. The plan after each apply is
// empty, outputs included: the snippets' outputs do not change with the lag.
func testGuideCutOver(t *testing.T) {
	sync := readConfig(t, guideSync)
	cutOver := guideDiff(t, sync, "guides/cutting-over/cut-over.diff")
	env := newAccEnv(t)
	resource.ParallelTest(t, exampleCase(t, env,
		resource.TestStep{
			Config: sync,
			ConfigStateChecks: []statecheck.StateCheck{
				guideStatus("ready_complete"),
				statecheck.ExpectKnownOutputValue("in_sync", knownvalue.Bool(true)),
			},
		},
		resource.TestStep{
			Config:           cutOver,
			ConfigPlanChecks: guideUpdateInPlace(),
			ConfigStateChecks: []statecheck.StateCheck{
				guideStatus("success"),
				statecheck.ExpectKnownOutputValue("in_sync", knownvalue.Bool(false)),
			},
			Check: guideMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob", "CompleteMigrateJob"),
		},
	))
}

// testGuideImport imports a syncing job made outside Terraform with the snippet's import
// block (its placeholder ID swapped for the job's) and applies the hand-edited configuration:
// the apply records the passwords' versions and sends nothing, so the migration goes on
// untouched.
func testGuideImport(t *testing.T, file string, byIdentity bool) {
	hcl := readExample(t, file) + "\n" + readConfig(t, guideSync)
	if !strings.Contains(hcl, fmt.Sprintf("%q", exampleImportID)) {
		t.Fatalf("%s no longer names the placeholder job ID %q; update this test", file, exampleImportID)
	}
	var versionChecks []tfversion.TerraformVersionCheck
	if byIdentity {
		// An import block with identity needs Terraform or OpenTofu 1.12: Terraform 1.11.4, which
		// make test runs, refuses the block, so the test skips there and make test-opentofu
		// (OpenTofu 1.12.6) runs it.
		versionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}
	}
	env := newAccEnv(t)
	mock := env.needMock(t)
	jobID, err := mock.SeedJob(dtsmock.Job{
		JobName:         "orders-to-cdb",
		Status:          dtsapi.StatusReadyComplete,
		MigrateType:     dtsapi.MigrateTypeFullAndIncremental,
		MigrateObject:   dtsapi.MigrateObjectDatabases,
		DatabaseInfo:    `[{"Database":"orders"}]`,
		ConsistencyType: dtsapi.ConsistencyTypeNone,
		SrcDatabaseType: "mysql",
		SrcAccessType:   "extranet",
		SrcIP:           "10.0.0.5",
		SrcPort:         3306,
		SrcUser:         "migrator",
		SrcPassword:     "src-example-secret",
		DstDatabaseType: "mysql",
		DstAccessType:   "cdb",
		DstInstanceID:   "cdb-a1b2c3d4",
		DstRegion:       "ap-guangzhou",
		DstUser:         "root",
		DstPassword:     "dst-example-secret",
	})
	if err != nil {
		t.Fatalf("seeding the job to import: %v", err)
	}
	cfg := strings.ReplaceAll(hcl, exampleImportID, jobID)
	c := exampleCase(t, env,
		resource.TestStep{
			Config:           cfg,
			ConfigPlanChecks: guideUpdateInPlace(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(guideJob, tfjsonpath.New("id"), knownvalue.StringExact(jobID)),
				guideStatus("ready_complete"),
			},
			Check: guideMutations(env),
		},
		resource.TestStep{
			// The job is cut over outside Terraform, so that the destroy that ends the test
			// gets past the deletion guard the snippet rightly keeps on.
			PreConfig: func() {
				if err := mock.SetJobStatus(jobID, dtsapi.StatusSuccess); err != nil {
					t.Fatal(err)
				}
			},
			Config:            cfg,
			ConfigStateChecks: []statecheck.StateCheck{guideStatus("success")},
			Check:             guideMutations(env),
		},
	)
	c.TerraformVersionChecks = versionChecks
	resource.ParallelTest(t, c)
}

// testGuideTimeout walks through the recovering guide: a create that times out on a healthy
// job fails and says to untaint; the next apply of the snippet, a replacement of the tainted
// job, stops at the deletion guard without a single mutating call; once the migration has
// finished on its own, the job moves nothing and a destroy deletes it.
func testGuideTimeout(t *testing.T) {
	hcl := readConfig(t, guideFullMigration)
	short := strings.Replace(hcl, `create = "3h"`, `create = "2s"`, 1)
	if short == hcl {
		t.Fatalf(`%s no longer sets create = "3h"; update this test`, guideFullMigration)
	}
	clock := &shiftClock{}
	env := newAccEnv(t, dtsmock.WithClock(clock), dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, 100*time.Second))
	mock := env.needMock(t)
	var jobID string
	journalAt := 0
	resource.ParallelTest(t, exampleCase(t, env,
		resource.TestStep{
			Config:      short,
			ExpectError: regexpWords(`timed out .* waiting for status success.* The job is healthy and still running.* terraform untaint`),
		},
		resource.TestStep{
			PreConfig: func() {
				jobID, journalAt = onlyJob(t, mock).JobID, len(mock.Journal())
			},
			Config:      hcl,
			ExpectError: regexpWords(`DTS Migrate Job Is Protected.* is running.* terraform untaint.* deletion_protection = false`),
		},
		resource.TestStep{
			PreConfig: func() {
				if got := actionsSince(mock, journalAt); len(got) != 0 {
					t.Fatalf("the guarded apply called %v, want no mutating call", got)
				}
				if st, ok := mock.JobStatus(jobID); !ok || st != dtsapi.StatusRunning {
					t.Fatalf("the guarded job is in status %d (exists %t), want still running", st, ok)
				}
				clock.shift(200 * time.Second)
				if st, _ := mock.JobStatus(jobID); st != dtsapi.StatusSuccess {
					t.Fatalf("the job is in status %d once its migration has had time to end, want success", st)
				}
			},
			Config:  hcl,
			Destroy: true,
		},
	))
}

// testGuideProtecting: prevent_destroy, which protect.diff adds to sync.tf, refuses a destroy
// before the provider is asked; let-go.diff is an in-place update that calls nothing; after it, the destroy stops and
// deletes the syncing job.
func testGuideProtecting(t *testing.T) {
	protected := guideDiff(t, readConfig(t, guideSync), "guides/protecting/protect.diff")
	letGo := guideDiff(t, protected, "guides/protecting/let-go.diff")
	env := newAccEnv(t)
	resource.ParallelTest(t, exampleCase(t, env,
		resource.TestStep{
			Config:            protected,
			ConfigStateChecks: []statecheck.StateCheck{guideStatus("ready_complete")},
		},
		resource.TestStep{
			Config:      protected,
			Destroy:     true,
			ExpectError: regexpWords(`prevent_destroy`),
		},
		resource.TestStep{
			Config:           letGo,
			ConfigPlanChecks: guideUpdateInPlace(),
			ConfigStateChecks: []statecheck.StateCheck{
				guideStatus("ready_complete"),
				statecheck.ExpectKnownValue(guideJob, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
			},
			Check: guideMutations(env, "CreateMigrateJob", "CreateMigrateCheckJob", "StartMigrateJob"),
		},
	))
}

// testGuideFailingCheck: the emulator fails the check of the full migration once
// failing-check.diff has moved its source out of reach; apply fails with the check's message
// and the destroy deletes the job it left.
func testGuideFailingCheck(t *testing.T) {
	hcl := guideDiff(t, readConfig(t, guideFullMigration), "guides/troubleshooting/failing-check.diff")
	env := newAccEnv(t)
	env.needMock(t)
	resource.ParallelTest(t, exampleCase(t, env, resource.TestStep{
		Config:      hcl,
		ExpectError: regexpWords(`the migration check did not pass: .* the job is tainted and will be replaced`),
	}))
}
