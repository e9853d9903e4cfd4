package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

const (
	p3Jobs = 500
	// p3SmallJobs is the smaller plan the memory figure compares with.
	p3SmallJobs = 100
	p3Phase     = 200 * time.Millisecond
	p3Goal      = 10
	p3bAccount  = 2000
	p3bGoal     = 2
	p5CallGoal  = 600
)

// p3 counts the reads of a plan of 500 managed jobs (not started) with rate limiting on, and
// times it against a plan that does not refresh. It also reads the provider's peak memory
// during the plan, and during the plan of 100 jobs, to show how it grows.
func (b *bench) p3(ctx context.Context) error {
	b.section(fmt.Sprintf("P3: terraform plan of %d managed jobs (start = false), rate limiting on", p3Jobs))
	var small, large planFigures
	args := []string{"-max-idle-jobs", fmt.Sprint(p3Jobs * 2), "-rate-limit=true"}
	err := b.withEmulator(ctx, "p3", p3Phase, args, func(tf devenv.Terraform, journal string) error {
		var err error
		if small, err = b.planOf(ctx, tf, journal, p3SmallJobs); err != nil {
			return err
		}
		large, err = b.planOf(ctx, tf, journal, p3Jobs)
		return err
	})
	if err != nil {
		return fmt.Errorf("P3: %w", err)
	}
	growth := float64(large.peakKiB) / float64(max(small.peakKiB, 1))
	b.rows = append(b.rows,
		row{
			figure: fmt.Sprintf("P3 DescribeMigrateJobs + DescribeMigrateCheckJob calls of a plan of %d jobs", p3Jobs),
			value:  fmt.Sprint(large.reads), goal: fmt.Sprintf("<= %d", p3Goal), result: passFail(large.reads <= p3Goal),
		},
		row{
			figure: "P3 plan wall time, refreshing / -refresh=false",
			value:  secs(large.refresh) + " / " + secs(large.noRefresh), goal: "-", result: "info",
		},
		row{
			figure: fmt.Sprintf("Memory: provider peak RSS in the plan of %d / %d jobs", p3SmallJobs, p3Jobs),
			value:  fmt.Sprintf("%s / %s (×%.1f)", mib(small.peakKiB), mib(large.peakKiB), growth),
			goal:   fmt.Sprintf("at most linear (≤ ×%d)", p3Jobs/p3SmallJobs), result: passFail(growth <= float64(p3Jobs/p3SmallJobs)),
		})
	return nil
}

// planFigures are what planOf measures.
type planFigures struct {
	reads              int
	refresh, noRefresh time.Duration
	peakKiB            int64
}

// planOf applies n jobs (not started), plans them with and without refreshing, and destroys
// them; it counts the refreshing plan's reads and watches the provider's memory during it.
func (b *bench) planOf(ctx context.Context, tf devenv.Terraform, journal string, n int) (planFigures, error) {
	var f planFigures
	name := fmt.Sprintf("bench-p3-%d", n)
	dir, err := b.workDir(name, strings.Replace(jobConfig(name, n), "  migrate_type = \"full\"\n", "  migrate_type = \"full\"\n  start        = false\n", 1))
	if err != nil {
		return f, err
	}
	d, _, err := b.terraform(ctx, tf, dir, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return f, err
	}
	fmt.Fprintf(b.out, "apply of %d jobs: %s\n", n, secs(d))
	before, err := devenv.ReadJournal(journal)
	if err != nil {
		return f, err
	}
	w := watchRSS(b.providerBin)
	f.refresh, _, err = b.terraform(ctx, tf, dir, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	peak, procs := w.Stop()
	f.peakKiB = peak
	if err != nil {
		return f, fmt.Errorf("the plan after apply is not empty or failed: %w", err)
	}
	after, err := devenv.ReadJournal(journal)
	if err != nil {
		return f, err
	}
	f.reads = countReads(after[len(before):])
	fmt.Fprintf(b.out, "plan of %d jobs: %s, %d reads (%s); provider peak RSS %s (%d processes)\n",
		n, secs(f.refresh), f.reads, breakdown(after[len(before):]), mib(peak), procs)
	if f.noRefresh, _, err = b.terraform(ctx, tf, dir, "plan", "-refresh=false", "-input=false", "-no-color"); err != nil {
		return f, err
	}
	fmt.Fprintf(b.out, "plan -refresh=false of %d jobs: %s\n", n, secs(f.noRefresh))
	_, _, err = b.terraform(ctx, tf, dir, "destroy", "-auto-approve", "-input=false", "-no-color")
	return f, err
}

// p3b counts the reads of a plan of one managed job in an account of 2,000: the view must
// not list pages that the one job does not need.
func (b *bench) p3b(ctx context.Context) error {
	b.section(fmt.Sprintf("P3b: terraform plan of 1 managed job in an account of %d jobs", p3bAccount))
	var reads int
	args := []string{"-max-idle-jobs", fmt.Sprint(p3bAccount * 2), "-rate-limit=false"}
	err := b.withEmulator(ctx, "p3b", p3Phase, args, func(tf devenv.Terraform, journal string) error {
		if err := seedJobs(ctx, tf.Endpoint, p3bAccount-1); err != nil {
			return err
		}
		dir, err := b.workDir("p3b", jobConfig("bench-p3b", 0))
		if err != nil {
			return err
		}
		if _, _, err := b.terraform(ctx, tf, dir, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
			return err
		}
		before, err := devenv.ReadJournal(journal)
		if err != nil {
			return err
		}
		if _, _, err := b.terraform(ctx, tf, dir, "plan", "-input=false", "-no-color"); err != nil {
			return err
		}
		after, err := devenv.ReadJournal(journal)
		if err != nil {
			return err
		}
		reads = countReads(after[len(before):])
		fmt.Fprintf(b.out, "plan: %d reads (%s)\n", reads, breakdown(after[len(before):]))
		_, _, err = b.terraform(ctx, tf, dir, "destroy", "-auto-approve", "-input=false", "-no-color")
		return err
	})
	if err != nil {
		return fmt.Errorf("P3b: %w", err)
	}
	b.rows = append(b.rows, row{
		figure: fmt.Sprintf("P3b reads of a plan of 1 job among %d", p3bAccount),
		value:  fmt.Sprint(reads), goal: fmt.Sprintf("<= %d", p3bGoal), result: passFail(reads <= p3bGoal),
	})
	return nil
}

func countReads(entries []dtsmock.JournalEntry) int {
	n := 0
	for _, e := range entries {
		if e.Action == dtsapi.ActionDescribeMigrateJobs || e.Action == dtsapi.ActionDescribeMigrateCheckJob {
			n++
		}
	}
	return n
}

// seedJobs creates n jobs through the API, a few at a time: with rate limiting off the
// emulator takes them in seconds, far faster than terraform would.
func seedJobs(ctx context.Context, endpoint string, n int) error {
	c, err := dtsapi.New(dtsapi.Config{
		SecretID: dtsmock.DefaultSecretID, SecretKey: dtsmock.DefaultSecretKey,
		Region: devenv.Region, Endpoint: endpoint, RateLimit: 10000, Version: "bench",
	})
	if err != nil {
		return err
	}
	const workers = 8
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := w; i < n; i += workers {
				req := &dtsapi.CreateMigrateJobRequest{
					JobName:         dtsapi.String(fmt.Sprintf("bench-seed-%05d", i)),
					MigrateOption:   &dtsapi.MigrateOption{RunMode: dtsapi.Int64(1), MigrateType: dtsapi.Int64(2)},
					SrcDatabaseType: dtsapi.String("mysql"), SrcAccessType: dtsapi.String("extranet"),
					SrcInfo:         &dtsapi.SrcInfo{Ip: dtsapi.String("10.0.0.5"), Port: dtsapi.Int64(3306)},
					DstDatabaseType: dtsapi.String("mysql"), DstAccessType: dtsapi.String("cdb"),
					DstInfo: &dtsapi.DstInfo{InstanceId: dtsapi.String("cdb-bench001"), Region: dtsapi.String(devenv.Region)},
				}
				if _, err := c.CreateMigrateJob(ctx, req); err != nil {
					errs <- fmt.Errorf("seeding job %d: %w", i, err)
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
