package provider

// migrate_job_read.go: the one path that reads a job into the resource's model, after a Read
// or an operation, and records it in state with the operation's outcome (an interrupt or a
// timeout on a healthy job said as such), the identity included.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// record writes the job as it now is into state and reports opErr, the outcome of the
// operation; seen is what the operation last read, which spares reading it again. An operation
// cut short on a healthy job (one that has not failed and whose check has not failed) says so:
// an interrupt is a warning, so that the job stays in state untainted and the next apply
// resumes it; a timeout is an error that says the job goes on and what to do. When the job
// cannot be read, the state keeps prior (nil for a create, whose state then holds the ID).
func (r *migrateJobResource) record(ctx context.Context, m, prior *migrateJobResourceModel, seen lastRead, opErr error, verb string, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	interrupted := errors.Is(ctx.Err(), context.Canceled)
	// The final read uses a context of its own, as the operation's may have ended: short after
	// an interrupt, so that Terraform gets its answer within seconds of the signal.
	readTimeout := 2 * time.Minute
	if interrupted {
		readTimeout = 4 * time.Second
	}
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	defer cancel()
	job, readDiags, _ := r.readInto(readCtx, m, seen, 0)
	jobID := m.ID.ValueString()
	if job == nil {
		if opErr != nil {
			diags.AddError(fmt.Sprintf("Error %s DTS Migrate Job", titleCase(verb)), fmt.Sprintf("%s DTS Migrate Job (%s): %s", verb, jobID, opErr))
		}
		diags.Append(readDiags...)
		if prior != nil {
			diags.Append(state.Set(ctx, prior)...)
		}
		diags.Append(r.setIdentity(ctx, identity, jobID)...)
		return
	}
	diags.Append(readDiags.Warnings()...)
	status := dtsapi.Int64Value(job.Status)
	healthy := status != dtsapi.StatusFailed && status != dtsapi.StatusCheckNotPass && !errors.Is(opErr, errCheckFailed)
	switch {
	case opErr == nil:
		diags.Append(readDiags.Errors()...)
	case interrupted && healthy:
		diags.AddWarning("DTS Migrate Job Left Unfinished",
			fmt.Sprintf("%s DTS Migrate Job (%s) was interrupted: %s. The job is healthy (status %s) and stays in state as it is; "+
				"the next apply resumes it in place (%s), without stopping, deleting or creating anything.",
				titleCase(verb), jobID, opErr, statusName(status), remainingWork(goalOf(m), status)))
	case healthy && errors.Is(ctx.Err(), context.DeadlineExceeded):
		diags.AddError(fmt.Sprintf("Error %s DTS Migrate Job", titleCase(verb)),
			fmt.Sprintf("%s DTS Migrate Job (%s): %s. The job is healthy and still %s: it goes on by itself. %s",
				verb, jobID, opErr, statusName(status), timeoutAdvice(verb)))
	default:
		diags.AddError(fmt.Sprintf("Error %s DTS Migrate Job", titleCase(verb)), fmt.Sprintf("%s DTS Migrate Job (%s): %s", verb, jobID, opErr))
	}
	diags.Append(state.Set(ctx, m)...)
	diags.Append(r.setIdentity(ctx, identity, jobID)...)
}

// setIdentity records the job's identity, where Terraform keeps one.
func (r *migrateJobResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, jobID string) diag.Diagnostics {
	if identity == nil || jobID == "" {
		return nil
	}
	return identity.Set(ctx, migrateJobIdentityModel{JobID: types.StringValue(jobID), Region: types.StringValue(r.data.client.Region())})
}

// timeoutAdvice says what to do after an operation timed out on a healthy job.
func timeoutAdvice(verb string) string {
	if verb == "creating" {
		return "Terraform marks a create that fails as tainted, and deletion_protection keeps a replacement from deleting a job that moves data. " +
			"To keep the job, run terraform untaint on this resource and apply again: the apply resumes waiting. " +
			"To wait longer each time, raise timeouts.create."
	}
	return "The next apply resumes waiting in place; to wait longer, raise timeouts.update."
}

// readInto reads the job, and its check where the status does not settle it, into m; seen
// holds what the caller has already read, and maxAge is how old an answer of the shared view
// may be. A job that cannot be read is an error diagnostic,
// and its error is returned too, so that a caller can tell a vanished job from a failed read.
// A check that cannot be read is a warning: the check in m stays as it was.
func (r *migrateJobResource) readInto(ctx context.Context, m *migrateJobResourceModel, seen lastRead, maxAge time.Duration) (job *dtsapi.MigrateJobInfo, diags diag.Diagnostics, err error) {
	// The flatteners take every value from the wire as optional and fuzz tests hold them to
	// it; should one still fail on an answer nobody foresaw, the operation reports it rather
	// than crash the provider and lose the job's ID with it.
	defer func() {
		if p := recover(); p != nil {
			job, err = nil, fmt.Errorf("the API's answer could not be read (%v)", p)
			diags.AddError("Unreadable DTS Migrate Job", fmt.Sprintf("reading DTS Migrate Job (%s): %s. Please report this with the job's DescribeMigrateJobs answer.", m.ID.ValueString(), err))
		}
	}()
	jobID := m.ID.ValueString()
	job = seen.job
	if job == nil {
		if job, err = r.data.client.Jobs().Find(ctx, jobID, maxAge); err != nil {
			diags.AddError("Error Reading DTS Migrate Job", fmt.Sprintf("reading DTS Migrate Job (%s): %s", jobID, err))
			return nil, diags, err
		}
	}
	prior := m.Check
	diags.Append(flattenMigrateJob(ctx, job, m)...)
	check := seen.check
	switch {
	case check != nil:
	case checkSettled(prior, dtsapi.Int64Value(job.Status)):
		// A started job's check cannot have changed without the job passing through a
		// checking status again: the finished result in state stands, and a refresh of many
		// jobs costs one call each rather than two.
		m.Check = prior
		return job, diags, nil
	default:
		check, err = r.data.client.DescribeMigrateCheckJob(ctx, jobID)
		if err != nil && !dtsapi.IsNotFound(err) {
			diags.AddWarning("Cannot Read DTS Migrate Check", fmt.Sprintf("reading the check of DTS Migrate Job (%s): %s; the check keeps its previous value.", jobID, err))
			m.Check = prior
			if prior.IsUnknown() {
				m.Check = types.ObjectNull(checkAttrTypes)
			}
			return job, diags, nil
		}
	}
	obj, d := flattenCheck(check)
	diags.Append(d...)
	m.Check = obj
	return job, diags, nil
}

// checkSettled reports whether prior, the check result in state, still holds for a job in
// status: it finished, and the job has since been started, or sits in the check's verdict. A
// different result needs the job to pass through checking again.
func checkSettled(prior types.Object, status int64) bool {
	if prior.IsNull() || prior.IsUnknown() {
		return false
	}
	s, ok := prior.Attributes()["status"].(types.String)
	if !ok || s.ValueString() != dtsapi.CheckStatusFinished {
		return false
	}
	passed, _ := prior.Attributes()["passed"].(types.Bool)
	switch status {
	case dtsapi.StatusCheckPass:
		// A job that passed its check holds the result that passed, if that is the one in state.
		return passed.ValueBool()
	case dtsapi.StatusCheckNotPass:
		return !passed.ValueBool()
	}
	return migrating(status) || status == dtsapi.StatusStopping || status == dtsapi.StatusCompleting
}

// deriveLifecycle fills the lifecycle controls a Read cannot know (after an import) from what
// the job's state says about how it was driven.
func deriveLifecycle(m *migrateJobResourceModel, job *dtsapi.MigrateJobInfo) {
	status := dtsapi.Int64Value(job.Status)
	if m.Start.IsNull() {
		startTime := dtsapi.StringValue(job.StartTime)
		started := status >= dtsapi.StatusReadyRun && status != dtsapi.StatusFailed ||
			status == dtsapi.StatusFailed && startTime != "" && startTime != dtsapi.ZeroTime
		m.Start = types.BoolValue(started)
	}
	if m.Complete.IsNull() {
		completed := status == dtsapi.StatusCompleting ||
			status == dtsapi.StatusSuccess && m.MigrateType.ValueString() == migrateTypes.name(dtsapi.MigrateTypeFullAndIncremental)
		m.Complete = types.BoolValue(completed)
	}
	if m.WaitFor.IsNull() {
		m.WaitFor = types.StringValue(dtsapi.StatusName(dtsapi.StatusRunning))
	}
	if m.DeletionProtection.IsNull() {
		m.DeletionProtection = types.BoolValue(true)
	}
	if m.CompleteMode.IsNull() {
		m.CompleteMode = types.StringValue(completeModes.name(dtsapi.CompleteModeWaitForSync))
	}
}
