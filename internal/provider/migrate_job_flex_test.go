package provider

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

func fullModel() *migrateJobResourceModel {
	return &migrateJobResourceModel{migrateJobModel: migrateJobModel{
		Name:            types.StringValue("orders"),
		MigrateType:     types.StringValue("full_and_incremental"),
		RunMode:         types.StringValue("scheduled"),
		ExpectTime:      timetypes.NewRFC3339ValueMust("2030-01-01T00:00:00Z"),
		MigrateObject:   types.StringValue("databases"),
		ConsistencyType: types.StringValue("sampling"),
		ConsistencySampling: &consistencySamplingModel{
			SelectRowsPerTable: types.Int64Value(10), TablesSelectAll: types.Int64Value(20), TablesSelectCount: types.Int64Value(30),
		},
		OverrideRoot: types.BoolValue(false),
		Databases: []databaseModel{
			{Database: types.StringValue("db1"), Schema: types.StringNull(), Tables: []types.String{types.StringValue("t1"), types.StringValue("t2")}},
			{Database: types.StringValue("db2"), Schema: types.StringValue("public")},
		},
		Tags: map[string]types.String{"b": types.StringValue("2"), "a": types.StringValue("1")},
	},
		Source: &sourceModel{sourceInfoModel: sourceInfoModel{
			DatabaseType: types.StringValue("mysql"), AccessType: types.StringValue("extranet"),
			IP: types.StringValue("10.0.0.5"), Port: types.Int64Value(3306), User: types.StringValue("u"),
			Region: types.StringValue("ap-guangzhou"),
		}},
		Destination: &destinationModel{destinationInfoModel: destinationInfoModel{
			DatabaseType: types.StringValue("mysql"), AccessType: types.StringValue("cdb"),
			InstanceID: types.StringValue("cdb-1"), Region: types.StringValue("ap-guangzhou"), ReadOnly: types.BoolValue(true),
		}},
	}
}

func TestExpandCreateRequest(t *testing.T) {
	req, diags := expandCreateRequest(fullModel(), secrets{srcPassword: "sp", dstPassword: "dp"})
	if diags.HasError() {
		t.Fatal(diags)
	}
	opt := req.MigrateOption
	if dtsapi.Int64Value(opt.MigrateType) != 3 || dtsapi.Int64Value(opt.RunMode) != 2 || dtsapi.Int64Value(opt.MigrateObject) != 2 ||
		dtsapi.Int64Value(opt.ConsistencyType) != 3 || dtsapi.Int64Value(opt.IsOverrideRoot) != 0 {
		t.Errorf("codes: %+v", opt)
	}
	// Midnight UTC is 08:00 in the API's UTC+8.
	if got := dtsapi.StringValue(opt.ExpectTime); got != "2030-01-01 08:00:00" {
		t.Errorf("ExpectTime = %q", got)
	}
	if got := dtsapi.StringValue(req.DatabaseInfo); got != `[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2","Schema":"public"}]` {
		t.Errorf("DatabaseInfo = %s", got)
	}
	if dtsapi.StringValue(req.SrcInfo.Password) != "sp" || dtsapi.StringValue(req.DstInfo.Password) != "dp" || req.SrcInfo.AccessKey != nil {
		t.Errorf("secrets: src %v dst %v key %v", req.SrcInfo.Password, req.DstInfo.Password, req.SrcInfo.AccessKey)
	}
	if dtsapi.Int64Value(req.DstInfo.ReadOnly) != 1 || dtsapi.Int64Value(req.SrcInfo.Port) != 3306 {
		t.Errorf("DstInfo.ReadOnly / SrcInfo.Port wrong")
	}
	if len(req.Tags) != 2 || dtsapi.StringValue(req.Tags[0].TagKey) != "a" {
		t.Errorf("tags not sorted by key: %v", req.Tags)
	}
}

func TestModifyRequestClearsDatabasesForWholeInstance(t *testing.T) {
	m := fullModel()
	m.MigrateObject, m.Databases = types.StringValue("instance"), nil
	req, diags := expandModifyRequest("dts-1", m, secrets{})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if dtsapi.StringValue(req.DatabaseInfo) != "[]" || dtsapi.StringValue(req.JobId) != "dts-1" {
		t.Errorf("DatabaseInfo %v JobId %v", req.DatabaseInfo, req.JobId)
	}
}

func TestDatabaseInfoRoundTrip(t *testing.T) {
	in := fullModel().Databases
	out, err := flattenDatabaseInfo(expandDatabaseInfo(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the list:\n in %+v\nout %+v", in, out)
	}
	for _, empty := range []string{"", "[]", "null"} {
		if got, err := flattenDatabaseInfo(empty); got != nil || err != nil {
			t.Errorf("flattenDatabaseInfo(%q) = %v, %v", empty, got, err)
		}
	}
	if _, err := flattenDatabaseInfo("{"); err == nil {
		t.Error("malformed DatabaseInfo accepted")
	}
}

func TestExternParamsRoundTrip(t *testing.T) {
	m := fullModel()
	m.RedisParams = &redisParamsModel{
		ClientOutputBufferHardLimit: types.Int64Value(512), ClientOutputBufferSoftLimit: types.Int64Null(),
		ClientOutputBufferPersistTime: types.Int64Null(), ReplBacklogSize: types.Int64Value(64), ReplTimeout: types.Int64Value(60),
	}
	raw := expandExternParams(m)
	var decoded map[string]any
	if err := json.Unmarshal([]byte(raw), &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded) != 3 || decoded["ReplTimeout"] != float64(60) {
		t.Errorf("ExternParams = %s", raw)
	}
	back := &migrateJobModel{}
	if d := flattenExternParams(raw, "redis", back); d.HasError() {
		t.Fatal(d)
	}
	if !reflect.DeepEqual(back.RedisParams, m.RedisParams) || back.MongoDBParams != nil {
		t.Errorf("redis round trip: %+v", back.RedisParams)
	}

	m.RedisParams = nil
	m.MongoDBParams = &mongoDBParamsModel{AuthDatabase: types.StringValue("admin"), AuthFlag: types.StringValue("1"), AuthMechanism: types.StringNull()}
	raw = expandExternParams(m)
	back = &migrateJobModel{}
	flattenExternParams(raw, "mongodb", back)
	if !reflect.DeepEqual(back.MongoDBParams, m.MongoDBParams) {
		t.Errorf("mongodb round trip: %s -> %+v", raw, back.MongoDBParams)
	}
	if expandExternParams(&migrateJobResourceModel{}) != "" {
		t.Error("no params should render as nothing")
	}
}

func TestFlattenMigrateJobKeepsSecretsAndSpelling(t *testing.T) {
	prior := fullModel()
	prior.ExpectTime = timetypes.NewRFC3339ValueMust("2029-12-31T19:00:00-05:00")
	prior.Source.Password = types.StringValue("kept")
	job := &dtsapi.MigrateJobInfo{
		JobId: dtsapi.String("dts-1"), JobName: dtsapi.String("orders"),
		MigrateOption: &dtsapi.MigrateOption{
			RunMode: dtsapi.Int64(2), ExpectTime: dtsapi.String("2030-01-01 08:00:00"), MigrateType: dtsapi.Int64(3),
			MigrateObject: dtsapi.Int64(1), ConsistencyType: dtsapi.Int64(5), IsOverrideRoot: dtsapi.Int64(0),
		},
		SrcDatabaseType: dtsapi.String("mysql"), SrcAccessType: dtsapi.String("extranet"),
		SrcInfo:         &dtsapi.SrcInfo{Ip: dtsapi.String("10.0.0.5"), Port: dtsapi.Int64(3306), Password: dtsapi.String("")},
		DstDatabaseType: dtsapi.String("mysql"), DstAccessType: dtsapi.String("cdb"),
		DstInfo:      &dtsapi.DstInfo{InstanceId: dtsapi.String("cdb-1"), ReadOnly: dtsapi.Int64(0)},
		DatabaseInfo: dtsapi.String("[]"), Status: dtsapi.Int64(23),
		CreateTime: dtsapi.String("2026-01-01 08:00:00"), StartTime: dtsapi.String("0000-00-00 00:00:00"),
	}
	if d := flattenMigrateJob(context.Background(), job, prior); d.HasError() {
		t.Fatal(d)
	}
	if prior.ExpectTime.ValueString() != "2029-12-31T19:00:00-05:00" {
		t.Errorf("the same instant should keep the configuration's spelling, got %s", prior.ExpectTime.ValueString())
	}
	if prior.Source.Password.ValueString() != "kept" {
		t.Error("the source password the API never returns was lost")
	}
	if prior.Status.ValueString() != "unknown" || prior.StatusCode.ValueInt64() != 23 {
		t.Errorf("status %s (%d)", prior.Status, prior.StatusCode.ValueInt64())
	}
	if !prior.StartTime.IsNull() || prior.CreateTime.ValueString() != "2026-01-01T00:00:00Z" {
		t.Errorf("times: start %s create %s", prior.StartTime, prior.CreateTime)
	}
	if prior.Databases != nil || prior.ConsistencySampling != nil || prior.ConsistencyType.ValueString() != "none" {
		t.Errorf("whole-instance job flattened with databases %v", prior.Databases)
	}
}

// TestPassedCheckReadsAsTheAPIsPass: the check a job in check_pass is known to hold, without
// reading it, is in state what reading the API's answer for a pass gives; a failed check keeps
// its message.
func TestPassedCheckReadsAsTheAPIsPass(t *testing.T) {
	var read dtsapi.MigrateCheckResult
	if err := json.Unmarshal([]byte(`{"Status":"finished","CheckFlag":1,"Progress":"100","ErrorCode":0,"ErrorMessage":"ok"}`), &read); err != nil {
		t.Fatal(err)
	}
	fromAPI, diags := flattenCheck(&read)
	known, kdiags := flattenCheck(passedCheck())
	if diags.HasError() || kdiags.HasError() {
		t.Fatalf("flattenCheck: %v %v", diags, kdiags)
	}
	if !fromAPI.Equal(known) {
		t.Errorf("a pass read from the API gives %s, known from the status %s", fromAPI, known)
	}
	failed := dtsapi.MigrateCheckResult{Status: dtsapi.String("finished"), CheckFlag: dtsapi.Int64(0), ErrorMessage: dtsapi.String("table t1 does not exist")}
	obj, _ := flattenCheck(&failed)
	if msg, _ := obj.Attributes()["error_message"].(types.String); msg.ValueString() != "table t1 does not exist" {
		t.Errorf("a failed check's message became %s", msg)
	}
}
