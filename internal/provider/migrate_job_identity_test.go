package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// TestAccMigrateJob_importByIdentity imports a job through an import block that names its
// identity (job_id, region). Resource identity needs Terraform 1.12 or OpenTofu 1.12: below
// that the test skips, saying so; make test-opentofu runs it on OpenTofu 1.12.6.
func TestAccMigrateJob_importByIdentity(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.identityTest(t, importBlockSteps(env, `  migrate_type = "full"`, resource.ImportBlockWithResourceIdentity,
		statusIs("running"),
		statecheck.ExpectIdentity(jobResource, map[string]knownvalue.Check{
			"job_id": knownvalue.StringRegexp(regexp.MustCompile(`^dts-[a-z0-9]{8}$`)),
			"region": knownvalue.StringExact("ap-guangzhou"),
		}),
		statecheck.ExpectIdentityValueMatchesStateAtPath(jobResource, tfjsonpath.New("job_id"), tfjsonpath.New("id")),
	))
}

// TestAccMigrateJob_identityAfterCreate: on any Terraform, a created job carries its identity.
func TestAccMigrateJob_identityAfterCreate(t *testing.T) {
	env := newAccEnv(t, dtsmock.WithPhaseDuration(dtsmock.PhaseMigrating, time.Hour))
	env.identityTest(t, []resource.TestStep{{
		Config: env.config(jobSpec{attrs: `  migrate_type = "full"`}.hcl()),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectIdentityValueMatchesStateAtPath(jobResource, tfjsonpath.New("job_id"), tfjsonpath.New("id")),
		},
	}})
}

// identityTest runs testCase(steps) as a parallel test on a Terraform that has resource
// identity: below 1.12 it skips, saying so.
func (e *accEnv) identityTest(t *testing.T, steps []resource.TestStep) {
	t.Helper()
	c := e.testCase(steps)
	c.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}
	resource.ParallelTest(t, c)
}

const (
	woSource = `
    database_type = "mysql"
    access_type   = "extranet"
    ip            = "10.0.0.5"
    port          = 3306
    user          = "migrator"
    password_wo   = "src-secret"`
	woDestination = `
    database_type = "mysql"
    access_type   = "cdb"
    instance_id   = "cdb-a1b2c3d4"
    region        = "ap-guangzhou"
    password_wo   = "dst-secret"`
)
