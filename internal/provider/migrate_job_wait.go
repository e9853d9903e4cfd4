package provider

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

// jobWaiter drives one job through the API's state machine for one Terraform operation.
type jobWaiter struct {
	client           *dtsapi.Client
	minPoll, maxPoll time.Duration
	// timeout is the operation's whole timeout, named in timeout errors.
	timeout time.Duration
}

func (r *migrateJobResource) waiter(timeout time.Duration) *jobWaiter {
	return newJobWaiter(r.data, timeout)
}

func newJobWaiter(data *providerData, timeout time.Duration) *jobWaiter {
	return &jobWaiter{client: data.client, minPoll: data.pollMinInterval, maxPoll: data.pollMaxInterval, timeout: timeout}
}

// longestETA bounds how long a progress estimate may put off the next read: progress need not
// be linear, and a long sleep on a bad estimate would report the end late.
func (w *jobWaiter) longestETA() time.Duration { return 4 * w.maxPoll }

// lookupSlack is how long before the request a job may have been created and still count as
// the answer to a CreateMigrateJob whose response was lost; it absorbs the clocks' skew and
// the API's one-second time resolution.
const lookupSlack = 30 * time.Second

// createJob calls CreateMigrateJob once. When the answer is lost (a network error, a timeout, a
// 5xx or an InternalError), the job may or may not exist: it looks for jobs of exactly this
// name created since the request began and adopts exactly one, so that a retry never makes
// two jobs.
func (w *jobWaiter) createJob(ctx context.Context, req *dtsapi.CreateMigrateJobRequest) (string, error) {
	began := time.Now()
	jobID, err := w.client.CreateMigrateJob(ctx, req)
	if err == nil {
		tflog.Info(ctx, "created DTS migrate job", map[string]any{"job_id": jobID})
		return jobID, nil
	}
	if !answerLost(err) {
		return "", err
	}
	name := dtsapi.StringValue(req.JobName)
	tflog.Warn(ctx, "the answer to CreateMigrateJob was lost; looking for the job it may have created", map[string]any{"job_name": name, "error": err.Error()})
	lookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	_, jobs, lerr := w.client.ListMigrateJobs(lookCtx, &dtsapi.DescribeMigrateJobsRequest{JobName: dtsapi.String(name)}, 0)
	if lerr != nil {
		return "", fmt.Errorf("%w; then, looking for a job it may have created anyway: %w. Check for a job named %q before applying again", err, lerr, name)
	}
	var found []*dtsapi.MigrateJobInfo
	for _, j := range jobs {
		created, ok := apiTime(dtsapi.StringValue(j.CreateTime))
		if dtsapi.StringValue(j.JobName) == name && ok && !created.Before(began.Add(-lookupSlack)) {
			found = append(found, j)
		}
	}
	switch len(found) {
	case 1:
		jobID = dtsapi.StringValue(found[0].JobId)
		tflog.Warn(ctx, "adopted the DTS migrate job created by a request whose answer was lost", map[string]any{"job_id": jobID})
		return jobID, nil
	case 0:
		return "", fmt.Errorf("%w; no job named %q was created since the request began, so nothing was left behind: apply again", err, name)
	default:
		ids := make([]string, len(found))
		for i, j := range found {
			ids[i] = dtsapi.StringValue(j.JobId) + " (created " + dtsapi.StringValue(j.CreateTime) + ")"
		}
		return "", fmt.Errorf("%w; %d jobs named %q were created since the request began: %s. Import the right one with terraform import and delete the others",
			err, len(found), name, strings.Join(ids, ", "))
	}
}

// answerLost reports whether a mutation's error leaves its outcome unknown.
func answerLost(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	return dtsapi.IsTransient(err) && !dtsapi.IsThrottled(err)
}

// transitionalStatuses are the statuses a job leaves by itself; stableStatuses the others.
var (
	transitionalStatuses = []string{"creating", "checking", "stopping", "completing"}
	stableStatuses       = []string{"created", "check_pass", "check_not_pass", "ready_run", "running", "ready_complete", "success", "failed"}
)

// settle waits for a job in a transitional status (creating, checking, stopping, completing,
// or one this provider does not know) to leave it, and returns the job as it then is. delay
// postpones the first read, after a call whose effect is not visible at once.
func (w *jobWaiter) settle(ctx context.Context, jobID string, delay time.Duration) (*dtsapi.MigrateJobInfo, error) {
	return w.waitJob(ctx, jobID, transitionalStatuses, stableStatuses, delay)
}

// modifyJob brings the job to a status that allows ModifyMigrateJob (stopping a running
// migration) and modifies it.
func (w *jobWaiter) modifyJob(ctx context.Context, jobID string, req *dtsapi.ModifyMigrateJobRequest) error {
	for attempt := 0; ; attempt++ {
		job, err := w.settle(ctx, jobID, 0)
		if err != nil {
			return err
		}
		switch status := dtsapi.Int64Value(job.Status); status {
		case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete:
			if err := w.stopJob(ctx, jobID); err != nil {
				return err
			}
		case dtsapi.StatusSuccess:
			return fmt.Errorf("the job has finished (status success) and the API cannot modify a finished job; plan again, and the change is planned as a replacement")
		}
		err = w.client.ModifyMigrateJob(ctx, req)
		if err == nil {
			tflog.Info(ctx, "modified DTS migrate job", map[string]any{"job_id": jobID})
			return nil
		}
		// The job may have moved on between the read and the call; look again, a few times.
		if !dtsapi.IsNotAllowed(err) || attempt >= 3 {
			return err
		}
	}
}

// stopJob stops a migration and waits until the job has failed, as a stopped job does.
func (w *jobWaiter) stopJob(ctx context.Context, jobID string) error {
	tflog.Info(ctx, "stopping DTS migrate job", map[string]any{"job_id": jobID})
	if err := w.client.StopMigrateJob(ctx, jobID); err != nil && !dtsapi.IsNotAllowed(err) {
		return fmt.Errorf("stopping the migration: %w", err)
	}
	_, err := w.waitJob(ctx, jobID, []string{"ready_run", "running", "ready_complete", "stopping"}, []string{"failed"}, w.minPoll)
	if use := unexpectedState(err); use != nil && use.State == "success" {
		// The migration finished before the stop took effect.
		return nil
	}
	return err
}

// converge drives the job from where it is to what m asks for: a check when check is true or
// the job needs one to start, a start when m.Start, then the waits of m.WaitFor and
// m.Complete. It returns the job as its last wait saw it (nil when something may have changed
// since) and the last check result it read, if any. settleDelay postpones the first read.
func (w *jobWaiter) converge(ctx context.Context, jobID string, m *migrateJobResourceModel, check bool, settleDelay time.Duration) (*dtsapi.MigrateJobInfo, *dtsapi.MigrateCheckResult, error) {
	job, err := w.settle(ctx, jobID, settleDelay)
	if err != nil {
		return nil, nil, err
	}
	status := dtsapi.Int64Value(job.Status)
	start := m.Start.ValueBool()
	var result *dtsapi.MigrateCheckResult
	needsCheck := check || start && (status == dtsapi.StatusCreated || status == dtsapi.StatusCheckNotPass)
	if needsCheck && slices.Contains([]int64{dtsapi.StatusCreated, dtsapi.StatusCheckPass, dtsapi.StatusCheckNotPass, dtsapi.StatusFailed}, status) {
		if result, err = w.checkJob(ctx, jobID); err != nil {
			return nil, result, err
		}
		status = dtsapi.StatusCheckPass
	}
	if !start {
		if result != nil {
			job = nil // the check moved the job on
		}
		return job, result, nil
	}
	started := false
	if status == dtsapi.StatusCheckPass {
		tflog.Info(ctx, "starting DTS migrate job", map[string]any{"job_id": jobID})
		if err := w.client.StartMigrateJob(ctx, jobID); err != nil {
			return nil, result, fmt.Errorf("starting the migration: %w", err)
		}
		started = true
	}
	if !started && !slices.Contains([]int64{dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusSuccess}, status) {
		// Nothing runs (for instance a job that failed earlier): there is nothing to wait for.
		if result != nil {
			job = nil
		}
		return job, result, nil
	}

	// A start is not visible at once: the first read waits a poll interval.
	delay := time.Duration(0)
	if started {
		delay = w.minPoll
	}
	scheduled := m.RunMode.ValueString() == "scheduled"
	switch {
	case m.Complete.ValueBool():
		job, err = w.waitJob(ctx, jobID, []string{"check_pass", "ready_run", "running"}, []string{"ready_complete", "completing", "success"}, delay)
		if err != nil {
			return nil, result, err
		}
		delay = 0
		if dtsapi.Int64Value(job.Status) == dtsapi.StatusReadyComplete {
			mode := completeModes[m.CompleteMode.ValueString()]
			tflog.Info(ctx, "completing DTS migrate job", map[string]any{"job_id": jobID, "complete_mode": mode})
			if err := w.client.CompleteMigrateJob(ctx, jobID, mode); err != nil {
				return nil, result, fmt.Errorf("completing the migration: %w", err)
			}
			delay = w.minPoll
		}
		job, err = w.waitJob(ctx, jobID, []string{"ready_complete", "completing"}, []string{"success"}, delay)
	case m.WaitFor.ValueString() == "success":
		job, err = w.waitJob(ctx, jobID, []string{"check_pass", "ready_run", "running"}, []string{"success"}, delay)
	case m.WaitFor.ValueString() == "ready_complete":
		job, err = w.waitJob(ctx, jobID, []string{"check_pass", "ready_run", "running"}, []string{"ready_complete", "completing", "success"}, delay)
	default:
		pending, target := []string{"check_pass", "ready_run"}, []string{"running", "ready_complete", "completing", "success"}
		if scheduled {
			pending, target = []string{"check_pass"}, append(target, "ready_run")
		}
		job, err = w.waitJob(ctx, jobID, pending, target, delay)
	}
	if err != nil {
		return nil, result, err
	}
	return job, result, nil
}

// checkJob runs the mandatory check and waits for its result; a failed check is an error that
// carries the check's message and the job's error details.
func (w *jobWaiter) checkJob(ctx context.Context, jobID string) (*dtsapi.MigrateCheckResult, error) {
	tflog.Info(ctx, "checking DTS migrate job", map[string]any{"job_id": jobID})
	if err := w.client.CreateMigrateCheckJob(ctx, jobID); err != nil {
		return nil, fmt.Errorf("starting the migration check: %w", err)
	}
	// Right after the call the result may still read unavailable: wait through it.
	result, err := w.waitCheck(ctx, jobID,
		[]string{dtsapi.CheckStatusUnavailable, dtsapi.CheckStatusStarting, dtsapi.CheckStatusRunning},
		[]string{dtsapi.CheckStatusFinished}, w.minPoll)
	if err != nil {
		return result, fmt.Errorf("waiting for the migration check: %w", err)
	}
	switch dtsapi.Int64Value(result.CheckFlag) {
	case dtsapi.CheckFlagPassed:
		return result, nil
	case dtsapi.CheckFlagFailed:
		details := ""
		if job, ferr := w.client.FindMigrateJob(ctx, jobID); ferr == nil && len(job.ErrorInfo) > 0 {
			details = "; details: " + jobErrorText(job)
		}
		return result, fmt.Errorf("%w: %s (error code %d)%s. Fix the configuration or the databases and apply again: the job is tainted and will be replaced",
			errCheckFailed, dtsapi.StringValue(result.ErrorMessage), dtsapi.Int64Value(result.ErrorCode), details)
	default:
		return result, fmt.Errorf("the migration check finished without a verdict (check flag %d)", dtsapi.Int64Value(result.CheckFlag))
	}
}

// waitCheck polls the job's check result until its status is in target, and returns it.
func (w *jobWaiter) waitCheck(ctx context.Context, jobID string, pending, target []string, delay time.Duration) (*dtsapi.MigrateCheckResult, error) {
	eta := &etaEstimator{}
	conf := &retry.StateChangeConf[*dtsapi.MigrateCheckResult]{
		Delay:       delay,
		Pending:     pending,
		Target:      target,
		MinInterval: w.minPoll,
		MaxInterval: w.maxPoll,
		Refresh: func(ctx context.Context) (*dtsapi.MigrateCheckResult, string, error) {
			c, err := w.client.DescribeMigrateCheckJob(ctx, jobID)
			if dtsapi.IsNotFound(err) {
				return nil, "", &retry.NotFoundError{What: fmt.Sprintf("DTS migrate job (%s)", jobID), LastError: err}
			}
			if err != nil {
				return nil, "", err
			}
			return c, dtsapi.StringValue(c.Status), nil
		},
		Describe: func(c *dtsapi.MigrateCheckResult) string {
			return "check progress " + dtsapi.StringValue(c.Progress) + "%"
		},
		NextInterval: func(c *dtsapi.MigrateCheckResult, _ string, chosen time.Duration) time.Duration {
			return eta.next(percent(c.Progress), chosen, w.longestETA())
		},
		OnChange: func(ctx context.Context, c *dtsapi.MigrateCheckResult, state string) {
			tflog.Info(ctx, "DTS migrate job check: "+state, map[string]any{"job_id": jobID, "check_status": state, "progress": dtsapi.StringValue(c.Progress)})
		},
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
	conf := &retry.StateChangeConf[*dtsapi.MigrateJobInfo]{
		Delay:       delay,
		Pending:     pending,
		Target:      target,
		PendingFunc: isUnknownStatus,
		MinInterval: w.minPoll,
		MaxInterval: w.maxPoll,
		Refresh:     w.statusJob(jobID),
		Describe:    describeJob,
		NextInterval: func(job *dtsapi.MigrateJobInfo, _ string, chosen time.Duration) time.Duration {
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
		},
		OnChange: func(ctx context.Context, job *dtsapi.MigrateJobInfo, state string) {
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
		},
	}
	job, err := conf.WaitForState(ctx)
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

// statusJob is the refresh function of the job waiters.
func (w *jobWaiter) statusJob(jobID string) retry.RefreshFunc[*dtsapi.MigrateJobInfo] {
	return func(ctx context.Context) (*dtsapi.MigrateJobInfo, string, error) {
		job, err := w.client.FindMigrateJob(ctx, jobID)
		if dtsapi.IsNotFound(err) {
			return nil, "", &retry.NotFoundError{What: fmt.Sprintf("DTS migrate job (%s)", jobID), LastError: err}
		}
		if err != nil {
			return nil, "", err
		}
		return job, dtsapi.StatusName(dtsapi.Int64Value(job.Status)), nil
	}
}

// deleteJob stops the job when it runs, waits out transitions, deletes it and waits until the
// API no longer lists it. A job that is not found at any step is deleted.
func (w *jobWaiter) deleteJob(ctx context.Context, jobID string) error {
	for attempt := 0; ; attempt++ {
		job, err := w.settle(ctx, jobID, 0)
		if dtsapi.IsNotFound(err) || retry.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		switch dtsapi.Int64Value(job.Status) {
		case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete:
			if err := w.stopJob(ctx, jobID); err != nil {
				if retry.IsNotFound(err) {
					return nil
				}
				return err
			}
		}
		tflog.Info(ctx, "deleting DTS migrate job", map[string]any{"job_id": jobID})
		err = w.client.DeleteMigrateJob(ctx, jobID)
		switch {
		case err == nil:
		case dtsapi.IsNotFound(err):
			return nil
		case dtsapi.IsNotAllowed(err) && attempt < 3:
			continue
		default:
			return err
		}
		conf := &retry.StateChangeConf[*dtsapi.MigrateJobInfo]{
			Delay:          w.minPoll,
			Pending:        jobStatusNames,
			PendingFunc:    isUnknownStatus,
			TargetNotFound: true,
			MinInterval:    w.minPoll,
			MaxInterval:    w.maxPoll,
			Refresh:        w.statusJob(jobID),
		}
		_, err = conf.WaitForState(ctx)
		return err
	}
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
	if dtsapi.Int64Value(job.Status) != dtsapi.StatusReadyRun || opt == nil || dtsapi.Int64Value(opt.RunMode) != 2 {
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
