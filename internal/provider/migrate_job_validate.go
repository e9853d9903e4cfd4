package provider

// migrate_job_validate.go: the rules that tie the job's attributes together, checked at plan
// time with no API call.

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ValidateConfig checks the rules that tie attributes together, so that a configuration the
// API would refuse fails at plan time, with no API call. Values unknown at plan time are let
// through; the API has the last word on them.
func (r *migrateJobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	c := configReader{ctx: ctx, config: req.Config, diags: &resp.Diagnostics}
	migrateType := c.str(path.Root("migrate_type"), "")
	runMode := c.str(path.Root("run_mode"), "immediate")
	migrateObject := c.str(path.Root("migrate_object"), "instance")
	consistency := c.str(path.Root("consistency_type"), "none")
	waitFor := c.str(path.Root("wait_for"), "running")
	srcType := c.str(path.Root("source").AtName("database_type"), "")
	dstType := c.str(path.Root("destination").AtName("database_type"), "")
	complete := c.boolean(path.Root("complete"), false)
	start := c.boolean(path.Root("start"), true)
	overrideRoot := c.boolean(path.Root("override_root"), false)
	expectTime := isSetAs(c, path.Root("expect_time"), timetypes.RFC3339{})
	databases := isSetAs(c, path.Root("databases"), types.List{})
	sampling := isSetAs(c, path.Root("consistency_sampling"), types.Object{})
	redisParams := isSetAs(c, path.Root("redis_params"), types.Object{})
	mongoParams := isSetAs(c, path.Root("mongodb_params"), types.Object{})
	if resp.Diagnostics.HasError() {
		return
	}
	bad := func(p path.Path, summary, detail string) {
		resp.Diagnostics.AddAttributeError(p, summary, detail)
	}

	for _, pair := range []struct{ block, plain, wo string }{
		{"source", "password", "password_wo"},
		{"source", "access_key", "access_key_wo"},
		{"destination", "password", "password_wo"},
	} {
		plain := c.str(path.Root(pair.block).AtName(pair.plain), "")
		wo := c.str(path.Root(pair.block).AtName(pair.wo), "")
		if plain.set && wo.set {
			bad(path.Root(pair.block).AtName(pair.plain), "Conflicting Secret Attributes",
				fmt.Sprintf("Set only one of %[1]s.%[2]s and %[1]s.%[3]s. Prefer %[1]s.%[3]s (write-only, never stored in state) and remove %[1]s.%[2]s.",
					pair.block, pair.plain, pair.wo))
		}
	}

	if runMode.known && expectTime.known {
		switch {
		case runMode.value == "scheduled" && !expectTime.set:
			bad(path.Root("expect_time"), "Missing Expect Time",
				`A scheduled job needs expect_time, the RFC 3339 time it starts migrating, such as "2026-12-01T02:00:00Z". Set it, or use run_mode = "immediate".`)
		case runMode.value != "scheduled" && expectTime.set:
			bad(path.Root("expect_time"), "Expect Time Without Schedule",
				`expect_time only applies to run_mode = "scheduled". Remove expect_time, or set run_mode = "scheduled".`)
		}
	}
	if migrateObject.known && databases.known {
		switch {
		case migrateObject.value == "databases" && !databases.set:
			bad(path.Root("databases"), "Missing Databases",
				`migrate_object = "databases" needs the list of databases to migrate: add databases = [{ database = "..." }], or use migrate_object = "instance".`)
		case migrateObject.value != "databases" && databases.set:
			bad(path.Root("databases"), "Databases Without Database Migration",
				`databases only applies to migrate_object = "databases". Set migrate_object = "databases", or remove databases to migrate the whole instance.`)
		}
	}
	if consistency.known && sampling.known {
		switch {
		case consistency.value == "sampling" && !sampling.set:
			bad(path.Root("consistency_sampling"), "Missing Consistency Sampling",
				`consistency_type = "sampling" needs consistency_sampling = { select_rows_per_table, tables_select_all, tables_select_count } (each 1 to 100).`)
		case consistency.value != "sampling" && sampling.set:
			bad(path.Root("consistency_sampling"), "Consistency Sampling Without Sampling",
				`consistency_sampling only applies to consistency_type = "sampling". Remove it, or set consistency_type = "sampling".`)
		}
	}
	if overrideRoot.known && overrideRoot.value {
		if migrateObject.known && migrateObject.value == "databases" {
			bad(path.Root("override_root"), "Override Root Not Allowed",
				`override_root must be false when migrate_object = "databases": the root account can only be overwritten when migrating a whole instance.`)
		} else if migrateType.known && migrateType.value == "structure" {
			bad(path.Root("override_root"), "Override Root Not Allowed",
				`override_root must be false when migrate_type = "structure": a structure migration copies no accounts.`)
		}
	}
	if migrateType.known && migrateType.value != "" && migrateType.value != "full_and_incremental" {
		if waitFor.known && waitFor.value == "ready_complete" {
			bad(path.Root("wait_for"), "Wait For Ready Complete Needs Incremental Migration",
				fmt.Sprintf(`wait_for = "ready_complete" only applies to migrate_type = "full_and_incremental"; a %q migration never reaches it. Use wait_for = "running" or "success".`, migrateType.value))
		}
		if complete.known && complete.value {
			bad(path.Root("complete"), "Complete Needs Incremental Migration",
				fmt.Sprintf(`complete only applies to migrate_type = "full_and_incremental"; a %q migration finishes by itself. Remove complete, and use wait_for = "success" to wait for the end.`, migrateType.value))
		}
	}
	if migrateType.known && migrateType.value == "full_and_incremental" && waitFor.known && waitFor.value == "success" && complete.known && !complete.value {
		bad(path.Root("wait_for"), "Wait For Success Needs Complete",
			`An incremental migration only reaches success once it is completed: with wait_for = "success", also set complete = true (or wait for "ready_complete").`)
	}
	if complete.known && complete.value && start.known && !start.value {
		bad(path.Root("complete"), "Complete Needs Start",
			`complete = true completes a running migration, but start = false leaves the job unstarted. Set start = true, or remove complete.`)
	}
	if srcType.known && dstType.known && srcType.value != dstType.value &&
		slices.Contains(creatableDatabaseTypes, srcType.value) && slices.Contains(creatableDatabaseTypes, dstType.value) {
		bad(path.Root("destination").AtName("database_type"), "Engines Do Not Match",
			fmt.Sprintf(`A DTS migration copies between databases of one engine: the source is %q, the destination %q. Set destination.database_type = %q, or pick a source of the destination's engine.`,
				srcType.value, dstType.value, srcType.value))
	}
	var databasesList types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("databases"), &databasesList)...)
	for _, d := range duplicateSelections(databasesList) {
		bad(d.path, d.summary, d.detail)
	}
	if srcType.known && srcType.value != "" {
		if redisParams.known && redisParams.set && srcType.value != "redis" {
			bad(path.Root("redis_params"), "Redis Parameters Need A Redis Source",
				fmt.Sprintf(`redis_params only apply when source.database_type = "redis", not %q. Remove redis_params.`, srcType.value))
		}
		if mongoParams.known && mongoParams.set && srcType.value != "mongodb" {
			bad(path.Root("mongodb_params"), "MongoDB Parameters Need A MongoDB Source",
				fmt.Sprintf(`mongodb_params only apply when source.database_type = "mongodb", not %q. Remove mongodb_params.`, srcType.value))
		}
	}
}

// selectionProblem is one duplicate entry of databases.
type selectionProblem struct {
	path            path.Path
	summary, detail string
}

// duplicateSelections finds databases listed twice, and tables listed twice in one database:
// the API's selection is a set, and a repeated entry is a mistake (or a silent no-op).
func duplicateSelections(l types.List) []selectionProblem {
	var out []selectionProblem
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	seen := map[string]int{}
	for i, e := range l.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		attrs := obj.Attributes()
		db, _ := attrs["database"].(types.String)
		schema, _ := attrs["schema"].(types.String)
		if !db.IsUnknown() && !schema.IsUnknown() {
			key := selectionKey(db.ValueString(), schema.ValueString())
			if first, dup := seen[key]; dup {
				out = append(out, selectionProblem{path.Root("databases").AtListIndex(i).AtName("database"), "Duplicate Database",
					fmt.Sprintf("Database %q is listed twice in databases (entries %d and %d). List each database once, with all its tables.", db.ValueString(), first, i)})
			} else {
				seen[key] = i
			}
		}
		tables, _ := attrs["tables"].(types.List)
		names := map[string]bool{}
		for j, t := range tables.Elements() {
			name, ok := t.(types.String)
			if !ok || name.IsUnknown() || name.IsNull() {
				continue
			}
			if names[name.ValueString()] {
				out = append(out, selectionProblem{path.Root("databases").AtListIndex(i).AtName("tables").AtListIndex(j), "Duplicate Table",
					fmt.Sprintf("Table %q is listed twice for database %q. List each table once.", name.ValueString(), db.ValueString())})
			}
			names[name.ValueString()] = true
		}
	}
	return out
}

// configReader reads single attributes of a configuration that may hold unknown values.
type configReader struct {
	ctx    context.Context
	config tfsdk.Config
	diags  *diag.Diagnostics
}

type known[T any] struct {
	value T
	set   bool // not null
	known bool // not unknown
}

func (c configReader) str(p path.Path, def string) known[string] {
	return readKnown(c, p, def, types.String.ValueString)
}

func (c configReader) boolean(p path.Path, def bool) known[bool] {
	return readKnown(c, p, def, types.Bool.ValueBool)
}

// readKnown reads the attribute at p as a V and its value with value; def stands for null.
func readKnown[T any, V nullable](c configReader, p path.Path, def T, value func(V) T) known[T] {
	var v V
	c.diags.Append(c.config.GetAttribute(c.ctx, p, &v)...)
	if v.IsUnknown() {
		return known[T]{}
	}
	if v.IsNull() {
		return known[T]{value: def, known: true}
	}
	return known[T]{value: value(v), set: true, known: true}
}

type nullable interface {
	IsNull() bool
	IsUnknown() bool
}

// isSet reports whether the attribute at p is set; target gives the attribute's value type.
func isSetAs[V nullable](c configReader, p path.Path, target V) known[bool] {
	c.diags.Append(c.config.GetAttribute(c.ctx, p, &target)...)
	if target.IsUnknown() {
		return known[bool]{}
	}
	return known[bool]{value: !target.IsNull(), set: !target.IsNull(), known: true}
}
