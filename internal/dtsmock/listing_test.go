package dtsmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// checkListing lists every job and compares the answer, byte for byte, with the envelope
// json.Marshal makes of the jobs rendered afresh at the same time: a kept encoding that no
// longer matches its job shows as a difference.
func (e *env) checkListing(step string) {
	e.t.Helper()
	r := e.c.mustOK("DescribeMigrateJobs", map[string]any{"Limit": 100})
	got := e.c.lastBody
	var ids []string
	for _, j := range arr(r["JobList"]) {
		ids = append(ids, str(obj(j)["JobId"]))
	}
	s := e.ts.Server
	s.mu.Lock()
	now := s.clock.Now()
	page := []wireJob{}
	for _, id := range ids {
		j, ok := s.jobs[id]
		if !ok {
			s.mu.Unlock()
			e.t.Fatalf("%s: the listing shows job %s, which is gone", step, id)
		}
		s.phases.settle(j, now)
		page = append(page, s.phases.wire(j, now))
	}
	total := len(s.jobs)
	s.mu.Unlock()
	want, err := json.Marshal(map[string]any{"Response": map[string]any{"TotalCount": total, "JobList": page, "RequestId": r["RequestId"]}})
	if err != nil {
		e.t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		e.t.Fatalf("%s: the listing differs from the jobs:\n got %s\nwant %s", step, got, want)
	}
}

// TestListingEncodingFollowsJobs walks jobs through every status, by the API, by the test
// hooks and by the clock, and lists them before and after each step: every listing must be
// what the jobs are at that moment, however many listings came before.
func TestListingEncodingFollowsJobs(t *testing.T) {
	e := newEnv(t)
	ids := map[int]string{}
	for st := StatusCreating; st <= StatusCompleting; st++ {
		ids[st] = e.reach(st)
		e.checkListing(fmt.Sprintf("reached %d", st))
	}
	startable := e.reach(StatusCheckPass)
	syncing := e.reach(StatusReadyComplete)
	ts := e.ts
	steps := []struct {
		name string
		do   func()
	}{
		{"rename", func() {
			e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": ids[StatusCreated], "JobName": "renamed"})
		}},
		{"check", func() { e.c.mustOK("CreateMigrateCheckJob", jobID(ids[StatusCheckPass])) }},
		{"a second", func() { e.clock.Advance(time.Second) }},
		{"start", func() { e.c.mustOK("StartMigrateJob", jobID(startable)) }},
		{"a phase to run", func() { e.clock.Advance(testPhase) }},
		{"fail at step", func() { ts.FailMigrationAtStep(startable, 2) }},
		{"stop", func() { e.c.mustOK("StopMigrateJob", jobID(syncing)) }},
		{"complete", func() { e.c.mustOK("CompleteMigrateJob", jobID(ids[StatusReadyComplete])) }},
		{"set status", func() {
			if err := ts.SetJobStatus(ids[StatusSuccess], StatusFailed); err != nil {
				t.Fatal(err)
			}
		}},
		{"half a phase", func() { e.clock.Advance(testPhase / 2) }},
		{"delete", func() { e.c.mustOK("DeleteMigrateJob", jobID(ids[StatusCreating])) }},
		{"vanish", func() {
			if !ts.Vanish(ids[StatusFailed]) {
				t.Fatal("Vanish failed")
			}
		}},
		{"seed", func() {
			if _, err := ts.SeedJob(Job{JobName: "seeded", Status: StatusCheckPass}); err != nil {
				t.Fatal(err)
			}
		}},
		{"a phase", func() { e.clock.Advance(testPhase) }},
		{"two phases", func() { e.clock.Advance(2 * testPhase) }},
		{"ten phases", func() { e.clock.Advance(10 * testPhase) }},
	}
	for _, step := range steps {
		step.do()
		e.checkListing(step.name)
		// A second listing at the same time answers from what the first one kept.
		e.checkListing(step.name + ", again")
	}
}

// TestListingForgetsChangedJob checks that a listed job's kept encoding is dropped by a change
// to it, and only to it, and that a running job's moving progress is never kept.
func TestListingForgetsChangedJob(t *testing.T) {
	e := newEnv(t)
	a := e.reach(StatusCreated)
	b := e.reach(StatusCreated)
	run := e.reach(StatusRunning)
	kept := func(id string) bool {
		e.ts.mu.Lock()
		defer e.ts.mu.Unlock()
		_, ok := e.ts.encoded[id]
		return ok
	}
	e.checkListing("first listing")
	if !kept(a) || !kept(b) {
		t.Fatal("the listing kept no encoding of the steady jobs")
	}
	if kept(run) {
		t.Fatal("the listing kept the encoding of a running job, whose progress moves")
	}
	e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": a, "JobName": "renamed"})
	if kept(a) || !kept(b) {
		t.Fatalf("after a change to %s: kept %s %v, kept %s %v", a, a, kept(a), b, kept(b))
	}
	if got := str(e.c.describe(a)["JobName"]); got != "renamed" {
		t.Fatalf("JobName %q after the rename", got)
	}
	p1 := obj(e.c.describe(run)["Detail"])["Progress"]
	e.clock.Advance(testPhase / 4)
	if p2 := obj(e.c.describe(run)["Detail"])["Progress"]; p1 == p2 {
		t.Fatalf("the running job's progress stayed at %v over a quarter phase", p1)
	}
}

// TestListingUnderConcurrentChanges lists from several clients while another renames a job
// over and over; run with -race, it holds the kept encodings and the pooled buffers to being
// shared safely, and every listing must show one of the names the job has had.
func TestListingUnderConcurrentChanges(t *testing.T) {
	e := newEnv(t)
	id := e.reach(StatusCreated)
	for range 30 {
		e.reach(StatusCreated)
	}
	const renames, listers, lists = 50, 4, 50
	done := make(chan error, listers)
	for range listers {
		c := newClient(t, e.ts, e.clock)
		go func() {
			for range lists {
				req := c.tc3Request("DescribeMigrateJobs", []byte(`{"JobId":"`+id+`"}`))
				resp, err := c.httpC.Do(req)
				if err != nil {
					done <- err
					return
				}
				var env struct {
					Response struct {
						JobList []struct{ JobName string }
						Error   *struct{ Code string }
					}
				}
				err = json.NewDecoder(resp.Body).Decode(&env)
				if cerr := resp.Body.Close(); err == nil {
					err = cerr
				}
				if err == nil && (env.Response.Error != nil || len(env.Response.JobList) != 1) {
					err = fmt.Errorf("answer %+v", env.Response)
				}
				if err == nil && env.Response.JobList[0].JobName != "job-2" && !strings.HasPrefix(env.Response.JobList[0].JobName, "name-") {
					err = fmt.Errorf("JobName %q", env.Response.JobList[0].JobName)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := range renames {
		e.c.mustOK("ModifyMigrateJob", map[string]any{"JobId": id, "JobName": fmt.Sprintf("name-%d", i)})
	}
	for range listers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := str(e.c.describe(id)["JobName"]); got != fmt.Sprintf("name-%d", renames-1) {
		t.Fatalf("JobName %q after the last rename", got)
	}
	e.checkListing("after the renames")
}
