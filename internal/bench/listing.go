package main

// listing.go: P4, a dts_migrate_jobs read of every job of a large account against the API's
// rate limit.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

const (
	p4Jobs = 10000
	// p4DescribeRate is the API's rate limit of DescribeMigrateJobs; a page holds 100 jobs.
	p4DescribeRate = 50
	p4PageSize     = 100
	p4GoalFactor   = 1.2
)

// p4 seeds an account of p4Jobs jobs with rate limiting off, then restarts the emulator on the
// same state file with rate limiting on and times a plan that reads them all with
// dts_migrate_jobs: the read itself, first page to last in the emulator's journal, against the
// rate limit's floor.
func (b *bench) p4(ctx context.Context) error {
	floor := time.Duration(p4Jobs/p4PageSize) * time.Second / p4DescribeRate
	b.section(fmt.Sprintf("P4: dts_migrate_jobs reading all of %d jobs, rate limiting on (floor %d pages at %d/s = %s)", p4Jobs, p4Jobs/p4PageSize, p4DescribeRate, secs(floor)))
	state := filepath.Join(b.tmp, "p4-state.json")
	idle := fmt.Sprint(p4Jobs * 2)
	seeded := time.Now()
	if err := b.seedStateFile(ctx, state, idle); err != nil {
		return fmt.Errorf("P4: %w", err)
	}
	fmt.Fprintf(b.out, "seeded %d jobs in %s\n", p4Jobs, secs(time.Since(seeded)))
	var span, plan time.Duration
	var pages int
	args := []string{"-state", state, "-max-idle-jobs", idle, "-rate-limit=true"}
	err := b.withEmulator(ctx, "p4", time.Hour, args, func(tf devenv.Terraform, journal string) error {
		dir, err := b.workDir("p4", `terraform {
  required_providers {
    dts = {
      source = "opendts/dts"
    }
  }
}

provider "dts" {}

data "dts_migrate_jobs" "all" {}

output "listed" {
  value = length(data.dts_migrate_jobs.all.ids)
}
`)
		if err != nil {
			return err
		}
		d, out, err := b.terraform(ctx, tf, dir, "plan", "-input=false", "-no-color")
		if err != nil {
			return err
		}
		plan = d
		entries, err := devenv.ReadJournal(journal)
		if err != nil {
			return err
		}
		var first, last time.Time
		for _, e := range entries {
			if e.Action != dtsapi.ActionDescribeMigrateJobs {
				continue
			}
			if first.IsZero() {
				first = e.Time
			}
			last = e.Time
			pages++
		}
		span = last.Sub(first)
		fmt.Fprintf(b.out, "plan: %s; %d calls (%s), first page to last %s; throttled %d\n",
			secs(plan), len(entries), breakdown(entries), secs(span), devenv.CountErrors(entries, throttleCode))
		if !containsListed(out, p4Jobs) {
			return fmt.Errorf("the plan did not list %d jobs:\n%s", p4Jobs, tail(out))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("P4: %w", err)
	}
	goal := time.Duration(float64(floor) * p4GoalFactor)
	b.rows = append(b.rows,
		row{
			figure: fmt.Sprintf("P4 dts_migrate_jobs read of %d jobs, first page to last (%d pages)", p4Jobs, pages),
			value:  secs(span), goal: fmt.Sprintf("<= %s (%.1f × %s)", secs(goal), p4GoalFactor, secs(floor)), result: passFail(span <= goal),
		},
		row{figure: "P4 the plan's wall time", value: secs(plan), goal: "-", result: "info"})
	return nil
}

// seedStateFile creates p4Jobs jobs on an emulator without rate limiting that keeps them in
// state, and stops it.
func (b *bench) seedStateFile(ctx context.Context, state, idle string) (err error) {
	logFile, err := os.Create(filepath.Join(b.tmp, "p4-seed-dtsmock.log"))
	if err != nil {
		return fmt.Errorf("creating the emulator's log: %w", err)
	}
	defer func() { err = errors.Join(err, logFile.Close()) }()
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	emu, err := devenv.StartEmulator(sctx, devenv.EmulatorConfig{
		Binary: b.emuBin, Phase: time.Hour, Stderr: logFile,
		Args: []string{"-state", state, "-max-idle-jobs", idle, "-rate-limit=false"},
	})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, emu.Stop()) }()
	return seedJobs(ctx, emu.Endpoint, p4Jobs)
}

// containsListed reports whether terraform's plan output shows the listed count.
func containsListed(out []byte, n int) bool {
	return bytes.Contains(out, fmt.Appendf(nil, "listed = %d", n))
}
