package devenv

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// ReadJournal reads the emulator's journal: one JSON object per line, one line per request.
func ReadJournal(path string) ([]dtsmock.JournalEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	var entries []dtsmock.JournalEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e dtsmock.JournalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, errors.Join(fmt.Errorf("journal line %d: %w", line, err), f.Close())
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Join(fmt.Errorf("reading the journal: %w", err), f.Close())
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("closing the journal: %w", err)
	}
	return entries, nil
}

// CountByAction counts the entries of each action.
func CountByAction(entries []dtsmock.JournalEntry) map[string]int {
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Action]++
	}
	return counts
}

// CountErrors counts the entries that carry the error code code.
func CountErrors(entries []dtsmock.JournalEntry, code string) int {
	n := 0
	for _, e := range entries {
		if e.ErrorCode == code {
			n++
		}
	}
	return n
}
