package provider

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// TestModelValueIsTheFrameworksConversion: listed jobs of every shape (databases or none, tags
// or none, Redis parameters or none, a detail and errors) become the value the framework's own
// reflection makes of them.
func TestModelValueIsTheFrameworksConversion(t *testing.T) {
	ctx := t.Context()
	answers := []string{
		`{"JobId":"dts-aaaa0001","JobName":"plain","Status":2,"MigrateOption":{"RunMode":1,"MigrateType":2,"MigrateObject":1,"ConsistencyType":4,"IsOverrideRoot":0},
		  "SrcDatabaseType":"mysql","SrcAccessType":"extranet","SrcInfo":{"Ip":"10.0.0.5","Port":3306,"User":"u"},
		  "DstDatabaseType":"mysql","DstAccessType":"cdb","DstInfo":{"InstanceId":"cdb-1","Region":"ap-guangzhou"},
		  "CreateTime":"2026-12-01 10:00:00","StartTime":"0000-00-00 00:00:00","EndTime":"0000-00-00 00:00:00"}`,
		`{"JobId":"dts-aaaa0002","JobName":"rich","Status":7,"MigrateOption":{"RunMode":2,"ExpectTime":"2026-12-01 12:00:00","MigrateType":3,"MigrateObject":2,
		    "DatabaseInfo":"[{\"Database\":\"db1\",\"Table\":[\"t1\",\"t2\"]},{\"Database\":\"db2\"}]","ConsistencyType":2,
		    "MigrateOptionExternParams":"{\"ClientOutputBufferHardLimit\":512}"},
		  "SrcDatabaseType":"redis","SrcAccessType":"cvm","SrcInfo":{"CvmInstanceId":"ins-1","Region":"ap-guangzhou"},
		  "DstDatabaseType":"redis","DstAccessType":"cdb","DstInfo":{"InstanceId":"crs-1","Region":"ap-guangzhou","ReadOnly":1},
		  "Tags":[{"TagKey":"env","TagValue":"prod"},{"TagKey":"team","TagValue":"data"}],
		  "Detail":{"StepAll":3,"StepNow":2,"Progress":"40","CurrentStepProgress":"20","StepInfo":[{"StepNo":1,"StepName":"s1","StepId":"a","Status":1,"StartTime":"2026-12-01 10:00:00"}]},
		  "ErrorInfo":[{"ErrorLog":"boom","HelpDoc":"https://example.test/help"}],
		  "CreateTime":"2026-12-01 10:00:00","StartTime":"2026-12-01 10:01:00","EndTime":"0000-00-00 00:00:00"}`,
	}
	var listed []migrateJobListingModel
	for _, a := range answers {
		var job dtsapi.MigrateJobInfo
		if err := json.Unmarshal([]byte(a), &job); err != nil {
			t.Fatal(err)
		}
		l := migrateJobListingModel{Source: flattenSourceInfo(&job), Destination: flattenDestinationInfo(&job)}
		if diags := flattenJob(ctx, &job, &l.migrateJobModel); diags.HasError() {
			t.Fatalf("flattenJob: %v", diags)
		}
		listed = append(listed, l)
	}
	var sresp datasource.SchemaResponse
	(&migrateJobsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ, diags := sresp.Schema.TypeAtPath(ctx, path.Root("jobs"))
	if diags.HasError() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		name string
		jobs []migrateJobListingModel
	}{{"jobs", listed}, {"none", []migrateJobListingModel{}}, {"nil", nil}} {
		ours, diags := modelValue(reflect.ValueOf(tc.jobs), typ)
		if diags.HasError() {
			t.Fatalf("%s: modelValue: %v", tc.name, diags)
		}
		theirs := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
		if diags := theirs.SetAttribute(ctx, path.Root("jobs"), tc.jobs); diags.HasError() {
			t.Fatalf("%s: the framework: %v", tc.name, diags)
		}
		var want types.List
		if diags := theirs.GetAttribute(ctx, path.Root("jobs"), &want); diags.HasError() {
			t.Fatal(diags)
		}
		if !ours.Equal(want) {
			t.Errorf("%s: modelValue gives\n%s\nthe framework\n%s", tc.name, ours, want)
		}
	}
}
