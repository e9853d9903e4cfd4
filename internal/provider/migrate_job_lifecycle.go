package provider

// migrate_job_lifecycle.go: the operations that change a job (create with adoption, modify,
// check, start, complete, stop, delete) and converge, the plan that drives a job from where it
// is to what the configuration asks. The waits they use are in migrate_job_wait.go.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// lifecycle drives one job through the API's state machine for one Terraform operation.
type lifecycle struct {
	client *dtsapi.Client
	wait   *jobWaiter
}

func newLifecycle(data *providerData, timeout time.Duration) *lifecycle {
	return &lifecycle{client: data.client, wait: newJobWaiter(data, timeout)}
}

// lastRead is what an operation last read of a job, so that recording the job in state need
// not read it again. A nil field is one the operation cannot vouch for (it was not read, or
// something may have changed since).
type lastRead struct {
	job   *dtsapi.MigrateJobInfo
	check *dtsapi.MigrateCheckResult
}

// convergeOptions say how converge begins.
type convergeOptions struct {
	// check runs a check even when the job's status does not call for one: the job's
	// configuration has just been created or modified, which invalidates any earlier check.
	check bool
	// firstReadDelay postpones the first read, after a call whose effect is not visible at once.
	firstReadDelay time.Duration
}

// lookupSlack is how long before the request a job may have been created and still count as
// the answer to a CreateMigrateJob whose response was lost; it absorbs the clocks' skew and
// the API's one-second time resolution.
const lookupSlack = 30 * time.Second

// create calls CreateMigrateJob once. When the answer is lost (a network error, a timeout, a
// 5xx or an InternalError), the job may or may not exist: it looks for jobs of exactly this
// name created since the request began and adopts exactly one, so that a retry never makes
// two jobs.
func (l *lifecycle) create(ctx context.Context, req *dtsapi.CreateMigrateJobRequest) (string, error) {
	began := time.Now()
	jobID, err := l.client.CreateMigrateJob(ctx, req)
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
	_, jobs, lerr := l.client.ListMigrateJobs(lookCtx, &dtsapi.DescribeMigrateJobsRequest{JobName: dtsapi.String(name)}, 0)
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

// modify brings the job to a status that allows ModifyMigrateJob (stopping a running
// migration) and modifies it.
func (l *lifecycle) modify(ctx context.Context, jobID string, req *dtsapi.ModifyMigrateJobRequest) error {
	for attempt := 0; ; attempt++ {
		job, err := l.wait.waitMigrateJobSettled(ctx, jobID, 0)
		if err != nil {
			return err
		}
		switch status := dtsapi.Int64Value(job.Status); status {
		case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete:
			if err := l.stop(ctx, jobID); err != nil {
				return err
			}
		case dtsapi.StatusSuccess:
			return fmt.Errorf("the job has finished (status success) and the API cannot modify a finished job; plan again, and the change is planned as a replacement")
		}
		err = l.client.ModifyMigrateJob(ctx, req)
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

// check runs the mandatory check and waits for its result; a failed check is an error that
// carries the check's message and the job's error details.
func (l *lifecycle) check(ctx context.Context, jobID string) (*dtsapi.MigrateCheckResult, error) {
	tflog.Info(ctx, "checking DTS migrate job", map[string]any{"job_id": jobID})
	if err := l.client.CreateMigrateCheckJob(ctx, jobID); err != nil {
		return nil, fmt.Errorf("starting the migration check: %w", err)
	}
	result, err := l.wait.waitMigrateJobCheckFinished(ctx, jobID, l.wait.minPoll)
	if err != nil {
		return result, fmt.Errorf("waiting for the migration check: %w", err)
	}
	switch dtsapi.Int64Value(result.CheckFlag) {
	case dtsapi.CheckFlagPassed:
		return result, nil
	case dtsapi.CheckFlagFailed:
		details := ""
		if job, ferr := findMigrateJobByID(ctx, l.client, jobID); ferr == nil && len(job.ErrorInfo) > 0 {
			details = "; details: " + jobErrorText(job)
		}
		return result, fmt.Errorf("%w: %s (error code %d)%s. Fix the configuration or the databases and apply again: the job is tainted and will be replaced",
			errCheckFailed, dtsapi.StringValue(result.ErrorMessage), dtsapi.Int64Value(result.ErrorCode), details)
	default:
		return result, fmt.Errorf("the migration check finished without a verdict (check flag %d)", dtsapi.Int64Value(result.CheckFlag))
	}
}

var errCheckFailed = errors.New("the migration check did not pass")

// start starts a job whose check passed.
func (l *lifecycle) start(ctx context.Context, jobID string) error {
	tflog.Info(ctx, "starting DTS migrate job", map[string]any{"job_id": jobID})
	if err := l.client.StartMigrateJob(ctx, jobID); err != nil {
		return fmt.Errorf("starting the migration: %w", err)
	}
	return nil
}

// complete completes an incremental job that is ready to complete.
func (l *lifecycle) complete(ctx context.Context, jobID, completeMode string) error {
	mode, _ := completeModes.code(completeMode)
	tflog.Info(ctx, "completing DTS migrate job", map[string]any{"job_id": jobID, "complete_mode": mode})
	if err := l.client.CompleteMigrateJob(ctx, jobID, mode); err != nil {
		return fmt.Errorf("completing the migration: %w", err)
	}
	return nil
}

// stop stops a migration and waits until the job has failed, as a stopped job does.
func (l *lifecycle) stop(ctx context.Context, jobID string) error {
	tflog.Info(ctx, "stopping DTS migrate job", map[string]any{"job_id": jobID})
	if err := l.client.StopMigrateJob(ctx, jobID); err != nil && !dtsapi.IsNotAllowed(err) {
		return fmt.Errorf("stopping the migration: %w", err)
	}
	_, err := l.wait.waitMigrateJobStopped(ctx, jobID, l.wait.minPoll)
	if use := unexpectedState(err); use != nil && use.State == dtsapi.StatusName(dtsapi.StatusSuccess) {
		// The migration finished before the stop took effect.
		return nil
	}
	return err
}

// remove stops the job when it runs, waits out transitions, deletes it and waits until the
// API no longer lists it. A job that is not found at any step is deleted.
func (l *lifecycle) remove(ctx context.Context, jobID string) error {
	for attempt := 0; ; attempt++ {
		job, err := l.wait.waitMigrateJobSettled(ctx, jobID, 0)
		if dtsapi.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		switch dtsapi.Int64Value(job.Status) {
		case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete:
			if err := l.stop(ctx, jobID); err != nil {
				if dtsapi.IsNotFound(err) {
					return nil
				}
				return err
			}
		}
		tflog.Info(ctx, "deleting DTS migrate job", map[string]any{"job_id": jobID})
		err = l.client.DeleteMigrateJob(ctx, jobID)
		switch {
		case err == nil:
		case dtsapi.IsNotFound(err):
			return nil
		case dtsapi.IsNotAllowed(err) && attempt < 3:
			continue
		default:
			return err
		}
		return l.wait.waitMigrateJobDeleted(ctx, jobID, l.wait.minPoll)
	}
}

// converge drives the job from where it is to what m asks for: a check when opts.check or when
// the job needs one to start, a start when m.Start, then the waits of m.WaitFor and
// m.Complete. It returns what it last read of the job.
func (l *lifecycle) converge(ctx context.Context, jobID string, m *migrateJobResourceModel, opts convergeOptions) (lastRead, error) {
	job, err := l.wait.waitMigrateJobSettled(ctx, jobID, opts.firstReadDelay)
	if err != nil {
		return lastRead{}, err
	}
	status := dtsapi.Int64Value(job.Status)
	start := m.Start.ValueBool()
	var seen lastRead
	needsCheck := opts.check || start && (status == dtsapi.StatusCreated || status == dtsapi.StatusCheckNotPass)
	if needsCheck && checkable(status) {
		if seen.check, err = l.check(ctx, jobID); err != nil {
			return seen, err
		}
		status = dtsapi.StatusCheckPass
	}
	if seen.check == nil {
		// Without a check the job is as the settling read saw it; a check moved it on.
		seen.job = job
	}
	if !start {
		return seen, nil
	}
	started := false
	if status == dtsapi.StatusCheckPass {
		if err := l.start(ctx, jobID); err != nil {
			return lastRead{check: seen.check}, err
		}
		started = true
	}
	if !started && !migrating(status) {
		// Nothing runs (for instance a job that failed earlier): there is nothing to wait for.
		return seen, nil
	}

	// A start is not visible at once: the first read waits a poll interval.
	delay := time.Duration(0)
	if started {
		delay = l.wait.minPoll
	}
	switch {
	case m.Complete.ValueBool():
		job, err = l.wait.waitMigrateJobReadyComplete(ctx, jobID, delay)
		if err != nil {
			return lastRead{check: seen.check}, err
		}
		delay = 0
		if dtsapi.Int64Value(job.Status) == dtsapi.StatusReadyComplete {
			if err := l.complete(ctx, jobID, m.CompleteMode.ValueString()); err != nil {
				return lastRead{check: seen.check}, err
			}
			delay = l.wait.minPoll
		}
		job, err = l.wait.waitMigrateJobSucceeded(ctx, jobID, delay)
	case m.WaitFor.ValueString() == dtsapi.StatusName(dtsapi.StatusSuccess):
		job, err = l.wait.waitMigrateJobSucceeded(ctx, jobID, delay)
	case m.WaitFor.ValueString() == dtsapi.StatusName(dtsapi.StatusReadyComplete):
		job, err = l.wait.waitMigrateJobReadyComplete(ctx, jobID, delay)
	default:
		scheduled := m.RunMode.ValueString() == runModes.name(dtsapi.RunModeScheduled)
		job, err = l.wait.waitMigrateJobRunning(ctx, jobID, scheduled, delay)
	}
	if err != nil {
		return lastRead{check: seen.check}, err
	}
	return lastRead{job: job, check: seen.check}, nil
}

// checkable reports whether the API accepts CreateMigrateCheckJob in status.
func checkable(status int64) bool {
	switch status {
	case dtsapi.StatusCreated, dtsapi.StatusCheckPass, dtsapi.StatusCheckNotPass, dtsapi.StatusFailed:
		return true
	}
	return false
}

// migrating reports whether a job in status has been started and has not failed or been
// stopped: it is moving data, about to, or done.
func migrating(status int64) bool {
	switch status {
	case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusSuccess:
		return true
	}
	return false
}
