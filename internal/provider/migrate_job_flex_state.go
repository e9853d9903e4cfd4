package provider

// migrate_job_flex_state.go: the flatteners of what the API reports of a job's progress: its
// migration detail, its errors and its check.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

func flattenDetail(_ context.Context, d *dtsapi.MigrateDetailInfo) (types.Object, diag.Diagnostics) {
	if d == nil {
		return types.ObjectNull(detailAttrTypes), nil
	}
	steps := make([]attr.Value, 0, len(d.StepInfo))
	var diags diag.Diagnostics
	for _, s := range d.StepInfo {
		if s == nil {
			continue
		}
		v, dd := types.ObjectValue(stepAttrTypes, map[string]attr.Value{
			"no":         types.Int64Value(dtsapi.Int64Value(s.StepNo)),
			"name":       types.StringValue(dtsapi.StringValue(s.StepName)),
			"id":         types.StringValue(dtsapi.StringValue(s.StepId)),
			"status":     types.StringValue(stepStatusName(dtsapi.Int64Value(s.Status))),
			"start_time": flattenTime(s.StartTime),
		})
		diags.Append(dd...)
		steps = append(steps, v)
	}
	list, dd := types.ListValue(types.ObjectType{AttrTypes: stepAttrTypes}, steps)
	diags.Append(dd...)
	obj, dd := types.ObjectValue(detailAttrTypes, map[string]attr.Value{
		"step_all":                 types.Int64Value(dtsapi.Int64Value(d.StepAll)),
		"step_now":                 types.Int64Value(dtsapi.Int64Value(d.StepNow)),
		"progress":                 types.Int64Value(percent(d.Progress)),
		"current_step_progress":    types.Int64Value(percent(d.CurrentStepProgress)),
		"master_slave_distance_mb": types.Int64Value(dtsapi.Int64Value(d.MasterSlaveDistance)),
		"seconds_behind_master":    types.Int64Value(dtsapi.Int64Value(d.SecondsBehindMaster)),
		"steps":                    list,
	})
	diags.Append(dd...)
	return obj, diags
}

func flattenErrors(_ context.Context, infos []*dtsapi.ErrorInfo) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	vals := make([]attr.Value, 0, len(infos))
	for _, e := range infos {
		if e == nil {
			continue
		}
		v, d := types.ObjectValue(errorAttrTypes, map[string]attr.Value{
			"log":      types.StringValue(dtsapi.StringValue(e.ErrorLog)),
			"help_doc": types.StringValue(dtsapi.StringValue(e.HelpDoc)),
		})
		diags.Append(d...)
		vals = append(vals, v)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: errorAttrTypes}, vals)
	diags.Append(d...)
	return list, diags
}

// flattenCheck renders a check result; nil (not read) gives null. A check that passed has no
// message: whether it was read or known from the job's status (passedCheck), it reads the same.
func flattenCheck(c *dtsapi.MigrateCheckResult) (types.Object, diag.Diagnostics) {
	if c == nil {
		return types.ObjectNull(checkAttrTypes), nil
	}
	flag := dtsapi.Int64Value(c.CheckFlag)
	message := dtsapi.StringValue(c.ErrorMessage)
	if checkPassed(c) {
		message = ""
	}
	return types.ObjectValue(checkAttrTypes, map[string]attr.Value{
		"status":        types.StringValue(dtsapi.StringValue(c.Status)),
		"passed":        types.BoolValue(checkPassed(c)),
		"flag":          types.Int64Value(flag),
		"progress":      types.Int64Value(percent(c.Progress)),
		"error_code":    types.Int64Value(dtsapi.Int64Value(c.ErrorCode)),
		"error_message": types.StringValue(message),
	})
}
