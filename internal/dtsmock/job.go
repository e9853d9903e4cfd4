package dtsmock

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Job status codes.
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

// Check flags of DescribeMigrateCheckJob.
const (
	CheckFlagFailed     = 0
	CheckFlagPassed     = 1
	CheckFlagNotChecked = 3
)

const (
	timeLayout = "2006-01-02 15:04:05"
	zeroTime   = "0000-00-00 00:00:00"
)

// vendorZone is the vendor's local time (UTC+8), used for every time on the wire.
var vendorZone = time.FixedZone("UTC+8", 8*3600)

func formatTime(t time.Time) string {
	if t.IsZero() {
		return zeroTime
	}
	return t.In(vendorZone).Format(timeLayout)
}

// ErrorInfo is one entry of a job's error log.
type ErrorInfo struct {
	ErrorLog string
	HelpDoc  string
}

// Job is a stored migration job. Secrets are included: it is for test inspection.
type Job struct {
	JobID, JobName                                                       string
	Status                                                               int
	MigrateType, RunMode, MigrateObject, ConsistencyType, IsOverrideRoot int
	ExpectTime                                                           time.Time
	ExternParams                                                         string
	SelectRowsPerTable, TablesSelectAll, TablesSelectCount               int

	SrcDatabaseType, SrcAccessType, DstDatabaseType, DstAccessType string

	SrcIP                                                      string
	SrcPort                                                    int
	SrcUser, SrcPassword, SrcAccessKey                         string
	SrcRdsInstanceID, SrcCvmInstanceID, SrcUniqDcgID, SrcVpcID string
	SrcSubnetID, SrcUniqVpnGwID, SrcInstanceID, SrcRegion      string
	SrcSupplier, SrcCcnID, SrcEngineVersion                    string
	DstInstanceID, DstRegion, DstUser, DstPassword, DstIP      string
	DstPort, DstReadOnly                                       int
	DatabaseInfo                                               string
	Tags                                                       map[string]string
	CreateTime, StartTime, EndTime                             time.Time
	CheckFlag                                                  int
	ErrorInfo                                                  []ErrorInfo
}

// jobState is a job plus the timestamps its status is derived from.
type jobState struct {
	Job
	Seq   int64
	Since time.Time // when the job entered Job.Status

	CheckStart   time.Time
	CheckRan     bool   // a check result exists (running or finished) and is still valid
	CheckFail    bool   // the running check will fail
	CheckMessage string // the failing check's ErrorMessage

	RunStart  time.Time // when the migration entered Running
	RunFrozen time.Time // when the migration stopped progressing (stop or failure)
	FailStep  int       // the step at which the migration fails, 0 for none
	Stopped   bool

	live *liveRun // the live check or migration (live mode), not stored
}

func (j *jobState) clone() *jobState {
	c := *j
	c.Tags = cloneTags(j.Tags)
	c.ErrorInfo = append([]ErrorInfo(nil), j.ErrorInfo...)
	return &c
}

func cloneTags(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (j *jobState) publicCopy() Job {
	return j.clone().Job
}

// migrationSteps names the steps of a migration; the last step of a full + incremental
// migration (incremental sync) is not timed: it lasts until the job is completed.
func migrationSteps(migrateType int) []string {
	switch migrateType {
	case 1:
		return []string{"Initialize migration", "Export source structure", "Import structure into target", "Finish migration"}
	case 2:
		return []string{"Initialize migration", "Export full data", "Import full data", "Verify data", "Finish migration"}
	}
	return []string{"Initialize migration", "Export full data", "Import full data", "Sync incremental data"}
}

func timedSteps(migrateType int) int {
	n := len(migrationSteps(migrateType))
	if migrateType == 3 {
		n--
	}
	return n
}

// phases holds the duration of each phase.
type phases [phaseCount]time.Duration

func (p phases) stepDuration(migrateType int) time.Duration {
	return p[PhaseMigrating] / time.Duration(timedSteps(migrateType))
}

func (p phases) failAt(j *jobState) time.Time {
	sd := p.stepDuration(j.MigrateType)
	return j.RunStart.Add(time.Duration(j.FailStep-1)*sd + sd/2)
}

func (p phases) readyUntil(j *jobState) time.Time {
	t := j.Since.Add(p[PhaseReadyRun])
	if j.RunMode == 2 && j.ExpectTime.After(t) {
		t = j.ExpectTime
	}
	return t
}

// next returns the status that j moves to on its own and when, or false when it stays.
func (p phases) next(j *jobState) (int, time.Time, bool) {
	if j.live.drives(j) {
		return 0, time.Time{}, false
	}
	switch j.Status {
	case StatusCreating:
		return StatusCreated, j.Since.Add(p[PhaseCreating]), true
	case StatusChecking:
		at := j.CheckStart.Add(p[PhaseChecking])
		if j.CheckFail {
			return StatusCheckNotPass, at, true
		}
		return StatusCheckPass, at, true
	case StatusReadyRun:
		return StatusRunning, p.readyUntil(j), true
	case StatusRunning:
		if j.FailStep > 0 {
			return StatusFailed, p.failAt(j), true
		}
		at := j.RunStart.Add(p[PhaseMigrating])
		if j.MigrateType == 3 {
			return StatusReadyComplete, at, true
		}
		return StatusSuccess, at, true
	case StatusStopping:
		return StatusFailed, j.Since.Add(p[PhaseStopping]), true
	case StatusCompleting:
		return StatusSuccess, j.Since.Add(p[PhaseCompleting]), true
	}
	return 0, time.Time{}, false
}

// settle moves j through every transition due by now.
func (p phases) settle(j *jobState, now time.Time) {
	for i := 0; i < 16; i++ {
		st, at, ok := p.next(j)
		if !ok || now.Before(at) {
			return
		}
		p.enter(j, st, at)
	}
}

// enter puts j into status st at time at, with the side effects of that transition.
func (p phases) enter(j *jobState, st int, at time.Time) {
	prev := j.Status
	j.Status, j.Since = st, at
	switch st {
	case StatusCreated:
		j.CheckFlag = CheckFlagNotChecked
	case StatusChecking:
		j.CheckStart, j.CheckRan, j.CheckFlag = at, true, CheckFlagNotChecked
		j.ErrorInfo = nil
	case StatusCheckPass:
		j.CheckFlag, j.CheckRan, j.CheckFail = CheckFlagPassed, true, false
	case StatusCheckNotPass:
		j.CheckFlag, j.CheckRan, j.CheckFail = CheckFlagFailed, true, true
		if j.CheckMessage == "" {
			j.CheckMessage = "The check failed."
		}
		j.ErrorInfo = []ErrorInfo{{ErrorLog: j.CheckMessage, HelpDoc: "Correct the source or target configuration with ModifyMigrateJob, then run the check again."}}
	case StatusRunning:
		j.RunStart, j.StartTime, j.RunFrozen, j.Stopped = at, at, time.Time{}, false
		j.EndTime = time.Time{}
	case StatusStopping:
		j.Stopped = true
		if j.RunFrozen.IsZero() {
			j.RunFrozen = at
		}
	case StatusSuccess:
		j.EndTime = at
	case StatusFailed:
		j.EndTime = at
		if j.RunFrozen.IsZero() {
			j.RunFrozen = at
		}
		switch {
		case prev == StatusRunning && j.FailStep > 0:
			j.ErrorInfo = append(j.ErrorInfo, ErrorInfo{
				ErrorLog: fmt.Sprintf("Step %d (%s) failed: the connection to the source database %s:%d was lost while transferring data.", j.FailStep, stepName(j.MigrateType, j.FailStep), j.SrcIP, j.SrcPort),
				HelpDoc:  "Check the network between the source database and the migration service, then modify and restart the job.",
			})
		case j.Stopped:
			j.ErrorInfo = append(j.ErrorInfo, ErrorInfo{ErrorLog: "The task was canceled by the user.", HelpDoc: "A canceled task ends as failed; modify and check it again to rerun it."})
		}
	}
}

func stepName(migrateType, step int) string {
	steps := migrationSteps(migrateType)
	if step >= 1 && step <= len(steps) {
		return steps[step-1]
	}
	return "unknown"
}

// checkView is the answer of DescribeMigrateCheckJob.
type checkView struct {
	Status       string
	Progress     string
	ErrorCode    int
	ErrorMessage string
	CheckFlag    int
}

func (p phases) check(j *jobState, now time.Time) checkView {
	if !j.CheckRan {
		return checkView{Status: "unavailable", Progress: "0", CheckFlag: CheckFlagNotChecked}
	}
	if j.Status == StatusChecking && j.live != nil {
		return j.live.checkView()
	}
	if j.Status == StatusChecking {
		d := p[PhaseChecking]
		el := now.Sub(j.CheckStart)
		if el < d/10 || d <= 0 {
			return checkView{Status: "starting", Progress: "0", CheckFlag: CheckFlagNotChecked}
		}
		pr := 1 + int(float64(el-d/10)/float64(d-d/10)*98)
		pr = max(1, min(99, pr))
		return checkView{Status: "running", Progress: strconv.Itoa(pr), CheckFlag: CheckFlagNotChecked}
	}
	if j.CheckFlag == CheckFlagFailed {
		return checkView{Status: "finished", Progress: "100", ErrorCode: -1, ErrorMessage: j.CheckMessage, CheckFlag: CheckFlagFailed}
	}
	return checkView{Status: "finished", Progress: "100", ErrorMessage: "ok", CheckFlag: CheckFlagPassed}
}

// wire types of DescribeMigrateJobs.
type (
	wireConsistencyParams struct {
		SelectRowsPerTable int
		TablesSelectAll    int
		TablesSelectCount  int
	}
	wireMigrateOption struct {
		RunMode           int
		ExpectTime        string
		MigrateType       int
		MigrateObject     int
		ConsistencyType   int
		IsOverrideRoot    int
		ExternParams      string
		ConsistencyParams wireConsistencyParams
	}
	wireSrcInfo struct {
		AccessKey     string
		Ip            string //nolint:revive // The wire name is fixed by the API.
		Port          int
		User          string
		Password      string
		RdsInstanceId string //nolint:revive // The wire name is fixed by the API.
		CvmInstanceId string //nolint:revive // The wire name is fixed by the API.
		UniqDcgId     string //nolint:revive // The wire name is fixed by the API.
		VpcId         string //nolint:revive // The wire name is fixed by the API.
		SubnetId      string //nolint:revive // The wire name is fixed by the API.
		UniqVpnGwId   string //nolint:revive // The wire name is fixed by the API.
		InstanceId    string //nolint:revive // The wire name is fixed by the API.
		Region        string
		Supplier      string
		CcnId         string //nolint:revive // The wire name is fixed by the API.
		EngineVersion string
	}
	wireDstInfo struct {
		InstanceId string //nolint:revive // The wire name is fixed by the API.
		Ip         string //nolint:revive // The wire name is fixed by the API.
		Port       int
		Region     string
		ReadOnly   int
		User       string
		Password   string
	}
	wireStep struct {
		StepNo    int
		StepName  string
		StepId    string //nolint:revive // The wire name is fixed by the API.
		Status    int
		StartTime string
	}
	wireDetail struct {
		StepAll             int
		StepNow             int
		Progress            string
		CurrentStepProgress string
		MasterSlaveDistance int
		SecondsBehindMaster int
		StepInfo            []wireStep
	}
	wireTag struct {
		TagKey   string
		TagValue string
	}
	wireJob struct {
		JobId           string //nolint:revive // The wire name is fixed by the API.
		JobName         string
		MigrateOption   wireMigrateOption
		SrcDatabaseType string
		SrcAccessType   string
		SrcInfo         wireSrcInfo
		DstDatabaseType string
		DstAccessType   string
		DstInfo         wireDstInfo
		DatabaseInfo    string
		CreateTime      string
		StartTime       string
		EndTime         string
		Status          int
		Detail          wireDetail
		ErrorInfo       []ErrorInfo
		Tags            []wireTag
	}
)

// detail computes the migration progress of j at now.
func (p phases) detail(j *jobState, now time.Time) wireDetail {
	if j.live != nil && j.live.migrate {
		return j.live.detail(j)
	}
	d := wireDetail{Progress: "0", CurrentStepProgress: "0", StepInfo: []wireStep{}}
	if j.RunStart.IsZero() {
		return d
	}
	names := migrationSteps(j.MigrateType)
	timed := timedSteps(j.MigrateType)
	sd := p.stepDuration(j.MigrateType)
	d.StepAll = len(names)
	end := now
	if !j.RunFrozen.IsZero() && j.RunFrozen.Before(end) {
		end = j.RunFrozen
	}
	el := end.Sub(j.RunStart)
	done := j.Status == StatusReadyComplete || j.Status == StatusCompleting || j.Status == StatusSuccess
	cur, frac := timed, 1.0
	if !done {
		if sd > 0 {
			cur = int(el/sd) + 1
			frac = float64(el-time.Duration(cur-1)*sd) / float64(sd)
		}
		if cur > timed {
			cur, frac = timed, 0.99
		}
		frac = max(0, min(0.99, frac))
	}
	for i, name := range names {
		no := i + 1
		st := wireStep{StepNo: no, StepName: name, StepId: fmt.Sprintf("step-%d", no), Status: 4, StartTime: zeroTime}
		start := j.RunStart.Add(time.Duration(i) * sd)
		switch {
		case done && no <= timed:
			st.Status, st.StartTime = 1, formatTime(start)
		case done:
			st.Status, st.StartTime = 3, formatTime(start)
			if j.Status == StatusSuccess {
				st.Status = 1
			}
		case no < cur:
			st.Status, st.StartTime = 1, formatTime(start)
		case no == cur:
			st.Status, st.StartTime = 3, formatTime(start)
			if j.Status == StatusFailed {
				st.Status = 2
			}
		}
		d.StepInfo = append(d.StepInfo, st)
	}
	if done {
		d.StepNow = len(names)
		d.Progress, d.CurrentStepProgress = "100", "100"
		if j.Status != StatusSuccess {
			// Incremental sync: the lag moves with time but stays small.
			s := now.Unix()
			d.SecondsBehindMaster = int(s % 3)
			d.MasterSlaveDistance = int((s / 2) % 4)
			if j.Status == StatusReadyComplete {
				d.Progress = "99"
			}
		}
		return d
	}
	d.StepNow = cur
	d.CurrentStepProgress = strconv.Itoa(int(frac * 100))
	d.Progress = strconv.Itoa(int((float64(cur-1) + frac) / float64(len(names)) * 100))
	return d
}

func orEmptyArray(s string) string {
	if s == "" {
		return "[]"
	}
	return s
}

// wire renders j for DescribeMigrateJobs, without secrets.
func (p phases) wire(j *jobState, now time.Time) wireJob {
	w := wireJob{
		JobId:   j.JobID,
		JobName: j.JobName,
		MigrateOption: wireMigrateOption{
			RunMode: j.RunMode, ExpectTime: formatTime(j.ExpectTime), MigrateType: j.MigrateType,
			MigrateObject: j.MigrateObject, ConsistencyType: j.ConsistencyType,
			IsOverrideRoot: j.IsOverrideRoot, ExternParams: j.ExternParams,
			ConsistencyParams: wireConsistencyParams{j.SelectRowsPerTable, j.TablesSelectAll, j.TablesSelectCount},
		},
		SrcDatabaseType: j.SrcDatabaseType, SrcAccessType: j.SrcAccessType,
		SrcInfo: wireSrcInfo{
			Ip: j.SrcIP, Port: j.SrcPort, User: j.SrcUser, RdsInstanceId: j.SrcRdsInstanceID,
			CvmInstanceId: j.SrcCvmInstanceID, UniqDcgId: j.SrcUniqDcgID, VpcId: j.SrcVpcID,
			SubnetId: j.SrcSubnetID, UniqVpnGwId: j.SrcUniqVpnGwID, InstanceId: j.SrcInstanceID,
			Region: j.SrcRegion, Supplier: j.SrcSupplier, CcnId: j.SrcCcnID, EngineVersion: j.SrcEngineVersion,
		},
		DstDatabaseType: j.DstDatabaseType, DstAccessType: j.DstAccessType,
		DstInfo: wireDstInfo{
			InstanceId: j.DstInstanceID, Ip: j.DstIP, Port: j.DstPort, Region: j.DstRegion,
			ReadOnly: j.DstReadOnly, User: j.DstUser,
		},
		DatabaseInfo: orEmptyArray(j.DatabaseInfo),
		CreateTime:   formatTime(j.CreateTime),
		StartTime:    formatTime(j.StartTime),
		EndTime:      formatTime(j.EndTime),
		Status:       j.Status,
		Detail:       p.detail(j, now),
		ErrorInfo:    append([]ErrorInfo{}, j.ErrorInfo...),
		Tags:         []wireTag{},
	}
	keys := make([]string, 0, len(j.Tags))
	for k := range j.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.Tags = append(w.Tags, wireTag{TagKey: k, TagValue: j.Tags[k]})
	}
	return w
}
