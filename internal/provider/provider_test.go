package provider

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// accEnv is one acceptance test's world: an emulator of its own (nil against the real
// service), the provider block that points at it, and provider factories with fast waiters.
type accEnv struct {
	mock      *dtsmock.TestServer
	provider  string
	factories map[string]func() (tfprotov6.ProviderServer, error)
}

// accPhase is the emulator's phase length in acceptance tests: long enough that every status
// is observable, short enough that a whole lifecycle takes about a second.
const accPhase = 300 * time.Millisecond

// realService reports whether the acceptance tests run against the real DTS service, with the
// credentials and region taken from the environment.
func realService() bool { return os.Getenv("DTS_ACC_REAL") == "1" }

// newAccEnv prepares an acceptance test. It fails, rather than skips, when TF_ACC is set but
// terraform cannot be found, so that `make test` never passes without running them.
func newAccEnv(t *testing.T, opts ...dtsmock.Option) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	// TF_ACC_TERRAFORM_PATH names the binary instead (make test-opentofu: tofu).
	if _, err := exec.LookPath("terraform"); err != nil && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatalf("acceptance tests need terraform on PATH, or TF_ACC_TERRAFORM_PATH: %v", err)
	}
	env := &accEnv{factories: testFactories(Options{
		PollMinInterval: 20 * time.Millisecond,
		PollMaxInterval: 100 * time.Millisecond,
		MinBackoff:      5 * time.Millisecond,
		MaxBackoff:      50 * time.Millisecond,
	})}
	if realService() {
		env.provider = `provider "dts" {}` + "\n"
		return env
	}
	opts = append([]dtsmock.Option{dtsmock.WithPhase(accPhase)}, opts...)
	env.mock = dtsmock.StartTest(t, opts...)
	env.provider = fmt.Sprintf(`
provider "dts" {
  secret_id  = %[1]q
  secret_key = %[2]q
  region     = "ap-guangzhou"
  endpoint   = %[3]q
}
`, dtsmock.DefaultSecretID, dtsmock.DefaultSecretKey, env.mock.URL)
	return env
}

// needMock skips a test that needs the emulator's controls when it runs against the real service.
func (e *accEnv) needMock(t *testing.T) *dtsmock.TestServer {
	t.Helper()
	if e.mock == nil {
		t.Skip("needs the emulator's test controls, which the real service does not have")
	}
	return e.mock
}

// config prefixes a configuration with the environment's provider block.
func (e *accEnv) config(hcl string) string { return e.provider + hcl }

// countCalls counts the emulator's journal entries for action (all actions when "").
func (e *accEnv) countCalls(action string) int {
	n := 0
	for _, j := range e.mock.Journal() {
		if action == "" || j.Action == action {
			n++
		}
	}
	return n
}

// actions lists the journal's actions for one job, in order, leaving out reads.
func (e *accEnv) mutations(jobID string) []string {
	var out []string
	for _, j := range e.mock.Journal() {
		if j.JobID == jobID && j.ErrorCode == "" && !strings.HasPrefix(j.Action, "Describe") {
			out = append(out, j.Action)
		}
	}
	return out
}

func testFactories(opts Options) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"dts": providerserver.NewProtocol6WithError(NewWithOptions("test", opts)()),
	}
}

// regexpWords compiles an error pattern in which each space matches any run of white space,
// as Terraform wraps long messages, and dots match newlines.
func regexpWords(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// planFailure is a configuration whose plan must fail with an error that pattern matches, as
// regexpWords reads it.
type planFailure struct{ hcl, pattern string }

// expectPlanFailures plans each configuration, as a step of one parallel test, and checks that
// none of them cost an API call: the provider refuses them itself. what names them in the error
// of that check.
func (e *accEnv) expectPlanFailures(t *testing.T, what string, failures []planFailure) {
	t.Helper()
	steps := make([]resource.TestStep, len(failures))
	for i, f := range failures {
		steps[i] = resource.TestStep{
			Config:      e.config(f.hcl),
			PlanOnly:    true,
			ExpectError: regexpWords(f.pattern),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories,
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			if n := e.countCalls(""); n != 0 {
				return fmt.Errorf("%s cost %d API calls, want 0", what, n)
			}
			return nil
		},
	})
}
