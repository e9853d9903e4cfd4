package provider

// migrate_job_plan.go: what counts as a change of the job's configuration. Only the attributes
// sent to the API can call for ModifyMigrateJob; values are compared as the framework's values,
// with timestamps equal when they name the same instant and, after an import, the secrets the
// state does not know left out.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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

// sameValue compares two values of an attribute as the API sees them: timestamps are equal
// when they name the same second, and a database selection is equal in any order.
func sameValue(a, b attr.Value) bool {
	if ta, ok := a.(timetypes.RFC3339); ok {
		if tb, ok := b.(timetypes.RFC3339); ok {
			return sameInstant(ta, tb)
		}
	}
	if la, ok := a.(types.List); ok {
		if lb, ok := b.(types.List); ok {
			if sa, ok := selectionOfList(la); ok {
				if sb, ok := selectionOfList(lb); ok {
					return sameSelection(sa, sb)
				}
			}
		}
	}
	return a.Equal(b)
}

// selection is a database selection as the API means it: a set of databases, each with a set
// of tables (empty for all of them).
type selection map[string][]string

func selectionKey(database, schema string) string { return database + "\x00" + schema }

func selectionOf(dbs []databaseModel) selection {
	if dbs == nil {
		return nil
	}
	out := selection{}
	for _, db := range dbs {
		tables := make([]string, 0, len(db.Tables))
		for _, t := range db.Tables {
			tables = append(tables, t.ValueString())
		}
		slices.Sort(tables)
		out[selectionKey(db.Database.ValueString(), db.Schema.ValueString())] = tables
	}
	return out
}

// selectionOfList reads a databases list value; ok is false for anything unknown in it.
func selectionOfList(l types.List) (selection, bool) {
	if l.IsUnknown() {
		return nil, false
	}
	if l.IsNull() {
		return nil, true
	}
	out := selection{}
	for _, e := range l.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			return nil, false
		}
		attrs := obj.Attributes()
		db, ok1 := attrs["database"].(types.String)
		schema, ok2 := attrs["schema"].(types.String)
		tables, ok3 := attrs["tables"].(types.List)
		if !ok1 || !ok2 || !ok3 || db.IsUnknown() || schema.IsUnknown() || tables.IsUnknown() {
			return nil, false
		}
		names := []string{}
		for _, t := range tables.Elements() {
			s, ok := t.(types.String)
			if !ok || s.IsUnknown() {
				return nil, false
			}
			names = append(names, s.ValueString())
		}
		slices.Sort(names)
		out[selectionKey(db.ValueString(), schema.ValueString())] = names
	}
	return out, true
}

// sameSelection compares two selections; a nil selection (none configured) equals only nil.
func sameSelection(a, b selection) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for k, ta := range a {
		tb, ok := b[k]
		if !ok || !slices.Equal(ta, tb) {
			return false
		}
	}
	return true
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
	// The API keeps whole seconds.
	return ta.Truncate(time.Second).Equal(tb.Truncate(time.Second))
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

// planCreate checks, at plan time, what only a new job needs: engines the API can create, and a
// start time that is still ahead.
func planCreate(ctx context.Context, plan configGetter) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, block := range []string{"source", "destination"} {
		p := path.Root(block).AtName("database_type")
		var engine types.String
		diags.Append(plan.GetAttribute(ctx, p, &engine)...)
		if !engine.IsUnknown() && !engine.IsNull() && !slices.Contains(creatableDatabaseTypes, engine.ValueString()) {
			diags.AddAttributeError(p, "Engine Cannot Be Created",
				fmt.Sprintf("The API creates jobs only for %s; a %s job made elsewhere can be imported (terraform import, or an import block) and read, but not created. Use one of %s.",
					enumDoc(creatableDatabaseTypes), engine.ValueString(), enumDoc(creatableDatabaseTypes)))
		}
	}
	diags.Append(warnPastExpectTime(ctx, plan)...)
	return diags
}

// planModify checks, at plan time, a change of an existing job's configuration: a job of an
// engine the API cannot create cannot be modified through it either, and a start time moved
// into the past starts the job at once.
func planModify(ctx context.Context, plan, state configGetter, changed path.Paths) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(changed) == 0 {
		return diags
	}
	var engine types.String
	diags.Append(state.GetAttribute(ctx, path.Root("source").AtName("database_type"), &engine)...)
	if !engine.IsNull() && !engine.IsUnknown() && !slices.Contains(creatableDatabaseTypes, engine.ValueString()) {
		diags.AddAttributeError(changed[0], "Job Cannot Be Modified",
			fmt.Sprintf("This is a %s job, which the provider can read but not change: the API creates and modifies jobs only for %s. "+
				"Change the configuration back to what the job is (terraform plan -refresh-only shows it), or manage the job outside Terraform.",
				engine.ValueString(), enumDoc(creatableDatabaseTypes)))
	}
	if slices.ContainsFunc(changed, func(p path.Path) bool { return p.Equal(path.Root("expect_time")) }) {
		diags.Append(warnPastExpectTime(ctx, plan)...)
	}
	return diags
}

// warnPastExpectTime warns about an expect_time that has passed: the API accepts it, and the
// job starts migrating as soon as it is started.
func warnPastExpectTime(ctx context.Context, plan configGetter) diag.Diagnostics {
	var diags diag.Diagnostics
	var at timetypes.RFC3339
	diags.Append(plan.GetAttribute(ctx, path.Root("expect_time"), &at)...)
	if at.IsNull() || at.IsUnknown() {
		return diags
	}
	t, d := at.ValueRFC3339Time()
	if d.HasError() || !t.Before(time.Now()) {
		return diags
	}
	diags.AddAttributeWarning(path.Root("expect_time"), "Expect Time Has Passed",
		fmt.Sprintf("expect_time %s is in the past: the scheduled job starts migrating as soon as it is started, as an immediate one would. Set a time ahead if it should wait.", at.ValueString()))
	return diags
}
