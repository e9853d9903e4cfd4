package provider

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// examplesDir is the examples folder, seen from this package.
const examplesDir = "../../examples"

// exampleImportFile and exampleImportID are the import block example and the placeholder job ID
// it names; the test swaps in the ID of a job that exists.
const (
	exampleImportFile = "resources/dts_migrate_job/import-by-string-id.tf"
	exampleImportID   = "dts-1a2b3c4d"
)

// exampleVariables are the values of the variables the examples may declare. An example that
// declares any other variable fails the test, so that it can never be applied with a value
// missing.
var exampleVariables = map[string]string{
	"source_password":      "src-example-secret",
	"destination_password": "dst-example-secret",
}

// exampleSeededVariables are the variables whose values a seed in exampleSeeds gives: the IDs
// of jobs it makes in the emulator.
var exampleSeededVariables = []string{"job_id"}

// exampleSeeds make what a data-source example reads (jobs in the emulator), give its seeded
// variables their values and add the checks of what it should read to its step.
var exampleSeeds = map[string]func(t *testing.T, mock *dtsmock.TestServer, step *resource.TestStep){
	"data-sources/dts_migrate_check/data-source.tf": func(t *testing.T, mock *dtsmock.TestServer, step *resource.TestStep) {
		id := seedExampleJob(t, mock, dtsmock.Job{JobName: "inventory-dry-run", Status: dtsapi.StatusCheckPass})
		step.ConfigVariables["job_id"] = config.StringVariable(id)
		step.ConfigStateChecks = []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("check_passed", knownvalue.Bool(true)),
		}
	},
	"data-sources/dts_migrate_jobs/data-source.tf": func(t *testing.T, mock *dtsmock.TestServer, step *resource.TestStep) {
		at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		job := func(name, env string, status int, age time.Duration) string {
			return seedExampleJob(t, mock, dtsmock.Job{JobName: name, Status: status, Tags: map[string]string{"env": env}, CreateTime: at.Add(-age)})
		}
		older := job("reports-staging", "staging", dtsapi.StatusSuccess, 2*time.Hour)
		newer := job("reports-prod", "prod", dtsapi.StatusSuccess, time.Hour)
		job("reports-dev", "dev", dtsapi.StatusSuccess, 0)
		job("reports-staging-failed", "staging", dtsapi.StatusFailed, 0)
		step.ConfigStateChecks = []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("staging_job_ids", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact(newer), knownvalue.StringExact(older),
			})),
		}
	},
}

// seedExampleJob puts a MySQL job like the examples' into the emulator, with j's name, status,
// tags and creation time.
func seedExampleJob(t *testing.T, mock *dtsmock.TestServer, j dtsmock.Job) string {
	t.Helper()
	j.MigrateType, j.ConsistencyType = dtsapi.MigrateTypeFull, dtsapi.ConsistencyTypeNone
	j.SrcDatabaseType, j.SrcAccessType, j.SrcIP, j.SrcPort, j.SrcUser = "mysql", "extranet", "10.0.0.5", 3306, "migrator"
	j.DstDatabaseType, j.DstAccessType, j.DstInstanceID, j.DstRegion = "mysql", "cdb", "cdb-a1b2c3d4", "ap-guangzhou"
	id, err := mock.SeedJob(j)
	if err != nil {
		t.Fatalf("seeding job %s: %v", j.JobName, err)
	}
	return id
}

// passwordsFile declares the password variables that the examples and guides read; the docs
// show it once rather than in every example.
const passwordsFile = "passwords.tf"

// readConfig reads an example configuration, relative to examplesDir, with the declarations of
// passwordsFile added when it reads those variables without declaring them, as a reader who
// follows the docs has them.
func readConfig(t *testing.T, rel string) string {
	t.Helper()
	hcl := readExample(t, rel)
	passwords := readExample(t, passwordsFile)
	declared := map[string]bool{}
	for _, m := range variableDecl.FindAllStringSubmatch(hcl, -1) {
		declared[m[1]] = true
	}
	for _, m := range variableDecl.FindAllStringSubmatch(passwords, -1) {
		if !declared[m[1]] && regexp.MustCompile(`\bvar\.`+m[1]+`\b`).MatchString(hcl) {
			return hcl + "\n" + passwords
		}
	}
	return hcl
}

var variableDecl = regexp.MustCompile(`(?m)^variable\s+"([^"]+)"`)

// TestAccExamples applies every configuration under examples/resources and
// examples/data-sources, each against an emulator of its own, so that the documented examples
// cannot rot. The import block example is applied on top of resource.tf, importing a job
// created outside Terraform.
func TestAccExamples(t *testing.T) {
	t.Parallel()
	files := append(exampleFiles(t, "resources", ".tf"), exampleFiles(t, "data-sources", ".tf")...)
	slices.Sort(files)
	if !slices.Contains(files, exampleImportFile) {
		t.Fatalf("%s is missing: the import test would silently test nothing", exampleImportFile)
	}

	for _, file := range files {
		// resource.ParallelTest makes each subtest parallel.
		t.Run(file, func(t *testing.T) {
			if file == exampleImportFile {
				testExampleImport(t)
				return
			}
			env := newAccEnv(t)
			step := resource.TestStep{Config: readConfig(t, file), ConfigVariables: config.Variables{}}
			seed, seeded := exampleSeeds[file]
			if seeded {
				seed(t, env.needMock(t), &step)
			}
			c := exampleCase(t, env, step)
			if seeded {
				// The example reads the seeded jobs and manages none: they outlive its destroy.
				c.CheckDestroy = nil
			}
			resource.ParallelTest(t, c)
		})
	}
}

// testExampleImport applies resource.tf together with the import block, whose placeholder ID
// is replaced by the ID of a job seeded into the emulator: Terraform imports the job and then
// brings it to what resource.tf describes.
func testExampleImport(t *testing.T) {
	importBlock := readExample(t, exampleImportFile)
	if !strings.Contains(importBlock, fmt.Sprintf("%q", exampleImportID)) {
		t.Fatalf("%s no longer names the placeholder job ID %q; update this test", exampleImportFile, exampleImportID)
	}
	hcl := readConfig(t, "resources/dts_migrate_job/resource.tf")
	env := newAccEnv(t)
	mock := env.needMock(t)
	jobID, err := mock.SeedJob(dtsmock.Job{
		JobName:         "orders-to-cdb",
		MigrateType:     2,
		SrcDatabaseType: "mysql",
		SrcAccessType:   "extranet",
		SrcIP:           "10.0.0.5",
		SrcPort:         3306,
		DstDatabaseType: "mysql",
		DstAccessType:   "cdb",
		DstInstanceID:   "cdb-a1b2c3d4",
		DstRegion:       "ap-guangzhou",
		Tags:            map[string]string{"team": "data-platform"},
	})
	if err != nil {
		t.Fatalf("seeding the job to import: %v", err)
	}
	hcl += "\n" + strings.ReplaceAll(importBlock, exampleImportID, jobID)
	resource.ParallelTest(t, exampleCase(t, env, resource.TestStep{
		Config: hcl,
		Check:  resource.TestCheckResourceAttr("dts_migrate_job.example", "id", jobID),
	}))
}

// exampleCase is env's test case (testCase) of steps whose Config holds an example's HCL: each
// gets env's provider configuration and a value for each variable the example declares (beside
// any it has already).
func exampleCase(t *testing.T, env *accEnv, steps ...resource.TestStep) resource.TestCase {
	t.Helper()
	for i := range steps {
		vars := exampleVars(t, steps[i].Config)
		maps.Copy(vars, steps[i].ConfigVariables)
		steps[i].Config, steps[i].ConfigVariables = env.config(steps[i].Config), vars
	}
	return env.testCase(steps)
}

// exampleFiles lists the files under examplesDir/dir whose names end in one of exts, relative
// to examplesDir with forward slashes.
func exampleFiles(t *testing.T, dir string, exts ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(examplesDir, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !slices.ContainsFunc(exts, func(ext string) bool { return strings.HasSuffix(p, ext) }) {
			return err
		}
		rel, err := filepath.Rel(examplesDir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatalf("listing examples/%s: %v", dir, err)
	}
	return files
}

// readExample reads an example file, relative to examplesDir.
func readExample(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("reading example %s: %v", rel, err)
	}
	return string(b)
}

// exampleVars gives a value to each variable the configuration declares.
func exampleVars(t *testing.T, hcl string) config.Variables {
	t.Helper()
	vars := config.Variables{}
	for _, m := range variableDecl.FindAllStringSubmatch(hcl, -1) {
		if v, ok := exampleVariables[m[1]]; ok {
			vars[m[1]] = config.StringVariable(v)
		} else if !slices.Contains(exampleSeededVariables, m[1]) {
			t.Fatalf("the example declares variable %q, which TestAccExamples has no value for: add it to exampleVariables", m[1])
		}
	}
	return vars
}
