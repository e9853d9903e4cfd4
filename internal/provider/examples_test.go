package provider

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
			hcl := readExample(t, file)
			env := newAccEnv(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories,
				CheckDestroy:             checkDestroyed(env),
				Steps: []resource.TestStep{{
					Config:          env.config(hcl),
					ConfigVariables: exampleVars(t, hcl),
				}},
			})
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
	hcl := readExample(t, "resources/dts_migrate_job/resource.tf")
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
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             checkDestroyed(env),
		Steps: []resource.TestStep{{
			Config:          env.config(hcl),
			ConfigVariables: exampleVars(t, hcl),
			Check:           resource.TestCheckResourceAttr("dts_migrate_job.example", "id", jobID),
		}},
	})
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
		v, ok := exampleVariables[m[1]]
		if !ok {
			t.Fatalf("the example declares variable %q, which TestAccExamples has no value for: add it to exampleVariables", m[1])
		}
		vars[m[1]] = config.StringVariable(v)
	}
	return vars
}
