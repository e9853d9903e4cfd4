package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// The flatteners read whatever the API sends: a value the provider does not expect gives a
// diagnostic at worst, never a panic.

func FuzzFlattenMigrateJob(f *testing.F) {
	f.Add(`{"JobId":"dts-abcdefgh","JobName":"n","Status":7,"Tags":[null,{"TagKey":"k"}],"Detail":{"StepInfo":[null]},"ErrorInfo":[null]}`)
	f.Add(`{"MigrateOption":{"RunMode":2,"ExpectTime":"2030-13-45 99:99:99","ConsistencyType":3,"ExternParams":"[1,2]"},"SrcDatabaseType":"redis","DatabaseInfo":"[null,{\"Table\":[null]}]"}`)
	f.Add(`{"MigrateOption":{"ExternParams":"{\"ReplTimeout\":{\"x\":1},\"SrcAuthFlag\":null}"},"SrcDatabaseType":"mongodb","Status":23}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		var job dtsapi.MigrateJobInfo
		if json.Unmarshal([]byte(body), &job) != nil {
			return
		}
		ctx := context.Background()
		m := fullModel()
		m.Tags = map[string]types.String{}
		flattenMigrateJob(ctx, &job, m)
		var l migrateJobListingModel
		flattenJob(ctx, &job, &l.migrateJobModel)
		l.Source, l.Destination = flattenSourceInfo(&job), flattenDestinationInfo(&job)
		describeJob(&job)
		jobErrorText(&job)
		scheduledStart(&job)
	})
}

func FuzzFlattenCheck(f *testing.F) {
	f.Add(`{"Status":"finished","CheckFlag":1,"Progress":"100","ErrorCode":0,"ErrorMessage":"ok"}`)
	f.Add(`{"Status":null,"Progress":"NaN","CheckFlag":-9}`)
	f.Fuzz(func(t *testing.T, body string) {
		var c dtsapi.MigrateCheckResult
		if json.Unmarshal([]byte(body), &c) != nil {
			return
		}
		if _, d := flattenCheck(&c); d.HasError() {
			t.Fatalf("flattenCheck: %v", d)
		}
	})
}

func FuzzFlattenDatabaseInfo(f *testing.F) {
	f.Add(`[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2","Schema":"s"}]`)
	f.Add(`[null,{"Table":[null]},{"Database":{"x":1}}]`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		dbs, err := flattenDatabaseInfo(s)
		if err == nil && len(dbs) > 0 {
			if _, err := flattenDatabaseInfo(expandDatabaseInfo(dbs)); err != nil {
				t.Fatalf("what flattenDatabaseInfo read does not read back: %v", err)
			}
		}
	})
}

func FuzzFlattenExternParams(f *testing.F) {
	f.Add(`{"ReplTimeout":60,"ClientOutputBufferHardLimit":"512"}`, "redis")
	f.Add(`{"SrcAuthDatabase":"admin","SrcAuthFlag":1,"SrcAuthMechanism":null}`, "mongodb")
	f.Add(`[1,2]`, "redis")
	f.Fuzz(func(t *testing.T, s, srcType string) {
		m := &migrateJobModel{RedisParams: &redisParamsModel{}}
		flattenExternParams(s, srcType, m)
	})
}

func FuzzAPITime(f *testing.F) {
	f.Add("2026-01-01 08:00:00")
	f.Add("0000-00-00 00:00:00")
	f.Add("9999-99-99 99:99:99")
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := apiTime(s); ok {
			if back := dtsapi.FormatTime(tm); back != s {
				if again, ok := apiTime(back); !ok || !again.Equal(tm) {
					t.Fatalf("%q read as %s, written back as %q", s, tm, back)
				}
			}
		}
		flattenTime(&s)
	})
}
