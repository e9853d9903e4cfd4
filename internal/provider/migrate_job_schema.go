package provider

// migrate_job_schema.go: the schema of dts_migrate_job, its attributes' descriptions and the
// small attribute builders they share.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// migrateJobSchema is the schema of dts_migrate_job.
func migrateJobSchema(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A DTS migration job. `terraform apply` creates the job, runs its mandatory check, " +
			"starts it (unless `start = false`) and waits until it reaches the state named by `wait_for`; " +
			"a change is applied the way the API allows in the job's current state; `terraform destroy` " +
			"stops the job if it is running and deletes it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The job ID, such as `dts-1a2b3c4d`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The job's name (JobName). Changing it modifies the job in place.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 128)},
			},
			"migrate_type": schema.StringAttribute{
				MarkdownDescription: "What to migrate: " + enumDoc(migrateTypes.names()) + " (structure only, full data, or full data followed by incremental synchronisation).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(migrateTypes.names()...)},
			},
			"run_mode": defaultEnumAttr("When the migration runs once started: "+enumDoc(runModes.names())+". Default: `immediate`. A `scheduled` job waits until `expect_time`.", "immediate", runModes.names()),
			"expect_time": schema.StringAttribute{
				MarkdownDescription: "When a `scheduled` job starts migrating, as an RFC 3339 timestamp such as `2026-12-01T02:00:00Z`. Required when `run_mode = \"scheduled\"`, not allowed otherwise. The API stores it to the second in UTC+8; any timestamp naming the same instant is equal.",
				Optional:            true,
				CustomType:          timetypes.RFC3339Type{},
			},
			"migrate_object": defaultEnumAttr("What the job copies: "+enumDoc(migrateObjects.names())+". Default: `instance`. With `databases`, list them in `databases`.", "instance", migrateObjects.names()),
			"databases": schema.ListNestedAttribute{
				MarkdownDescription: "The databases, and optionally tables, to migrate. Required when `migrate_object = \"databases\"`, not allowed otherwise.",
				Optional:            true,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"database": schema.StringAttribute{
							MarkdownDescription: "The database name.",
							Required:            true,
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"schema": optionalStringAttr("The schema, for engines with three levels of names."),
						"tables": schema.ListAttribute{
							MarkdownDescription: "The tables to migrate; all of the database's tables when omitted.",
							Optional:            true,
							ElementType:         types.StringType,
							Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
						},
					},
				},
			},
			"consistency_type": defaultEnumAttr("The data consistency check after migration: "+enumDoc(consistencyTypes.names())+". Default: `none`. With `sampling`, set `consistency_sampling`.", "none", consistencyTypes.names()),
			"consistency_sampling": schema.SingleNestedAttribute{
				MarkdownDescription: "How the `sampling` consistency check samples, each a whole number from 1 to 100. Required when `consistency_type = \"sampling\"`, not allowed otherwise.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"select_rows_per_table": percentAttr("Percentage of rows sampled in each table."),
					"tables_select_all":     percentAttr("Percentage of tables checked in full."),
					"tables_select_count":   percentAttr("Percentage of tables whose row counts are checked."),
				},
			},
			"override_root": defaultBoolAttr("Whether the source's root account overwrites the destination's. Default: `false`; must be `false` with `migrate_object = \"databases\"` or `migrate_type = \"structure\"`.", false),
			"source":        sourceSchema(),
			"destination":   destinationSchema(),
			"redis_params": schema.SingleNestedAttribute{
				MarkdownDescription: "Tuning for a Redis source (sent as ExternParams). Only with `source.database_type = \"redis\"`.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"client_output_buffer_hard_limit":   positiveIntAttr("Hard limit of the replication client's output buffer, in MB."),
					"client_output_buffer_soft_limit":   positiveIntAttr("Soft limit of the replication client's output buffer, in MB."),
					"client_output_buffer_persist_time": positiveIntAttr("How long the soft limit may be exceeded, in seconds."),
					"repl_backlog_size":                 positiveIntAttr("Size of the replication backlog, in MB."),
					"repl_timeout":                      positiveIntAttr("Replication timeout, in seconds."),
				},
			},
			"mongodb_params": schema.SingleNestedAttribute{
				MarkdownDescription: "Authentication of a MongoDB source (sent as ExternParams). Only with `source.database_type = \"mongodb\"`.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"auth_database": optionalStringAttr("The database the source user authenticates against, such as `admin`."),
					"auth_flag": schema.StringAttribute{
						MarkdownDescription: "Whether the source requires authentication: `1` (yes) or `0` (no).",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.OneOf("0", "1")},
					},
					"auth_mechanism": schema.StringAttribute{
						MarkdownDescription: "The authentication mechanism: `SCRAM-SHA-1`, `SCRAM-SHA-256` or `MONGODB-CR`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.OneOf("SCRAM-SHA-1", "SCRAM-SHA-256", "MONGODB-CR")},
					},
				},
			},
			"tags": schema.MapAttribute{
				MarkdownDescription: "Tags of the job. The API cannot change tags after creation, so changing them **replaces the job**; an empty map and no map are the same. The key `" + createTokenTagKey + "` is reserved: the provider tags every job it creates with a token of its own there, to create it exactly once, and never shows that tag.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.Map{mapvalidator.KeysAre(stringvalidator.NoneOf(createTokenTagKey))},
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplaceIf(tagsChanged,
					"Changing the tags replaces the job.", "Changing the tags replaces the job.")},
			},
			"deletion_protection": defaultBoolAttr("Whether destroying or replacing the job is refused while it moves data (statuses `ready_run`, `running`, `ready_complete`, `completing` and `stopping`), so that no timeout, cancelled run or taint deletes a live migration. A job that moves nothing (`created`, `check_pass`, `check_not_pass`, `failed`, `success`) is deleted either way. Default: `true`. To let a syncing job go, set it to `false` and apply before the destroy or replacement.", true),
			"start":               defaultBoolAttr("Whether to start the migration once its check has passed. Default: `true`. With `false` the job is created and checked, then left waiting; changing it to `true` later starts it.", true),
			"wait_for":            defaultEnumAttr("How far apply waits once the job is started: `running` (default; the migration has begun: ready_run for a scheduled job, or running, ready_complete or success), `ready_complete` (incremental synchronisation has caught up; only with `full_and_incremental`) or `success` (the migration has finished; with `full_and_incremental` it needs `complete = true`).", "running", waitForTargets),
			"complete":            defaultBoolAttr("Whether to complete an incremental migration: when the job reaches ready_complete, call CompleteMigrateJob and wait for success. Only with `full_and_incremental`. Default: `false`.", false),
			"complete_mode":       defaultEnumAttr("How `complete` finishes the migration: `wait_for_sync` (default; after the last changes are synchronised) or `immediately`.", "wait_for_sync", completeModes.names()),
			"status": schema.StringAttribute{
				MarkdownDescription: "The job's status: one of " + enumDoc(jobStatusNames) + ", or `unknown` for a status code this provider does not know (see `status_code`).",
				Computed:            true,
			},
			"status_code": schema.Int64Attribute{
				MarkdownDescription: "The API's numeric status code (1 creating … 12 completing).",
				Computed:            true,
			},
			"check": schema.SingleNestedAttribute{
				MarkdownDescription: "The result of the job's latest check.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"status":        schema.StringAttribute{Computed: true, MarkdownDescription: "The check's progress: " + enumDoc(checkStatusNames) + "."},
					"passed":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the check has finished and passed (`status = \"finished\"` and `flag = 1`), as in `dts_migrate_check`."},
					"flag":          schema.Int64Attribute{Computed: true, MarkdownDescription: "The API's check flag: 1 passed, 0 failed, 3 not checked."},
					"progress":      schema.Int64Attribute{Computed: true, MarkdownDescription: "Check progress in percent."},
					"error_code":    schema.Int64Attribute{Computed: true, MarkdownDescription: "The check's error code; 0 when it passed."},
					"error_message": schema.StringAttribute{Computed: true, MarkdownDescription: "What the check found wrong; empty when it passed (the API's own words for a pass, such as `ok`, are not kept)."},
				},
			},
			"detail": schema.SingleNestedAttribute{
				MarkdownDescription: "The migration's progress.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"step_all":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of steps."},
					"step_now":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "The current step."},
					"progress":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "Overall progress in percent."},
					"current_step_progress":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Progress of the current step in percent."},
					"master_slave_distance_mb": schema.Int64Attribute{Computed: true, MarkdownDescription: "Incremental synchronisation lag, in MB."},
					"seconds_behind_master":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Incremental synchronisation lag, in seconds."},
					"steps": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The migration's steps.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"no":         schema.Int64Attribute{Computed: true, MarkdownDescription: "Step number."},
							"name":       schema.StringAttribute{Computed: true, MarkdownDescription: "Step name."},
							"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "Step ID."},
							"status":     schema.StringAttribute{Computed: true, MarkdownDescription: "Step status: " + enumDoc(stepStatuses.names()) + "."},
							"start_time": schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "When the step started (RFC 3339)."},
						}},
					},
				},
			},
			"errors": schema.ListNestedAttribute{
				MarkdownDescription: "What went wrong, when the job failed or its check did not pass.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"log":      schema.StringAttribute{Computed: true, MarkdownDescription: "The error's text."},
					"help_doc": schema.StringAttribute{Computed: true, MarkdownDescription: "A pointer to documentation on the error."},
				}},
			},
			"create_time": schema.StringAttribute{
				MarkdownDescription: "When the job was created (RFC 3339).",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"start_time": schema.StringAttribute{
				MarkdownDescription: "When the migration started running (RFC 3339); null before.",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
			},
			"end_time": schema.StringAttribute{
				MarkdownDescription: "When the migration succeeded or failed (RFC 3339); null before.",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func sourceSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "The source database.",
		Required:            true,
		Attributes: map[string]schema.Attribute{
			"database_type":         databaseTypeAttr("The source engine: " + enumDoc(creatableDatabaseTypes) + " for a new job; a job made elsewhere may also be " + enumDoc(listedDatabaseTypes[len(creatableDatabaseTypes):]) + ", which the provider can import and read but not create or modify. Changing it **replaces the job**."),
			"access_type":           accessTypeAttr("How DTS reaches the source: "+enumDoc(srcAccessTypes)+".", srcAccessTypes),
			"ip":                    ipAttr("The source's IP address (IPv4 or IPv6)."),
			"port":                  portAttr("The source's port, 1 to 65535."),
			"user":                  optionalStringAttr("The user DTS connects as."),
			"password":              sensitiveAttr("The source user's password. Sensitive, and kept in state because the API never returns it; prefer `password_wo`. Conflicts with `password_wo`."),
			"password_wo":           writeOnlyAttr("The source user's password, write-only: sent to the API, never stored in state or plan. Change `password_wo_version` to send a new one. Conflicts with `password`."),
			"password_wo_version":   woVersionAttr("password_wo"),
			"access_key":            sensitiveAttr("The source's access key (for cloud sources that need one). Sensitive, kept in state; prefer `access_key_wo`. Conflicts with `access_key_wo`."),
			"access_key_wo":         writeOnlyAttr("The source's access key, write-only: never stored in state or plan. Change `access_key_wo_version` to send a new one. Conflicts with `access_key`."),
			"access_key_wo_version": woVersionAttr("access_key_wo"),
			"instance_id":           optionalStringAttr("The source's cloud database instance ID (with `access_type = \"cdb\"`)."),
			"cvm_instance_id":       optionalStringAttr("The CVM instance that hosts the source (with `access_type = \"cvm\"`)."),
			"rds_instance_id":       optionalStringAttr("The RDS instance ID of a source in another cloud."),
			"vpc_id":                optionalStringAttr("The VPC of the source."),
			"subnet_id":             optionalStringAttr("The subnet of the source."),
			"uniq_dcg_id":           optionalStringAttr("The Direct Connect gateway (with `access_type = \"dcg\"`)."),
			"uniq_vpn_gw_id":        optionalStringAttr("The VPN gateway (with `access_type = \"vpncloud\"`)."),
			"ccn_id":                optionalStringAttr("The Cloud Connect Network instance."),
			"engine_version":        optionalStringAttr("The source engine's version, such as `5.7`."),
			"region":                regionAttr("The source's region."),
			"supplier":              optionalStringAttr("The source's provider, for sources in other clouds."),
		},
	}
}

func destinationSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "The destination database.",
		Required:            true,
		Attributes: map[string]schema.Attribute{
			"database_type": databaseTypeAttr("The destination engine, the same as the source's: " + enumDoc(creatableDatabaseTypes) + " for a new job, or one of " + enumDoc(listedDatabaseTypes[len(creatableDatabaseTypes):]) + " for an imported one. Changing it **replaces the job**."),
			"access_type":   accessTypeAttr("How DTS reaches the destination: only `cdb` (a cloud database instance).", dstAccessTypes),
			"instance_id":   optionalStringAttr("The destination's cloud database instance ID."),
			"region": func() schema.StringAttribute {
				// The API may fill the region in when it is not given; computed, it then causes no diff.
				a := regionAttr("The destination's region. When omitted, the API's choice is kept. Changing it **replaces the job**.")
				a.Computed = true
				a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()}
				return a
			}(),
			"ip":                  ipAttr("The destination's IP address."),
			"port":                portAttr("The destination's port, 1 to 65535."),
			"read_only":           defaultBoolAttr("Whether the destination is read-only during the migration. Default: `false`.", false),
			"user":                optionalStringAttr("The destination user DTS connects as."),
			"password":            sensitiveAttr("The destination user's password. Sensitive, kept in state; prefer `password_wo`. Conflicts with `password_wo`."),
			"password_wo":         writeOnlyAttr("The destination user's password, write-only: never stored in state or plan. Change `password_wo_version` to send a new one. Conflicts with `password`."),
			"password_wo_version": woVersionAttr("password_wo"),
		},
	}
}

// databaseTypeAttr is the engine of the source or the destination: any the API lists, since an
// imported job may have one the provider cannot create, and a change of it replaces the job.
func databaseTypeAttr(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Required:            true,
		Validators:          []validator.String{stringvalidator.OneOf(listedDatabaseTypes...)},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

func accessTypeAttr(desc string, accessTypes []string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Required: true, Validators: []validator.String{stringvalidator.OneOf(accessTypes...)}}
}

// sensitiveAttr is a secret kept in state, since the API never returns it.
func sensitiveAttr(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Optional: true, Sensitive: true}
}

// writeOnlyAttr is a secret sent to the API and never stored in state or plan.
func writeOnlyAttr(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Optional: true, WriteOnly: true, Sensitive: true}
}

// defaultEnumAttr is an optional choice among values, def when the configuration leaves it out.
func defaultEnumAttr(desc, def string, values []string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Optional:            true,
		Computed:            true,
		Default:             stringdefault.StaticString(def),
		Validators:          []validator.String{stringvalidator.OneOf(values...)},
	}
}

// defaultBoolAttr is an optional flag, def when the configuration leaves it out.
func defaultBoolAttr(desc string, def bool) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc, Optional: true, Computed: true, Default: booldefault.StaticBool(def)}
}

func optionalStringAttr(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Optional:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
}

func regionAttr(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc + " One of " + quotedList(regions) + ".",
		Optional:            true,
		Validators:          []validator.String{stringvalidator.OneOf(regions...)},
	}
}

func ipAttr(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Optional: true, Validators: []validator.String{ipValidator}}
}

func portAttr(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: desc, Optional: true, Validators: []validator.Int64{int64validator.Between(1, 65535)}}
}

func percentAttr(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: desc + " 1 to 100.",
		Required:            true,
		Validators:          []validator.Int64{int64validator.Between(1, 100)},
	}
}

func positiveIntAttr(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: desc, Optional: true, Validators: []validator.Int64{int64validator.AtLeast(1)}}
}

func woVersionAttr(of string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("A number you change whenever `%s` changes, so that the new value is sent (write-only values leave no trace to compare). Requires `%s`.", of, of),
		Optional:            true,
		Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRelative().AtParent().AtName(of))},
	}
}

func enumDoc(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	if len(quoted) <= 1 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// tagsChanged says whether a change of tags needs a new job: an empty map and no map are the
// same tags, so an imported untagged job stays in place under tags = {}.
func tagsChanged(_ context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = len(req.StateValue.Elements()) > 0 || len(req.PlanValue.Elements()) > 0
}
