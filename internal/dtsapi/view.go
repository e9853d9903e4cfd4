package dtsapi

import (
	"context"
	"slices"
	"sync"
	"time"
)

// BatchWindow is how long a find waits for other finds to join it before their batch is sent.
// It is the most a find ever waits beyond what it would have waited alone: 25 ms, on top of
// the calls of its batch, which start only once the window has closed.
const BatchWindow = 25 * time.Millisecond

// viewBatchTimeout bounds the calls of one batch, which no single find's context owns.
const viewBatchTimeout = 2 * time.Minute

// maxDirectFinds bounds the finds by JobId one batch sends at once.
const maxDirectFinds = 8

// JobView answers finds of single jobs, within one provider process, from as few
// DescribeMigrateJobs calls as it can. Every answer of DescribeMigrateJobs the client gets
// (a find, a page of a listing, a page a data source reads) is remembered per job with the
// time its call began; a find that tolerates an answer of some age is served from there.
// Finds that arrive within BatchWindow of each other are sent as one batch: alone, a find is
// one call by JobId as before; many are served by listing the account's pages once, when the
// pages are fewer than the finds (the first page tells how many there are), and by JobId
// otherwise. A find never gets an answer from a call that began before the last mutation of
// its job through this client returned, nor, with maxAge 0, before the find itself.
//
// Waiters tell the view when they mean to poll (PollAt), so that the polls of many jobs meet
// in one batch, and which jobs they wait for (Wait), so that one job alone can tell it is.
type JobView struct {
	c *Client
	// window is the batch window's wait: the client's clock, or a gate in tests.
	window func(time.Duration) <-chan time.Time

	mu      sync.Mutex
	seen    map[string]seenJob
	mutated map[string]time.Time
	// total is the account's job count as the last unfiltered page said; known says there was one.
	total     int64
	known     bool
	pending   []*find
	scheduled bool
	// refreshMisses counts the refresh finds memory could not answer: once they outnumber the
	// account's pages, listing the account answers them and the ones still to come.
	refreshMisses int64
	// listing is closed when the full listing under way ends; nil when there is none.
	listing chan struct{}
	// polls are the instants, in order, at which waiters have said they will poll (PollAt).
	polls []time.Time
	// waits are the jobs waited for now or lately (Wait).
	waits map[string]waitState
}

type waitState struct {
	active int
	ended  time.Time
}

type seenJob struct {
	job *MigrateJobInfo
	at  time.Time
}

type find struct {
	jobID string
	// refresh says the find takes an answer of some age: a refresh, one of many to come.
	refresh bool
	done    chan findResult
}

type findResult struct {
	job *MigrateJobInfo
	err error
}

func newJobView(c *Client) *JobView {
	return &JobView{c: c, window: c.clock.After, seen: map[string]seenJob{}, mutated: map[string]time.Time{}, waits: map[string]waitState{}}
}

// Jobs returns the client's shared view of the jobs.
func (c *Client) Jobs() *JobView { return c.view }

// Find returns the job with exactly this ID, or a *NotFoundError. maxAge is how old an answer
// may be: 0 asks for one from a call that begins after Find is called, as a waiter's poll
// does; a refresh can take one a few seconds old.
func (v *JobView) Find(ctx context.Context, jobID string, maxAge time.Duration) (*MigrateJobInfo, error) {
	if jobID == "" {
		return nil, &NotFoundError{JobID: jobID}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := v.c.clock.Now()
	notBefore := now.Add(-maxAge)
	v.mu.Lock()
	if m, ok := v.mutated[jobID]; ok && m.After(notBefore) {
		notBefore = m
	}
	if s, ok := v.seen[jobID]; ok && maxAge > 0 && !s.at.Before(notBefore) {
		v.mu.Unlock()
		return s.job, nil
	}
	f := &find{jobID: jobID, refresh: maxAge > 0, done: make(chan findResult, 1)}
	if f.refresh {
		v.refreshMisses++
	}
	v.pending = append(v.pending, f)
	if !v.scheduled {
		v.scheduled = true
		go v.dispatch()
	}
	v.mu.Unlock()
	select {
	case r := <-f.done:
		return r.job, r.err
	case <-ctx.Done():
		// The batch goes on for the other finds; this one's answer is dropped.
		return nil, ctx.Err()
	}
}

// PollAt returns when a waiter should poll that planned to poll at planned and may poll as
// early as earliest: the latest instant within [earliest, planned] at which another waiter
// already polls, so that their finds share a batch; else, while other waiters poll, the latest
// instant of the grid of step grid within that range, where later waiters meet it; else
// planned itself. The instant it returns is one later waiters may join. A poll is never later
// than planned, and a waiter alone keeps its own schedule exactly.
func (v *JobView) PollAt(earliest, planned time.Time, grid time.Duration) time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.c.clock.Now()
	// Instants past by more than a batch window can be joined no more.
	i := 0
	for i < len(v.polls) && v.polls[i].Add(BatchWindow).Before(now) {
		i++
	}
	v.polls = v.polls[i:]
	at, found := slices.BinarySearchFunc(v.polls, planned, time.Time.Compare)
	if found {
		return planned
	}
	if at > 0 && !v.polls[at-1].Before(earliest) {
		return v.polls[at-1]
	}
	if grid > 0 && len(v.polls) > 0 && v.polls[len(v.polls)-1].After(now) {
		if g := planned.Truncate(grid); !g.Before(earliest) && g.After(now) {
			planned = g
			at, found = slices.BinarySearchFunc(v.polls, planned, time.Time.Compare)
			if found {
				return planned
			}
		}
	}
	v.polls = slices.Insert(v.polls, at, planned)
	return planned
}

// Wait records that a waiter polls jobID through the view until the returned function is
// called.
func (v *JobView) Wait(jobID string) (done func()) {
	v.mu.Lock()
	w := v.waits[jobID]
	w.active++
	v.waits[jobID] = w
	v.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			v.mu.Lock()
			defer v.mu.Unlock()
			w := v.waits[jobID]
			w.active--
			w.ended = v.c.clock.Now()
			v.waits[jobID] = w
		})
	}
}

// OthersWaiting reports whether a job other than jobID is waited for now, or was within the
// last period: jobs driven together (one apply of many) go from one wait to the next, and the
// instant between two waits is not an instant alone.
func (v *JobView) OthersWaiting(jobID string, within time.Duration) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	since := v.c.clock.Now().Add(-within)
	others := false
	for id, w := range v.waits {
		switch {
		case w.active == 0 && w.ended.Before(since):
			delete(v.waits, id)
		case id != jobID:
			others = true
		}
	}
	return others
}

// noteMutation records that a mutating call for jobID has returned: no answer from a call that
// began earlier serves a find of that job any more.
func (v *JobView) noteMutation(jobID string) {
	if jobID == "" {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.mutated[jobID] = v.c.clock.Now()
	delete(v.seen, jobID)
}

// remember records the jobs of an answer to a call that began at began; unfiltered says the
// call listed the whole account, so that its TotalCount is the account's.
func (v *JobView) remember(jobs []*MigrateJobInfo, total int64, unfiltered bool, began time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, j := range jobs {
		if j == nil || j.JobId == nil {
			continue
		}
		id := *j.JobId
		if m, ok := v.mutated[id]; ok && began.Before(m) {
			continue
		}
		if s, ok := v.seen[id]; !ok || !s.at.After(began) {
			v.seen[id] = seenJob{job: j, at: began}
		}
	}
	if unfiltered {
		v.total, v.known = total, true
	}
}

// dispatch closes the window and serves the batch.
func (v *JobView) dispatch() {
	<-v.window(BatchWindow)
	v.mu.Lock()
	batch := v.pending
	v.pending, v.scheduled = nil, false
	v.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), viewBatchTimeout)
	defer cancel()
	v.serve(ctx, batch)
}

// serve answers every find of batch, from calls that all begin now.
func (v *JobView) serve(ctx context.Context, batch []*find) {
	waiting := map[string][]*find{}
	refresh := false
	for _, f := range batch {
		waiting[f.jobID] = append(waiting[f.jobID], f)
		refresh = refresh || f.refresh
	}
	answer := func(id string, job *MigrateJobInfo, err error) {
		for _, f := range waiting[id] {
			f.done <- findResult{job: job, err: err}
		}
		delete(waiting, id)
	}
	v.mu.Lock()
	listing := v.listing
	v.mu.Unlock()
	if refresh && listing != nil {
		// A full listing is under way: it answers these finds too, from memory once it ends.
		<-listing
		v.answerFromMemory(waiting, answer)
	}
	v.mu.Lock()
	pages, known, misses := (v.total+listPageSize-1)/listPageSize, v.known, v.refreshMisses
	// A refresh of many jobs comes one find after another: once its misses outnumber the pages,
	// the whole account is listed, and memory answers the finds still to come.
	full := refresh && known && misses >= pages && v.listing == nil && len(waiting) > 0
	// Listing pays when it costs fewer calls than the finds would; until a first page has said
	// how many jobs there are, that page is read, as it answers some finds itself.
	partial := !full && (len(waiting) > 1 || refresh && misses > 1) && (!known || int64(len(waiting)) >= pages)
	// The refresh finds that come while a refresh's listing is under way wait for it and take
	// its answers, rather than each batch making calls of its own (a slow answer would
	// otherwise multiply them).
	owner := refresh && (full || partial) && v.listing == nil
	if owner {
		v.listing = make(chan struct{})
	}
	v.mu.Unlock()
	if full || partial {
		v.list(ctx, waiting, answer, known, full)
	}
	if owner {
		v.mu.Lock()
		close(v.listing)
		v.listing = nil
		v.mu.Unlock()
	}
	v.findEach(ctx, waiting, answer)
}

// answerFromMemory answers the waiting refresh finds that memory can; the others keep waiting.
// Memory is only as old as calls this batch waited for.
func (v *JobView) answerFromMemory(waiting map[string][]*find, answer func(string, *MigrateJobInfo, error)) {
	v.mu.Lock()
	found := map[string]*MigrateJobInfo{}
	for id, finds := range waiting {
		if s, ok := v.seen[id]; ok && !slices.ContainsFunc(finds, func(f *find) bool { return !f.refresh }) {
			found[id] = s.job
		}
	}
	v.mu.Unlock()
	for id, job := range found {
		answer(id, job, nil)
	}
}

// list reads the account's pages until every waiting job is found, or, with full, all of them.
// With known false it reads
// the first page, then goes on only while the pages left are fewer than the jobs left. A job
// that a single answer holding the whole account does not show is not found; a job a listing
// of several pages did not show is left to findEach: a job deleted between two pages shifts
// the later ones, and only a find by JobId proves its absence then.
func (v *JobView) list(ctx context.Context, waiting map[string][]*find, answer func(string, *MigrateJobInfo, error), known, full bool) {
	req := &DescribeMigrateJobsRequest{Order: String("CreateTime"), OrderSeq: String("ASC")}
	for offset := int64(0); full || len(waiting) > 0; offset += listPageSize {
		req.Offset, req.Limit = Int64(offset), Int64(listPageSize)
		total, jobs, err := v.c.DescribeMigrateJobs(ctx, req)
		if err != nil {
			for id := range waiting {
				answer(id, nil, err)
			}
			return
		}
		for _, j := range jobs {
			if j != nil && j.JobId != nil {
				if _, ok := waiting[*j.JobId]; ok {
					answer(*j.JobId, j, nil)
				}
			}
		}
		if offset == 0 && int64(len(jobs)) == total {
			// One answer held the whole account: a job it does not show does not exist, as
			// surely as a find by JobId would have said.
			for id := range waiting {
				answer(id, nil, &NotFoundError{JobID: id})
			}
			return
		}
		next := offset + listPageSize
		if int64(len(jobs)) < listPageSize || next >= total {
			return
		}
		if !known && (total-next+listPageSize-1)/listPageSize > int64(len(waiting)) {
			return
		}
	}
}

// findEach finds the jobs still waiting by JobId, a few at a time.
func (v *JobView) findEach(ctx context.Context, waiting map[string][]*find, answer func(string, *MigrateJobInfo, error)) {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		sem = make(chan struct{}, maxDirectFinds)
	)
	ids := make([]string, 0, len(waiting))
	for id := range waiting {
		ids = append(ids, id)
	}
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			job, err := v.c.FindMigrateJob(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			answer(id, job, err)
		}()
	}
	wg.Wait()
}
