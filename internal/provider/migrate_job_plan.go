package provider

// migrate_job_plan.go: what counts as a change of the job's configuration. Only the attributes
// sent to the API can call for ModifyMigrateJob; values are compared as the framework's values,
// with timestamps equal when they name the same instant and, after an import, the secrets the
// state does not know left out.

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// apiAttributes are the top-level attributes sent to the API, as opposed to lifecycle
// controls, timeouts and computed values, which never call ModifyMigrateJob.
var apiAttributes = []string{
	"name", "migrate_type", "run_mode", "expect_time", "migrate_object", "databases", "consistency_type",
	"consistency_sampling", "override_root", "source", "destination", "redis_params", "mongodb_params",
}

// changedAPIPaths lists the API attributes whose values differ between plan and state. With
// unknownSecrets (an imported job), a secret the state lacks is no change.
func changedAPIPaths(ctx context.Context, plan, state configGetter, unknownSecrets bool) (path.Paths, diag.Diagnostics) {
	var (
		out   path.Paths
		diags diag.Diagnostics
	)
	for _, name := range apiAttributes {
		var planned, prior attr.Value
		diags.Append(plan.GetAttribute(ctx, path.Root(name), &planned)...)
		diags.Append(state.GetAttribute(ctx, path.Root(name), &prior)...)
		if diags.HasError() {
			return nil, diags
		}
		if unknownSecrets {
			planned = withSecretsOf(planned, prior)
		}
		if !sameValue(planned, prior) {
			out = append(out, path.Root(name))
		}
	}
	return out, diags
}

// withSecretsOf returns planned with the secret attributes that prior lacks taken from prior,
// so that they compare equal; values other than objects come back as they are.
func withSecretsOf(planned, prior attr.Value) attr.Value {
	p, ok1 := planned.(types.Object)
	s, ok2 := prior.(types.Object)
	if !ok1 || !ok2 || p.IsNull() || p.IsUnknown() || s.IsNull() || s.IsUnknown() {
		return planned
	}
	attrs := p.Attributes()
	priorAttrs := s.Attributes()
	for _, name := range secretAttributes {
		if v, ok := priorAttrs[name]; ok && v.IsNull() {
			attrs[name] = v
		}
	}
	obj, diags := types.ObjectValue(p.AttributeTypes(context.Background()), attrs)
	if diags.HasError() {
		return planned
	}
	return obj
}

// sameValue compares two values of an attribute; timestamps are equal when they name the
// same instant.
func sameValue(a, b attr.Value) bool {
	if ta, ok := a.(timetypes.RFC3339); ok {
		if tb, ok := b.(timetypes.RFC3339); ok {
			return sameInstant(ta, tb)
		}
	}
	return a.Equal(b)
}

func sameInstant(a, b timetypes.RFC3339) bool {
	if a.IsNull() || b.IsNull() || a.IsUnknown() || b.IsUnknown() {
		return a.Equal(b)
	}
	ta, da := a.ValueRFC3339Time()
	tb, db := b.ValueRFC3339Time()
	if da.HasError() || db.HasError() {
		return a.Equal(b)
	}
	return ta.Equal(tb)
}

// jobGoal is how far apply drives a job: the lifecycle controls of a configuration.
type jobGoal struct {
	start, complete, scheduled bool
	waitFor                    string
}

func goalOf(m *migrateJobResourceModel) jobGoal {
	return jobGoal{
		start:     m.Start.ValueBool(),
		complete:  m.Complete.ValueBool(),
		scheduled: m.RunMode.ValueString() == runModes.name(dtsapi.RunModeScheduled),
		waitFor:   m.WaitFor.ValueString(),
	}
}

// goalFromPlan reads the lifecycle controls of a plan; known is false while any is unknown.
func goalFromPlan(ctx context.Context, plan configGetter) (g jobGoal, known bool, diags diag.Diagnostics) {
	var start, complete types.Bool
	var runMode, waitFor types.String
	diags.Append(plan.GetAttribute(ctx, path.Root("start"), &start)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("complete"), &complete)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("run_mode"), &runMode)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("wait_for"), &waitFor)...)
	for _, v := range []attr.Value{start, complete, runMode, waitFor} {
		if v.IsUnknown() {
			return g, false, diags
		}
	}
	m := &migrateJobResourceModel{Start: start, Complete: complete, WaitFor: waitFor}
	m.RunMode = runMode
	return goalOf(m), true, diags
}

// goalReached reports whether a job in status is where g asks, or beyond it: apply has nothing
// left to do. Statuses this provider does not know count as reached, as nothing sensible can be
// planned for them.
func goalReached(status int64, g jobGoal) bool {
	if isUnknownStatus(dtsapi.StatusName(status)) {
		return true
	}
	switch status {
	case dtsapi.StatusCreating, dtsapi.StatusCreated, dtsapi.StatusChecking, dtsapi.StatusCheckNotPass,
		dtsapi.StatusFailed, dtsapi.StatusStopping:
		return false
	}
	if !g.start {
		return true
	}
	target := runningTarget
	switch {
	case g.complete, g.waitFor == dtsapi.StatusName(dtsapi.StatusSuccess):
		target = succeededTarget
	case g.waitFor == dtsapi.StatusName(dtsapi.StatusReadyComplete):
		target = readyCompleteTarget
	case g.scheduled:
		target = scheduledRunningTarget
	}
	return slices.Contains(target, dtsapi.StatusName(status))
}

// remainingWork says what apply still does to a job in status to reach g.
func remainingWork(g jobGoal, status int64) string {
	var steps []string
	switch status {
	case dtsapi.StatusFailed, dtsapi.StatusStopping:
		steps = append(steps, "checks the job again")
		if g.start {
			steps = append(steps, "starts the migration again from the beginning")
		}
	case dtsapi.StatusCreating, dtsapi.StatusCreated, dtsapi.StatusCheckNotPass:
		steps = append(steps, "checks the job")
		if g.start {
			steps = append(steps, "starts the migration")
		}
	case dtsapi.StatusChecking:
		steps = append(steps, "waits for the check")
		if g.start {
			steps = append(steps, "starts the migration")
		}
	case dtsapi.StatusCheckPass:
		if g.start {
			steps = append(steps, "starts the migration")
		}
	}
	if !g.start {
		return strings.Join(append(steps, "leaves it unstarted"), ", then ")
	}
	switch {
	case g.complete:
		if status != dtsapi.StatusCompleting {
			steps = append(steps, "waits until it is ready_complete, completes it")
		}
		steps = append(steps, "waits for success")
	case g.waitFor == dtsapi.StatusName(dtsapi.StatusSuccess):
		steps = append(steps, "waits for success")
	case g.waitFor == dtsapi.StatusName(dtsapi.StatusReadyComplete):
		steps = append(steps, "waits until it is ready_complete")
	default:
		steps = append(steps, "waits until it runs")
	}
	return strings.Join(steps, ", then ")
}

// resumeComputed are the attributes an apply that resumes a job changes: the plan shows them
// as known after apply.
var resumeComputed = []string{"status", "status_code", "check", "detail", "errors", "start_time", "end_time"}
