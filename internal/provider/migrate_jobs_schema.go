package provider

// migrate_jobs_schema.go: the schema of one job in the dts_migrate_jobs listing. It is written
// out rather than derived from the resource's: a listing describes values, not how to
// configure them, and it leaves out the secrets, the lifecycle controls and the check.

import (
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func jobListingAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":             computedString("The job ID, such as `dts-1a2b3c4d`."),
		"name":           computedString("The job's name."),
		"migrate_type":   computedString("What the job migrates: " + enumDoc(migrateTypes.names()) + "."),
		"run_mode":       computedString("When the migration runs once started: " + enumDoc(runModes.names()) + "."),
		"expect_time":    computedTime("When a `scheduled` job starts migrating (RFC 3339); null for an `immediate` one."),
		"migrate_object": computedString("What the job copies: " + enumDoc(migrateObjects.names()) + "."),
		"databases": schema.ListNestedAttribute{
			MarkdownDescription: "The databases, and tables, the job migrates; null for a whole instance.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"database": computedString("The database name."),
				"schema":   computedString("The schema, for engines with three levels of names."),
				"tables": schema.ListAttribute{
					MarkdownDescription: "The tables migrated; null for all of the database's tables.",
					Computed:            true,
					ElementType:         types.StringType,
				},
			}},
		},
		"consistency_type": computedString("The data consistency check after migration: " + enumDoc(consistencyTypes.names()) + "."),
		"consistency_sampling": schema.SingleNestedAttribute{
			MarkdownDescription: "How the `sampling` consistency check samples, in percent; null for other consistency types.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"select_rows_per_table": computedInt("Percentage of rows sampled in each table."),
				"tables_select_all":     computedInt("Percentage of tables checked in full."),
				"tables_select_count":   computedInt("Percentage of tables whose row counts are checked."),
			},
		},
		"override_root": computedBool("Whether the source's root account overwrites the destination's."),
		"source": schema.SingleNestedAttribute{
			MarkdownDescription: "The source database, without its password or access key (the API never returns them).",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"database_type":   computedString("The source engine, such as `mysql`."),
				"access_type":     computedString("How DTS reaches the source: " + enumDoc(srcAccessTypes) + "."),
				"ip":              computedString("The source's IP address."),
				"port":            computedInt("The source's port."),
				"user":            computedString("The user DTS connects as."),
				"instance_id":     computedString("The source's cloud database instance ID."),
				"cvm_instance_id": computedString("The CVM instance that hosts the source."),
				"rds_instance_id": computedString("The RDS instance ID of a source in another cloud."),
				"vpc_id":          computedString("The VPC of the source."),
				"subnet_id":       computedString("The subnet of the source."),
				"uniq_dcg_id":     computedString("The Direct Connect gateway."),
				"uniq_vpn_gw_id":  computedString("The VPN gateway."),
				"ccn_id":          computedString("The Cloud Connect Network instance."),
				"engine_version":  computedString("The source engine's version."),
				"region":          computedString("The source's region."),
				"supplier":        computedString("The source's provider, for sources in other clouds."),
			},
		},
		"destination": schema.SingleNestedAttribute{
			MarkdownDescription: "The destination database, without its password.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"database_type": computedString("The destination engine, such as `mysql`."),
				"access_type":   computedString("How DTS reaches the destination (`cdb`)."),
				"instance_id":   computedString("The destination's cloud database instance ID."),
				"region":        computedString("The destination's region."),
				"ip":            computedString("The destination's IP address."),
				"port":          computedInt("The destination's port."),
				"read_only":     computedBool("Whether the destination is read-only during the migration."),
				"user":          computedString("The destination user DTS connects as."),
			},
		},
		"redis_params": schema.SingleNestedAttribute{
			MarkdownDescription: "Tuning of a Redis source; null for other sources.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"client_output_buffer_hard_limit":   computedInt("Hard limit of the replication client's output buffer, in MB."),
				"client_output_buffer_soft_limit":   computedInt("Soft limit of the replication client's output buffer, in MB."),
				"client_output_buffer_persist_time": computedInt("How long the soft limit may be exceeded, in seconds."),
				"repl_backlog_size":                 computedInt("Size of the replication backlog, in MB."),
				"repl_timeout":                      computedInt("Replication timeout, in seconds."),
			},
		},
		"mongodb_params": schema.SingleNestedAttribute{
			MarkdownDescription: "Authentication of a MongoDB source; null for other sources.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"auth_database":  computedString("The database the source user authenticates against."),
				"auth_flag":      computedString("Whether the source requires authentication: `1` or `0`."),
				"auth_mechanism": computedString("The authentication mechanism."),
			},
		},
		"tags": schema.MapAttribute{
			MarkdownDescription: "The job's tags.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"status":      computedString("The job's status: one of " + enumDoc(jobStatusNames) + ", or `unknown` (see `status_code`)."),
		"status_code": computedInt("The API's numeric status code."),
		"detail": schema.SingleNestedAttribute{
			MarkdownDescription: "The migration's progress.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"step_all":                 computedInt("Number of steps."),
				"step_now":                 computedInt("The current step."),
				"progress":                 computedInt("Overall progress in percent."),
				"current_step_progress":    computedInt("Progress of the current step in percent."),
				"master_slave_distance_mb": computedInt("Incremental synchronisation lag, in MB."),
				"seconds_behind_master":    computedInt("Incremental synchronisation lag, in seconds."),
				"steps": schema.ListNestedAttribute{
					MarkdownDescription: "The migration's steps.",
					Computed:            true,
					NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
						"no":         computedInt("Step number."),
						"name":       computedString("Step name."),
						"id":         computedString("Step ID."),
						"status":     computedString("Step status: " + enumDoc(stepStatuses.names()) + "."),
						"start_time": computedTime("When the step started (RFC 3339)."),
					}},
				},
			},
		},
		"errors": schema.ListNestedAttribute{
			MarkdownDescription: "What went wrong, when the job failed or its check did not pass.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"log":      computedString("The error's text."),
				"help_doc": computedString("A pointer to documentation on the error."),
			}},
		},
		"create_time": computedTime("When the job was created (RFC 3339)."),
		"start_time":  computedTime("When the migration started running (RFC 3339); null before."),
		"end_time":    computedTime("When the migration succeeded or failed (RFC 3339); null before."),
	}
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
}

func computedTime(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true, CustomType: timetypes.RFC3339Type{}}
}

func computedInt(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
}

func computedBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc, Computed: true}
}
