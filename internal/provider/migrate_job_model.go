package provider

// migrate_job_model.go: the models of a job that the dts_migrate_job resource and the
// dts_migrate_jobs listing share. The resource's own model, with the secrets and lifecycle
// controls, is at the end of migrate_job_resource.go.

import (
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// migrateJobModel is what the resource and the dts_migrate_jobs listing both say of a job,
// apart from the source and destination, whose secrets only the resource has.
type migrateJobModel struct {
	ID                  types.String              `tfsdk:"id"`
	Name                types.String              `tfsdk:"name"`
	MigrateType         types.String              `tfsdk:"migrate_type"`
	RunMode             types.String              `tfsdk:"run_mode"`
	ExpectTime          timetypes.RFC3339         `tfsdk:"expect_time"`
	MigrateObject       types.String              `tfsdk:"migrate_object"`
	Databases           []databaseModel           `tfsdk:"databases"`
	ConsistencyType     types.String              `tfsdk:"consistency_type"`
	ConsistencySampling *consistencySamplingModel `tfsdk:"consistency_sampling"`
	OverrideRoot        types.Bool                `tfsdk:"override_root"`
	RedisParams         *redisParamsModel         `tfsdk:"redis_params"`
	MongoDBParams       *mongoDBParamsModel       `tfsdk:"mongodb_params"`
	Tags                map[string]types.String   `tfsdk:"tags"`
	Status              types.String              `tfsdk:"status"`
	StatusCode          types.Int64               `tfsdk:"status_code"`
	Detail              types.Object              `tfsdk:"detail"`
	Errors              types.List                `tfsdk:"errors"`
	CreateTime          timetypes.RFC3339         `tfsdk:"create_time"`
	StartTime           timetypes.RFC3339         `tfsdk:"start_time"`
	EndTime             timetypes.RFC3339         `tfsdk:"end_time"`
}

type databaseModel struct {
	Database types.String   `tfsdk:"database"`
	Schema   types.String   `tfsdk:"schema"`
	Tables   []types.String `tfsdk:"tables"`
}

type consistencySamplingModel struct {
	SelectRowsPerTable types.Int64 `tfsdk:"select_rows_per_table"`
	TablesSelectAll    types.Int64 `tfsdk:"tables_select_all"`
	TablesSelectCount  types.Int64 `tfsdk:"tables_select_count"`
}

// sourceInfoModel is the source as the API returns it, shared with the listing.
type sourceInfoModel struct {
	DatabaseType  types.String `tfsdk:"database_type"`
	AccessType    types.String `tfsdk:"access_type"`
	IP            types.String `tfsdk:"ip"`
	Port          types.Int64  `tfsdk:"port"`
	User          types.String `tfsdk:"user"`
	InstanceID    types.String `tfsdk:"instance_id"`
	CVMInstanceID types.String `tfsdk:"cvm_instance_id"`
	RDSInstanceID types.String `tfsdk:"rds_instance_id"`
	VPCID         types.String `tfsdk:"vpc_id"`
	SubnetID      types.String `tfsdk:"subnet_id"`
	UniqDCGID     types.String `tfsdk:"uniq_dcg_id"`
	UniqVPNGwID   types.String `tfsdk:"uniq_vpn_gw_id"`
	CCNID         types.String `tfsdk:"ccn_id"`
	EngineVersion types.String `tfsdk:"engine_version"`
	Region        types.String `tfsdk:"region"`
	Supplier      types.String `tfsdk:"supplier"`
}

// destinationInfoModel is the destination as the API returns it, shared with the listing.
type destinationInfoModel struct {
	DatabaseType types.String `tfsdk:"database_type"`
	AccessType   types.String `tfsdk:"access_type"`
	InstanceID   types.String `tfsdk:"instance_id"`
	Region       types.String `tfsdk:"region"`
	IP           types.String `tfsdk:"ip"`
	Port         types.Int64  `tfsdk:"port"`
	ReadOnly     types.Bool   `tfsdk:"read_only"`
	User         types.String `tfsdk:"user"`
}

type redisParamsModel struct {
	ClientOutputBufferHardLimit   types.Int64 `tfsdk:"client_output_buffer_hard_limit"`
	ClientOutputBufferSoftLimit   types.Int64 `tfsdk:"client_output_buffer_soft_limit"`
	ClientOutputBufferPersistTime types.Int64 `tfsdk:"client_output_buffer_persist_time"`
	ReplBacklogSize               types.Int64 `tfsdk:"repl_backlog_size"`
	ReplTimeout                   types.Int64 `tfsdk:"repl_timeout"`
}

type mongoDBParamsModel struct {
	AuthDatabase  types.String `tfsdk:"auth_database"`
	AuthFlag      types.String `tfsdk:"auth_flag"`
	AuthMechanism types.String `tfsdk:"auth_mechanism"`
}
