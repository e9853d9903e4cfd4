package dtsmock

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// A DescribeMigrateJobs page is most of what a busy client asks for, and most jobs look the
// same from one listing to the next. Each job's JSON encoding is therefore kept, and written
// into the answer as it is, for as long as the job neither changes nor moves on with time:
//
//   - a stored change to the job (commitLocked, restoreLocked) forgets its encoding;
//   - the encoding holds only until the next transition the job makes on its own
//     (phases.next), and is not kept at all while the job's progress moves with the clock, or
//     while live mode runs its check or migration;
//   - it is tied to the *jobState it was made from, so a job replaced by a copy (a modify, an
//     undo) is encoded afresh even if a change escaped the first rule.
//
// The whole answer is never kept: every request is verified and its answer assembled anew.

// encodedJob is one job's kept encoding and the times between which it holds.
type encodedJob struct {
	job *jobState
	// from and until bound the server times at which the encoding is what wire would give;
	// a zero until means it holds until the job changes.
	from, until time.Time
	b           []byte
}

// listing is the answer of DescribeMigrateJobs: the encoded jobs of the page and the count of
// all matching jobs. Its encodings are never changed once made, so it is written out after the
// Server's lock is released.
type listing struct {
	total int
	jobs  [][]byte
}

// encodedLocked returns the JSON encoding of j, settled to now, as wire renders it.
func (s *Server) encodedLocked(j *jobState, now time.Time) ([]byte, error) {
	if e, ok := s.encoded[j.JobID]; ok && e.job == j && !now.Before(e.from) && (e.until.IsZero() || now.Before(e.until)) {
		return e.b, nil
	}
	b, err := json.Marshal(s.phases.wire(j, now))
	if err != nil {
		return nil, err
	}
	if until, ok := s.phases.steadyUntil(j, now); ok {
		if s.encoded == nil {
			s.encoded = map[string]encodedJob{}
		}
		s.encoded[j.JobID] = encodedJob{job: j, from: now, until: until, b: b}
	} else {
		delete(s.encoded, j.JobID)
	}
	return b, nil
}

// forgetEncodedLocked drops the kept encoding of job id, after a change to it.
func (s *Server) forgetEncodedLocked(id string) {
	delete(s.encoded, id)
}

// steadyUntil reports whether the wire form of j, settled to now, stays the same at later
// times, and until when (zero: until the job changes). It mirrors detail: the progress of a
// migration that has started moves with the clock unless it is over (success) or frozen
// (stopped or failed); an incremental sync that has caught up reports a lag that moves.
func (p phases) steadyUntil(j *jobState, now time.Time) (time.Time, bool) {
	if j.live != nil {
		// A live check or migration moves the job from its own goroutine, on no timetable.
		return time.Time{}, false
	}
	var until time.Time
	if _, at, ok := p.next(j); ok {
		if !now.Before(at) {
			return time.Time{}, false
		}
		until = at
	}
	if j.RunStart.IsZero() {
		return until, true
	}
	switch j.Status {
	case StatusSuccess:
		return until, true
	case StatusReadyComplete, StatusCompleting:
		return time.Time{}, false
	}
	if !j.RunFrozen.IsZero() && !j.RunFrozen.After(now) {
		return until, true
	}
	return time.Time{}, false
}

// listingBuffers holds the buffers answers are assembled in; an answer is at most 100 jobs of
// a few kilobytes each.
var listingBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledBuffer is the largest buffer put back in the pool, so that one huge answer does not
// pin its memory.
const maxPooledBuffer = 1 << 20

// appendListing appends the envelope of l with requestID, byte for byte what json.Marshal
// makes of {"Response": {"TotalCount": …, "JobList": […], "RequestId": …}}: the keys of a map
// in sorted order, no spaces.
func appendListing(dst []byte, l *listing, requestID string) []byte {
	dst = append(dst, `{"Response":{"JobList":[`...)
	for i, b := range l.jobs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, b...)
	}
	dst = append(dst, `],"RequestId":"`...)
	dst = append(dst, requestID...)
	dst = append(dst, `","TotalCount":`...)
	dst = strconv.AppendInt(dst, int64(l.total), 10)
	return append(dst, "}}"...)
}

// writeListing answers with l, in a pooled buffer, with the headers of every other answer.
func (s *Server) writeListing(w http.ResponseWriter, l *listing) {
	bp, _ := listingBuffers.Get().(*[]byte) // The pool holds nothing else.
	if bp == nil {
		b := make([]byte, 0, 64<<10)
		bp = &b
	}
	b := appendListing((*bp)[:0], l, newRequestID())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(b); err != nil {
		s.logger.Printf("writing response: %v", err)
	}
	if cap(b) <= maxPooledBuffer {
		*bp = b
		listingBuffers.Put(bp)
	}
}
