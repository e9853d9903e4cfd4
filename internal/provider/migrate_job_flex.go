package provider

// migrate_job_flex.go: expand (the resource's model to the wire) and flatten (the wire to the
// models of the resource and the listing), nothing else.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// redisParamKeys maps redis_params attributes to their ExternParams keys.
var redisParamKeys = []struct{ attr, key string }{
	{"client_output_buffer_hard_limit", "ClientOutputBufferHardLimit"},
	{"client_output_buffer_soft_limit", "ClientOutputBufferSoftLimit"},
	{"client_output_buffer_persist_time", "ClientOutputBufferPersistTime"},
	{"repl_backlog_size", "ReplBacklogSize"},
	{"repl_timeout", "ReplTimeout"},
}

// mongoDBParamKeys maps mongodb_params attributes to their ExternParams keys.
var mongoDBParamKeys = []struct{ attr, key string }{
	{"auth_database", "SrcAuthDatabase"},
	{"auth_flag", "SrcAuthFlag"},
	{"auth_mechanism", "SrcAuthMechanism"},
}

// expandMigrateOption renders the job's options as the API wants them.
func expandMigrateOption(m *migrateJobResourceModel) (*dtsapi.MigrateOption, diag.Diagnostics) {
	var diags diag.Diagnostics
	opt := &dtsapi.MigrateOption{}
	if c, ok := migrateTypes.code(m.MigrateType.ValueString()); ok {
		opt.MigrateType = dtsapi.Int64(c)
	}
	if c, ok := runModes.code(m.RunMode.ValueString()); ok {
		opt.RunMode = dtsapi.Int64(c)
	}
	if c, ok := migrateObjects.code(m.MigrateObject.ValueString()); ok {
		opt.MigrateObject = dtsapi.Int64(c)
	}
	if c, ok := consistencyTypes.code(m.ConsistencyType.ValueString()); ok {
		opt.ConsistencyType = dtsapi.Int64(c)
	}
	opt.IsOverrideRoot = dtsapi.Int64(boolCode(m.OverrideRoot.ValueBool()))
	if !m.ExpectTime.IsNull() && !m.ExpectTime.IsUnknown() {
		t, d := m.ExpectTime.ValueRFC3339Time()
		diags.Append(d...)
		if !d.HasError() {
			opt.ExpectTime = dtsapi.String(dtsapi.FormatTime(t))
		}
	}
	if s := m.ConsistencySampling; s != nil {
		opt.ConsistencyParams = &dtsapi.ConsistencyParams{
			SelectRowsPerTable: dtsapi.Int64(s.SelectRowsPerTable.ValueInt64()),
			TablesSelectAll:    dtsapi.Int64(s.TablesSelectAll.ValueInt64()),
			TablesSelectCount:  dtsapi.Int64(s.TablesSelectCount.ValueInt64()),
		}
	}
	if params := expandExternParams(m); params != "" {
		opt.ExternParams = dtsapi.String(params)
	}
	return opt, diags
}

// expandExternParams renders redis_params or mongodb_params as the ExternParams JSON, or "".
func expandExternParams(m *migrateJobResourceModel) string {
	params := map[string]any{}
	if r := m.RedisParams; r != nil {
		for i, v := range []types.Int64{r.ClientOutputBufferHardLimit, r.ClientOutputBufferSoftLimit, r.ClientOutputBufferPersistTime, r.ReplBacklogSize, r.ReplTimeout} {
			if !v.IsNull() && !v.IsUnknown() {
				params[redisParamKeys[i].key] = v.ValueInt64()
			}
		}
	}
	if g := m.MongoDBParams; g != nil {
		for i, v := range []types.String{g.AuthDatabase, g.AuthFlag, g.AuthMechanism} {
			if !v.IsNull() && !v.IsUnknown() {
				params[mongoDBParamKeys[i].key] = v.ValueString()
			}
		}
	}
	if len(params) == 0 {
		return ""
	}
	// Marshalling a map of strings and integers cannot fail.
	b, _ := json.Marshal(params)
	return string(b)
}

// databaseInfoEntry is one element of the DatabaseInfo JSON string.
type databaseInfoEntry struct {
	Database string   `json:"Database"`
	Schema   string   `json:"Schema,omitempty"`
	Table    []string `json:"Table,omitempty"`
}

// expandDatabaseInfo renders databases as the DatabaseInfo JSON string, "" when there are none.
func expandDatabaseInfo(dbs []databaseModel) string {
	if len(dbs) == 0 {
		return ""
	}
	entries := make([]databaseInfoEntry, len(dbs))
	for i, db := range dbs {
		entries[i].Database = db.Database.ValueString()
		entries[i].Schema = db.Schema.ValueString()
		for _, t := range db.Tables {
			entries[i].Table = append(entries[i].Table, t.ValueString())
		}
	}
	b, _ := json.Marshal(entries)
	return string(b)
}

// flattenDatabaseInfo parses the DatabaseInfo JSON string back; "", "[]" and null give nil.
func flattenDatabaseInfo(s string) ([]databaseModel, error) {
	if s == "" || s == "[]" || s == "null" {
		return nil, nil
	}
	var entries []databaseInfoEntry
	if err := json.Unmarshal([]byte(s), &entries); err != nil {
		return nil, fmt.Errorf("parsing DatabaseInfo %q: %w", s, err)
	}
	out := make([]databaseModel, len(entries))
	for i, e := range entries {
		out[i] = databaseModel{Database: types.StringValue(e.Database), Schema: optionalString(e.Schema)}
		if e.Table != nil {
			out[i].Tables = make([]types.String, len(e.Table))
			for j, t := range e.Table {
				out[i].Tables[j] = types.StringValue(t)
			}
		}
	}
	return out, nil
}

// expandSrcInfo renders source; s holds the secrets to send.
func expandSrcInfo(src *sourceModel, s secrets) *dtsapi.SrcInfo {
	return &dtsapi.SrcInfo{
		AccessKey:     optionalWire(s.srcAccessKey),
		Ip:            optionalWire(src.IP.ValueString()),
		Port:          optionalWireInt(src.Port),
		User:          optionalWire(src.User.ValueString()),
		Password:      optionalWire(s.srcPassword),
		RdsInstanceId: optionalWire(src.RDSInstanceID.ValueString()),
		CvmInstanceId: optionalWire(src.CVMInstanceID.ValueString()),
		UniqDcgId:     optionalWire(src.UniqDCGID.ValueString()),
		VpcId:         optionalWire(src.VPCID.ValueString()),
		SubnetId:      optionalWire(src.SubnetID.ValueString()),
		UniqVpnGwId:   optionalWire(src.UniqVPNGwID.ValueString()),
		InstanceId:    optionalWire(src.InstanceID.ValueString()),
		Region:        optionalWire(src.Region.ValueString()),
		Supplier:      optionalWire(src.Supplier.ValueString()),
		CcnId:         optionalWire(src.CCNID.ValueString()),
		EngineVersion: optionalWire(src.EngineVersion.ValueString()),
	}
}

// expandDstInfo renders destination; s holds the secrets to send.
func expandDstInfo(dst *destinationModel, s secrets) *dtsapi.DstInfo {
	return &dtsapi.DstInfo{
		InstanceId: optionalWire(dst.InstanceID.ValueString()),
		Ip:         optionalWire(dst.IP.ValueString()),
		Port:       optionalWireInt(dst.Port),
		Region:     optionalWire(dst.Region.ValueString()),
		ReadOnly:   dtsapi.Int64(boolCode(dst.ReadOnly.ValueBool())),
		User:       optionalWire(dst.User.ValueString()),
		Password:   optionalWire(s.dstPassword),
	}
}

// expandCreateRequest renders the whole job for CreateMigrateJob.
func expandCreateRequest(m *migrateJobResourceModel, s secrets) (*dtsapi.CreateMigrateJobRequest, diag.Diagnostics) {
	opt, diags := expandMigrateOption(m)
	req := &dtsapi.CreateMigrateJobRequest{
		JobName:         dtsapi.String(m.Name.ValueString()),
		MigrateOption:   opt,
		SrcDatabaseType: dtsapi.String(m.Source.DatabaseType.ValueString()),
		SrcAccessType:   dtsapi.String(m.Source.AccessType.ValueString()),
		SrcInfo:         expandSrcInfo(m.Source, s),
		DstDatabaseType: dtsapi.String(m.Destination.DatabaseType.ValueString()),
		DstAccessType:   dtsapi.String(m.Destination.AccessType.ValueString()),
		DstInfo:         expandDstInfo(m.Destination, s),
		DatabaseInfo:    optionalWire(expandDatabaseInfo(m.Databases)),
	}
	for _, k := range sortedKeys(m.Tags) {
		req.Tags = append(req.Tags, &dtsapi.TagItem{TagKey: dtsapi.String(k), TagValue: dtsapi.String(m.Tags[k].ValueString())})
	}
	return req, diags
}

// expandModifyRequest renders every modifiable field whole, as ModifyMigrateJob replaces each
// top-level field it is given.
func expandModifyRequest(jobID string, m *migrateJobResourceModel, s secrets) (*dtsapi.ModifyMigrateJobRequest, diag.Diagnostics) {
	create, diags := expandCreateRequest(m, s)
	info := create.DatabaseInfo
	if info == nil {
		// A whole-instance job says so explicitly, so a switch from databases clears the list.
		info = dtsapi.String("[]")
	}
	return &dtsapi.ModifyMigrateJobRequest{
		JobId:         dtsapi.String(jobID),
		JobName:       create.JobName,
		MigrateOption: create.MigrateOption,
		SrcAccessType: create.SrcAccessType,
		SrcInfo:       create.SrcInfo,
		DstAccessType: create.DstAccessType,
		DstInfo:       create.DstInfo,
		DatabaseInfo:  info,
	}, diags
}

// flattenMigrateJob writes what the API says of a job into the resource's model m. Values the
// API never returns (passwords, access keys, write-only versions) and the lifecycle controls
// are left as they are.
func flattenMigrateJob(ctx context.Context, job *dtsapi.MigrateJobInfo, m *migrateJobResourceModel) diag.Diagnostics {
	diags := flattenJob(ctx, job, &m.migrateJobModel)
	src := &sourceModel{sourceInfoModel: flattenSourceInfo(job)}
	src.Password, src.PasswordWO, src.PasswordWOVersion = types.StringNull(), types.StringNull(), types.Int64Null()
	src.AccessKey, src.AccessKeyWO, src.AccessKeyWOVersion = types.StringNull(), types.StringNull(), types.Int64Null()
	if prior := m.Source; prior != nil {
		src.Password, src.PasswordWOVersion = prior.Password, prior.PasswordWOVersion
		src.AccessKey, src.AccessKeyWOVersion = prior.AccessKey, prior.AccessKeyWOVersion
	}
	m.Source = src
	dst := &destinationModel{destinationInfoModel: flattenDestinationInfo(job)}
	dst.Password, dst.PasswordWO, dst.PasswordWOVersion = types.StringNull(), types.StringNull(), types.Int64Null()
	if prior := m.Destination; prior != nil {
		dst.Password, dst.PasswordWOVersion = prior.Password, prior.PasswordWOVersion
	}
	m.Destination = dst
	return diags
}

// flattenJob writes what the resource and the listing both say of a job into m. Where the
// API's answer cannot be read, or spells a value differently from m, m keeps its value.
func flattenJob(ctx context.Context, job *dtsapi.MigrateJobInfo, m *migrateJobModel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(dtsapi.StringValue(job.JobId))
	m.Name = types.StringValue(dtsapi.StringValue(job.JobName))

	opt := job.MigrateOption
	if opt == nil {
		opt = &dtsapi.MigrateOption{}
	}
	m.MigrateType = codeName(migrateTypes, opt.MigrateType)
	m.RunMode = codeName(runModes, opt.RunMode)
	m.MigrateObject = codeName(migrateObjects, opt.MigrateObject)
	m.ConsistencyType = codeName(consistencyTypes, opt.ConsistencyType)
	m.OverrideRoot = types.BoolValue(dtsapi.Int64Value(opt.IsOverrideRoot) == 1)
	prior := m.ExpectTime
	m.ExpectTime = timetypes.NewRFC3339Null()
	if t, ok := apiTime(dtsapi.StringValue(opt.ExpectTime)); ok {
		m.ExpectTime = timetypes.NewRFC3339TimeValue(t.UTC())
		// The API answers in UTC+8: a configuration that names the same instant in another
		// zone keeps its own spelling.
		if sameInstant(prior, m.ExpectTime) {
			m.ExpectTime = prior
		}
	}
	m.ConsistencySampling = nil
	if p := opt.ConsistencyParams; p != nil && dtsapi.Int64Value(opt.ConsistencyType) == dtsapi.ConsistencyTypeSampling {
		m.ConsistencySampling = &consistencySamplingModel{
			SelectRowsPerTable: types.Int64Value(dtsapi.Int64Value(p.SelectRowsPerTable)),
			TablesSelectAll:    types.Int64Value(dtsapi.Int64Value(p.TablesSelectAll)),
			TablesSelectCount:  types.Int64Value(dtsapi.Int64Value(p.TablesSelectCount)),
		}
	}
	diags.Append(flattenExternParams(dtsapi.StringValue(opt.ExternParams), dtsapi.StringValue(job.SrcDatabaseType), m)...)

	dbs, err := flattenDatabaseInfo(dtsapi.StringValue(job.DatabaseInfo))
	switch {
	case err != nil:
		diags.AddWarning("Unreadable Database List", fmt.Sprintf("DTS migrate job (%s): %s; databases keeps its previous value.", m.ID.ValueString(), err))
	case !sameSelection(selectionOf(m.Databases), selectionOf(dbs)):
		// Order means nothing to the API's selection: the configuration's order stands.
		m.Databases = dbs
	}

	// An empty map in the configuration stays empty rather than turning null.
	if m.Tags != nil {
		m.Tags = map[string]types.String{}
	}
	for _, tag := range job.Tags {
		// The create token is the provider's own bookkeeping, never the user's tag.
		if tag == nil || dtsapi.StringValue(tag.TagKey) == createTokenTagKey {
			continue
		}
		if m.Tags == nil {
			m.Tags = map[string]types.String{}
		}
		m.Tags[dtsapi.StringValue(tag.TagKey)] = types.StringValue(dtsapi.StringValue(tag.TagValue))
	}

	code := dtsapi.Int64Value(job.Status)
	m.Status = types.StringValue(statusName(code))
	m.StatusCode = types.Int64Value(code)
	m.CreateTime = flattenTime(job.CreateTime)
	m.StartTime = flattenTime(job.StartTime)
	m.EndTime = flattenTime(job.EndTime)

	detail, d := flattenDetail(ctx, job.Detail)
	diags.Append(d...)
	m.Detail = detail
	errs, d := flattenErrors(ctx, job.ErrorInfo)
	diags.Append(d...)
	m.Errors = errs
	return diags
}

// flattenSourceInfo reads the source as the API returns it: without secrets.
func flattenSourceInfo(job *dtsapi.MigrateJobInfo) sourceInfoModel {
	src := job.SrcInfo
	if src == nil {
		src = &dtsapi.SrcInfo{}
	}
	return sourceInfoModel{
		DatabaseType:  types.StringValue(dtsapi.StringValue(job.SrcDatabaseType)),
		AccessType:    types.StringValue(dtsapi.StringValue(job.SrcAccessType)),
		IP:            optionalString(dtsapi.StringValue(src.Ip)),
		Port:          optionalInt(dtsapi.Int64Value(src.Port)),
		User:          optionalString(dtsapi.StringValue(src.User)),
		InstanceID:    optionalString(dtsapi.StringValue(src.InstanceId)),
		CVMInstanceID: optionalString(dtsapi.StringValue(src.CvmInstanceId)),
		RDSInstanceID: optionalString(dtsapi.StringValue(src.RdsInstanceId)),
		VPCID:         optionalString(dtsapi.StringValue(src.VpcId)),
		SubnetID:      optionalString(dtsapi.StringValue(src.SubnetId)),
		UniqDCGID:     optionalString(dtsapi.StringValue(src.UniqDcgId)),
		UniqVPNGwID:   optionalString(dtsapi.StringValue(src.UniqVpnGwId)),
		CCNID:         optionalString(dtsapi.StringValue(src.CcnId)),
		EngineVersion: optionalString(dtsapi.StringValue(src.EngineVersion)),
		Region:        optionalString(dtsapi.StringValue(src.Region)),
		Supplier:      optionalString(dtsapi.StringValue(src.Supplier)),
	}
}

// flattenDestinationInfo reads the destination as the API returns it: without its password.
func flattenDestinationInfo(job *dtsapi.MigrateJobInfo) destinationInfoModel {
	dst := job.DstInfo
	if dst == nil {
		dst = &dtsapi.DstInfo{}
	}
	return destinationInfoModel{
		DatabaseType: types.StringValue(dtsapi.StringValue(job.DstDatabaseType)),
		AccessType:   types.StringValue(dtsapi.StringValue(job.DstAccessType)),
		InstanceID:   optionalString(dtsapi.StringValue(dst.InstanceId)),
		Region:       optionalString(dtsapi.StringValue(dst.Region)),
		IP:           optionalString(dtsapi.StringValue(dst.Ip)),
		Port:         optionalInt(dtsapi.Int64Value(dst.Port)),
		ReadOnly:     types.BoolValue(dtsapi.Int64Value(dst.ReadOnly) == 1),
		User:         optionalString(dtsapi.StringValue(dst.User)),
	}
}

// flattenExternParams parses ExternParams into redis_params or mongodb_params, by source type.
func flattenExternParams(s, srcType string, m *migrateJobModel) diag.Diagnostics {
	var diags diag.Diagnostics
	// A block given empty (redis_params = {}) sends nothing and reads nothing back: it stays an
	// empty block rather than turning null.
	keepRedis := m.RedisParams != nil && srcType == "redis"
	keepMongo := m.MongoDBParams != nil && srcType == "mongodb"
	m.RedisParams, m.MongoDBParams = nil, nil
	var raw map[string]any
	if s != "" && s != "{}" && s != "[]" {
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			diags.AddWarning("Unreadable Extern Params", fmt.Sprintf("DTS migrate job (%s): ExternParams %q is not a JSON object: %s.", m.ID.ValueString(), s, err))
			return diags
		}
	}
	switch srcType {
	case "redis":
		vals := make([]types.Int64, len(redisParamKeys))
		for i, k := range redisParamKeys {
			vals[i] = types.Int64Null()
			if v, ok := raw[k.key]; ok && v != nil {
				vals[i], keepRedis = types.Int64Value(anyInt(v)), true
			}
		}
		if keepRedis {
			m.RedisParams = &redisParamsModel{
				ClientOutputBufferHardLimit: vals[0], ClientOutputBufferSoftLimit: vals[1],
				ClientOutputBufferPersistTime: vals[2], ReplBacklogSize: vals[3], ReplTimeout: vals[4],
			}
		}
	case "mongodb":
		vals := make([]types.String, len(mongoDBParamKeys))
		for i, k := range mongoDBParamKeys {
			vals[i] = types.StringNull()
			if v, ok := raw[k.key]; ok && v != nil {
				vals[i], keepMongo = types.StringValue(fmt.Sprint(v)), true
			}
		}
		if keepMongo {
			m.MongoDBParams = &mongoDBParamsModel{AuthDatabase: vals[0], AuthFlag: vals[1], AuthMechanism: vals[2]}
		}
	}
	return diags
}

// checkPassed is what passed means, in the resource's check and in dts_migrate_check alike: the
// check has finished, and its flag says it passed. A check flag of 1 on a check that is still
// running (left from before a modification) is not a pass.
func checkPassed(c *dtsapi.MigrateCheckResult) bool {
	return dtsapi.StringValue(c.Status) == dtsapi.CheckStatusFinished && dtsapi.Int64Value(c.CheckFlag) == dtsapi.CheckFlagPassed
}

var (
	stepAttrTypes = map[string]attr.Type{
		"no": types.Int64Type, "name": types.StringType, "id": types.StringType,
		"status": types.StringType, "start_time": timetypes.RFC3339Type{},
	}
	detailAttrTypes = map[string]attr.Type{
		"step_all": types.Int64Type, "step_now": types.Int64Type, "progress": types.Int64Type,
		"current_step_progress": types.Int64Type, "master_slave_distance_mb": types.Int64Type,
		"seconds_behind_master": types.Int64Type, "steps": types.ListType{ElemType: types.ObjectType{AttrTypes: stepAttrTypes}},
	}
	errorAttrTypes = map[string]attr.Type{"log": types.StringType, "help_doc": types.StringType}
	checkAttrTypes = map[string]attr.Type{
		"status": types.StringType, "passed": types.BoolType, "flag": types.Int64Type,
		"progress": types.Int64Type, "error_code": types.Int64Type, "error_message": types.StringType,
	}
)
