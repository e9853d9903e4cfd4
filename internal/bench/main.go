// Command bench is `make bench`: it measures the provider against the standalone emulator with
// the real terraform CLI and prints each figure next to its goal. The figures are reported, not
// asserted: the exit status is non-zero only when the benchmark itself could not run.
//
//   - P1: the time one job's apply adds over a terraform_data apply, once the emulator's
//     simulated phases the apply must wait through are subtracted (median of three runs).
//   - P2: the API calls, from the emulator's journal, of one job's create, check, start and
//     destroy with 10 s phases.
//   - P5: the RequestLimitExceeded errors that reach the user when 100 jobs are applied and
//     destroyed at -parallelism=20 with the emulator's rate limiting on, and how many the
//     client absorbed by retrying.
//   - P3, P3b: the reads of a plan of 500 jobs, and of one job among 2,000; with P3 the
//     provider's peak memory during the plans of 100 and 500 jobs (view.go, memory.go).
//   - P4: dts_migrate_jobs reading 10,000 jobs against the rate limit (listing.go).
//   - P8: a plan -refresh=false of 200 jobs against the framework's floor (floor.go).
//   - P9 and P6: the emulator's own write latency and read throughput (see emulator.go).
//   - P10: rows per second of the live full copy against mariadb-dump | mariadb (see live.go).
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

const (
	// p1Phase is the simulated phase of P1; p1Runs how many times it is measured.
	p1Phase = 2 * time.Second
	p1Runs  = 3
	// p1WaitedPhases is how many phases a default apply (wait_for = "running") waits through:
	// creating, checking and ready_run.
	p1WaitedPhases = 3
	p1Goal         = 500 * time.Millisecond

	p2Phase = 10 * time.Second
	p2Goal  = 15

	p5Phase       = 2 * time.Second
	p5Jobs        = 100
	p5Parallelism = 20
	// p5MaxIdleJobs lifts the emulator's idle-job quota (100 by default) above the job count.
	p5MaxIdleJobs = 1000

	throttleCode = "RequestLimitExceeded"
	startTimeout = 30 * time.Second
	// tailLines is how much of terraform's output a failure shows.
	tailLines = 40
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bench{out: os.Stdout}
	start := time.Now()
	err := b.run(ctx)
	if b.tmp != "" {
		if rerr := os.RemoveAll(b.tmp); rerr != nil {
			err = errors.Join(err, fmt.Errorf("removing the temporary folder: %w", rerr))
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "\nbench: ERROR after %s: %v\n", time.Since(start).Round(time.Second), err)
		return 1
	}
	fmt.Fprintf(b.out, "\nThe benchmark took %s.\n", time.Since(start).Round(time.Second))
	return 0
}

type bench struct {
	out         io.Writer
	tmp         string
	tfBin       string
	emuBin      string
	providerDir string
	providerBin string
	cliConfig   string
	rows        []row
}

// row is one line of the result table.
type row struct {
	figure, value, goal, result string
}

func (b *bench) run(ctx context.Context) error {
	var err error
	if b.tfBin, err = devenv.LookTerraform(); err != nil {
		return err
	}
	root, err := devenv.RepoRoot()
	if err != nil {
		return err
	}
	if b.tmp, err = os.MkdirTemp("", "dts-bench-"); err != nil {
		return fmt.Errorf("creating a temporary folder: %w", err)
	}
	b.providerDir = filepath.Join(b.tmp, "provider")
	if err := os.Mkdir(b.providerDir, 0o700); err != nil {
		return fmt.Errorf("creating the provider folder: %w", err)
	}
	b.section("Building the provider and the emulator")
	if b.providerBin, err = devenv.BuildProvider(ctx, root, b.providerDir, "bench"); err != nil {
		return err
	}
	if b.providerBin, err = filepath.Abs(b.providerBin); err != nil {
		return err
	}
	if b.emuBin, err = devenv.BuildEmulator(ctx, root, b.tmp); err != nil {
		return err
	}
	b.cliConfig = filepath.Join(b.tmp, "terraform.tfrc")
	if err := devenv.WriteCLIConfig(b.cliConfig, b.providerDir); err != nil {
		return err
	}
	for _, step := range b.steps() {
		if err := step(ctx); err != nil {
			return err
		}
	}
	b.printTable()
	return nil
}

// p1 measures the apply overhead of one job.
func (b *bench) p1(ctx context.Context) error {
	b.section(fmt.Sprintf("P1: apply time of one job over a terraform_data apply, minus %d × %s of simulated phases (%d runs)", p1WaitedPhases, p1Phase, p1Runs))
	var overheads []time.Duration
	err := b.withEmulator(ctx, "p1", p1Phase, nil, func(tf devenv.Terraform, journal string) error {
		for i := range p1Runs {
			dataDir, err := b.workDir(fmt.Sprintf("p1-data-%d", i), `resource "terraform_data" "bench" {
  input = "p1"
}
`)
			if err != nil {
				return err
			}
			jobDir, err := b.workDir(fmt.Sprintf("p1-job-%d", i), jobConfig(fmt.Sprintf("bench-p1-%d", i), 0))
			if err != nil {
				return err
			}
			dataTime, _, err := b.terraform(ctx, tf, dataDir, "apply", "-auto-approve", "-input=false", "-no-color")
			if err != nil {
				return err
			}
			began := time.Now()
			jobTime, _, err := b.terraform(ctx, tf, jobDir, "apply", "-auto-approve", "-input=false", "-no-color")
			if err != nil {
				return err
			}
			overhead := jobTime - dataTime - p1WaitedPhases*p1Phase
			overheads = append(overheads, overhead)
			entries, err := devenv.ReadJournal(journal)
			if err != nil {
				return err
			}
			fmt.Fprintf(b.out, "run %d: job apply %s, terraform_data apply %s, phases %s: overhead %s\n",
				i+1, secs(jobTime), secs(dataTime), secs(p1WaitedPhases*p1Phase), secs(overhead))
			fmt.Fprintf(b.out, "       %s\n", whereTimeGoes(entries, began, began.Add(jobTime)))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("P1: %w", err)
	}
	median := median(overheads)
	b.rows = append(b.rows, row{
		figure: fmt.Sprintf("P1 apply overhead of one job (median of %d)", p1Runs),
		value:  secs(median),
		goal:   "≤ " + secs(p1Goal),
		result: passFail(median <= p1Goal),
	})
	return nil
}

// p2 counts the API calls of one job's whole life.
func (b *bench) p2(ctx context.Context) error {
	b.section(fmt.Sprintf("P2: API calls of create → check → start → destroy of one job, %s phases", p2Phase))
	var total int
	err := b.withEmulator(ctx, "p2", p2Phase, nil, func(tf devenv.Terraform, journal string) error {
		dir, err := b.workDir("p2", jobConfig("bench-p2", 0))
		if err != nil {
			return err
		}
		// run runs one terraform command and returns how long it took and the journal after it.
		run := func(command string) (time.Duration, []dtsmock.JournalEntry, error) {
			d, _, err := b.terraform(ctx, tf, dir, command, "-auto-approve", "-input=false", "-no-color")
			if err != nil {
				return d, nil, err
			}
			entries, err := devenv.ReadJournal(journal)
			return d, entries, err
		}
		applyTime, afterApply, err := run("apply")
		if err != nil {
			return err
		}
		destroyTime, all, err := run("destroy")
		if err != nil {
			return err
		}
		total = len(all)
		fmt.Fprintf(b.out, "apply: %d calls in %s (%s)\n", len(afterApply), secs(applyTime), breakdown(afterApply))
		fmt.Fprintf(b.out, "destroy: %d calls in %s (%s)\n", len(all)-len(afterApply), secs(destroyTime), breakdown(all[len(afterApply):]))
		if n := devenv.CountErrors(all, throttleCode); n > 0 {
			fmt.Fprintf(b.out, "%d of them were throttled (%s)\n", n, throttleCode)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("P2: %w", err)
	}
	b.rows = append(b.rows, row{
		figure: "P2 API calls, create → check → start → destroy",
		value:  fmt.Sprint(total),
		goal:   fmt.Sprintf("≤ %d", p2Goal),
		result: passFail(total <= p2Goal),
	})
	return nil
}

// p5 applies and destroys many jobs at once with the emulator's rate limiting on.
func (b *bench) p5(ctx context.Context) error {
	b.section(fmt.Sprintf("P5: %d jobs at -parallelism=%d with rate limiting on, %s phases", p5Jobs, p5Parallelism, p5Phase))
	var surfaced, throttled, calls int
	args := []string{"-max-idle-jobs", fmt.Sprint(p5MaxIdleJobs), "-rate-limit=true"}
	err := b.withEmulator(ctx, "p5", p5Phase, args, func(tf devenv.Terraform, journal string) error {
		dir, err := b.workDir("p5", jobConfig("bench-p5", p5Jobs))
		if err != nil {
			return err
		}
		parallelism := fmt.Sprintf("-parallelism=%d", p5Parallelism)
		for _, cmd := range []string{"apply", "destroy"} {
			before, err := devenv.ReadJournal(journal)
			if err != nil {
				return err
			}
			d, out, err := b.terraform(ctx, tf, dir, cmd, "-auto-approve", "-input=false", "-no-color", parallelism)
			if after, jerr := devenv.ReadJournal(journal); jerr == nil {
				fmt.Fprintf(b.out, "%s: %d calls; %s\n", cmd, len(after)-len(before), jobReads(after[len(before):]))
			}
			n := bytes.Count(out, []byte(throttleCode))
			if err != nil && n == 0 {
				return err
			}
			surfaced += n
			status := "succeeded"
			if err != nil {
				status = "FAILED"
				fmt.Fprintln(b.out, tail(out))
			}
			fmt.Fprintf(b.out, "%s %s in %s; %s in its output: %d\n", cmd, status, secs(d), throttleCode, n)
			if err != nil {
				break
			}
		}
		entries, err := devenv.ReadJournal(journal)
		if err != nil {
			return err
		}
		throttled = devenv.CountErrors(entries, throttleCode)
		var throttledCalls []dtsmock.JournalEntry
		for _, e := range entries {
			if e.ErrorCode == throttleCode {
				throttledCalls = append(throttledCalls, e)
			}
		}
		calls = len(entries)
		fmt.Fprintf(b.out, "journal: %d calls (%s)\n", len(entries), breakdown(entries))
		fmt.Fprintf(b.out, "throttled: %d (%s)\n", throttled, breakdown(throttledCalls))
		refused := map[string]int{}
		for _, e := range entries {
			if e.ErrorCode != "" && e.ErrorCode != throttleCode {
				refused[e.Action+" "+e.ErrorCode]++
			}
		}
		if len(refused) > 0 {
			fmt.Fprintf(b.out, "other errors: %v\n", refused)
		}
		deletes := map[string][]dtsmock.JournalEntry{}
		for _, e := range entries {
			if e.Action == "DeleteMigrateJob" {
				deletes[e.JobID] = append(deletes[e.JobID], e)
			}
		}
		for id, ds := range deletes {
			if len(ds) > 1 {
				fmt.Fprintf(b.out, "%s was deleted %d times: %+v\n", id, len(ds), ds)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("P5: %w", err)
	}
	b.rows = append(b.rows,
		row{
			figure: fmt.Sprintf("P5 %s surfaced to the user (%d jobs, apply + destroy)", throttleCode, p5Jobs),
			value:  fmt.Sprint(surfaced),
			goal:   "0",
			result: passFail(surfaced == 0),
		},
		row{
			figure: fmt.Sprintf("P5 API calls of %d jobs applied and destroyed", p5Jobs),
			value:  fmt.Sprint(calls),
			goal:   fmt.Sprintf("<= %d", p5CallGoal),
			result: passFail(calls <= p5CallGoal),
		},
		row{
			figure: fmt.Sprintf("P5 %s absorbed by the client (retried)", throttleCode),
			value:  fmt.Sprint(max(0, throttled-surfaced)),
			goal:   "-",
			result: "info",
		})
	return nil
}

// whereTimeGoes splits one job's apply, from the emulator's journal, into the time before
// CreateMigrateJob and, for each phase the apply waits through, how long after the phase ended
// the provider first saw it ended; the rest is the final read and terraform's own work.
func whereTimeGoes(entries []dtsmock.JournalEntry, began, ended time.Time) string {
	var jobID string
	var calls []dtsmock.JournalEntry
	for _, e := range entries {
		if e.Time.Before(began) || e.Time.After(ended) {
			continue
		}
		if jobID == "" && e.Action == "CreateMigrateJob" && e.ErrorCode == "" {
			jobID = e.JobID
		}
		if jobID != "" && e.JobID == jobID {
			calls = append(calls, e)
		}
	}
	if jobID == "" {
		return "(no CreateMigrateJob in the journal)"
	}
	parts := []string{fmt.Sprintf("%s to CreateMigrateJob", secs(calls[0].Time.Sub(began)))}
	accounted := calls[0].Time.Sub(began)
	for _, w := range []struct{ name, trigger, poll string }{
		{"created", "CreateMigrateJob", "DescribeMigrateJobs"},
		{"check result", "CreateMigrateCheckJob", "DescribeMigrateCheckJob"},
		{"running", "StartMigrateJob", "DescribeMigrateJobs"},
	} {
		i := slices.IndexFunc(calls, func(e dtsmock.JournalEntry) bool { return e.Action == w.trigger })
		if i < 0 {
			return strings.Join(append(parts, "no "+w.trigger), ", ")
		}
		due := calls[i].Time.Add(p1Phase)
		j := slices.IndexFunc(calls, func(e dtsmock.JournalEntry) bool {
			return e.Action == w.poll && e.ErrorCode == "" && !e.Time.Before(due)
		})
		if j < 0 {
			return strings.Join(append(parts, w.name+" never seen"), ", ")
		}
		late := calls[j].Time.Sub(due)
		parts = append(parts, fmt.Sprintf("%s seen %s late", w.name, secs(late)))
		accounted += late
	}
	parts = append(parts, fmt.Sprintf("%s for the rest (%d API calls in all)", secs(ended.Sub(began)-accounted-p1WaitedPhases*p1Phase), len(calls)))
	return strings.Join(parts, ", ")
}

// withEmulator runs fn with a fresh emulator, its journal, and a terraform pointed at it.
func (b *bench) withEmulator(ctx context.Context, name string, phase time.Duration, args []string, fn func(devenv.Terraform, string) error) (err error) {
	journal := filepath.Join(b.tmp, name+"-journal.jsonl")
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	emu, err := devenv.StartEmulator(sctx, devenv.EmulatorConfig{
		Binary: b.emuBin, Phase: phase, Journal: journal, Args: args, LogFile: filepath.Join(b.tmp, name+"-dtsmock.log"),
	})
	if err != nil {
		return err
	}
	defer func() {
		if serr := emu.Stop(); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	tf := devenv.Terraform{Binary: b.tfBin, CLIConfig: b.cliConfig, Endpoint: emu.Endpoint}
	return fn(tf, journal)
}

// workDir creates a working directory under the temporary folder holding main.tf.
func (b *bench) workDir(name, config string) (string, error) {
	dir := filepath.Join(b.tmp, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	return dir, nil
}

// terraform runs terraform in dir, timing it and capturing its combined output. A failure's
// error carries the end of the output.
func (b *bench) terraform(ctx context.Context, tf devenv.Terraform, dir string, args ...string) (time.Duration, []byte, error) {
	var out bytes.Buffer
	tf.Stdout, tf.Stderr = &out, &out
	start := time.Now()
	_, err := tf.Run(ctx, dir, args...)
	d := time.Since(start)
	if err != nil {
		return d, out.Bytes(), fmt.Errorf("%w\n%s", err, tail(out.Bytes()))
	}
	return d, out.Bytes(), nil
}

// jobConfig is a MySQL full migration with default lifecycle controls (start, wait for
// running); count > 0 declares that many jobs.
func jobConfig(name string, count int) string {
	countLine, jobName := "", fmt.Sprintf("%q", name)
	if count > 0 {
		countLine = fmt.Sprintf("  count = %d\n\n", count)
		jobName = fmt.Sprintf(`"%s-${count.index}"`, name)
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    dts = {
      source = "opendts/dts"
    }
  }
}

provider "dts" {}

resource "dts_migrate_job" "bench" {
%[1]s  name         = %[2]s
  migrate_type = "full"

  # The benchmark destroys its jobs while they still migrate.
  deletion_protection = false

  source = {
    database_type = "mysql"
    access_type   = "extranet"
    ip            = "10.0.0.5"
    port          = 3306
    user          = "migrator"
    password_wo   = "bench-source-password"
  }

  destination = {
    database_type = "mysql"
    access_type   = "cdb"
    instance_id   = "cdb-bench001"
    region        = "ap-guangzhou"
    password_wo   = "bench-destination-password"
  }
}
`, countLine, jobName)
}

func (b *bench) printTable() {
	b.section("Results")
	tw := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tVALUE\tGOAL\tRESULT")
	for _, r := range b.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.figure, r.value, r.goal, r.result)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: printing the table: %v\n", err)
	}
}

func (b *bench) section(title string) {
	fmt.Fprintf(b.out, "\n==> %s\n\n", title)
}

// breakdown renders calls per action, such as "DescribeMigrateJobs 7, CreateMigrateJob 1".
func breakdown(entries []dtsmock.JournalEntry) string {
	counts := devenv.CountByAction(entries)
	actions := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(actions))
	for i, a := range actions {
		parts[i] = fmt.Sprintf("%s %d", a, counts[a])
	}
	return strings.Join(parts, ", ")
}

// jobReads splits the DescribeMigrateJobs calls into finds by JobId and listing pages.
func jobReads(entries []dtsmock.JournalEntry) string {
	byID, pages := 0, 0
	for _, e := range entries {
		if e.Action != "DescribeMigrateJobs" {
			continue
		}
		if e.JobID != "" {
			byID++
		} else {
			pages++
		}
	}
	return fmt.Sprintf("DescribeMigrateJobs %d by JobId, %d listing pages", byID, pages)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func secs(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// tail returns the last lines of terraform's output.
func tail(out []byte) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > tailLines {
		lines = append([]string{"..."}, lines[len(lines)-tailLines:]...)
	}
	return strings.Join(lines, "\n")
}
