package provider

// migrate_job_lifecycle.go: the operations that change a job (create with adoption, modify,
// check, start, complete, stop, delete) and converge, the plan that drives a job from where it
// is to what the configuration asks. The waits they use are in migrate_job_wait.go.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
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

// createTokenTagKey is the tag key, reserved by this provider, whose value is a token unique to
// one create. The API has no idempotency token, and tags are the only field of a request that
// the job carries back: a create whose answer was lost is recovered by listing the jobs with
// its token, whatever their names and whatever the clocks say. The provider filters the tag out
// of tags and of the data sources, and refuses it in a configuration.
const createTokenTagKey = "terraform-provider-dts:create-token"

// newCreateToken returns a token no other create will use.
func newCreateToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a create token: %w", err)
	}
	return "tf-" + hex.EncodeToString(b), nil
}

// create makes exactly one job for req. The request carries a fresh create token; when an
// answer is lost (a network error, a timeout, a 5xx or an InternalError) the job may or may not
// exist, so create lists the jobs with that token: it adopts the job it finds, and sends the
// request again only when there is none, until ctx ends. The last look uses a context of its
// own, so that a job created just before the operation ran out still reaches the state.
func (l *lifecycle) create(ctx context.Context, req *dtsapi.CreateMigrateJobRequest) (string, error) {
	token, err := newCreateToken()
	if err != nil {
		return "", err
	}
	tagged := *req
	tagged.Tags = append(slices.Clip(req.Tags), &dtsapi.TagItem{TagKey: dtsapi.String(createTokenTagKey), TagValue: dtsapi.String(token)})
	for attempt := 0; ; attempt++ {
		jobID, err := l.client.CreateMigrateJob(ctx, &tagged)
		if err == nil {
			tflog.Info(ctx, "created DTS migrate job", map[string]any{"job_id": jobID})
			return jobID, nil
		}
		if !answerLost(err) {
			return "", err
		}
		tflog.Warn(ctx, "the answer to CreateMigrateJob was lost; looking for the job it may have created", map[string]any{"create_token": token, "error": err.Error()})
		jobID, lerr := l.findCreated(ctx, token)
		switch {
		case lerr != nil:
			return "", fmt.Errorf("%w; then, looking for the job it may have created: %w. Look for a job tagged %s = %s before applying again", err, lerr, createTokenTagKey, token)
		case jobID != "":
			tflog.Warn(ctx, "adopted the DTS migrate job created by a request whose answer was lost", map[string]any{"job_id": jobID})
			return jobID, nil
		case ctx.Err() != nil:
			return "", fmt.Errorf("%w; no job was created, so nothing was left behind: apply again", err)
		}
		if werr := l.pause(ctx, attempt); werr != nil {
			return "", fmt.Errorf("%w; no job was created, so nothing was left behind: apply again", err)
		}
	}
}

// findCreated returns the job carrying token, or "" when there is none. Should a request whose
// answer was lost have been committed after a look that found nothing, two jobs carry the token:
// the oldest is the one, and the others, which no configuration owns and which have moved no
// data, are deleted.
func (l *lifecycle) findCreated(ctx context.Context, token string) (string, error) {
	lookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	filter := &dtsapi.TagFilter{TagKey: dtsapi.String(createTokenTagKey), TagValue: []*string{dtsapi.String(token)}}
	_, jobs, err := l.client.ListMigrateJobs(lookCtx, &dtsapi.DescribeMigrateJobsRequest{
		TagFilters: []*dtsapi.TagFilter{filter}, Order: dtsapi.String("CreateTime"), OrderSeq: dtsapi.String("ASC"),
	}, 0)
	if err != nil || len(jobs) == 0 {
		return "", err
	}
	for _, extra := range jobs[1:] {
		id := dtsapi.StringValue(extra.JobId)
		tflog.Warn(ctx, "deleting a duplicate DTS migrate job made by a retried create", map[string]any{"job_id": id})
		if derr := l.client.DeleteMigrateJob(lookCtx, id); derr != nil && !dtsapi.IsNotFound(derr) {
			tflog.Warn(ctx, "could not delete the duplicate job; delete it by hand", map[string]any{"job_id": id, "error": derr.Error()})
		}
	}
	return dtsapi.StringValue(jobs[0].JobId), nil
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
		// A modification sends the whole configuration, so sending it again is harmless: after a
		// lost answer it is always sent again.
		err = l.reconcile(ctx, jobID, dtsapi.ActionModifyMigrateJob, func(ctx context.Context) error {
			return l.client.ModifyMigrateJob(ctx, req)
		}, func(*dtsapi.MigrateJobInfo) bool { return false })
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
	// A check that has begun, or has already passed, took effect; running a check again is
	// harmless otherwise.
	err := l.reconcile(ctx, jobID, dtsapi.ActionCreateMigrateCheckJob, func(ctx context.Context) error {
		return l.client.CreateMigrateCheckJob(ctx, jobID)
	}, statusIn(dtsapi.StatusChecking, dtsapi.StatusCheckPass))
	if err != nil {
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
	err := l.reconcile(ctx, jobID, dtsapi.ActionStartMigrateJob, func(ctx context.Context) error {
		return l.client.StartMigrateJob(ctx, jobID)
	}, statusIn(dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusCompleting,
		dtsapi.StatusSuccess, dtsapi.StatusStopping, dtsapi.StatusFailed))
	if err != nil {
		return fmt.Errorf("starting the migration: %w", err)
	}
	return nil
}

// complete completes an incremental job that is ready to complete.
func (l *lifecycle) complete(ctx context.Context, jobID, completeMode string) error {
	mode, _ := completeModes.code(completeMode)
	tflog.Info(ctx, "completing DTS migrate job", map[string]any{"job_id": jobID, "complete_mode": mode})
	err := l.reconcile(ctx, jobID, dtsapi.ActionCompleteMigrateJob, func(ctx context.Context) error {
		return l.client.CompleteMigrateJob(ctx, jobID, mode)
	}, statusIn(dtsapi.StatusCompleting, dtsapi.StatusSuccess))
	if err != nil {
		return fmt.Errorf("completing the migration: %w", err)
	}
	return nil
}

// stop stops a migration and waits until the job has failed, as a stopped job does.
func (l *lifecycle) stop(ctx context.Context, jobID string) error {
	tflog.Info(ctx, "stopping DTS migrate job", map[string]any{"job_id": jobID})
	err := l.reconcile(ctx, jobID, dtsapi.ActionStopMigrateJob, func(ctx context.Context) error {
		return l.client.StopMigrateJob(ctx, jobID)
	}, statusIn(dtsapi.StatusStopping, dtsapi.StatusFailed, dtsapi.StatusSuccess))
	if err != nil && !dtsapi.IsNotAllowed(err) {
		return fmt.Errorf("stopping the migration: %w", err)
	}
	_, err = l.wait.waitMigrateJobStopped(ctx, jobID, l.wait.minPoll)
	if use := unexpectedState(err); use != nil && use.State == dtsapi.StatusName(dtsapi.StatusSuccess) {
		// The migration finished before the stop took effect.
		return nil
	}
	return err
}

// remove stops the job when it runs, waits out transitions, deletes it and waits until the
// API no longer lists it. A job that is not found at any step is deleted. With protect, a job
// that moves data is not touched: remove returns a *protectedError.
func (l *lifecycle) remove(ctx context.Context, jobID string, protect bool) error {
	job, err := findMigrateJobByID(ctx, l.client, jobID)
	if dtsapi.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		if protect && movesData(dtsapi.Int64Value(job.Status)) {
			return &protectedError{jobID: jobID, status: statusName(dtsapi.Int64Value(job.Status))}
		}
		if attempt > 0 || !settled(job) {
			job, err = l.wait.waitMigrateJobSettled(ctx, jobID, 0)
			if dtsapi.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return err
			}
		}
		status := dtsapi.Int64Value(job.Status)
		if protect && movesData(status) {
			return &protectedError{jobID: jobID, status: statusName(status)}
		}
		if migrating(status) && status != dtsapi.StatusSuccess {
			if err := l.stop(ctx, jobID); err != nil {
				if dtsapi.IsNotFound(err) {
					return nil
				}
				return err
			}
		}
		tflog.Info(ctx, "deleting DTS migrate job", map[string]any{"job_id": jobID})
		err = l.reconcile(ctx, jobID, dtsapi.ActionDeleteMigrateJob, func(ctx context.Context) error {
			return l.client.DeleteMigrateJob(ctx, jobID)
		}, func(job *dtsapi.MigrateJobInfo) bool { return job == nil })
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

// settled reports whether the job, as just read, is in a status it does not leave by itself:
// the read that waiting for it to settle would begin with.
func settled(job *dtsapi.MigrateJobInfo) bool {
	return slices.Contains(settledTarget, dtsapi.StatusName(dtsapi.Int64Value(job.Status)))
}

// protectedError is a Delete that deletion_protection refused.
type protectedError struct {
	jobID, status string
}

func (e *protectedError) Error() string {
	return fmt.Sprintf("DTS Migrate Job (%s) is %s: it is moving data, and deletion_protection is true, so it was neither stopped nor deleted. "+
		"To keep the job (after a timeout or a cancelled run tainted it, say), run terraform untaint on this resource and apply again: the apply resumes it in place. "+
		"To let it go, set deletion_protection = false and apply before destroying or replacing it; a tainted job must be untainted first "+
		"(terraform untaint, then the apply that records deletion_protection = false, then terraform apply -replace)", e.jobID, e.status)
}

// movesData reports whether a job in status is moving data, or about to: a started migration
// that has neither finished nor failed. Statuses this provider does not know count too.
func movesData(status int64) bool {
	switch status {
	case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusCompleting, dtsapi.StatusStopping:
		return true
	case dtsapi.StatusCreating, dtsapi.StatusCreated, dtsapi.StatusChecking, dtsapi.StatusCheckPass, dtsapi.StatusCheckNotPass,
		dtsapi.StatusFailed, dtsapi.StatusSuccess:
		return false
	}
	return true
}

// converge drives the job from where it is to what m asks for: a check when opts.check or when
// the job has none that holds, a start when m.Start, then the waits of m.WaitFor and
// m.Complete. It never stops a job. It returns what it last read of the job.
func (l *lifecycle) converge(ctx context.Context, jobID string, m *migrateJobResourceModel, opts convergeOptions) (lastRead, error) {
	job, err := l.wait.waitMigrateJobSettled(ctx, jobID, opts.firstReadDelay)
	if err != nil {
		return lastRead{}, err
	}
	status := dtsapi.Int64Value(job.Status)
	start := m.Start.ValueBool()
	var seen lastRead
	// A job needs a check when its configuration is new or modified, when it has not passed its
	// last check, or when its last run failed: without one it cannot start again.
	needsCheck := opts.check || status == dtsapi.StatusCreated || status == dtsapi.StatusCheckNotPass || status == dtsapi.StatusFailed
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
