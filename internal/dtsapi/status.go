package dtsapi

import (
	"fmt"
	"time"
)

// Job status codes as the API reports them in MigrateJobInfo.Status. They are untyped so that
// they compare with int64 wire values and with plain ints alike.
const (
	StatusCreating      = 1
	StatusCreated       = 2
	StatusChecking      = 3
	StatusCheckPass     = 4
	StatusCheckNotPass  = 5
	StatusReadyRun      = 6
	StatusRunning       = 7
	StatusReadyComplete = 8
	StatusSuccess       = 9
	StatusFailed        = 10
	StatusStopping      = 11
	StatusCompleting    = 12
)

// statusTable is the one place that maps status codes to the names the provider shows.
var statusTable = []struct {
	code int64
	name string
}{
	{StatusCreating, "creating"},
	{StatusCreated, "created"},
	{StatusChecking, "checking"},
	{StatusCheckPass, "check_pass"},
	{StatusCheckNotPass, "check_not_pass"},
	{StatusReadyRun, "ready_run"},
	{StatusRunning, "running"},
	{StatusReadyComplete, "ready_complete"},
	{StatusSuccess, "success"},
	{StatusFailed, "failed"},
	{StatusStopping, "stopping"},
	{StatusCompleting, "completing"},
}

// StatusName names a status code. Codes the table does not know (later API releases add some)
// are named "unknown(N)" rather than rejected.
func StatusName(code int64) string {
	for _, s := range statusTable {
		if s.code == code {
			return s.name
		}
	}
	return fmt.Sprintf("unknown(%d)", code)
}

// StatusCode returns the code of a status name from the table; ok is false for any other name.
func StatusCode(name string) (code int64, ok bool) {
	for _, s := range statusTable {
		if s.name == name {
			return s.code, true
		}
	}
	return 0, false
}

// StatusNames lists every known status name in code order, for validators and documentation.
func StatusNames() []string {
	names := make([]string, 0, len(statusTable))
	for _, s := range statusTable {
		names = append(names, s.name)
	}
	return names
}

// Check flags of DescribeMigrateCheckJob. The vendor's table says 0 = passed, but its examples
// and every later SDK say 1 = passed, and so do we (API-NOTES §4).
const (
	CheckFlagFailed     = 0
	CheckFlagPassed     = 1
	CheckFlagNotChecked = 3
)

// Check statuses of DescribeMigrateCheckJob.
const (
	CheckStatusUnavailable = "unavailable"
	CheckStatusStarting    = "starting"
	CheckStatusRunning     = "running"
	CheckStatusFinished    = "finished"
)

// Step statuses of MigrateStepDetailInfo.Status.
const (
	StepStatusDefault = 0
	StepStatusSuccess = 1
	StepStatusFailed  = 2
	StepStatusRunning = 3
	StepStatusNotRun  = 4
)

// Codes of MigrateOption.
const (
	MigrateTypeStructure          = 1
	MigrateTypeFull               = 2
	MigrateTypeFullAndIncremental = 3

	RunModeImmediate = 1
	RunModeScheduled = 2

	MigrateObjectInstance  = 1
	MigrateObjectDatabases = 2

	ConsistencyTypeNotConfigured          = 1
	ConsistencyTypeFull                   = 2
	ConsistencyTypeSampling               = 3
	ConsistencyTypeInconsistentTablesOnly = 4
	ConsistencyTypeNone                   = 5
)

// Completion modes of CompleteMigrateJob.
const (
	CompleteModeWaitForSync = "waitForSync"
	CompleteModeImmediately = "immediately"
)

// TimeLayout is the layout of every time the API sends or accepts, in UTC+8.
const TimeLayout = "2006-01-02 15:04:05"

// ZeroTime is how the API writes a time that is not set.
const ZeroTime = "0000-00-00 00:00:00"

// apiLocation is the vendor's local time zone, in which all API times are written.
var apiLocation = time.FixedZone("UTC+8", 8*60*60)

// ParseTime parses an API time. "" and ZeroTime give the zero time.Time.
func ParseTime(s string) (time.Time, error) {
	if s == "" || s == ZeroTime {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(TimeLayout, s, apiLocation)
	if err != nil {
		return time.Time{}, fmt.Errorf("parsing DTS time %q: %w", s, err)
	}
	return t, nil
}

// FormatTime writes t as the API expects it, in UTC+8; the zero time becomes ZeroTime.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ZeroTime
	}
	return t.In(apiLocation).Format(TimeLayout)
}
