package dtsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// account answers DescribeMigrateJobs for n jobs, by JobId or by page, and records each call.
type account struct {
	mu    sync.Mutex
	n     int
	calls []string // "id:<JobId>" or "page:<Offset>"
	fail  bool
	// status is each job's status; jobs absent from it are 2.
	status map[string]int
	// called, when set, hears of each call as it arrives, and the answer waits for hold.
	called chan string
	hold   chan struct{}
}

func jobIDN(i int) string { return fmt.Sprintf("dts-%08d", i) }

func (a *account) respond(_ int, r *http.Request) (*http.Response, error) {
	var req struct {
		JobId  string
		Offset int
		Limit  int
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	if a.called != nil {
		a.called <- fmt.Sprintf("id:%s page:%d", req.JobId, req.Offset)
		<-a.hold
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if req.JobId != "" {
		a.calls = append(a.calls, "id:"+req.JobId)
	} else {
		a.calls = append(a.calls, fmt.Sprintf("page:%d", req.Offset))
	}
	if a.fail {
		return jsonAnswer(r, apiErrorBody("AuthFailure.SignatureExpire", "r")), nil
	}
	var list []string
	total := a.n
	switch {
	case req.JobId != "":
		var i int
		if _, err := fmt.Sscanf(req.JobId, "dts-%08d", &i); err == nil && i < a.n {
			list, total = []string{req.JobId}, 1
		} else {
			total = 0
		}
	default:
		for i := req.Offset; i < min(a.n, req.Offset+req.Limit); i++ {
			list = append(list, jobIDN(i))
		}
	}
	jobs := make([]string, len(list))
	for i, id := range list {
		st, ok := a.status[id]
		if !ok {
			st = 2
		}
		jobs[i] = fmt.Sprintf(`{"JobId":%q,"Status":%d}`, id, st)
	}
	return jsonAnswer(r, fmt.Sprintf(`{"Response":{"TotalCount":%d,"JobList":[%s],"RequestId":"r"}}`, total, strings.Join(jobs, ","))), nil
}

func (a *account) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, errors.New("no body")
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return []byte(b.String()), nil
}

// gatedView returns a client on the account whose batch window closes only when the test
// sends on the returned channel, and a function that waits until n finds are queued.
func gatedView(t *testing.T, a *account) (*Client, chan time.Time, func(n int)) {
	t.Helper()
	c, _, _ := newStubClient(t, SignatureMethodTC3, a.respond)
	gate := make(chan time.Time)
	var windows []time.Duration
	var mu sync.Mutex
	c.view.window = func(d time.Duration) <-chan time.Time {
		mu.Lock()
		windows = append(windows, d)
		mu.Unlock()
		return gate
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range windows {
			if d != BatchWindow {
				t.Errorf("a batch waited %s, want the bounded window %s", d, BatchWindow)
			}
		}
	})
	queued := func(n int) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			c.view.mu.Lock()
			got := len(c.view.pending)
			c.view.mu.Unlock()
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d finds queued, want %d", got, n)
			}
			runtime.Gosched()
		}
	}
	return c, gate, queued
}

// findAll starts a find of each ID and returns their results in order once all have ended.
func findAll(ctx context.Context, c *Client, maxAge time.Duration, ids ...string) func() []findResult {
	out := make([]findResult, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := c.Jobs().Find(ctx, id, maxAge)
			out[i] = findResult{j, err}
		}()
	}
	return func() []findResult { wg.Wait(); return out }
}

func TestViewSingleFindIsOneCallByID(t *testing.T) {
	a := &account{n: 500}
	c, gate, queued := gatedView(t, a)
	wait := findAll(t.Context(), c, 0, jobIDN(7))
	queued(1)
	gate <- time.Time{}
	r := wait()
	if r[0].err != nil || StringValue(r[0].job.JobId) != jobIDN(7) {
		t.Fatalf("find: %+v", r[0])
	}
	if got := a.Calls(); !slices.Equal(got, []string{"id:" + jobIDN(7)}) {
		t.Errorf("calls %v, want one by JobId", got)
	}
}

func TestViewCoalescesFindsIntoAListing(t *testing.T) {
	a := &account{n: 250}
	c, gate, queued := gatedView(t, a)
	ids := []string{jobIDN(1), jobIDN(120), jobIDN(240), jobIDN(3), jobIDN(3)}
	wait := findAll(t.Context(), c, 0, ids...)
	queued(len(ids))
	gate <- time.Time{}
	for i, r := range wait() {
		if r.err != nil || StringValue(r.job.JobId) != ids[i] {
			t.Errorf("find %s: %+v", ids[i], r)
		}
	}
	if got := a.Calls(); !slices.Equal(got, []string{"page:0", "page:100", "page:200"}) {
		t.Errorf("calls %v, want the three pages", got)
	}
	// The listing serves a refresh that tolerates an answer a few seconds old, with no call.
	if j, err := c.Jobs().Find(t.Context(), jobIDN(200), 5*time.Second); err != nil || StringValue(j.JobId) != jobIDN(200) {
		t.Errorf("a find from the listing: %v, %v", j, err)
	}
	if n := len(a.Calls()); n != 3 {
		t.Errorf("a find the listing answers made a call: %d calls", n)
	}
}

func TestViewListsOnlyWhenItPays(t *testing.T) {
	a := &account{n: 2000}
	c, gate, queued := gatedView(t, a)
	// Three jobs beyond the first page of 20 pages: after it, finding them costs less.
	wait := findAll(t.Context(), c, 0, jobIDN(500), jobIDN(900), jobIDN(1500))
	queued(3)
	gate <- time.Time{}
	for _, r := range wait() {
		if r.err != nil {
			t.Fatal(r.err)
		}
	}
	got := a.Calls()
	slices.Sort(got[1:])
	if want := []string{"page:0", "id:" + jobIDN(500), "id:" + jobIDN(900), "id:" + jobIDN(1500)}; !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	// Now the size is known: two finds in 20 pages go by JobId without a first page.
	wait = findAll(t.Context(), c, 0, jobIDN(5), jobIDN(6))
	queued(2)
	gate <- time.Time{}
	wait()
	if got := a.Calls()[4:]; len(got) != 2 || !strings.HasPrefix(got[0], "id:") || !strings.HasPrefix(got[1], "id:") {
		t.Errorf("calls %v, want two by JobId", got)
	}
}

func TestViewNoAnswerOlderThanAMutation(t *testing.T) {
	a := &account{n: 3}
	c, gate, queued := gatedView(t, a)
	wait := findAll(t.Context(), c, 0, jobIDN(1), jobIDN(2))
	queued(2)
	gate <- time.Time{}
	wait()
	before := len(a.Calls())
	// A mutation of job 1 returns: its remembered answer no longer serves, job 2's still does.
	c.view.noteMutation(jobIDN(1))
	if _, err := c.Jobs().Find(t.Context(), jobIDN(2), time.Minute); err != nil || len(a.Calls()) != before {
		t.Errorf("job 2 was not served from memory: %v, %d calls", err, len(a.Calls())-before)
	}
	a.mu.Lock()
	a.status = map[string]int{jobIDN(1): 7}
	a.mu.Unlock()
	wait = findAll(t.Context(), c, time.Minute, jobIDN(1))
	queued(1)
	gate <- time.Time{}
	r := wait()[0]
	if r.err != nil || Int64Value(r.job.Status) != 7 || len(a.Calls()) != before+1 {
		t.Errorf("after the mutation, job 1 read %+v with %d calls, want status 7 from a new call", r, len(a.Calls())-before)
	}
	// An answer remembered from a call that began before the mutation is not kept either.
	c.view.remember([]*MigrateJobInfo{{JobId: String(jobIDN(1)), Status: Int64(2)}}, 3, true, c.clock.Now().Add(-time.Hour))
	if j, err := c.Jobs().Find(t.Context(), jobIDN(1), 2*time.Hour); err == nil && Int64Value(j.Status) == 2 {
		t.Error("an answer older than the mutation served a find")
	}
}

func TestViewFreshFindsNeverServedFromMemory(t *testing.T) {
	a := &account{n: 3}
	c, gate, queued := gatedView(t, a)
	for range 2 {
		wait := findAll(t.Context(), c, 0, jobIDN(1))
		queued(1)
		gate <- time.Time{}
		wait()
	}
	if n := len(a.Calls()); n != 2 {
		t.Errorf("two polls made %d calls, want 2", n)
	}
}

func TestViewListingErrorReachesEveryFind(t *testing.T) {
	a := &account{n: 300, fail: true}
	c, gate, queued := gatedView(t, a)
	wait := findAll(t.Context(), c, 0, jobIDN(1), jobIDN(2), jobIDN(250))
	queued(3)
	gate <- time.Time{}
	for _, r := range wait() {
		if !strings.Contains(fmt.Sprint(r.err), "SignatureExpire") {
			t.Errorf("find error %v, want the listing's", r.err)
		}
	}
}

func TestViewCancelledFindLeavesTheOthers(t *testing.T) {
	a := &account{n: 300}
	c, gate, queued := gatedView(t, a)
	ctx, cancel := context.WithCancel(t.Context())
	cancelled := findAll(ctx, c, 0, jobIDN(1))
	others := findAll(t.Context(), c, 0, jobIDN(2), jobIDN(3))
	queued(3)
	cancel()
	if r := cancelled()[0]; !errors.Is(r.err, context.Canceled) {
		t.Errorf("the cancelled find: %+v", r)
	}
	gate <- time.Time{}
	for _, r := range others() {
		if r.err != nil || r.job == nil {
			t.Errorf("another find: %+v", r)
		}
	}
}

func TestViewNotFound(t *testing.T) {
	a := &account{n: 150}
	c, gate, queued := gatedView(t, a)
	wait := findAll(t.Context(), c, 0, jobIDN(1), "dts-99999999")
	queued(2)
	gate <- time.Time{}
	r := wait()
	var nf *NotFoundError
	if r[0].err != nil || !errors.As(r[1].err, &nf) {
		t.Errorf("finds: %+v", r)
	}
	// The missing job was not in a complete listing, and a find by JobId proved it gone.
	if got := a.Calls(); got[len(got)-1] != "id:dts-99999999" {
		t.Errorf("calls %v: absence must be proved by JobId", got)
	}
}

func TestViewRefreshOneAfterAnotherListsOnce(t *testing.T) {
	a := &account{n: 500}
	c, gate, queued := gatedView(t, a)
	// Terraform refreshes resources a few at a time: here, one find per batch.
	for i := range 50 {
		id := jobIDN(i * 10)
		c.view.mu.Lock()
		_, remembered := c.view.seen[id]
		c.view.mu.Unlock()
		wait := findAll(t.Context(), c, time.Minute, id)
		if !remembered {
			queued(1)
			gate <- time.Time{}
		}
		if r := wait()[0]; r.err != nil || StringValue(r.job.JobId) != id {
			t.Fatalf("find %d: %+v", i, r)
		}
	}
	calls := a.Calls()
	if len(calls) > 10 {
		t.Errorf("a refresh of 50 jobs, one at a time, made %d calls: %v", len(calls), calls)
	}
	pages := 0
	for _, c := range calls {
		if strings.HasPrefix(c, "page:") {
			pages++
		}
	}
	if pages < 5 {
		t.Errorf("the account's 5 pages were not all listed: %v", calls)
	}
}

// TestViewRefreshWaitsForTheListingUnderWay: refresh finds that come while a refresh's first
// page is on its way take its answers instead of making calls of their own, however slow it is.
func TestViewRefreshWaitsForTheListingUnderWay(t *testing.T) {
	a := &account{n: 40, called: make(chan string, 10), hold: make(chan struct{})}
	c, gate, queued := gatedView(t, a)
	first := findAll(t.Context(), c, time.Minute, jobIDN(1), jobIDN(2))
	queued(2)
	gate <- time.Time{}
	<-a.called // the first page, held
	second := findAll(t.Context(), c, time.Minute, jobIDN(30), jobIDN(31))
	queued(2)
	gate <- time.Time{}
	select {
	case call := <-a.called:
		t.Errorf("a batch made a call (%s) while the first page was on its way", call)
	case <-time.After(50 * time.Millisecond):
	}
	close(a.hold)
	for _, r := range append(first(), second()...) {
		if r.err != nil || r.job == nil {
			t.Errorf("find: %+v", r)
		}
	}
	if got := a.Calls(); !slices.Equal(got, []string{"page:0"}) {
		t.Errorf("calls %v, want the one page", got)
	}
}

func TestViewPollAtAloneKeepsItsSchedule(t *testing.T) {
	c, _, clock := newStubClient(t, SignatureMethodTC3, (&account{n: 1}).respond)
	now := clock.Now()
	planned := now.Add(730 * time.Millisecond)
	if got := c.Jobs().PollAt(now.Add(200*time.Millisecond), planned, 500*time.Millisecond); !got.Equal(planned) {
		t.Errorf("a waiter alone polls at +%s, want its own +730ms", got.Sub(now))
	}
}

func TestViewOthersWaiting(t *testing.T) {
	c, _, clock := newStubClient(t, SignatureMethodTC3, (&account{n: 1}).respond)
	v := c.Jobs()
	if v.OthersWaiting("dts-a", time.Second) {
		t.Error("others wait in a view nobody waits through")
	}
	doneA := v.Wait("dts-a")
	if v.OthersWaiting("dts-a", time.Second) {
		t.Error("a job's own wait counts as another's")
	}
	if !v.OthersWaiting("dts-b", time.Second) {
		t.Error("job b does not see job a waiting")
	}
	doneA()
	doneA()
	clock.Advance(500 * time.Millisecond)
	if !v.OthersWaiting("dts-b", time.Second) {
		t.Error("a wait that ended half a second ago does not count within a second")
	}
	clock.Advance(time.Second)
	if v.OthersWaiting("dts-b", time.Second) {
		t.Error("a wait that ended 1.5 s ago counts within a second")
	}
	// Told twice, the end counted once: a new wait of a is active again, and ends once.
	doneA2 := v.Wait("dts-a")
	if !v.OthersWaiting("dts-b", 0) {
		t.Error("an active wait does not count")
	}
	doneA2()
	clock.Advance(time.Millisecond)
	if v.OthersWaiting("dts-b", 0) {
		t.Error("an ended wait still counts as active")
	}
}
