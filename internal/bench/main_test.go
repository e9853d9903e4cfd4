package main

import (
	"strings"
	"testing"
	"time"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

func TestMedian(t *testing.T) {
	t.Parallel()
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3, 1, 2 = %d, want 2", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4, 1, 3, 2 = %d, want 2", got)
	}
}

func TestWhereTimeGoes(t *testing.T) {
	t.Parallel()
	began := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration, action string) dtsmock.JournalEntry {
		return dtsmock.JournalEntry{Time: began.Add(d), Action: action, JobID: "dts-1"}
	}
	ms := time.Millisecond
	entries := []dtsmock.JournalEntry{
		at(400*ms, "CreateMigrateJob"),
		at(401*ms, "DescribeMigrateJobs"),
		at(2600*ms, "DescribeMigrateJobs"), // created 0.2 s late
		at(2601*ms, "CreateMigrateCheckJob"),
		at(4901*ms, "DescribeMigrateCheckJob"), // the check result 0.3 s late
		at(4902*ms, "StartMigrateJob"),
		at(7002*ms, "DescribeMigrateJobs"), // running 0.1 s late
	}
	got := whereTimeGoes(entries, began, began.Add(7100*ms))
	for _, want := range []string{"0.40 s to CreateMigrateJob", "created seen 0.20 s late", "check result seen 0.30 s late", "running seen 0.10 s late", "0.10 s for the rest (7 API calls in all)"} {
		if !strings.Contains(got, want) {
			t.Errorf("whereTimeGoes = %q, lacks %q", got, want)
		}
	}
}
