package provider

// migrate_job_reconcile.go: how a mutating call whose answer was lost is settled: the job is
// read, and the call sent again only if it did not take effect.

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// maxRefusalsAfterLoss bounds how often a refusal that follows a lost answer is retried: the
// job may be settling after the lost call took effect in a way the check cannot see.
const maxRefusalsAfterLoss = 3

// reconcile sends a mutating call until it takes effect, within ctx. When an answer is lost the
// call may or may not have happened: reconcile reads the job and asks tookEffect (given nil
// when the job no longer exists), and sends the call again only if it did not. A refusal
// (FailedOperation.NotAllowOperation) after a lost answer is judged the same way, since the
// lost call may be what moved the job on.
func (l *lifecycle) reconcile(ctx context.Context, jobID, action string, call func(context.Context) error, tookEffect func(*dtsapi.MigrateJobInfo) bool) error {
	lost, refusals := false, 0
	for attempt := 0; ; attempt++ {
		err := call(ctx)
		switch {
		case err == nil:
			return nil
		case answerLost(err):
			lost = true
		case lost && dtsapi.IsNotAllowed(err) && refusals < maxRefusalsAfterLoss:
			refusals++
		default:
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		tflog.Warn(ctx, "the outcome of "+action+" is unknown; reading the job to see whether it took effect",
			map[string]any{"job_id": jobID, "error": err.Error()})
		job, ferr := findMigrateJobByID(ctx, l.client, jobID)
		switch {
		case dtsapi.IsNotFound(ferr):
			if tookEffect(nil) {
				return nil
			}
			return ferr
		case ferr == nil && tookEffect(job):
			tflog.Info(ctx, action+" had taken effect", map[string]any{"job_id": jobID, "status": dtsapi.StatusName(dtsapi.Int64Value(job.Status))})
			return nil
		}
		if werr := l.pause(ctx, attempt); werr != nil {
			return err
		}
	}
}

// pause waits before the next attempt of a call: a poll interval, doubling up to the longest.
func (l *lifecycle) pause(ctx context.Context, attempt int) error {
	d := l.wait.minPoll << min(attempt, 6)
	timer := time.NewTimer(min(d, l.wait.maxPoll))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// statusIn returns a tookEffect that accepts a job in one of statuses.
func statusIn(statuses ...int64) func(*dtsapi.MigrateJobInfo) bool {
	return func(job *dtsapi.MigrateJobInfo) bool {
		return job != nil && slices.Contains(statuses, dtsapi.Int64Value(job.Status))
	}
}
