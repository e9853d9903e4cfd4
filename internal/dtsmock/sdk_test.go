package dtsmock

import (
	"errors"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// The SDK's NewCommonRequest drops parameters under v1 signatures, so the tests use request
// structs tagged for both JSON (TC3 POST) and flattening (v1 and TC3 GET). They hold only the
// fields the tests send, written here rather than taken from internal/dtsapi so that the SDK
// checks the emulator independently of our client; the full parameter lists are the emulator's
// schemas in decode.go.
type (
	sdkConsistencyParams struct {
		SelectRowsPerTable *int64 `json:"SelectRowsPerTable,omitempty" name:"SelectRowsPerTable"`
		TablesSelectAll    *int64 `json:"TablesSelectAll,omitempty" name:"TablesSelectAll"`
		TablesSelectCount  *int64 `json:"TablesSelectCount,omitempty" name:"TablesSelectCount"`
	}
	sdkMigrateOption struct {
		RunMode           *int64                `json:"RunMode,omitempty" name:"RunMode"`
		ExpectTime        *string               `json:"ExpectTime,omitempty" name:"ExpectTime"`
		MigrateType       *int64                `json:"MigrateType,omitempty" name:"MigrateType"`
		MigrateObject     *int64                `json:"MigrateObject,omitempty" name:"MigrateObject"`
		ConsistencyType   *int64                `json:"ConsistencyType,omitempty" name:"ConsistencyType"`
		ConsistencyParams *sdkConsistencyParams `json:"ConsistencyParams,omitempty" name:"ConsistencyParams"`
	}
	sdkSrcInfo struct {
		Ip        *string `json:"Ip,omitempty" name:"Ip"` //nolint:revive // Wire name.
		Port      *int64  `json:"Port,omitempty" name:"Port"`
		User      *string `json:"User,omitempty" name:"User"`
		Password  *string `json:"Password,omitempty" name:"Password"`
		AccessKey *string `json:"AccessKey,omitempty" name:"AccessKey"`
		Region    *string `json:"Region,omitempty" name:"Region"`
	}
	sdkDstInfo struct {
		InstanceId *string `json:"InstanceId,omitempty" name:"InstanceId"` //nolint:revive // Wire name.
		Region     *string `json:"Region,omitempty" name:"Region"`
		ReadOnly   *int64  `json:"ReadOnly,omitempty" name:"ReadOnly"`
		Password   *string `json:"Password,omitempty" name:"Password"`
	}
	sdkTag struct {
		TagKey   *string `json:"TagKey,omitempty" name:"TagKey"`
		TagValue *string `json:"TagValue,omitempty" name:"TagValue"`
	}
	sdkTagFilter struct {
		TagKey   *string   `json:"TagKey,omitempty" name:"TagKey"`
		TagValue []*string `json:"TagValue,omitempty" name:"TagValue"`
	}
	sdkRequest struct {
		*tchttp.BaseRequest
		JobId           *string           `json:"JobId,omitempty" name:"JobId"` //nolint:revive // Wire name.
		JobName         *string           `json:"JobName,omitempty" name:"JobName"`
		MigrateOption   *sdkMigrateOption `json:"MigrateOption,omitempty" name:"MigrateOption"`
		SrcDatabaseType *string           `json:"SrcDatabaseType,omitempty" name:"SrcDatabaseType"`
		SrcAccessType   *string           `json:"SrcAccessType,omitempty" name:"SrcAccessType"`
		SrcInfo         *sdkSrcInfo       `json:"SrcInfo,omitempty" name:"SrcInfo"`
		DstDatabaseType *string           `json:"DstDatabaseType,omitempty" name:"DstDatabaseType"`
		DstAccessType   *string           `json:"DstAccessType,omitempty" name:"DstAccessType"`
		DstInfo         *sdkDstInfo       `json:"DstInfo,omitempty" name:"DstInfo"`
		DatabaseInfo    *string           `json:"DatabaseInfo,omitempty" name:"DatabaseInfo"`
		Tags            []*sdkTag         `json:"Tags,omitempty" name:"Tags"`
		CompleteMode    *string           `json:"CompleteMode,omitempty" name:"CompleteMode"`
		Order           *string           `json:"Order,omitempty" name:"Order"`
		OrderSeq        *string           `json:"OrderSeq,omitempty" name:"OrderSeq"`
		Offset          *int64            `json:"Offset,omitempty" name:"Offset"`
		Limit           *int64            `json:"Limit,omitempty" name:"Limit"`
		TagFilters      []*sdkTagFilter   `json:"TagFilters,omitempty" name:"TagFilters"`
	}
	sdkStep struct {
		StepNo    *int64
		StepName  *string
		Status    *int64
		StartTime *string
	}
	sdkJob struct {
		JobId         *string //nolint:revive // Wire name.
		JobName       *string
		Status        *int64
		CreateTime    *string
		StartTime     *string
		EndTime       *string
		DatabaseInfo  *string
		MigrateOption *struct {
			RunMode           *int64
			MigrateType       *int64
			MigrateObject     *int64
			ConsistencyType   *int64
			ExpectTime        *string
			ConsistencyParams *struct{ SelectRowsPerTable *int64 }
		}
		SrcInfo *struct {
			Ip        *string //nolint:revive // Wire name.
			Port      *int64
			Password  *string
			AccessKey *string
		}
		DstInfo *struct {
			InstanceId *string //nolint:revive // Wire name.
			Region     *string
			Password   *string
		}
		Detail *struct {
			StepAll             *int64
			StepNow             *int64
			Progress            *string
			SecondsBehindMaster *int64
			MasterSlaveDistance *int64
			StepInfo            []*sdkStep
		}
		Tags []*struct {
			TagKey   *string
			TagValue *string
		}
	}
	sdkResponse struct {
		*tchttp.BaseResponse
		Response *struct {
			JobId        *string //nolint:revive // Wire name.
			TotalCount   *int64
			JobList      []*sdkJob
			Status       *string
			ErrorCode    *int64
			ErrorMessage *string
			Progress     *string
			CheckFlag    *int64
			RequestId    *string //nolint:revive // Wire name.
		} `json:"Response"`
	}
)

func sp(s string) *string { return &s }
func ip(i int64) *int64   { return &i }

type sdkDriver struct {
	t      *testing.T
	client *common.Client
}

func newSDKDriver(t *testing.T, endpoint, method, sign string) *sdkDriver {
	cred := common.NewCredential(DefaultSecretID, DefaultSecretKey)
	prof := profile.NewClientProfile()
	prof.HttpProfile.Scheme = "HTTP"
	prof.HttpProfile.Endpoint = endpoint
	prof.HttpProfile.ReqMethod = method
	prof.HttpProfile.ReqTimeout = 10
	prof.SignMethod = sign
	prof.NetworkFailureMaxRetries = 0
	prof.RateLimitExceededMaxRetries = 0
	prof.DisableRegionBreaker = true
	return &sdkDriver{t: t, client: common.NewCommonClient(cred, "ap-guangzhou", prof)}
}

func (d *sdkDriver) send(action string, fill func(r *sdkRequest)) (*sdkResponse, error) {
	req := &sdkRequest{BaseRequest: &tchttp.BaseRequest{}}
	req.Init().WithApiInfo("dts", apiVersion, action)
	if fill != nil {
		fill(req)
	}
	resp := &sdkResponse{BaseResponse: &tchttp.BaseResponse{}}
	err := d.client.Send(req, resp)
	return resp, err
}

func (d *sdkDriver) ok(action string, fill func(r *sdkRequest)) *sdkResponse {
	d.t.Helper()
	resp, err := d.send(action, fill)
	if err != nil {
		d.t.Fatalf("%s: %v", action, err)
	}
	if resp.Response == nil || resp.Response.RequestId == nil || *resp.Response.RequestId == "" {
		d.t.Fatalf("%s: no RequestId", action)
	}
	return resp
}

func (d *sdkDriver) job(id string) *sdkJob {
	d.t.Helper()
	r := d.ok("DescribeMigrateJobs", func(r *sdkRequest) { r.JobId = sp(id) })
	if *r.Response.TotalCount != 1 || len(r.Response.JobList) != 1 {
		d.t.Fatalf("job %s: TotalCount %d", id, *r.Response.TotalCount)
	}
	return r.Response.JobList[0]
}

func (d *sdkDriver) wantStatus(id string, want int64) *sdkJob {
	d.t.Helper()
	j := d.job(id)
	if *j.Status != want {
		d.t.Fatalf("job %s: status %d, want %d", id, *j.Status, want)
	}
	return j
}

// TestSDKAllActions drives the nine actions with the official Go SDK through every signature
// method and HTTP method.
func TestSDKAllActions(t *testing.T) {
	combos := []struct{ method, sign string }{
		{"POST", "TC3-HMAC-SHA256"}, {"GET", "TC3-HMAC-SHA256"},
		{"POST", "HmacSHA256"}, {"GET", "HmacSHA256"},
		{"POST", "HmacSHA1"}, {"GET", "HmacSHA1"},
	}
	for _, combo := range combos {
		t.Run(combo.method+"_"+combo.sign, func(t *testing.T) {
			t.Parallel()
			clock := NewManualClock(time.Now())
			ts := StartTest(t, WithClock(clock), WithPhase(2*time.Second), WithSeed(1))
			d := newSDKDriver(t, ts.Endpoint, combo.method, combo.sign)
			runSDKScenario(t, d, clock, ts)
			for _, e := range ts.Journal() {
				if e.SignMethod != combo.sign || e.HTTPMethod != combo.method {
					t.Fatalf("journal entry %+v, want %s %s", e, combo.sign, combo.method)
				}
			}
		})
	}
}

func runSDKScenario(t *testing.T, d *sdkDriver, clock *ManualClock, ts *TestServer) {
	create := d.ok("CreateMigrateJob", func(r *sdkRequest) {
		r.JobName = sp("sdk job")
		r.MigrateOption = &sdkMigrateOption{
			RunMode: ip(1), MigrateType: ip(3), MigrateObject: ip(2), ConsistencyType: ip(3),
			ConsistencyParams: &sdkConsistencyParams{SelectRowsPerTable: ip(10), TablesSelectAll: ip(20), TablesSelectCount: ip(30)},
		}
		r.SrcDatabaseType, r.SrcAccessType = sp("mysql"), sp("extranet")
		r.SrcInfo = &sdkSrcInfo{Ip: sp("10.1.2.3"), Port: ip(3306), User: sp("root"), Password: sp("p@ss word&=1"), AccessKey: sp("ak/+=secret"), Region: sp("ap-guangzhou")}
		r.DstDatabaseType, r.DstAccessType = sp("mysql"), sp("cdb")
		r.DstInfo = &sdkDstInfo{InstanceId: sp("cdb-12345678"), Region: sp("ap-shanghai"), Password: sp("dst pass")}
		r.DatabaseInfo = sp(`[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2"}]`)
		r.Tags = []*sdkTag{{TagKey: sp("env"), TagValue: sp("prod ü")}, {TagKey: sp("team"), TagValue: sp("")}}
	})
	id := *create.Response.JobId
	if !validJobID(id) {
		t.Fatalf("JobId %q", id)
	}
	stored, ok := ts.Job(id)
	if !ok || stored.SrcPassword != "p@ss word&=1" || stored.SrcAccessKey != "ak/+=secret" || stored.Tags["env"] != "prod ü" || stored.SelectRowsPerTable != 10 {
		t.Fatalf("stored job %+v", stored)
	}
	j := d.wantStatus(id, StatusCreating)
	if *j.SrcInfo.Password != "" || *j.SrcInfo.AccessKey != "" || *j.DstInfo.Password != "" {
		t.Fatal("a secret was returned")
	}
	if *j.DatabaseInfo != stored.DatabaseInfo || *j.MigrateOption.ConsistencyParams.SelectRowsPerTable != 10 || len(j.Tags) != 2 {
		t.Fatalf("listed job does not echo its configuration: %+v", j)
	}
	if *j.StartTime != zeroTime || *j.EndTime != zeroTime || *j.MigrateOption.ExpectTime != zeroTime {
		t.Fatal("unset times must be 0000-00-00 00:00:00")
	}
	// A filtered listing with TagFilters and paging parameters.
	list := d.ok("DescribeMigrateJobs", func(r *sdkRequest) {
		r.JobName, r.Order, r.OrderSeq, r.Offset, r.Limit = sp("sdk"), sp("JobName"), sp("ASC"), ip(0), ip(10)
		r.TagFilters = []*sdkTagFilter{{TagKey: sp("env"), TagValue: []*string{sp("dev"), sp("prod ü")}}}
	})
	if *list.Response.TotalCount != 1 {
		t.Fatalf("filtered listing: %d", *list.Response.TotalCount)
	}

	clock.Advance(2 * time.Second)
	d.wantStatus(id, StatusCreated)
	d.ok("ModifyMigrateJob", func(r *sdkRequest) {
		r.JobId, r.JobName = sp(id), sp("sdk job renamed")
		r.DstInfo = &sdkDstInfo{InstanceId: sp("cdb-87654321"), Region: sp("ap-shanghai"), ReadOnly: ip(1)}
	})
	chk := d.ok("DescribeMigrateCheckJob", func(r *sdkRequest) { r.JobId = sp(id) })
	if *chk.Response.CheckFlag != CheckFlagNotChecked || *chk.Response.Status != "unavailable" {
		t.Fatalf("unchecked job: %+v", *chk.Response)
	}
	d.ok("CreateMigrateCheckJob", func(r *sdkRequest) { r.JobId = sp(id) })
	d.wantStatus(id, StatusChecking)
	clock.Advance(time.Second)
	chk = d.ok("DescribeMigrateCheckJob", func(r *sdkRequest) { r.JobId = sp(id) })
	if *chk.Response.Status != "running" || *chk.Response.Progress == "0" {
		t.Fatalf("running check: %+v", *chk.Response)
	}
	clock.Advance(time.Second)
	chk = d.ok("DescribeMigrateCheckJob", func(r *sdkRequest) { r.JobId = sp(id) })
	if *chk.Response.Status != "finished" || *chk.Response.CheckFlag != CheckFlagPassed || *chk.Response.Progress != "100" || *chk.Response.ErrorMessage != "ok" {
		t.Fatalf("finished check: %+v", *chk.Response)
	}
	d.wantStatus(id, StatusCheckPass)
	d.ok("StartMigrateJob", func(r *sdkRequest) { r.JobId = sp(id) })
	d.wantStatus(id, StatusReadyRun)
	clock.Advance(2 * time.Second)
	clock.Advance(time.Second)
	j = d.wantStatus(id, StatusRunning)
	if *j.Detail.StepAll != 4 || *j.Detail.StepNow < 1 || *j.StartTime == zeroTime {
		t.Fatalf("running detail: %+v", *j.Detail)
	}
	clock.Advance(time.Second)
	j = d.wantStatus(id, StatusReadyComplete)
	if *j.Detail.SecondsBehindMaster > 5 || *j.Detail.MasterSlaveDistance > 5 {
		t.Fatal("incremental lag is not small")
	}
	d.ok("CompleteMigrateJob", func(r *sdkRequest) { r.JobId, r.CompleteMode = sp(id), sp("waitForSync") })
	d.wantStatus(id, StatusCompleting)
	clock.Advance(2 * time.Second)
	j = d.wantStatus(id, StatusSuccess)
	if *j.EndTime == zeroTime {
		t.Fatal("EndTime unset after success")
	}

	// A second job is stopped, ends failed and is deleted.
	id2 := *d.ok("CreateMigrateJob", func(r *sdkRequest) {
		r.JobName = sp("second")
		r.MigrateOption = &sdkMigrateOption{RunMode: ip(2), ExpectTime: sp(clock.Now().In(vendorZone).Format(timeLayout)), MigrateType: ip(2)}
		r.SrcDatabaseType, r.SrcAccessType, r.DstDatabaseType, r.DstAccessType = sp("mysql"), sp("cvm"), sp("mysql"), sp("cdb")
		r.SrcInfo = &sdkSrcInfo{Ip: sp("10.9.9.9"), Port: ip(3306)}
		r.DstInfo = &sdkDstInfo{InstanceId: sp("cdb-22222222")}
	}).Response.JobId
	clock.Advance(2 * time.Second)
	d.ok("CreateMigrateCheckJob", func(r *sdkRequest) { r.JobId = sp(id2) })
	clock.Advance(2 * time.Second)
	d.ok("StartMigrateJob", func(r *sdkRequest) { r.JobId = sp(id2) })
	d.ok("StopMigrateJob", func(r *sdkRequest) { r.JobId = sp(id2) })
	d.wantStatus(id2, StatusStopping)
	clock.Advance(2 * time.Second)
	d.wantStatus(id2, StatusFailed)
	d.ok("DeleteMigrateJob", func(r *sdkRequest) { r.JobId = sp(id2) })
	_, err := d.send("DescribeMigrateCheckJob", func(r *sdkRequest) { r.JobId = sp(id2) })
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.GetCode() != "ResourceNotFound.JobNotExist" || sdkErr.GetRequestId() == "" {
		t.Fatalf("deleted job: %v", err)
	}
	// A business error decodes into the SDK's error type too.
	_, err = d.send("StartMigrateJob", func(r *sdkRequest) { r.JobId = sp(id) })
	if !errors.As(err, &sdkErr) || sdkErr.GetCode() != "FailedOperation.NotAllowOperation" {
		t.Fatalf("start of a finished job: %v", err)
	}
	_, err = d.send("DescribeMigrateJobs", func(r *sdkRequest) { r.Limit = ip(101) })
	if !errors.As(err, &sdkErr) || sdkErr.GetCode() != "InvalidParameterValue" {
		t.Fatalf("Limit 101: %v", err)
	}
}
