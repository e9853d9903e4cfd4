package provider

import (
	"strings"
	"testing"
)

// TestAccMigrateJob_invalidConfigs proves that each configuration the API would refuse fails
// at plan time, names the attribute, and costs no API call at all.
func TestAccMigrateJob_invalidConfigs(t *testing.T) {
	env := newAccEnv(t)
	env.needMock(t)
	redisSource := strings.Replace(mysqlSource, `"mysql"`, `"redis"`, 1)
	mongoSource := strings.Replace(mysqlSource, `"mysql"`, `"mongodb"`, 1)
	cases := []struct {
		name  string
		spec  jobSpec
		error string
	}{
		{"unknown migrate_type", jobSpec{attrs: `  migrate_type = "everything"`}, `migrate_type.*value must be one of`},
		{"missing migrate_type", jobSpec{attrs: ``}, `migrate_type.*required`},
		{"unknown run_mode", jobSpec{attrs: `  migrate_type = "full"
  run_mode = "later"`}, `run_mode.*value must be one of`},
		{"scheduled without expect_time", jobSpec{attrs: `  migrate_type = "full"
  run_mode = "scheduled"`}, `Missing Expect Time.*needs expect_time`},
		{"expect_time without schedule", jobSpec{attrs: `  migrate_type = "full"
  expect_time = "2030-01-01T00:00:00Z"`}, `expect_time.*only applies to run_mode`},
		{"malformed expect_time", jobSpec{attrs: `  migrate_type = "full"
  run_mode = "scheduled"
  expect_time = "2030-01-01 00:00:00"`}, `Invalid RFC3339 String Value.*expect_time`},
		{"databases object without list", jobSpec{attrs: `  migrate_type = "full"
  migrate_object = "databases"`}, `Missing Databases`},
		{"list without databases object", jobSpec{attrs: `  migrate_type = "full"
  databases = [{ database = "db1" }]`}, `Databases Without Database Migration`},
		{"empty database name", jobSpec{attrs: `  migrate_type = "full"
  migrate_object = "databases"
  databases = [{ database = "" }]`}, `databases\[0\]\.database.*at least 1`},
		{"empty tables list", jobSpec{attrs: `  migrate_type = "full"
  migrate_object = "databases"
  databases = [{ database = "db1", tables = [] }]`}, `tables.*at least 1`},
		{"sampling without parameters", jobSpec{attrs: `  migrate_type = "full"
  consistency_type = "sampling"`}, `Missing Consistency Sampling`},
		{"parameters without sampling", jobSpec{attrs: `  migrate_type = "full"
  consistency_sampling = { select_rows_per_table = 10, tables_select_all = 10, tables_select_count = 10 }`}, `Consistency Sampling Without Sampling`},
		{"sampling out of range", jobSpec{attrs: `  migrate_type = "full"
  consistency_type = "sampling"
  consistency_sampling = { select_rows_per_table = 101, tables_select_all = 10, tables_select_count = 10 }`}, `select_rows_per_table.*between 1 and 100`},
		{"unknown consistency_type", jobSpec{attrs: `  migrate_type = "full"
  consistency_type = "strict"`}, `consistency_type.*value must be one of`},
		{"override_root with databases", jobSpec{attrs: `  migrate_type = "full"
  override_root = true
  migrate_object = "databases"
  databases = [{ database = "db1" }]`}, `override_root.*must be false when migrate_object`},
		{"override_root with structure", jobSpec{attrs: `  migrate_type = "structure"
  override_root = true`}, `override_root.*must be false when migrate_type = "structure"`},
		{"port out of range", jobSpec{attrs: `  migrate_type = "full"`, source: strings.Replace(mysqlSource, "3306", "70000", 1)}, `source\.port.*between 1 and 65535`},
		{"bad IP", jobSpec{attrs: `  migrate_type = "full"`, source: strings.Replace(mysqlSource, "10.0.0.5", "db.example.com", 1)}, `source\.ip.*is not an IP address`},
		{"unknown source engine", jobSpec{attrs: `  migrate_type = "full"`, source: strings.Replace(mysqlSource, `"mysql"`, `"oracle"`, 1)}, `source\.database_type.*value must be one of`},
		{"misspelt access type", jobSpec{attrs: `  migrate_type = "full"`, source: strings.Replace(mysqlSource, `"extranet"`, `"vpnselbuild"`, 1)}, `source\.access_type.*value must be one of`},
		{"destination not cdb", jobSpec{attrs: `  migrate_type = "full"`, destination: strings.Replace(mysqlDestination, `"cdb"`, `"extranet"`, 1)}, `destination\.access_type.*value must be one of`},
		{"unknown region", jobSpec{attrs: `  migrate_type = "full"`, destination: strings.Replace(mysqlDestination, "ap-guangzhou", "mars-north-1", 1)}, `destination\.region.*value must be one of`},
		{"password and password_wo", jobSpec{attrs: `  migrate_type = "full"`, source: mysqlSource + `
    password_wo = "x"`}, `Set only one of source.password and source.password_wo`},
		{"wo version without wo", jobSpec{attrs: `  migrate_type = "full"`, source: mysqlSource + `
    password_wo_version = 1`}, `"source.password_wo" must be specified when "source.password_wo_version"`},
		{"ready_complete without incremental", jobSpec{attrs: `  migrate_type = "full"
  wait_for = "ready_complete"`}, `wait_for.*only applies to migrate_type = "full_and_incremental"`},
		{"complete without incremental", jobSpec{attrs: `  migrate_type = "full"
  complete = true`}, `Complete Needs Incremental Migration`},
		{"success on incremental without complete", jobSpec{attrs: `  migrate_type = "full_and_incremental"
  wait_for = "success"`}, `Wait For Success Needs Complete`},
		{"complete without start", jobSpec{attrs: `  migrate_type = "full_and_incremental"
  start = false
  complete = true`}, `Complete Needs Start`},
		{"unknown wait_for", jobSpec{attrs: `  migrate_type = "full"
  wait_for = "done"`}, `wait_for.*value must be one of`},
		{"unknown complete_mode", jobSpec{attrs: `  migrate_type = "full_and_incremental"
  complete = true
  complete_mode = "now"`}, `complete_mode.*value must be one of`},
		{"redis params on mysql", jobSpec{attrs: `  migrate_type = "full"
  redis_params = { repl_timeout = 60 }`}, `Redis Parameters Need A Redis Source`},
		{"mongodb params on redis", jobSpec{attrs: `  migrate_type = "full"
  mongodb_params = { auth_database = "admin" }`, source: redisSource}, `MongoDB Parameters Need A MongoDB Source`},
		{"bad mongodb mechanism", jobSpec{attrs: `  migrate_type = "full"
  mongodb_params = { auth_mechanism = "PLAIN" }`, source: mongoSource}, `auth_mechanism.*value must be one of`},
		{"engines do not match", jobSpec{attrs: `  migrate_type = "full"`,
			destination: strings.Replace(mysqlDestination, `"mysql"`, `"redis"`, 1)}, `Engines Do Not Match.*source is "mysql", the destination "redis"`},
		{"database listed twice", jobSpec{attrs: `  migrate_type = "full"
  migrate_object = "databases"
  databases = [{ database = "orders" }, { database = "billing" }, { database = "orders", tables = ["t"] }]`}, `Duplicate Database.*"orders" is listed twice`},
		{"table listed twice", jobSpec{attrs: `  migrate_type = "full"
  migrate_object = "databases"
  databases = [{ database = "orders", tables = ["order", "item", "order"] }]`}, `Duplicate Table.*"order" is listed twice`},
		{"reserved tag key", jobSpec{attrs: `  migrate_type = "full"
  tags = { "terraform-provider-dts:create-token" = "mine" }`}, `tags.*terraform-provider-dts:create-token`},
	}

	failures := make([]planFailure, len(cases))
	for i, c := range cases {
		failures[i] = planFailure{c.spec.hcl(), c.error}
	}
	if len(failures) < 25 {
		t.Fatalf("only %d invalid configurations", len(failures))
	}
	env.expectPlanFailures(t, "invalid configurations", failures)
}
