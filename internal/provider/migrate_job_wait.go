package provider

// migrate_job_wait.go: how the provider watches a job. A finder and the status functions read
// it; one named wait per transition polls it, each with its Pending and Target sets below; the
// progress estimator times the polls. Nothing here changes a job: the operations that do are
// in migrate_job_lifecycle.go.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
	"github.com/opendts/terraform-provider-dts/internal/retry"
)

// statusNames names status codes, for the waits' sets.
func statusNames(codes ...int64) []string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = dtsapi.StatusName(c)
	}
	return names
}

// The Pending and Target sets of the waits. A status in neither set ends a wait at once with
// the job's own reason (failed, check_not_pass, …); statuses this provider does not know are
// always waited on.
var (
	// A job leaves these statuses by itself; every other known status is settled.
	settledPending = statusNames(dtsapi.StatusCreating, dtsapi.StatusChecking, dtsapi.StatusStopping, dtsapi.StatusCompleting)
	settledTarget  = statusNames(dtsapi.StatusCreated, dtsapi.StatusCheckPass, dtsapi.StatusCheckNotPass, dtsapi.StatusReadyRun,
		dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusSuccess, dtsapi.StatusFailed)

	// A started job is running once it migrates: ready_run is still on the way, unless the job
	// is scheduled, where ready_run is where it waits for its start time.
	runningPending          = statusNames(dtsapi.StatusCheckPass, dtsapi.StatusReadyRun)
	runningTarget           = statusNames(dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusCompleting, dtsapi.StatusSuccess)
	scheduledRunningPending = statusNames(dtsapi.StatusCheckPass)
	scheduledRunningTarget  = append(statusNames(dtsapi.StatusReadyRun), runningTarget...)

	// An incremental job is ready to complete once its synchronisation has caught up.
	readyCompletePending = statusNames(dtsapi.StatusCheckPass, dtsapi.StatusReadyRun, dtsapi.StatusRunning)
	readyCompleteTarget  = statusNames(dtsapi.StatusReadyComplete, dtsapi.StatusCompleting, dtsapi.StatusSuccess)

	// A job succeeds from any status of a started migration: a full one from running, an
	// incremental one from ready_complete through completing.
	succeededPending = statusNames(dtsapi.StatusCheckPass, dtsapi.StatusReadyRun, dtsapi.StatusRunning,
		dtsapi.StatusReadyComplete, dtsapi.StatusCompleting)
	succeededTarget = statusNames(dtsapi.StatusSuccess)

	// A stopped migration fails, as the API says it does.
	stoppedPending = statusNames(dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusStopping)
	stoppedTarget  = statusNames(dtsapi.StatusFailed)

	// A deleted job is one the API no longer lists; until then it may be in any status.
	deletedPending = dtsapi.StatusNames()

	// A check runs while the job is checking (and, right after the call, may not show yet);
	// it has finished once the job passed or did not.
	checkingPending = statusNames(dtsapi.StatusCreated, dtsapi.StatusChecking)
	checkedTarget   = statusNames(dtsapi.StatusCheckPass, dtsapi.StatusCheckNotPass)

	// Right after CreateMigrateCheckJob the result may still read unavailable.
	checkFinishedPending = []string{dtsapi.CheckStatusUnavailable, dtsapi.CheckStatusStarting, dtsapi.CheckStatusRunning}
	checkFinishedTarget  = []string{dtsapi.CheckStatusFinished}
	// A check nobody just started is idle when finished or unavailable (never run).
	checkIdlePending = []string{dtsapi.CheckStatusStarting, dtsapi.CheckStatusRunning}
	checkIdleTarget  = []string{dtsapi.CheckStatusFinished, dtsapi.CheckStatusUnavailable}
)

// jobWaiter polls jobs for one Terraform operation.
type jobWaiter struct {
	client           *dtsapi.Client
	minPoll, maxPoll time.Duration
	// timeout is the operation's whole timeout, named in timeout errors.
	timeout time.Duration
}

func newJobWaiter(data *providerData, timeout time.Duration) *jobWaiter {
	return &jobWaiter{client: data.client, minPoll: data.pollMinInterval, maxPoll: data.pollMaxInterval, timeout: timeout}
}

// longestETA bounds how long a progress estimate may put off the next read: progress need not
// be linear, and a long sleep on a bad estimate would report the end late.
func (w *jobWaiter) longestETA() time.Duration { return 4 * w.maxPoll }

// findMigrateJobByID returns the job as a call begun now sees it, or a *dtsapi.NotFoundError
// when the API does not list it. It goes through the client's shared view, so that the finds of
// many resources and waiters at once cost one listing rather than a call each.
func findMigrateJobByID(ctx context.Context, client *dtsapi.Client, jobID string) (*dtsapi.MigrateJobInfo, error) {
	return client.Jobs().Find(ctx, jobID, 0)
}

// refreshMaxAge is how old an answer a refresh may take from the shared view, which lives as
// long as one provider process (one plan or apply): a plan of many jobs, which Terraform
// refreshes over tens of seconds, reads them all from one listing. An answer is never older
// than the last change the provider made to the job, and a waiter's poll never takes one.
const refreshMaxAge = time.Minute

// align moves a poll to an instant at which other waiters of the process poll too, so that
// their finds meet in one batch of the shared view and cost one listing: the latest such
// instant between half the planned wait and the whole of it, else one of a grid of the
// shortest poll interval, or the planned instant itself, which later waiters can join. A poll is never later than its own schedule, and a waiter
// alone keeps its schedule exactly.
func (w *jobWaiter) align(wait time.Duration) time.Duration {
	now := time.Now()
	return time.Until(w.client.Jobs().PollAt(now.Add(wait/4), now.Add(wait), w.minPoll))
}

// statusMigrateJob reads the job for the waits; its state is the status name.
func statusMigrateJob(client *dtsapi.Client, jobID string) retry.RefreshFunc[*dtsapi.MigrateJobInfo] {
	return func(ctx context.Context) (*dtsapi.MigrateJobInfo, string, error) {
		job, err := findMigrateJobByID(ctx, client, jobID)
		if err != nil {
			return nil, "", err
		}
		return job, dtsapi.StatusName(dtsapi.Int64Value(job.Status)), nil
	}
}

// statusMigrateCheck reads the job's check for the waits; its state is the check's status.
func statusMigrateCheck(client *dtsapi.Client, jobID string) retry.RefreshFunc[*dtsapi.MigrateCheckResult] {
	return func(ctx context.Context) (*dtsapi.MigrateCheckResult, string, error) {
		c, err := client.DescribeMigrateCheckJob(ctx, jobID)
		if err != nil {
			return nil, "", err
		}
		return c, dtsapi.StringValue(c.Status), nil
	}
}

// pollConf is a wait of this operation on what refresh reads, polled within the provider's
// bounds from delay on.
func pollConf[T any](w *jobWaiter, refresh retry.RefreshFunc[T], pending, target []string, delay time.Duration) *retry.StateChangeConf[T] {
	return &retry.StateChangeConf[T]{
		Refresh:     refresh,
		Pending:     pending,
		Target:      target,
		Delay:       delay,
		MinInterval: w.minPoll,
		MaxInterval: w.maxPoll,
	}
}

// jobConf is a wait on the job's status, read through the shared view: a status this provider
// does not know is waited on rather than failed, and the polls are aligned with those of the
// other waiters, so that they share listings.
func (w *jobWaiter) jobConf(jobID string, pending, target []string, delay time.Duration) *retry.StateChangeConf[*dtsapi.MigrateJobInfo] {
	conf := pollConf(w, statusMigrateJob(w.client, jobID), pending, target, delay)
	conf.PendingFunc = isUnknownStatus
	conf.Align = w.align
	return conf
}

// waitMigrateJobSettled waits for a job in a transitional status (creating, checking,
// stopping, completing, or one this provider does not know) to leave it. delay postpones the
// first read, after a call whose effect is not visible at once.
func (w *jobWaiter) waitMigrateJobSettled(ctx context.Context, jobID string, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	return w.waitJob(ctx, jobID, settledPending, settledTarget, delay)
}

// waitMigrateJobRunning waits for a started job to migrate (or, scheduled, to wait for its
// start time).
func (w *jobWaiter) waitMigrateJobRunning(ctx context.Context, jobID string, scheduled bool, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	if scheduled {
		return w.waitJob(ctx, jobID, scheduledRunningPending, scheduledRunningTarget, delay)
	}
	return w.waitJob(ctx, jobID, runningPending, runningTarget, delay)
}

// waitMigrateJobReadyComplete waits for an incremental job to catch up with its source.
func (w *jobWaiter) waitMigrateJobReadyComplete(ctx context.Context, jobID string, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	return w.waitJob(ctx, jobID, readyCompletePending, readyCompleteTarget, delay)
}

// waitMigrateJobSucceeded waits for a migration to finish.
func (w *jobWaiter) waitMigrateJobSucceeded(ctx context.Context, jobID string, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	return w.waitJob(ctx, jobID, succeededPending, succeededTarget, delay)
}

// waitMigrateJobStopped waits for a stopped migration to fail, as a stopped job does.
func (w *jobWaiter) waitMigrateJobStopped(ctx context.Context, jobID string, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	return w.waitJob(ctx, jobID, stoppedPending, stoppedTarget, delay)
}

// waitMigrateJobDeleted waits until the API no longer lists the job.
func (w *jobWaiter) waitMigrateJobDeleted(ctx context.Context, jobID string, delay time.Duration) error {
	conf := w.jobConf(jobID, deletedPending, nil, delay)
	conf.TargetNotFound = true
	defer w.client.Jobs().Wait(jobID)()
	_, err := conf.WaitForState(ctx)
	return err
}

// waitMigrateJobCheckFinished waits for the check that CreateMigrateCheckJob started. While no
// other job of the process is waited for, nor was within the longest poll interval, it polls
// the check's result, whose progress tells when the check is due to end. Otherwise it watches the job's status with them through the shared view:
// a job in check_pass holds the result of a check that passed, which is known without reading
// it (passedCheck); only a check that did not pass has its result, and messages, read.
func (w *jobWaiter) waitMigrateJobCheckFinished(ctx context.Context, jobID string, delay time.Duration) (*dtsapi.MigrateCheckResult, error) {
	if !w.client.Jobs().OthersWaiting(jobID, w.maxPoll) {
		return w.waitCheck(ctx, jobID, checkFinishedPending, checkFinishedTarget, delay)
	}
	job, err := w.waitJob(ctx, jobID, checkingPending, checkedTarget, delay)
	if err != nil {
		return nil, err
	}
	if dtsapi.Int64Value(job.Status) == dtsapi.StatusCheckPass {
		return passedCheck(), nil
	}
	// The status and the result are read apart: should the result still lag, wait it out.
	return w.waitCheck(ctx, jobID, checkFinishedPending, checkFinishedTarget, 0)
}

// passedCheck is the result of a finished check that passed, as the job's status check_pass
// says it is: nothing found wrong.
func passedCheck() *dtsapi.MigrateCheckResult {
	return &dtsapi.MigrateCheckResult{
		Status: dtsapi.String(dtsapi.CheckStatusFinished), Progress: dtsapi.String("100"),
		CheckFlag: dtsapi.Int64(dtsapi.CheckFlagPassed), ErrorCode: dtsapi.Int64(0), ErrorMessage: dtsapi.String(""),
	}
}

// waitMigrateCheckIdle waits for a check that is starting or running to finish; a finished or
// never-run check ends it at once.
func (w *jobWaiter) waitMigrateCheckIdle(ctx context.Context, jobID string) (*dtsapi.MigrateCheckResult, error) {
	return w.waitCheck(ctx, jobID, checkIdlePending, checkIdleTarget, 0)
}

// waitCheck polls the job's check result until its status is in target, and returns it.
func (w *jobWaiter) waitCheck(ctx context.Context, jobID string, pending, target []string, delay time.Duration) (*dtsapi.MigrateCheckResult, error) {
	eta := &etaEstimator{}
	conf := pollConf(w, statusMigrateCheck(w.client, jobID), pending, target, delay)
	conf.Describe = func(c *dtsapi.MigrateCheckResult) string {
		return "check progress " + dtsapi.StringValue(c.Progress) + "%"
	}
	conf.NextInterval = func(c *dtsapi.MigrateCheckResult, _ string, chosen time.Duration) time.Duration {
		return eta.next(percent(c.Progress), chosen, w.longestETA())
	}
	conf.OnChange = func(ctx context.Context, c *dtsapi.MigrateCheckResult, state string) {
		tflog.Info(ctx, "DTS migrate job check: "+state, map[string]any{"job_id": jobID, "check_status": state, "progress": dtsapi.StringValue(c.Progress)})
	}
	result, err := conf.WaitForState(ctx)
	var te *retry.TimeoutError
	if errors.As(err, &te) {
		return result, fmt.Errorf("timed out after %s waiting for the check to finish; it was last %s", w.timeout, orNever(te))
	}
	return result, err
}

// waitJob polls the job until its status is in target. Any status neither pending nor
// target (failed, check_not_pass, …) ends the wait at once with the job's own reason.
func (w *jobWaiter) waitJob(ctx context.Context, jobID string, pending, target []string, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	eta := &etaEstimator{}
	conf := w.jobConf(jobID, pending, target, delay)
	conf.Describe = describeJob
	conf.NextInterval = func(job *dtsapi.MigrateJobInfo, _ string, chosen time.Duration) time.Duration {
		if start, ok := scheduledStart(job); ok {
			// A scheduled job waits for its start time: nothing happens before it.
			if until := time.Until(start); until > chosen {
				return until + 100*time.Millisecond
			}
		}
		if job.Detail == nil {
			return chosen
		}
		return eta.next(percent(job.Detail.Progress), chosen, w.longestETA())
	}
	conf.OnChange = func(ctx context.Context, job *dtsapi.MigrateJobInfo, state string) {
		fields := map[string]any{"job_id": jobID, "status": state}
		if d := job.Detail; d != nil {
			fields["progress"] = dtsapi.StringValue(d.Progress)
			fields["step"] = currentStepName(d)
		}
		if isUnknownStatus(state) {
			tflog.Warn(ctx, "DTS migrate job has a status this provider does not know; waiting on it", fields)
			return
		}
		tflog.Info(ctx, "DTS migrate job: "+describeJob(job), fields)
	}
	done := w.client.Jobs().Wait(jobID)
	job, err := conf.WaitForState(ctx)
	done()
	if use := unexpectedState(err); use != nil && job != nil {
		return job, fmt.Errorf("the job reached status %s, not %s: %s", use.State, strings.Join(target, " or "), jobErrorText(job))
	}
	var te *retry.TimeoutError
	if errors.As(err, &te) {
		return job, fmt.Errorf("timed out after the operation's timeout of %s waiting for status %s; the job was last %s",
			w.timeout, strings.Join(target, " or "), orNever(te))
	}
	return job, err
}

// etaEstimator times the next poll from a progress percentage: once progress has risen
// between two reads, it looks again just after the moment that rate says the end comes, which
// is both sooner after the end and fewer reads than blind backoff. Until then, and when the
// estimate is longer than longest, the backoff's own interval (chosen) stands.
type etaEstimator struct {
	start    time.Time // the first read with progress above zero
	startPct int64
}

func (e *etaEstimator) next(pct int64, chosen, longest time.Duration) time.Duration {
	now := time.Now()
	if pct <= 0 || pct >= 100 {
		return chosen
	}
	if e.start.IsZero() || pct < e.startPct {
		e.start, e.startPct = now, pct
		return chosen
	}
	elapsed := now.Sub(e.start)
	if pct == e.startPct || elapsed <= 0 {
		return chosen
	}
	eta := elapsed / time.Duration(pct-e.startPct) * time.Duration(100-pct)
	// A little past the estimate, so that the read finds the end rather than 99%.
	eta += eta/20 + 50*time.Millisecond
	if eta > longest {
		return chosen
	}
	return eta
}

// scheduledStart is when a scheduled job that is ready to run starts migrating.
func scheduledStart(job *dtsapi.MigrateJobInfo) (time.Time, bool) {
	opt := job.MigrateOption
	if dtsapi.Int64Value(job.Status) != dtsapi.StatusReadyRun || opt == nil || dtsapi.Int64Value(opt.RunMode) != dtsapi.RunModeScheduled {
		return time.Time{}, false
	}
	return apiTime(dtsapi.StringValue(opt.ExpectTime))
}

func describeJob(job *dtsapi.MigrateJobInfo) string {
	s := dtsapi.StatusName(dtsapi.Int64Value(job.Status))
	if d := job.Detail; d != nil && dtsapi.Int64Value(d.StepAll) > 0 {
		s += fmt.Sprintf(", step %d/%d", dtsapi.Int64Value(d.StepNow), dtsapi.Int64Value(d.StepAll))
		if name := currentStepName(d); name != "" {
			s += " (" + name + ")"
		}
		s += ", progress " + dtsapi.StringValue(d.Progress) + "%"
		if dtsapi.Int64Value(job.Status) == dtsapi.StatusReadyComplete {
			s += ", " + strconv.FormatInt(dtsapi.Int64Value(d.SecondsBehindMaster), 10) + "s behind the source"
		}
	}
	return s
}

func currentStepName(d *dtsapi.MigrateDetailInfo) string {
	for _, s := range d.StepInfo {
		if s != nil && dtsapi.Int64Value(s.StepNo) == dtsapi.Int64Value(d.StepNow) {
			return dtsapi.StringValue(s.StepName)
		}
	}
	return ""
}

func isUnknownStatus(state string) bool {
	return strings.HasPrefix(state, "unknown")
}

func unexpectedState(err error) *retry.UnexpectedStateError {
	var use *retry.UnexpectedStateError
	if errors.As(err, &use) {
		return use
	}
	return nil
}

func orNever(te *retry.TimeoutError) string {
	if te.LastState == "" {
		return "never read"
	}
	if te.Detail != "" {
		return te.Detail
	}
	return te.LastState
}

// jobErrorText joins what a job says about its failure.
func jobErrorText(job *dtsapi.MigrateJobInfo) string {
	var parts []string
	for _, e := range job.ErrorInfo {
		if e == nil {
			continue
		}
		p := dtsapi.StringValue(e.ErrorLog)
		if h := dtsapi.StringValue(e.HelpDoc); h != "" {
			p += " (see " + h + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "the API gave no reason"
	}
	return strings.Join(slices.Compact(parts), "; ")
}
