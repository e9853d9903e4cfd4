package dtsmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// failingFile is the open state file with writes or syncs made to fail on demand.
type failingFile struct {
	*os.File
	failWrite bool
	// syncFailures is how many syncs fail from now on.
	syncFailures int
	// partial makes a failing write put half its bytes in the file first, as a full disk does.
	partial bool
}

func (f *failingFile) Write(p []byte) (int, error) {
	if !f.failWrite {
		return f.File.Write(p)
	}
	if f.partial {
		n, err := f.File.Write(p[:len(p)/2])
		if err != nil {
			return n, err
		}
		return n, errors.New("no space left on device")
	}
	return 0, errors.New("no space left on device")
}

func (f *failingFile) Sync() error {
	if f.syncFailures > 0 {
		f.syncFailures--
		return errors.New("input/output error")
	}
	return f.File.Sync()
}

// persistedEnv is an emulator on a state file in a fresh directory.
func persistedEnv(t *testing.T) (*env, string, []Option) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	clock := NewManualClock(testStart)
	opts := []Option{WithClock(clock), WithPhase(testPhase), WithStateFile(path), WithRateLimit(false), WithSeed(3)}
	ts := StartTest(t, opts...)
	return &env{t: t, clock: clock, ts: ts, c: newClient(t, ts, clock)}, path, opts
}

// reload opens a second emulator on a copy of the state file named by opts, as a restart after
// a crash would find it, and returns its jobs. A copy, because an emulator rewrites the file it
// opens when the file has records, and the first emulator still appends to it.
func reload(t *testing.T, opts []Option) []Job {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	b, err := os.ReadFile(o.stateFile)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "copy.json")
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := New(append(opts[:len(opts):len(opts)], WithStateFile(cp))...)
	if err != nil {
		t.Fatalf("reloading: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	return s.Jobs()
}

func TestFailedWriteChangesNothing(t *testing.T) {
	e, _, opts := persistedEnv(t)
	created := e.c.create(baseCreate("created"))
	failed := e.reach(StatusFailed)
	passed := e.reach(StatusCheckPass)
	incr := e.reach(StatusReadyComplete)
	running := e.reach(StatusRunning)
	e.ts.FailNextCheck("queued failure")
	e.ts.FailMigrationAtStep("", 2)
	e.ts.mu.Lock()
	real, ok := e.ts.store.f.(*os.File)
	e.ts.mu.Unlock()
	if !ok {
		t.Fatalf("state file is a %T", e.ts.store.f)
	}
	calls := []struct {
		action string
		body   map[string]any
	}{
		{"CreateMigrateJob", baseCreate("never")},
		{"ModifyMigrateJob", map[string]any{"JobId": created, "JobName": "renamed"}},
		{"CreateMigrateCheckJob", jobID(failed)},
		{"StartMigrateJob", jobID(passed)},
		{"StopMigrateJob", jobID(running)},
		{"CompleteMigrateJob", jobID(incr)},
		{"DeleteMigrateJob", jobID(created)},
	}
	for _, mode := range []failingFile{{failWrite: true}, {failWrite: true, partial: true}, {syncFailures: 1}} {
		for _, call := range calls {
			before := e.ts.Jobs()
			ff := mode
			ff.File = real
			e.ts.mu.Lock()
			e.ts.store.f = &ff
			e.ts.mu.Unlock()
			e.c.wantCode(call.action, call.body, "InternalError.DatabaseError")
			e.ts.mu.Lock()
			e.ts.store.f = real
			checks, steps := append([]string(nil), e.ts.failChecks...), e.ts.failSteps[""]
			e.ts.mu.Unlock()
			if after := e.ts.Jobs(); !reflect.DeepEqual(after, before) {
				t.Fatalf("%s with %+v changed the jobs:\n%+v\nwant\n%+v", call.action, mode, after, before)
			}
			if len(checks) != 1 || steps != 2 {
				t.Fatalf("%s with %+v used up the test controls: %v %d", call.action, mode, checks, steps)
			}
			// The state file holds no trace of the failed change either.
			if got := reload(t, opts); !reflect.DeepEqual(got, before) {
				t.Fatalf("%s with %+v: the reloaded state differs:\n%+v\nwant\n%+v", call.action, mode, got, before)
			}
		}
	}
	// A file whose failed record cannot be removed refuses every later change until restart.
	e.ts.mu.Lock()
	e.ts.store.f = &failingFile{File: real, syncFailures: 2}
	e.ts.mu.Unlock()
	e.c.wantCode("CreateMigrateJob", baseCreate("never"), "InternalError.DatabaseError")
	e.c.wantCode("CreateMigrateJob", baseCreate("never"), "InternalError.DatabaseError")
	e.ts.mu.Lock()
	if e.ts.store.broken == nil {
		t.Error("the store is not marked broken")
	}
	e.ts.store.f, e.ts.store.broken = real, nil
	e.ts.mu.Unlock()
	// The same calls succeed once the file works again, and are durable.
	for _, call := range calls {
		e.c.wantCode(call.action, call.body, "")
	}
	if got, want := reload(t, opts), e.ts.Jobs(); !reflect.DeepEqual(got, want) {
		t.Fatalf("reloaded state differs:\n%+v\nwant\n%+v", got, want)
	}
}

func TestFailedWriteOfTestControls(t *testing.T) {
	e, _, _ := persistedEnv(t)
	id := e.c.create(baseCreate("kept"))
	before := e.ts.Jobs()
	e.ts.mu.Lock()
	real, ok := e.ts.store.f.(*os.File)
	e.ts.store.f = &failingFile{File: real, failWrite: true}
	e.ts.mu.Unlock()
	if !ok {
		t.Fatalf("state file is a %T", e.ts.store.f)
	}
	if e.ts.Vanish(id) {
		t.Error("Vanish reported success although the change was not stored")
	}
	if err := e.ts.SetJobStatus(id, StatusFailed); err == nil {
		t.Error("SetJobStatus succeeded although the change was not stored")
	}
	if _, err := e.ts.SeedJob(Job{JobName: "seeded"}); err == nil {
		t.Error("SeedJob succeeded although the job was not stored")
	}
	if after := e.ts.Jobs(); !reflect.DeepEqual(after, before) {
		t.Fatalf("failed test controls changed the jobs:\n%+v\nwant\n%+v", after, before)
	}
}

func TestUnusableStatePathRefused(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "nodir", "state.json"), filepath.Join(file, "state.json"), dir} {
		_, err := New(WithStateFile(path))
		if err == nil {
			t.Fatalf("state file %s accepted", path)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("the error for %s does not name it: %v", path, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nodir")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused path was created: %v", err)
	}
}

// v1File encodes jobs the way the original emulator wrote its state file.
func v1File(t *testing.T, seq int64, jobs ...any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"version": 1, "seq": seq, "jobs": jobs}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// storedJob is a job as the state file holds it, with one field changed by mutate.
func storedJob(t *testing.T, id string, seq int64, mutate func(m map[string]any)) map[string]any {
	t.Helper()
	j := &jobState{Job: Job{JobID: id, JobName: "n-" + id, Status: StatusCreated, RunMode: 1, MigrateType: 2, MigrateObject: 1, ConsistencyType: 1,
		SrcDatabaseType: "mysql", DstDatabaseType: "mysql", SrcAccessType: "extranet", DstAccessType: "cdb", CreateTime: testStart, CheckFlag: CheckFlagNotChecked}, Seq: seq, Since: testStart}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(m)
	}
	return m
}

func TestStateLoaderRefuses(t *testing.T) {
	good := func(id string, seq int64) map[string]any { return storedJob(t, id, seq, nil) }
	with := func(id string, f func(m map[string]any)) map[string]any { return storedJob(t, id, 1, f) }
	snapshotV2 := func(jobs ...any) string {
		b, err := json.Marshal(map[string]any{"version": 2, "seq": 2, "jobs": jobs})
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	cases := []struct {
		name string
		data string
		want []string
	}{
		{"duplicate", string(v1File(t, 2, good("dts-aaaaaaaa", 1), good("dts-aaaaaaaa", 2))), []string{"dts-aaaaaaaa", "twice"}},
		{"invalid ID", string(v1File(t, 1, good("not a job id!", 1))), []string{`"not a job id!"`, "invalid job ID"}},
		{"status", string(v1File(t, 1, with("dts-bbbbbbbb", func(m map[string]any) { m["Status"] = 77 }))), []string{"dts-bbbbbbbb", "status code 77"}},
		{"check flag", string(v1File(t, 1, with("dts-cccccccc", func(m map[string]any) { m["CheckFlag"] = 2 }))), []string{"dts-cccccccc", "check flag 2"}},
		{"migrate type", string(v1File(t, 1, with("dts-dddddddd", func(m map[string]any) { m["MigrateType"] = 9 }))), []string{"dts-dddddddd", "migrate type 9"}},
		{"unknown field", string(v1File(t, 1, with("dts-eeeeeeee", func(m map[string]any) { m["Colour"] = "red" }))), []string{`"Colour"`}},
		{"version", `{"version": 99, "seq": 0, "jobs": []}`, []string{"version 99"}},
		{"no version", `{"seq": 0, "jobs": []}`, []string{"version 0"}},
		{"data after v1", string(v1File(t, 1, good("dts-ffffffff", 1))) + "\n{}\n", []string{"after the version 1 snapshot"}},
		{"bad record", snapshotV2(good("dts-gggggggg", 1)) + `{"seq":2,"put":` + mustJSON(t, with("dts-hhhhhhhh", func(m map[string]any) { m["Status"] = 0 })) + "}\n", []string{"dts-hhhhhhhh", "status code 0"}},
		{"corrupt record", snapshotV2(good("dts-gggggggg", 1)) + "{garbage\n" + `{"seq":2,"delete":"dts-gggggggg"}` + "\n", []string{"change record at byte"}},
		{"empty record", snapshotV2() + `{"seq":2}` + "\n", []string{"neither puts a job nor deletes"}},
		{"empty", "", []string{"EOF"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(WithStateFile(path))
			if err == nil {
				t.Fatalf("state file accepted:\n%s", tc.data)
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "dtsmock:") {
				t.Errorf("error %q carries the program's prefix", err)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil || string(got) != tc.data {
				t.Fatalf("the refused file was changed (%v):\n%s", rerr, got)
			}
			if entries, err := os.ReadDir(filepath.Dir(path)); err != nil || len(entries) != 1 {
				t.Fatalf("files beside the refused state file: %v %v", entries, err)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStateOriginalFormatLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, v1File(t, 5, storedJob(t, "dts-aaaaaaaa", 2, nil), storedJob(t, "dts-bbbbbbbb", 5, nil)), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := NewManualClock(testStart)
	opts := []Option{WithClock(clock), WithStateFile(path), WithRateLimit(false)}
	ts := StartTest(t, opts...)
	jobs := ts.Jobs()
	if len(jobs) != 2 || jobs[0].JobID != "dts-aaaaaaaa" || jobs[1].JobID != "dts-bbbbbbbb" || jobs[1].JobName != "n-dts-bbbbbbbb" {
		t.Fatalf("loaded jobs %+v", jobs)
	}
	c := newClient(t, ts, clock)
	id := c.create(baseCreate("after"))
	c.mustOK("DeleteMigrateJob", jobID("dts-aaaaaaaa"))
	got := reload(t, opts)
	if len(got) != 2 || got[0].JobID != "dts-bbbbbbbb" || got[1].JobID != id {
		t.Fatalf("reloaded jobs %+v", got)
	}
}

func TestStateAppendsAndCompacts(t *testing.T) {
	e, path, opts := persistedEnv(t)
	a := e.c.create(baseCreate("a"))
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// A change appends one record: the file grows by about one job, however many are stored.
	before := size()
	e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": a, "JobName": "a2"})
	grown := size() - before
	for i := 0; i < 20; i++ {
		e.c.create(baseCreate("filler"))
	}
	before = size()
	e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": a, "JobName": "a3"})
	if g := size() - before; g > grown+64 {
		t.Fatalf("a change with 21 jobs stored grew the file by %d bytes, with one by %d", g, grown)
	}
	// Past the threshold the records become a snapshot again.
	e.ts.mu.Lock()
	e.ts.store.minRecords = 4
	e.ts.mu.Unlock()
	for i := 0; i < 50; i++ {
		e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": a, "JobName": "loop"})
	}
	e.ts.mu.Lock()
	records := e.ts.store.records
	e.ts.mu.Unlock()
	if records >= 2*21 {
		t.Fatalf("%d records after the threshold", records)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(b, []byte("\n")); lines != 1+records {
		t.Fatalf("%d lines for %d records", lines, records)
	}
	if got, want := reload(t, opts), e.ts.Jobs(); !reflect.DeepEqual(got, want) {
		t.Fatalf("reloaded state differs:\n%+v\nwant\n%+v", got, want)
	}
	if entries, err := os.ReadDir(filepath.Dir(path)); err != nil || len(entries) != 1 {
		t.Fatalf("files beside the state file: %v %v", entries, err)
	}
}

func TestStateRecoversFromACrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	snapshot := `{"version":2,"seq":1,"jobs":[` + mustJSON(t, storedJob(t, "dts-aaaaaaaa", 1, nil)) + "]}\n"
	put := `{"seq":2,"put":` + mustJSON(t, storedJob(t, "dts-bbbbbbbb", 2, nil)) + "}\n"
	torn := `{"seq":3,"put":{"JobId":"dts-ccc`
	if err := os.WriteFile(path, []byte(snapshot+put+torn), 0o600); err != nil {
		t.Fatal(err)
	}
	// An interrupted compaction left its file behind.
	if err := os.WriteFile(path+compactSuffix, []byte(`{"version":2,`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := New(WithStateFile(path))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Jobs()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].JobID != "dts-aaaaaaaa" || got[1].JobID != "dts-bbbbbbbb" {
		t.Fatalf("recovered jobs %+v", got)
	}
	if entries, err := os.ReadDir(filepath.Dir(path)); err != nil || len(entries) != 1 {
		t.Fatalf("files beside the state file: %v %v", entries, err)
	}
	b, err := os.ReadFile(path)
	if err != nil || bytes.Contains(b, []byte("dts-ccc")) {
		t.Fatalf("the unacknowledged record is still there (%v):\n%s", err, b)
	}
	if again := reload(t, []Option{WithStateFile(path)}); !reflect.DeepEqual(again, got) {
		t.Fatalf("second reload %+v", again)
	}
}
