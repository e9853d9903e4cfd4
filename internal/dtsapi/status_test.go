package dtsapi

import (
	"strconv"
	"testing"
	"time"
)

func TestStatusTable(t *testing.T) {
	t.Parallel()
	want := map[int64]string{
		1: "creating", 2: "created", 3: "checking", 4: "check_pass", 5: "check_not_pass",
		6: "ready_run", 7: "running", 8: "ready_complete", 9: "success", 10: "failed",
		11: "stopping", 12: "completing",
	}
	for code, name := range want {
		if got := StatusName(code); got != name {
			t.Errorf("StatusName(%d) = %q, want %q", code, got, name)
		}
		if got, ok := StatusCode(name); !ok || got != code {
			t.Errorf("StatusCode(%q) = %d, %v", name, got, ok)
		}
	}
	if len(StatusNames()) != len(want) {
		t.Errorf("StatusNames has %d names", len(StatusNames()))
	}
	for _, code := range []int64{0, 13, 23, -1} {
		if got, want := StatusName(code), "unknown("+strconv.FormatInt(code, 10)+")"; got != want {
			t.Errorf("StatusName(%d) = %q, want %q", code, got, want)
		}
	}
	if _, ok := StatusCode("unknown(23)"); ok {
		t.Error("StatusCode accepted an unknown name")
	}
	if CheckFlagPassed != 1 || CheckFlagFailed != 0 || CheckFlagNotChecked != 3 {
		t.Error("check flags do not follow API-NOTES §4")
	}
}

func TestParseAndFormatTime(t *testing.T) {
	t.Parallel()
	got, err := ParseTime("2018-05-24 15:06:03")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2018, 5, 24, 7, 6, 3, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ParseTime = %v, want %v", got, want)
	}
	if FormatTime(got) != "2018-05-24 15:06:03" {
		t.Errorf("FormatTime = %q", FormatTime(got))
	}
	if s := FormatTime(time.Date(2024, 1, 1, 20, 30, 0, 0, time.UTC)); s != "2024-01-02 04:30:00" {
		t.Errorf("FormatTime crosses midnight wrongly: %q", s)
	}
	for _, zero := range []string{"", ZeroTime} {
		z, err := ParseTime(zero)
		if err != nil || !z.IsZero() {
			t.Errorf("ParseTime(%q) = %v, %v", zero, z, err)
		}
	}
	if FormatTime(time.Time{}) != ZeroTime {
		t.Errorf("FormatTime(zero) = %q", FormatTime(time.Time{}))
	}
	for _, bad := range []string{"2018-05-24T15:06:03Z", "yesterday", "2018-13-01 00:00:00"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) succeeded", bad)
		}
	}
}
