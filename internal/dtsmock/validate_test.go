package dtsmock

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCreateValidation covers the field and cross-field rules through TC3 JSON.
func TestCreateValidation(t *testing.T) {
	e := newEnv(t)
	mod := func(f func(b map[string]any)) map[string]any {
		b := baseCreate("v")
		f(b)
		return b
	}
	mo := func(f func(mo map[string]any)) map[string]any { return withOption(baseCreate("v"), f) }
	// consistency is the valid body with ConsistencyType typ and ConsistencyParams cp.
	consistency := func(typ int, cp map[string]any) map[string]any {
		return mo(func(m map[string]any) { m["ConsistencyType"], m["ConsistencyParams"] = typ, cp })
	}
	// tables is the valid body that migrates the databases and tables of info (MigrateObject 2).
	tables := func(info string) map[string]any {
		return mod(func(b map[string]any) {
			withOption(b, func(m map[string]any) { m["MigrateObject"] = 2 })
			b["DatabaseInfo"] = info
		})
	}
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"valid", baseCreate("v"), ""},
		{"unknown top-level", mod(func(b map[string]any) { b["Foo"] = 1 }), "UnknownParameter"},
		{"unknown nested", mod(func(b map[string]any) { obj(b["SrcInfo"])["Pwd"] = "x" }), "UnknownParameter"},
		{"wrong type string", mod(func(b map[string]any) { b["JobName"] = 5 }), "InvalidParameterValue"},
		{"wrong type int", mod(func(b map[string]any) { obj(b["SrcInfo"])["Port"] = "3306" }), "InvalidParameterValue"},
		{"fractional int", mod(func(b map[string]any) { obj(b["SrcInfo"])["Port"] = 33.5 }), "InvalidParameterValue"},
		{"object as string", mod(func(b map[string]any) { b["SrcInfo"] = "x" }), "InvalidParameterValue"},
		{"array as object", mod(func(b map[string]any) { b["Tags"] = map[string]any{} }), "InvalidParameterValue"},
		{"missing JobName", mod(func(b map[string]any) { delete(b, "JobName") }), "MissingParameter"},
		{"empty JobName", mod(func(b map[string]any) { b["JobName"] = "" }), "MissingParameter"},
		{"missing MigrateOption", mod(func(b map[string]any) { delete(b, "MigrateOption") }), "MissingParameter"},
		{"missing RunMode", mo(func(m map[string]any) { delete(m, "RunMode") }), "MissingParameter"},
		{"missing MigrateType", mo(func(m map[string]any) { delete(m, "MigrateType") }), "MissingParameter"},
		{"missing SrcInfo", mod(func(b map[string]any) { delete(b, "SrcInfo") }), "MissingParameter"},
		{"missing DstInfo", mod(func(b map[string]any) { delete(b, "DstInfo") }), "MissingParameter"},
		{"missing DstInfo.InstanceId", mod(func(b map[string]any) { delete(obj(b["DstInfo"]), "InstanceId") }), "MissingParameter"},
		{"missing SrcDatabaseType", mod(func(b map[string]any) { delete(b, "SrcDatabaseType") }), "MissingParameter"},
		{"RunMode 3", mo(func(m map[string]any) { m["RunMode"] = 3 }), "InvalidParameterValue"},
		{"MigrateType 0", mo(func(m map[string]any) { m["MigrateType"] = 0 }), "InvalidParameterValue"},
		{"MigrateObject 3", mo(func(m map[string]any) { m["MigrateObject"] = 3 }), "InvalidParameterValue"},
		{"ConsistencyType 6", mo(func(m map[string]any) { m["ConsistencyType"] = 6 }), "InvalidParameterValue"},
		{"IsOverrideRoot 2", mo(func(m map[string]any) { m["IsOverrideRoot"] = 2 }), "InvalidParameterValue"},
		{"ReadOnly 2", mod(func(b map[string]any) { obj(b["DstInfo"])["ReadOnly"] = 2 }), "InvalidParameterValue"},
		{"port out of range", mod(func(b map[string]any) { obj(b["SrcInfo"])["Port"] = 70000 }), "InvalidParameterValue"},
		{"ExpectTime with RunMode 1", mo(func(m map[string]any) { m["ExpectTime"] = "2024-05-01 12:00:00" }), "InvalidParameterValue"},
		{"zero ExpectTime with RunMode 1", mo(func(m map[string]any) { m["ExpectTime"] = zeroTime }), ""},
		{"RunMode 2 without ExpectTime", mo(func(m map[string]any) { m["RunMode"] = 2 }), "MissingParameter"},
		{"RunMode 2 with empty ExpectTime", mo(func(m map[string]any) { m["RunMode"], m["ExpectTime"] = 2, "" }), "MissingParameter"},
		{"malformed ExpectTime", mo(func(m map[string]any) { m["RunMode"], m["ExpectTime"] = 2, "2024-05-01T12:00:00Z" }), "InvalidParameterValue"},
		{"RunMode 2", mo(func(m map[string]any) { m["RunMode"], m["ExpectTime"] = 2, "2024-05-01 12:00:00" }), ""},
		{"ConsistencyType 3 without params", mo(func(m map[string]any) { m["ConsistencyType"] = 3 }), "MissingParameter"},
		{"ConsistencyType 3 zero params", consistency(3, map[string]any{"SelectRowsPerTable": 0, "TablesSelectAll": 0, "TablesSelectCount": 0}), "MissingParameter"},
		{"ConsistencyParams out of range", consistency(3, map[string]any{"SelectRowsPerTable": 101, "TablesSelectAll": 1, "TablesSelectCount": 1}), "InvalidParameterValue"},
		{"ConsistencyParams partial", consistency(3, map[string]any{"SelectRowsPerTable": 5}), "MissingParameter"},
		{"ConsistencyParams with type 2", consistency(2, map[string]any{"SelectRowsPerTable": 5, "TablesSelectAll": 1, "TablesSelectCount": 1}), "InvalidParameterValue"},
		{"all-zero ConsistencyParams with type 1", consistency(1, map[string]any{"SelectRowsPerTable": 0, "TablesSelectAll": 0, "TablesSelectCount": 0}), ""},
		{"MigrateObject 2 without DatabaseInfo", mo(func(m map[string]any) { m["MigrateObject"] = 2 }), "MissingParameter"},
		{"MigrateObject 2 with []", tables("[]"), "InvalidParameterValue"},
		{"DatabaseInfo not an array", tables(`{"Database":"db"}`), "InvalidParameterValue"},
		{"DatabaseInfo unknown key", tables(`[{"Database":"db","Tables":["t"]}]`), "InvalidParameterValue"},
		{"DatabaseInfo without Database", tables(`[{"Table":["t"]}]`), "InvalidParameterValue"},
		{"DatabaseInfo with schema", tables(`[{"Database":"db","Schema":"s1","Table":["t"]}]`), ""},
		{"DatabaseInfo with MigrateObject 1", mod(func(b map[string]any) { b["DatabaseInfo"] = `[{"Database":"db"}]` }), "InvalidParameterValue"},
		{"[] with MigrateObject 1", mod(func(b map[string]any) { b["DatabaseInfo"] = "[]" }), ""},
		{"IsOverrideRoot with structure", mo(func(m map[string]any) { m["IsOverrideRoot"], m["MigrateType"] = 1, 1 }), "InvalidParameterValue"},
		{"IsOverrideRoot with tables", mod(func(b map[string]any) {
			withOption(b, func(m map[string]any) { m["MigrateObject"], m["IsOverrideRoot"] = 2, 1 })
			b["DatabaseInfo"] = `[{"Database":"db"}]`
		}), "InvalidParameterValue"},
		{"IsOverrideRoot whole instance", mo(func(m map[string]any) { m["IsOverrideRoot"] = 1 }), ""},
		{"DstAccessType extranet", mod(func(b map[string]any) { b["DstAccessType"] = "extranet" }), "InvalidParameterValue"},
		{"SrcAccessType misspelt", mod(func(b map[string]any) { b["SrcAccessType"] = "vpnselbuild" }), "InvalidParameterValue"},
		{"SrcAccessType vpnselfbuild", mod(func(b map[string]any) { b["SrcAccessType"] = "vpnselfbuild" }), ""},
		{"SrcDatabaseType postgresql", mod(func(b map[string]any) { b["SrcDatabaseType"] = "postgresql" }), "InvalidParameterValue"},
		{"DstDatabaseType percona", mod(func(b map[string]any) { b["DstDatabaseType"] = "percona" }), "InvalidParameterValue"},
		{"ExternParams redis", mod(func(b map[string]any) {
			b["SrcDatabaseType"], b["DstDatabaseType"] = "redis", "redis"
			withOption(b, func(m map[string]any) { m["ExternParams"] = `{"ReplTimeout":120,"ClientOutputBufferHardLimit":512}` })
		}), ""},
		{"ExternParams redis key for mysql", mo(func(m map[string]any) { m["ExternParams"] = `{"ReplTimeout":120}` }), "InvalidParameterValue"},
		{"ExternParams mongodb", mod(func(b map[string]any) {
			b["SrcDatabaseType"], b["DstDatabaseType"] = "mongodb", "mongodb"
			withOption(b, func(m map[string]any) { m["ExternParams"] = `{"SrcAuthDatabase":"admin","SrcAuthFlag":"1"}` })
		}), ""},
		{"ExternParams mongodb wrong type", mod(func(b map[string]any) {
			b["SrcDatabaseType"] = "mongodb"
			withOption(b, func(m map[string]any) { m["ExternParams"] = `{"SrcAuthFlag":1}` })
		}), "InvalidParameterValue"},
		{"ExternParams not JSON", mo(func(m map[string]any) { m["ExternParams"] = `{` }), "InvalidParameterValue"},
		{"ExternParams empty", mo(func(m map[string]any) { m["ExternParams"] = `{}` }), ""},
		{"unsupported region", mod(func(b map[string]any) { obj(b["DstInfo"])["Region"] = "xx-nowhere" }), "InvalidParameterValue"},
		{"tag without key", mod(func(b map[string]any) { b["Tags"] = []any{map[string]any{"TagValue": "v"}} }), "MissingParameter"},
		{"duplicate tag", mod(func(b map[string]any) {
			b["Tags"] = []any{map[string]any{"TagKey": "k"}, map[string]any{"TagKey": "k"}}
		}), "InvalidParameterValue"},
		{"null member is absent", mod(func(b map[string]any) { b["DatabaseInfo"] = nil }), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.c.wantCode("CreateMigrateJob", tc.body, tc.want)
		})
	}
	for _, raw := range []struct{ body, want string }{
		{`{`, "InvalidParameter"},
		{`[]`, "InvalidParameter"},
		{`{} {}`, "InvalidParameter"},
		{``, "MissingParameter"},
	} {
		if got := errCode(e.c.raw("CreateMigrateJob", raw.body)); got != raw.want {
			t.Errorf("body %q: got %q, want %q", raw.body, got, raw.want)
		}
	}
}

// TestModifyRules covers ModifyMigrateJob's replacement semantics.
func TestModifyRules(t *testing.T) {
	e := newEnv(t)
	id := e.c.create(baseCreate("m"))
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"database type", map[string]any{"SrcDatabaseType": "redis"}, "UnknownParameter"},
		{"DatabasesInfo typo", map[string]any{"DatabasesInfo": "[]"}, "UnknownParameter"},
		{"Tags", map[string]any{"Tags": []any{}}, "UnknownParameter"},
		{"incomplete option", map[string]any{"MigrateOption": map[string]any{"RunMode": 1}}, "MissingParameter"},
		{"other region", map[string]any{"DstInfo": map[string]any{"InstanceId": "cdb-1", "Region": "ap-beijing"}}, "InvalidParameterValue"},
		{"same region", map[string]any{"DstInfo": map[string]any{"InstanceId": "cdb-1", "Region": "ap-shanghai"}}, ""},
		{"tables without MigrateObject 2", map[string]any{"DatabaseInfo": `[{"Database":"x"}]`}, "InvalidParameterValue"},
		{"tables with MigrateObject 2", map[string]any{"DatabaseInfo": `[{"Database":"x"}]`, "MigrateOption": map[string]any{"RunMode": 1, "MigrateType": 2, "MigrateObject": 2}}, ""},
		{"result violates rule", map[string]any{"DatabaseInfo": ""}, "MissingParameter"},
		{"DstAccessType", map[string]any{"DstAccessType": "cvm"}, "InvalidParameterValue"},
	}
	for _, tc := range cases {
		tc.body["JobId"] = id
		e.c.wantCode("ModifyMigrateJob", tc.body, tc.want)
	}
	// From Creating the job becomes Created at once; the region was kept.
	j, _ := e.ts.Job(id)
	if j.Status != StatusCreated || j.DstRegion != "ap-shanghai" || j.DstInstanceID != "cdb-1" || j.MigrateObject != 2 || j.DstPassword != "" {
		t.Fatalf("modified job %+v", j)
	}
	// SrcInfo is replaced whole.
	e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": id, "SrcInfo": map[string]any{"Ip": "10.0.0.5"}})
	if j, _ := e.ts.Job(id); j.SrcIP != "10.0.0.5" || j.SrcUser != "" || j.SrcPort != 0 || j.SrcPassword != "" {
		t.Fatalf("SrcInfo not replaced whole: %+v", j)
	}
}

// TestFlatDecoding covers v1 and TC3 GET parameters: dotted names rebuilt and validated
// like JSON.
func TestFlatDecoding(t *testing.T) {
	e := newEnv(t)
	base := map[string]string{
		"JobName": "flat", "MigrateOption.RunMode": "1", "MigrateOption.MigrateType": "2",
		"SrcDatabaseType": "mysql", "SrcAccessType": "extranet", "SrcInfo.Ip": "10.0.0.1", "SrcInfo.Port": "3306",
		"DstDatabaseType": "mysql", "DstAccessType": "cdb", "DstInfo.InstanceId": "cdb-1", "DstInfo.Region": "ap-shanghai",
		"Tags.0.TagKey": "a", "Tags.0.TagValue": "1", "Tags.1.TagKey": "b",
	}
	with := func(set map[string]string, del ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range set {
			m[k] = v
		}
		for _, k := range del {
			delete(m, k)
		}
		return m
	}
	cases := []struct {
		name string
		p    map[string]string
		want string
	}{
		{"valid", base, ""},
		{"unknown nested", with(map[string]string{"SrcInfo.Foo": "x"}), "UnknownParameter"},
		{"unknown top", with(map[string]string{"Foo": "x"}), "UnknownParameter"},
		{"int not a number", with(map[string]string{"SrcInfo.Port": "abc"}), "InvalidParameterValue"},
		{"object given as a value", with(map[string]string{"SrcInfo": "x"}), "InvalidParameterValue"},
		{"leaf with children", with(map[string]string{"SrcInfo.Ip.0": "x"}), "InvalidParameterValue"},
		{"array gap", with(map[string]string{"Tags.3.TagKey": "c"}), "InvalidParameterValue"},
		{"array index not a number", with(map[string]string{"Tags.x.TagKey": "c"}), "InvalidParameterValue"},
		{"array leading zero", with(map[string]string{"Tags.01.TagKey": "c"}), "InvalidParameterValue"},
		{"array as value", with(map[string]string{"Tags": "x"}, "Tags.0.TagKey", "Tags.0.TagValue", "Tags.1.TagKey"), "InvalidParameterValue"},
		{"missing required", with(nil, "MigrateOption.RunMode"), "MissingParameter"},
		{"cross-field", with(map[string]string{"MigrateOption.ExpectTime": "2024-01-01 00:00:00"}), "InvalidParameterValue"},
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		for _, sm := range []string{SignHmacSHA1, SignHmacSHA256, SignTC3} {
			for _, tc := range cases {
				t.Run(method+sm+"/"+tc.name, func(t *testing.T) {
					if sm == SignTC3 && method == http.MethodPost {
						t.Skip("TC3 POST carries JSON")
					}
					var req *http.Request
					var err error
					switch {
					case sm == SignTC3:
						q := url.Values{}
						for k, v := range tc.p {
							q.Set(k, v)
						}
						req, err = http.NewRequest(http.MethodGet, e.ts.URL+"/?"+q.Encode(), nil)
						if err != nil {
							t.Fatal(err)
						}
						now := e.clock.Now().Unix()
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.Header.Set("X-TC-Action", "CreateMigrateJob")
						req.Header.Set("X-TC-Version", apiVersion)
						req.Header.Set("X-TC-Region", "ap-guangzhou")
						req.Header.Set("X-TC-Timestamp", itoa(int(now)))
						req.Header.Set("Authorization", tc3AuthHeader(DefaultSecretID, DefaultSecretKey, "dts", "GET", e.ts.Endpoint, q.Encode(), "application/x-www-form-urlencoded", nil, now))
					case method == http.MethodGet:
						req, err = http.NewRequest(method, e.ts.URL+"/?"+e.c.v1Values(method, "CreateMigrateJob", sm, tc.p).Encode(), nil)
					default:
						req, err = http.NewRequest(method, e.ts.URL+"/", strings.NewReader(e.c.v1Values(method, "CreateMigrateJob", sm, tc.p).Encode()))
						if err == nil {
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						}
					}
					if err != nil {
						t.Fatal(err)
					}
					r := e.c.do(req)
					if got := errCode(r); got != tc.want {
						t.Fatalf("got %q, want %q: %s", got, tc.want, e.c.lastBody)
					}
					if tc.want == "" {
						j, ok := e.ts.Job(str(r["JobId"]))
						if !ok || j.SrcPort != 3306 || j.Tags["a"] != "1" || j.Tags["b"] != "" || len(j.Tags) != 2 {
							t.Fatalf("decoded job %+v", j)
						}
					}
				})
			}
		}
	}
	// Nested string arrays: TagFilters.0.TagValue.1.
	v := e.c.v1Values(http.MethodGet, "DescribeMigrateJobs", SignHmacSHA1, map[string]string{
		"TagFilters.0.TagKey": "a", "TagFilters.0.TagValue.0": "9", "TagFilters.0.TagValue.1": "1", "Limit": "100",
	})
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/?"+v.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := e.c.do(req)
	if errCode(r) != "" || num(r["TotalCount"]) == 0 {
		t.Fatalf("TagFilters via v1: %s", e.c.lastBody)
	}
}
