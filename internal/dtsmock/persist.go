package dtsmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// The state file is a snapshot of every job followed by change records, one JSON object a
// line. An acknowledged change appends one record and syncs it, so its cost does not grow with
// the number of stored jobs; once the records outnumber twice the jobs, the file is compacted into a
// new snapshot, which keeps the amortised cost per change constant.
const (
	// stateVersionSnapshot is the original format: a snapshot and nothing after it.
	stateVersionSnapshot = 1
	// stateVersionLog is the current format: a snapshot, then change records.
	stateVersionLog = 2
	// compactSuffix names the one file a compaction writes before renaming it over the state
	// file. A crash during a compaction can leave it behind; the next start removes it.
	compactSuffix = ".compact"
	// minCompactRecords keeps a small store from being compacted on every few changes.
	minCompactRecords = 1024
)

// stateFile is the snapshot at the head of the state file.
type stateFile struct {
	Version int         `json:"version"`
	Seq     int64       `json:"seq"`
	Jobs    []*jobState `json:"jobs"`
}

// change is one record after the snapshot: the whole job after a change, or the ID of a job
// that is gone. A record replaces what came before it for its job, so replaying the records in
// order rebuilds the state whatever intermediate states the job went through.
type change struct {
	Seq    int64     `json:"seq"`
	Put    *jobState `json:"put,omitempty"`
	Delete string    `json:"delete,omitempty"`
}

// logFile is what the store needs of the open state file; tests substitute one that fails.
type logFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Close() error
}

// store is the open state file.
type store struct {
	path string
	f    logFile
	// size is the length of the file's acknowledged content; a failed append truncates back
	// to it so that no partial record stays in the middle of the file.
	size int64
	// records counts the change records after the snapshot.
	records int
	// minRecords is the fewest records that make a compaction worth it.
	minRecords int
	// broken is set when the file may hold a partial record that could not be removed; every
	// later change is refused, since appending after it would make the file unreadable.
	broken error
}

// loadedState is what a state file holds.
type loadedState struct {
	jobs map[string]*jobState
	seq  int64
	// rewrite is set when the file is missing, in the original format, has records, or ends
	// in a record that was never acknowledged: the store then starts from a fresh snapshot.
	rewrite bool
}

func (s *Server) sortedLocked() []*jobState {
	list := make([]*jobState, 0, len(s.jobs))
	for _, j := range s.jobs {
		list = append(list, j)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Seq < list[b].Seq })
	return list
}

// readState reads and checks the state file at path without changing it; a missing file is an
// empty store.
func readState(path string) (*loadedState, error) {
	ls := &loadedState{jobs: map[string]*jobState{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		ls.rewrite = true
		return ls, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var st stateFile
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("parsing state file %s: %w", path, err)
	}
	if st.Version != stateVersionSnapshot && st.Version != stateVersionLog {
		return nil, fmt.Errorf("state file %s has version %d; this emulator reads versions %d and %d", path, st.Version, stateVersionSnapshot, stateVersionLog)
	}
	ls.seq = st.Seq
	first := map[string]int{}
	for i, j := range st.Jobs {
		if err := checkStoredJob(j, fmt.Sprintf("job %d", i)); err != nil {
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
		if k, dup := first[j.JobID]; dup {
			return nil, fmt.Errorf("state file %s: job %s appears twice (jobs %d and %d)", path, j.JobID, k, i)
		}
		first[j.JobID] = i
		ls.jobs[j.JobID] = j
		ls.seq = max(ls.seq, j.Seq)
	}
	ls.rewrite = st.Version != stateVersionLog
	rest := b[dec.InputOffset():]
	if st.Version == stateVersionSnapshot {
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, fmt.Errorf("state file %s: unexpected data after the version %d snapshot", path, stateVersionSnapshot)
		}
		return ls, nil
	}
	if err := ls.replay(rest, int64(len(b)-len(rest))); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return ls, nil
}

// replay applies the change records in rest, which starts at byte offset of the file.
func (ls *loadedState) replay(rest []byte, offset int64) error {
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			// A record without its line end was being written when the emulator stopped; it
			// was never acknowledged, so it is dropped with the next snapshot.
			ls.rewrite = true
			return nil
		}
		line := bytes.TrimSpace(rest[:nl])
		at := offset
		offset += int64(nl + 1)
		rest = rest[nl+1:]
		if len(line) == 0 {
			continue
		}
		ls.rewrite = true
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		var c change
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("the change record at byte %d: %w", at, err)
		}
		switch {
		case c.Put != nil && c.Delete == "":
			if err := checkStoredJob(c.Put, "the job of a change record"); err != nil {
				return fmt.Errorf("the change record at byte %d: %w", at, err)
			}
			ls.jobs[c.Put.JobID] = c.Put
			ls.seq = max(ls.seq, c.Put.Seq)
		case c.Put == nil && validJobID(c.Delete):
			delete(ls.jobs, c.Delete)
		default:
			return fmt.Errorf("the change record at byte %d neither puts a job nor deletes a valid job ID", at)
		}
		ls.seq = max(ls.seq, c.Seq)
	}
	return nil
}

// checkStoredJob refuses a stored job the emulator could not have written; name says where
// the job is, for the message about a job without a usable ID.
func checkStoredJob(j *jobState, name string) error {
	if j == nil {
		return fmt.Errorf("%s is null", name)
	}
	if !validJobID(j.JobID) {
		return fmt.Errorf("%s has the invalid job ID %q (want dts- and 8 lower-case letters or digits)", name, j.JobID)
	}
	problems := []struct {
		bad  bool
		what string
	}{
		{j.Status < StatusCreating || j.Status > StatusCompleting, fmt.Sprintf("the unknown status code %d", j.Status)},
		{j.CheckFlag != CheckFlagFailed && j.CheckFlag != CheckFlagPassed && j.CheckFlag != CheckFlagNotChecked, fmt.Sprintf("the unknown check flag %d", j.CheckFlag)},
		{j.MigrateType < 1 || j.MigrateType > 3, fmt.Sprintf("the unknown migrate type %d", j.MigrateType)},
		{j.RunMode < 1 || j.RunMode > 2, fmt.Sprintf("the unknown run mode %d", j.RunMode)},
		{j.Seq <= 0, fmt.Sprintf("the creation sequence %d, which is not positive", j.Seq)},
	}
	for _, p := range problems {
		if p.bad {
			return fmt.Errorf("job %s has %s", j.JobID, p.what)
		}
	}
	return nil
}

// openStore opens the state file at path for appending, after readState accepted it. It
// removes what an interrupted compaction left, and writes a fresh snapshot of jobs when the
// file asks for one (see loadedState.rewrite).
func openStore(path string, ls *loadedState, sorted []*jobState) (*store, error) {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("its directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if err := os.Remove(path + compactSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("removing the remains of an interrupted compaction: %w", err)
	}
	if !ls.rewrite {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("opening state file: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			return nil, errors.Join(fmt.Errorf("reading the size of the state file: %w", err), f.Close())
		}
		return &store{path: path, f: f, size: fi.Size(), minRecords: minCompactRecords}, nil
	}
	st := &store{path: path, minRecords: minCompactRecords}
	if err := st.compact(ls.seq, sorted); err != nil {
		return nil, err
	}
	return st, nil
}

// compact writes a new snapshot beside the state file, syncs it, renames it over the state
// file and keeps it open for the records that follow. A failure leaves the old file in use.
func (st *store) compact(seq int64, sorted []*jobState) error {
	b, err := json.Marshal(stateFile{Version: stateVersionLog, Seq: seq, Jobs: sorted})
	if err != nil {
		return fmt.Errorf("encoding state: %w", err)
	}
	b = append(b, '\n')
	tmp := st.path + compactSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("creating the compacted state file: %w", err)
	}
	abandon := func(cause error) error {
		cause = errors.Join(cause, f.Close())
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			cause = errors.Join(cause, rmErr)
		}
		return cause
	}
	// The mode is set explicitly because the umask may have narrowed or widened it.
	if err := f.Chmod(0o600); err != nil {
		return abandon(fmt.Errorf("setting state file mode: %w", err))
	}
	if _, err := f.Write(b); err != nil {
		return abandon(fmt.Errorf("writing state: %w", err))
	}
	if err := f.Sync(); err != nil {
		return abandon(fmt.Errorf("syncing state: %w", err))
	}
	if err := os.Rename(tmp, st.path); err != nil {
		return abandon(fmt.Errorf("renaming the compacted state file: %w", err))
	}
	// The rename is durable only once the directory is synced; until then the old file
	// stays valid, and every record since its snapshot is in the new one.
	if err := syncDir(filepath.Dir(st.path)); err != nil {
		return errors.Join(err, f.Close())
	}
	old := st.f
	st.f, st.size, st.records, st.broken = f, int64(len(b)), 0, nil
	if old != nil {
		if err := old.Close(); err != nil {
			return fmt.Errorf("closing the previous state file: %w", err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening state directory: %w", err)
	}
	if err := d.Sync(); err != nil {
		return errors.Join(fmt.Errorf("syncing state directory: %w", err), d.Close())
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("closing state directory: %w", err)
	}
	return nil
}

// append writes one change record and syncs it. On failure the file is cut back to its
// acknowledged content, so the failed change leaves no trace.
func (st *store) append(c change) error {
	if st.broken != nil {
		return st.broken
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding a change record: %w", err)
	}
	b = append(b, '\n')
	if _, err := st.f.Write(b); err != nil {
		return st.rollback(fmt.Errorf("writing a change record: %w", err))
	}
	if err := st.f.Sync(); err != nil {
		return st.rollback(fmt.Errorf("syncing the state file: %w", err))
	}
	st.size += int64(len(b))
	st.records++
	return nil
}

func (st *store) rollback(cause error) error {
	err := st.f.Truncate(st.size)
	if err == nil {
		err = st.f.Sync()
	}
	if err != nil {
		st.broken = fmt.Errorf("the state file %s may end in a partial record that could not be removed (%w); restart the emulator to recover it", st.path, err)
		return errors.Join(cause, st.broken)
	}
	return cause
}

func (st *store) close() error {
	if err := st.f.Close(); err != nil {
		return fmt.Errorf("closing state file: %w", err)
	}
	return nil
}

// commitLocked makes the current state of job id durable (its record, or its deletion when it
// is gone), and compacts the file when the records have come to outnumber the jobs. It is a
// no-op without a state file.
func (s *Server) commitLocked(id string) error {
	s.gen++
	s.forgetEncodedLocked(id)
	if s.store == nil {
		return nil
	}
	c := change{Seq: s.seq}
	if j, ok := s.jobs[id]; ok {
		c.Put = j
	} else {
		c.Delete = id
	}
	if err := s.store.append(c); err != nil {
		return err
	}
	if s.store.records >= max(s.store.minRecords, 2*len(s.jobs)) {
		// The change is already durable: a failed compaction costs disk space, not data.
		if err := s.store.compact(s.seq, s.sortedLocked()); err != nil {
			s.logger.Printf("compacting the state file: %v", err)
		}
	}
	return nil
}

// undo remembers what one change may touch, so that a change that could not be made durable
// is taken back and the error answer leaves the emulator as it was.
type undo struct {
	id         string
	prev       *jobState
	seq        int64
	failChecks []string
	failSteps  map[string]int
}

func (s *Server) undoLocked(id string) undo {
	u := undo{id: id, seq: s.seq, failChecks: s.failChecks, failSteps: make(map[string]int, len(s.failSteps))}
	if j, ok := s.jobs[id]; ok {
		u.prev = j.clone()
	}
	for k, v := range s.failSteps {
		u.failSteps[k] = v
	}
	return u
}

// restoreLocked takes back a change to job changed: the job remembered by u is put back, and
// a job created since (changed differs from u.id) is removed.
func (s *Server) restoreLocked(u undo, changed string) {
	if changed != u.id || u.prev == nil {
		delete(s.jobs, changed)
	}
	if u.prev != nil {
		s.jobs[u.id] = u.prev
	}
	s.seq, s.failChecks, s.failSteps = u.seq, u.failChecks, u.failSteps
	s.gen++
	s.forgetEncodedLocked(u.id)
	s.forgetEncodedLocked(changed)
}

// commitOrRestoreLocked makes the change to job changed durable or takes it back.
func (s *Server) commitOrRestoreLocked(u undo, changed string) error {
	if err := s.commitLocked(changed); err != nil {
		s.restoreLocked(u, changed)
		return err
	}
	return nil
}
