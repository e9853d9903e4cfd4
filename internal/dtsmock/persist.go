package dtsmock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// stateFile is the on-disk form of the emulator's jobs.
type stateFile struct {
	Version int         `json:"version"`
	Seq     int64       `json:"seq"`
	Jobs    []*jobState `json:"jobs"`
}

func (s *Server) sortedLocked() []*jobState {
	list := make([]*jobState, 0, len(s.jobs))
	for _, j := range s.jobs {
		list = append(list, j)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Seq < list[b].Seq })
	return list
}

// load reads the state file; a missing file is an empty store.
func (s *Server) load() error {
	b, err := os.ReadFile(s.stateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dtsmock: reading state file: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("dtsmock: parsing state file %s: %w", s.stateFile, err)
	}
	s.seq = st.Seq
	for _, j := range st.Jobs {
		if j == nil || j.JobID == "" {
			return fmt.Errorf("dtsmock: state file %s holds a job without an ID", s.stateFile)
		}
		s.jobs[j.JobID] = j
		s.seq = max(s.seq, j.Seq)
	}
	return nil
}

// persistLocked writes the whole store atomically: a temporary file in the same directory,
// fsync, rename, then fsync of the directory. It is a no-op without a state file.
func (s *Server) persistLocked() error {
	if s.stateFile == "" {
		return nil
	}
	b, err := json.MarshalIndent(stateFile{Version: 1, Seq: s.seq, Jobs: s.sortedLocked()}, "", " ")
	if err != nil {
		return fmt.Errorf("encoding state: %w", err)
	}
	dir := filepath.Dir(s.stateFile)
	f, err := os.CreateTemp(dir, ".dtsmock-state-*")
	if err != nil {
		return fmt.Errorf("creating temporary state file: %w", err)
	}
	tmp := f.Name()
	cleanup := func(cause error) error {
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return errors.Join(cause, rmErr)
		}
		return cause
	}
	if err := f.Chmod(0o600); err != nil {
		return cleanup(errors.Join(fmt.Errorf("setting state file mode: %w", err), f.Close()))
	}
	if _, err := f.Write(b); err != nil {
		return cleanup(errors.Join(fmt.Errorf("writing state: %w", err), f.Close()))
	}
	if err := f.Sync(); err != nil {
		return cleanup(errors.Join(fmt.Errorf("syncing state: %w", err), f.Close()))
	}
	if err := f.Close(); err != nil {
		return cleanup(fmt.Errorf("closing state file: %w", err))
	}
	if err := os.Rename(tmp, s.stateFile); err != nil {
		return cleanup(fmt.Errorf("renaming state file: %w", err))
	}
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

// persistOrLogLocked persists for test controls that cannot return an error.
func (s *Server) persistOrLogLocked() {
	if err := s.persistLocked(); err != nil {
		s.logger.Printf("dtsmock: persisting state: %v", err)
	}
}
