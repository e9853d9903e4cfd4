package dtsapi

// The wire models mirror the API's own spelling (JobId, Ip, ...) so that the JSON and v1 names
// come straight from the field tags. Every field is a pointer: nil means "not sent", which the API
// treats differently from an explicit zero or empty string.

// String returns a pointer to v.
func String(v string) *string { return &v }

// Int64 returns a pointer to v.
func Int64(v int64) *int64 { return &v }

// StringValue returns the string p points to, or "" when p is nil.
func StringValue(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Int64Value returns the integer p points to, or 0 when p is nil.
func Int64Value(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// MigrateOption holds the migration task's configuration options.
type MigrateOption struct {
	// RunMode is 1 to run at once, 2 to run at ExpectTime.
	RunMode *int64 `json:"RunMode,omitempty" name:"RunMode"`
	// ExpectTime is the planned start, "yyyy-mm-dd hh:mm:ss" in UTC+8, required iff RunMode is 2.
	ExpectTime *string `json:"ExpectTime,omitempty" name:"ExpectTime"`
	// MigrateType is 1 structure, 2 full, 3 full plus incremental.
	MigrateType *int64 `json:"MigrateType,omitempty" name:"MigrateType"`
	// MigrateObject is 1 for the whole instance, 2 for the databases and tables in DatabaseInfo.
	MigrateObject *int64 `json:"MigrateObject,omitempty" name:"MigrateObject"`
	// ConsistencyType is 1 not configured, 2 full, 3 sampling, 4 only inconsistent tables, 5 none.
	ConsistencyType *int64 `json:"ConsistencyType,omitempty" name:"ConsistencyType"`
	// IsOverrideRoot is 1 to overwrite the destination's root account, else 0.
	IsOverrideRoot *int64 `json:"IsOverrideRoot,omitempty" name:"IsOverrideRoot"`
	// ExternParams is a JSON string of engine-specific parameters (Redis, MongoDB).
	ExternParams *string `json:"ExternParams,omitempty" name:"ExternParams"`
	// ConsistencyParams is required iff ConsistencyType is 3.
	ConsistencyParams *ConsistencyParams `json:"ConsistencyParams,omitempty" name:"ConsistencyParams"`
}

// ConsistencyParams configures a sampling consistency check; each value is a percentage 1..100.
type ConsistencyParams struct {
	SelectRowsPerTable *int64 `json:"SelectRowsPerTable,omitempty" name:"SelectRowsPerTable"`
	TablesSelectAll    *int64 `json:"TablesSelectAll,omitempty" name:"TablesSelectAll"`
	TablesSelectCount  *int64 `json:"TablesSelectCount,omitempty" name:"TablesSelectCount"`
}

// SrcInfo describes the source instance; which fields apply depends on SrcAccessType.
type SrcInfo struct {
	AccessKey     *string `json:"AccessKey,omitempty" name:"AccessKey"`
	Ip            *string `json:"Ip,omitempty" name:"Ip"`
	Port          *int64  `json:"Port,omitempty" name:"Port"`
	User          *string `json:"User,omitempty" name:"User"`
	Password      *string `json:"Password,omitempty" name:"Password"`
	RdsInstanceId *string `json:"RdsInstanceId,omitempty" name:"RdsInstanceId"`
	CvmInstanceId *string `json:"CvmInstanceId,omitempty" name:"CvmInstanceId"`
	UniqDcgId     *string `json:"UniqDcgId,omitempty" name:"UniqDcgId"`
	VpcId         *string `json:"VpcId,omitempty" name:"VpcId"`
	SubnetId      *string `json:"SubnetId,omitempty" name:"SubnetId"`
	UniqVpnGwId   *string `json:"UniqVpnGwId,omitempty" name:"UniqVpnGwId"`
	InstanceId    *string `json:"InstanceId,omitempty" name:"InstanceId"`
	Region        *string `json:"Region,omitempty" name:"Region"`
	Supplier      *string `json:"Supplier,omitempty" name:"Supplier"`
	CcnId         *string `json:"CcnId,omitempty" name:"CcnId"`
	EngineVersion *string `json:"EngineVersion,omitempty" name:"EngineVersion"`
}

// DstInfo describes the destination instance.
type DstInfo struct {
	InstanceId *string `json:"InstanceId,omitempty" name:"InstanceId"`
	Ip         *string `json:"Ip,omitempty" name:"Ip"`
	Port       *int64  `json:"Port,omitempty" name:"Port"`
	Region     *string `json:"Region,omitempty" name:"Region"`
	ReadOnly   *int64  `json:"ReadOnly,omitempty" name:"ReadOnly"`
	User       *string `json:"User,omitempty" name:"User"`
	Password   *string `json:"Password,omitempty" name:"Password"`
}

// TagItem is one tag of a job.
type TagItem struct {
	TagKey   *string `json:"TagKey,omitempty" name:"TagKey"`
	TagValue *string `json:"TagValue,omitempty" name:"TagValue"`
}

// TagFilter selects jobs that carry TagKey with any of TagValue (an empty list means any value).
type TagFilter struct {
	TagKey   *string   `json:"TagKey,omitempty" name:"TagKey"`
	TagValue []*string `json:"TagValue,omitempty" name:"TagValue"`
}

// MigrateJobInfo is one job as DescribeMigrateJobs lists it. Secrets come back empty.
type MigrateJobInfo struct {
	JobId           *string            `json:"JobId,omitempty" name:"JobId"`
	JobName         *string            `json:"JobName,omitempty" name:"JobName"`
	MigrateOption   *MigrateOption     `json:"MigrateOption,omitempty" name:"MigrateOption"`
	SrcDatabaseType *string            `json:"SrcDatabaseType,omitempty" name:"SrcDatabaseType"`
	SrcAccessType   *string            `json:"SrcAccessType,omitempty" name:"SrcAccessType"`
	SrcInfo         *SrcInfo           `json:"SrcInfo,omitempty" name:"SrcInfo"`
	DstDatabaseType *string            `json:"DstDatabaseType,omitempty" name:"DstDatabaseType"`
	DstAccessType   *string            `json:"DstAccessType,omitempty" name:"DstAccessType"`
	DstInfo         *DstInfo           `json:"DstInfo,omitempty" name:"DstInfo"`
	DatabaseInfo    *string            `json:"DatabaseInfo,omitempty" name:"DatabaseInfo"`
	CreateTime      *string            `json:"CreateTime,omitempty" name:"CreateTime"`
	StartTime       *string            `json:"StartTime,omitempty" name:"StartTime"`
	EndTime         *string            `json:"EndTime,omitempty" name:"EndTime"`
	Status          *int64             `json:"Status,omitempty" name:"Status"`
	Detail          *MigrateDetailInfo `json:"Detail,omitempty" name:"Detail"`
	ErrorInfo       []*ErrorInfo       `json:"ErrorInfo,omitempty" name:"ErrorInfo"`
	Tags            []*TagItem         `json:"Tags,omitempty" name:"Tags"`
}

// MigrateDetailInfo reports a job's progress.
type MigrateDetailInfo struct {
	StepAll *int64 `json:"StepAll,omitempty" name:"StepAll"`
	StepNow *int64 `json:"StepNow,omitempty" name:"StepNow"`
	// Progress is the overall progress in percent, as a string ("30" = 30%).
	Progress            *string `json:"Progress,omitempty" name:"Progress"`
	CurrentStepProgress *string `json:"CurrentStepProgress,omitempty" name:"CurrentStepProgress"`
	// MasterSlaveDistance is the incremental lag in MB.
	MasterSlaveDistance *int64 `json:"MasterSlaveDistance,omitempty" name:"MasterSlaveDistance"`
	// SecondsBehindMaster is the incremental lag in seconds.
	SecondsBehindMaster *int64                   `json:"SecondsBehindMaster,omitempty" name:"SecondsBehindMaster"`
	StepInfo            []*MigrateStepDetailInfo `json:"StepInfo,omitempty" name:"StepInfo"`
}

// MigrateStepDetailInfo is one step of a migration.
type MigrateStepDetailInfo struct {
	StepNo   *int64  `json:"StepNo,omitempty" name:"StepNo"`
	StepName *string `json:"StepName,omitempty" name:"StepName"`
	StepId   *string `json:"StepId,omitempty" name:"StepId"`
	// Status is one of the StepStatus constants.
	Status    *int64  `json:"Status,omitempty" name:"Status"`
	StartTime *string `json:"StartTime,omitempty" name:"StartTime"`
}

// ErrorInfo is one error a job reports, with a link to help.
type ErrorInfo struct {
	ErrorLog *string `json:"ErrorLog,omitempty" name:"ErrorLog"`
	HelpDoc  *string `json:"HelpDoc,omitempty" name:"HelpDoc"`
}

// MigrateCheckResult is the answer of DescribeMigrateCheckJob.
type MigrateCheckResult struct {
	// Status is one of the CheckStatus constants.
	Status       *string `json:"Status,omitempty" name:"Status"`
	ErrorCode    *int64  `json:"ErrorCode,omitempty" name:"ErrorCode"`
	ErrorMessage *string `json:"ErrorMessage,omitempty" name:"ErrorMessage"`
	// Progress is the check's progress in percent, as a string.
	Progress *string `json:"Progress,omitempty" name:"Progress"`
	// CheckFlag is one of the CheckFlag constants.
	CheckFlag *int64 `json:"CheckFlag,omitempty" name:"CheckFlag"`
}
