package dtsmock

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// seedMany inserts n jobs with varied attributes and returns them in creation order.
func seedMany(t *testing.T, s *Server, n int) []Job {
	t.Helper()
	for i := 0; i < n; i++ {
		j := Job{
			JobName:     fmt.Sprintf("job-%03d-%s", i%37, []string{"alpha", "Beta", "gamma"}[i%3]),
			Status:      1 + i%12,
			MigrateType: 1 + i%3,
			RunMode:     1 + i%2,
			CreateTime:  testStart.Add(time.Duration(i%50) * time.Minute),
			Tags:        map[string]string{"env": []string{"dev", "prod", "test"}[i%3]},
			DstRegion:   "ap-shanghai",
		}
		if j.RunMode == 2 {
			j.ExpectTime = testStart.Add(24 * time.Hour)
		}
		if i%5 == 0 {
			j.Tags["team"] = fmt.Sprintf("t%d", i%2)
		}
		if _, err := s.SeedJob(j); err != nil {
			t.Fatal(err)
		}
	}
	return s.Jobs()
}

func listIDs(t *testing.T, c *apiClient, body map[string]any) ([]string, int) {
	t.Helper()
	r := c.mustOK("DescribeMigrateJobs", body)
	var ids []string
	for _, j := range arr(r["JobList"]) {
		ids = append(ids, str(obj(j)["JobId"]))
	}
	return ids, int(num(r["TotalCount"]))
}

func TestDescribeOrderPagingFilters(t *testing.T) {
	e := newEnv(t, WithPhase(time.Hour))
	jobs := seedMany(t, e.ts.Server, 300)
	seq := map[string]int{}
	for i, j := range jobs {
		seq[j.JobID] = i
	}
	status := map[string]int{}
	for _, j := range jobs {
		status[j.JobID] = j.Status
	}
	keyOf := map[string]func(j Job) string{
		"JobId":       func(j Job) string { return j.JobID },
		"JobName":     func(j Job) string { return j.JobName },
		"Status":      func(j Job) string { return fmt.Sprintf("%03d", j.Status) },
		"MigrateType": func(j Job) string { return fmt.Sprint(j.MigrateType) },
		"RunMode":     func(j Job) string { return fmt.Sprint(j.RunMode) },
		"CreateTime":  func(j Job) string { return j.CreateTime.Format(time.RFC3339) },
	}
	for order, key := range keyOf {
		for _, dir := range []string{"ASC", "DESC", ""} {
			want := append([]Job(nil), jobs...)
			sort.SliceStable(want, func(a, b int) bool {
				ka, kb := key(want[a]), key(want[b])
				if ka == kb {
					ka, kb = fmt.Sprintf("%05d", seq[want[a].JobID]), fmt.Sprintf("%05d", seq[want[b].JobID])
				}
				if dir == "ASC" {
					return ka < kb
				}
				return ka > kb
			})
			var got []string
			for off := 0; off < 300; off += 70 {
				ids, total := listIDs(t, e.c, map[string]any{"Order": order, "OrderSeq": dir, "Offset": off, "Limit": 70})
				if total != 300 {
					t.Fatalf("TotalCount %d", total)
				}
				got = append(got, ids...)
			}
			if len(got) != 300 {
				t.Fatalf("%s %s: %d jobs over all pages", order, dir, len(got))
			}
			for i := range got {
				if got[i] != want[i].JobID {
					t.Fatalf("%s %s: position %d is %s, want %s", order, dir, i, got[i], want[i].JobID)
				}
			}
		}
	}
	// Defaults: CreateTime DESC, 20 per page.
	ids, total := listIDs(t, e.c, map[string]any{})
	def, _ := listIDs(t, e.c, map[string]any{"Order": "CreateTime", "OrderSeq": "DESC", "Limit": 20})
	if total != 300 || len(ids) != 20 || strings.Join(ids, ",") != strings.Join(def, ",") {
		t.Fatalf("defaults: %d jobs, total %d", len(ids), total)
	}
	// Beyond the end.
	if ids, total := listIDs(t, e.c, map[string]any{"Offset": 300}); len(ids) != 0 || total != 300 {
		t.Fatalf("offset 300: %d jobs, total %d", len(ids), total)
	}

	count := func(pred func(j Job) bool) int {
		n := 0
		for _, j := range jobs {
			if pred(j) {
				n++
			}
		}
		return n
	}
	filters := []struct {
		name string
		body map[string]any
		pred func(j Job) bool
	}{
		{"name substring", map[string]any{"JobName": "Beta"}, func(j Job) bool { return strings.Contains(j.JobName, "Beta") }},
		{"name case-sensitive", map[string]any{"JobName": "beta"}, func(j Job) bool { return false }},
		{"name prefix", map[string]any{"JobName": "job-01"}, func(j Job) bool { return strings.Contains(j.JobName, "job-01") }},
		{"empty name", map[string]any{"JobName": ""}, func(j Job) bool { return true }},
		{"job id", map[string]any{"JobId": jobs[17].JobID}, func(j Job) bool { return j.JobID == jobs[17].JobID }},
		{"unknown job id", map[string]any{"JobId": "dts-zzzzzzzz"}, func(j Job) bool { return false }},
		{"malformed job id", map[string]any{"JobId": "abc"}, func(j Job) bool { return false }},
		{"tag any value", map[string]any{"TagFilters": []any{map[string]any{"TagKey": "team"}}}, func(j Job) bool { _, ok := j.Tags["team"]; return ok }},
		{"tag values", map[string]any{"TagFilters": []any{map[string]any{"TagKey": "env", "TagValue": []any{"dev", "test"}}}}, func(j Job) bool { return j.Tags["env"] != "prod" }},
		{"two tag filters", map[string]any{"TagFilters": []any{
			map[string]any{"TagKey": "env", "TagValue": []any{"prod"}},
			map[string]any{"TagKey": "team", "TagValue": []any{"t1"}},
		}}, func(j Job) bool { return j.Tags["env"] == "prod" && j.Tags["team"] == "t1" }},
		{"name and tag", map[string]any{"JobName": "gamma", "TagFilters": []any{map[string]any{"TagKey": "env", "TagValue": []any{"test"}}}},
			func(j Job) bool { return strings.Contains(j.JobName, "gamma") && j.Tags["env"] == "test" }},
	}
	for _, f := range filters {
		f.body["Limit"] = 100
		_, total := listIDs(t, e.c, f.body)
		if want := count(f.pred); total != want {
			t.Errorf("%s: TotalCount %d, want %d", f.name, total, want)
		}
	}
	for _, bad := range []map[string]any{
		{"Limit": 0}, {"Limit": 101}, {"Offset": -1}, {"Order": "Name"}, {"OrderSeq": "asc"},
		{"TagFilters": []any{map[string]any{"TagValue": []any{"x"}}}},
	} {
		want := "InvalidParameterValue"
		if _, ok := bad["TagFilters"]; ok {
			want = "MissingParameter"
		}
		e.c.wantCode("DescribeMigrateJobs", bad, want)
	}
}

// TestNoSecretsInResponses checks every response and the journal for stored secrets.
func TestNoSecretsInResponses(t *testing.T) {
	var journal bytes.Buffer
	e := newEnv(t, WithJournal(&journal))
	secrets := []string{"srcSecretPW1", "srcAccessKEY1", "dstSecretPW1", DefaultSecretKey}
	var bodies []string
	record := func() { bodies = append(bodies, string(e.c.lastBody)) }
	id := e.c.create(baseCreate("secret"))
	record()
	e.clock.Advance(testPhase)
	for _, a := range []string{"DescribeMigrateJobs", "CreateMigrateCheckJob", "DescribeMigrateCheckJob"} {
		e.c.mustOK(a, jobID(id))
		record()
	}
	e.clock.Advance(testPhase)
	e.c.mustOK("StartMigrateJob", jobID(id))
	record()
	e.clock.Advance(testPhase * 3 / 2)
	e.c.mustOK("DescribeMigrateJobs", map[string]any{})
	record()
	e.c.mustOK("StopMigrateJob", jobID(id))
	record()
	e.c.wantCode("CreateMigrateJob", map[string]any{"JobName": "x", "SrcInfo": map[string]any{"Password": "srcSecretPW1"}}, "MissingParameter")
	record()
	j := e.c.describe(id)
	src := obj(j["SrcInfo"])
	dst := obj(j["DstInfo"])
	if src["Password"] != "" || src["AccessKey"] != "" || dst["Password"] != "" {
		t.Fatalf("secret fields not empty: %v %v", src, dst)
	}
	if src["User"] != "root" || dst["User"] != "admin" {
		t.Fatalf("non-secret fields lost: %v %v", src, dst)
	}
	record()
	bodies = append(bodies, journal.String())
	for _, b := range bodies {
		for _, s := range secrets {
			if strings.Contains(b, s) {
				t.Fatalf("secret %q found in %s", s, b)
			}
		}
	}
	if stored, _ := e.ts.Job(id); stored.SrcPassword != "srcSecretPW1" || stored.SrcAccessKey != "srcAccessKEY1" || stored.DstPassword != "dstSecretPW1" {
		t.Fatalf("secrets not stored: %+v", stored)
	}
}

// TestWireFormat checks the listing's shape against the vendor example.
func TestWireFormat(t *testing.T) {
	e := newEnv(t)
	id := e.c.create(baseCreate("wire"))
	j := e.c.describe(id)
	for _, k := range []string{"JobId", "JobName", "MigrateOption", "SrcDatabaseType", "SrcAccessType", "SrcInfo", "DstDatabaseType", "DstAccessType", "DstInfo", "DatabaseInfo", "CreateTime", "StartTime", "EndTime", "Status", "Detail", "ErrorInfo", "Tags"} {
		if _, ok := j[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	if j["CreateTime"] != "2024-05-01 18:00:00" {
		t.Errorf("CreateTime %v, want UTC+8 2024-05-01 18:00:00", j["CreateTime"])
	}
	if j["DatabaseInfo"] != "[]" {
		t.Errorf("DatabaseInfo %v", j["DatabaseInfo"])
	}
	d := obj(j["Detail"])
	if d["Progress"] != "0" || num(d["StepAll"]) != 0 || len(arr(d["StepInfo"])) != 0 {
		t.Errorf("Detail before start: %v", d)
	}
	mo := obj(j["MigrateOption"])
	if mo["ExpectTime"] != zeroTime || mo["ConsistencyParams"] == nil {
		t.Errorf("MigrateOption %v", mo)
	}
}

// TestListingFollowsChanges checks that the kept order of a listing follows every change that
// moves a job in it: a new job, a renamed one, a deleted one, a vanished one.
func TestListingFollowsChanges(t *testing.T) {
	e := newEnv(t)
	names := func() string {
		t.Helper()
		r := e.c.mustOK("DescribeMigrateJobs", map[string]any{"Order": "JobName", "OrderSeq": "ASC"})
		var out []string
		for _, j := range arr(r["JobList"]) {
			out = append(out, str(obj(j)["JobName"]))
		}
		return strings.Join(out, ",") + fmt.Sprintf(" (%v)", r["TotalCount"])
	}
	b := e.c.create(baseCreate("b"))
	e.c.create(baseCreate("d"))
	if got := names(); got != "b,d (2)" {
		t.Fatalf("listing %s", got)
	}
	a := e.c.create(baseCreate("a"))
	if got := names(); got != "a,b,d (3)" {
		t.Fatalf("after a create: %s", got)
	}
	e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": b, "JobName": "e"})
	if got := names(); got != "a,d,e (3)" {
		t.Fatalf("after a rename: %s", got)
	}
	e.c.mustOK("DeleteMigrateJob", jobID(a))
	if got := names(); got != "d,e (2)" {
		t.Fatalf("after a delete: %s", got)
	}
	if !e.ts.Vanish(b) {
		t.Fatal("Vanish failed")
	}
	if got := names(); got != "d (1)" {
		t.Fatalf("after a vanish: %s", got)
	}
	if _, err := e.ts.SeedJob(Job{JobName: "c"}); err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "c,d (2)" {
		t.Fatalf("after a seed: %s", got)
	}
}

// TestJournalNotInMemory: a Server told not to keep its journal in memory still writes every
// entry to WithJournal's writer, and Journal returns none of them.
func TestJournalNotInMemory(t *testing.T) {
	var journal bytes.Buffer
	e := newEnv(t, WithJournal(&journal), WithJournalInMemory(false))
	id := e.c.create(baseCreate("unkept"))
	e.c.mustOK("DescribeMigrateJobs", jobID(id))
	if got := e.ts.Journal(); len(got) != 0 {
		t.Fatalf("Journal() = %d entries, want none kept in memory", len(got))
	}
	if lines := strings.Count(journal.String(), "\n"); lines != 2 {
		t.Fatalf("the journal writer got %d lines, want 2:\n%s", lines, journal.String())
	}
}
