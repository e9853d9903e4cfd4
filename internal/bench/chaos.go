package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/devenv"
	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

const (
	p7Jobs  = 20
	p7Phase = 2 * time.Second
	p7Runs  = 3
)

// chaosRules is the chaos mix: about 10% throttling and 5% InternalError on every action, 2% of
// creates committed with their answer lost, and 0–200 ms of latency. The emulator applies at
// most one latency rule and one answering rule to a request, the first of each class that
// fires, in order; so each rule's probability is its share of what the rules before it left,
// which makes the shares below the ones the mix names.
func chaosRules() []dtsmock.FaultRule {
	return []dtsmock.FaultRule{
		// Latency: a quarter each of none, 50, 100 and 200 ms.
		{Kind: dtsmock.FaultLatency, Latency: dtsmock.Duration(50 * time.Millisecond), Probability: 0.25},
		{Kind: dtsmock.FaultLatency, Latency: dtsmock.Duration(100 * time.Millisecond), Probability: 0.25 / 0.75},
		{Kind: dtsmock.FaultLatency, Latency: dtsmock.Duration(200 * time.Millisecond), Probability: 0.25 / 0.5},
		// Answers: 2% of creates lost after commit, 5% InternalError, 10% throttled.
		{Action: dtsapi.ActionCreateMigrateJob, Kind: dtsmock.FaultDropAfterCommit, Probability: 0.02},
		{Kind: dtsmock.FaultError, Code: "InternalError", Probability: 0.05},
		{Kind: dtsmock.FaultError, Code: throttleCode, Probability: 0.10 / 0.95},
	}
}

// p7 applies and destroys 20 jobs under the chaos mix, a few times: each run must succeed with
// one apply and one destroy, leave 20 jobs and then none, and show the user no error.
func (b *bench) p7(ctx context.Context) error {
	b.section(fmt.Sprintf("P7: chaos: %d jobs, 10%% throttling, 5%% InternalError, 2%% lost creates, 0-200 ms latency, %d runs", p7Jobs, p7Runs))
	rules, err := json.Marshal(chaosRules())
	if err != nil {
		return err
	}
	faults := filepath.Join(b.tmp, "chaos-faults.json")
	if err := os.WriteFile(faults, rules, 0o600); err != nil {
		return err
	}
	ok := 0
	for run := 1; run <= p7Runs; run++ {
		name := fmt.Sprintf("p7-%d", run)
		var line string
		err := b.withEmulator(ctx, name, p7Phase, []string{"-faults", faults, "-rate-limit=true"}, func(tf devenv.Terraform, journal string) error {
			dir, err := b.workDir(name, jobConfig("bench-chaos", p7Jobs))
			if err != nil {
				return err
			}
			var results []string
			good := true
			for _, cmd := range []string{"apply", "destroy"} {
				_, out, err := b.terraform(ctx, tf, dir, cmd, "-auto-approve", "-input=false", "-no-color")
				userErrors := bytes.Count(out, []byte("Error:"))
				jobs, lerr := countJobs(ctx, tf.Endpoint)
				if lerr != nil {
					return lerr
				}
				want := p7Jobs
				if cmd == "destroy" {
					want = 0
				}
				status := "ok"
				if err != nil || userErrors > 0 || jobs != want {
					status, good = "FAILED", false
					fmt.Fprintln(b.out, tail(out))
				}
				results = append(results, fmt.Sprintf("%s %s (jobs after: %d, want %d; errors shown: %d)", cmd, status, jobs, want, userErrors))
			}
			entries, err := devenv.ReadJournal(journal)
			if err != nil {
				return err
			}
			faulted := 0
			for _, e := range entries {
				if e.Faults != "" {
					faulted++
				}
			}
			line = fmt.Sprintf("run %d: %s, %s; %d calls, %d touched by a fault (%s)", run, results[0], results[1], len(entries), faulted, breakdown(faultedEntries(entries)))
			if good {
				ok++
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("P7: %w", err)
		}
		fmt.Fprintln(b.out, line)
	}
	b.rows = append(b.rows, row{
		figure: fmt.Sprintf("P7 chaos runs with one clean apply and one clean destroy (%d jobs each)", p7Jobs),
		value:  fmt.Sprintf("%d of %d", ok, p7Runs),
		goal:   fmt.Sprintf("%d of %d", p7Runs, p7Runs),
		result: passFail(ok == p7Runs),
	})
	return nil
}

func faultedEntries(entries []dtsmock.JournalEntry) []dtsmock.JournalEntry {
	var out []dtsmock.JournalEntry
	for _, e := range entries {
		if e.ErrorCode != "" {
			out = append(out, e)
		}
	}
	return out
}

// countJobs counts the emulator's jobs through the API, with the client's own retries.
func countJobs(ctx context.Context, endpoint string) (int, error) {
	c, err := dtsapi.New(dtsapi.Config{
		SecretID: dtsmock.DefaultSecretID, SecretKey: dtsmock.DefaultSecretKey,
		Region: devenv.Region, Endpoint: endpoint, MaxRetries: 20, Version: "bench",
	})
	if err != nil {
		return 0, err
	}
	total, jobs, err := c.ListMigrateJobs(ctx, nil, 0)
	if err != nil {
		return 0, fmt.Errorf("counting the emulator's jobs: %w", err)
	}
	return max(int(total), len(jobs)), nil
}
