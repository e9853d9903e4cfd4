package main

// floor.go: P8, what a plan without refresh costs per dts_migrate_job, against terraform_data
// and against the framework's floor (internal/bench/floorprovider: the same schema, no logic).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
)

const (
	p8Jobs = 200
	p8Runs = 3
	// p8Goal is the most the provider's plan may take as a multiple of the floor's.
	p8Goal = 1.5
)

// p8 applies 200 terraform_data, 200 floor resources and 200 jobs (not started), then times a
// plan -refresh=false of each, the median of three.
func (b *bench) p8(ctx context.Context) error {
	b.section(fmt.Sprintf("P8: terraform plan -refresh=false of %d resources: dts_migrate_job against terraform_data and the framework's floor (median of %d)", p8Jobs, p8Runs))
	root, err := devenv.RepoRoot()
	if err != nil {
		return err
	}
	floorDir := filepath.Join(b.tmp, "floor")
	if err := os.Mkdir(floorDir, 0o700); err != nil {
		return fmt.Errorf("P8: %w", err)
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(floorDir, "terraform-provider-dtsfloor"), "./internal/bench/floorprovider")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("P8: building the floor provider: %w\n%s", err, out)
	}
	cliConfig := filepath.Join(b.tmp, "floor.tfrc")
	text := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		devenv.ProviderAddresses[0], b.providerDir, "registry.terraform.io/opendts/dtsfloor", floorDir)
	if err := os.WriteFile(cliConfig, []byte(text), 0o600); err != nil {
		return fmt.Errorf("P8: %w", err)
	}
	job := strings.Replace(jobConfig("bench-p8", p8Jobs), "  migrate_type = \"full\"\n", "  migrate_type = \"full\"\n  start        = false\n", 1)
	floor := strings.NewReplacer(`dts = {`, `dtsfloor = {`, `"opendts/dts"`, `"opendts/dtsfloor"`,
		`provider "dts" {}`, `provider "dtsfloor" {}`, `"dts_migrate_job"`, `"dtsfloor_migrate_job"`).Replace(job)
	data := fmt.Sprintf("resource \"terraform_data\" \"bench\" {\n  count = %d\n  input = \"bench-p8-${count.index}\"\n}\n", p8Jobs)
	var times [3]time.Duration
	args := []string{"-max-idle-jobs", fmt.Sprint(p8Jobs * 2), "-rate-limit=false"}
	err = b.withEmulator(ctx, "p8", p3Phase, args, func(tf devenv.Terraform, _ string) error {
		tf.CLIConfig = cliConfig
		for i, c := range []struct{ name, config string }{{"p8-data", data}, {"p8-floor", floor}, {"p8-job", job}} {
			dir, err := b.workDir(c.name, c.config)
			if err != nil {
				return err
			}
			if _, _, err := b.terraform(ctx, tf, dir, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
				return err
			}
			var runs []time.Duration
			for range p8Runs {
				d, _, err := b.terraform(ctx, tf, dir, "plan", "-refresh=false", "-input=false", "-no-color", "-detailed-exitcode")
				if err != nil {
					return fmt.Errorf("%s: the plan is not empty or failed: %w", c.name, err)
				}
				runs = append(runs, d)
			}
			times[i] = median(runs)
			fmt.Fprintf(b.out, "%s: plan -refresh=false %s (runs %s)\n", c.name, secs(times[i]), joinSecs(runs))
			if c.name == "p8-job" {
				if _, _, err := b.terraform(ctx, tf, dir, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("P8: %w", err)
	}
	data8, floor8, job8 := times[0], times[1], times[2]
	ratio := job8.Seconds() / floor8.Seconds()
	b.rows = append(b.rows,
		row{
			figure: fmt.Sprintf("P8 plan -refresh=false of %d jobs / the framework's floor", p8Jobs),
			value:  fmt.Sprintf("%s / %s = ×%.2f", secs(job8), secs(floor8), ratio),
			goal:   fmt.Sprintf("<= ×%.1f", p8Goal), result: passFail(ratio <= p8Goal),
		},
		row{
			figure: fmt.Sprintf("P8 the same / %d terraform_data", p8Jobs),
			value:  fmt.Sprintf("%s / %s = ×%.1f", secs(job8), secs(data8), job8.Seconds()/data8.Seconds()),
			goal:   "-", result: "info",
		})
	return nil
}

func joinSecs(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = secs(d)
	}
	return strings.Join(parts, ", ")
}
