package dtsapi

import (
	"context"
	"errors"
	"fmt"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// The request types embed *tchttp.BaseRequest like the SDK's generated service packages, so the
// SDK can flatten them for v1 signatures. Callers leave BaseRequest nil: the client binds a
// fresh one for every attempt and never changes the caller's value.

// listPageSize is the largest page DescribeMigrateJobs returns.
const listPageSize = 100

// CreateMigrateJobRequest is the input of CreateMigrateJob.
type CreateMigrateJobRequest struct {
	*tchttp.BaseRequest
	JobName         *string        `json:"JobName,omitempty" name:"JobName"`
	MigrateOption   *MigrateOption `json:"MigrateOption,omitempty" name:"MigrateOption"`
	SrcDatabaseType *string        `json:"SrcDatabaseType,omitempty" name:"SrcDatabaseType"`
	SrcAccessType   *string        `json:"SrcAccessType,omitempty" name:"SrcAccessType"`
	SrcInfo         *SrcInfo       `json:"SrcInfo,omitempty" name:"SrcInfo"`
	DstDatabaseType *string        `json:"DstDatabaseType,omitempty" name:"DstDatabaseType"`
	DstAccessType   *string        `json:"DstAccessType,omitempty" name:"DstAccessType"`
	DstInfo         *DstInfo       `json:"DstInfo,omitempty" name:"DstInfo"`
	// DatabaseInfo is a JSON string, e.g. [{"Database":"db1","Table":["t1"]}].
	DatabaseInfo *string    `json:"DatabaseInfo,omitempty" name:"DatabaseInfo"`
	Tags         []*TagItem `json:"Tags,omitempty" name:"Tags"`
}

func (r *CreateMigrateJobRequest) withBase(b *tchttp.BaseRequest) tchttp.Request {
	c := *r
	c.BaseRequest = b
	return &c
}

// createMigrateJobOutput is the Response object of CreateMigrateJob.
type createMigrateJobOutput struct {
	JobId *string `json:"JobId,omitempty"`
	RequestIDOnly
}

// ModifyMigrateJobRequest is the input of ModifyMigrateJob. Each top-level field given replaces
// the stored one whole.
type ModifyMigrateJobRequest struct {
	*tchttp.BaseRequest
	JobId         *string        `json:"JobId,omitempty" name:"JobId"`
	JobName       *string        `json:"JobName,omitempty" name:"JobName"`
	MigrateOption *MigrateOption `json:"MigrateOption,omitempty" name:"MigrateOption"`
	SrcAccessType *string        `json:"SrcAccessType,omitempty" name:"SrcAccessType"`
	SrcInfo       *SrcInfo       `json:"SrcInfo,omitempty" name:"SrcInfo"`
	DstAccessType *string        `json:"DstAccessType,omitempty" name:"DstAccessType"`
	DstInfo       *DstInfo       `json:"DstInfo,omitempty" name:"DstInfo"`
	DatabaseInfo  *string        `json:"DatabaseInfo,omitempty" name:"DatabaseInfo"`
}

func (r *ModifyMigrateJobRequest) withBase(b *tchttp.BaseRequest) tchttp.Request {
	c := *r
	c.BaseRequest = b
	return &c
}

// RequestIDOnly is the Response object of ModifyMigrateJob, CreateMigrateCheckJob,
// StartMigrateJob, StopMigrateJob, CompleteMigrateJob and DeleteMigrateJob, which answer nothing
// but a request ID. The other outputs embed it for their RequestId.
type RequestIDOnly struct {
	RequestId *string `json:"RequestId,omitempty"`
}

func (r *RequestIDOnly) requestID() string { return StringValue(r.RequestId) }

// output is a pointer to an action's Response object T, which tells its request ID.
type output[T any] interface {
	*T
	requestID() string
}

// answer is the envelope of every action's output: the SDK's base parses the errors, and
// Response is the action's Response object, nil when the answer lacks it. P is *T, spelt out so
// that the envelope can read the request ID that T embeds.
type answer[T any, P output[T]] struct {
	*tchttp.BaseResponse
	Response P `json:"Response"`
}

// newAnswer returns an empty envelope for the SDK to parse an answer into.
func newAnswer[T any, P output[T]]() *answer[T, P] {
	return &answer[T, P]{BaseResponse: &tchttp.BaseResponse{}}
}

func (r *answer[T, P]) requestID() string {
	if r.Response == nil {
		return ""
	}
	return r.Response.requestID()
}

// JobIDRequest is the input of the actions that take nothing but a job ID:
// CreateMigrateCheckJob, DescribeMigrateCheckJob, StartMigrateJob, StopMigrateJob and
// DeleteMigrateJob.
type JobIDRequest struct {
	*tchttp.BaseRequest
	JobId *string `json:"JobId,omitempty" name:"JobId"`
}

func (r *JobIDRequest) withBase(b *tchttp.BaseRequest) tchttp.Request {
	c := *r
	c.BaseRequest = b
	return &c
}

// describeMigrateCheckJobOutput is the Response object of DescribeMigrateCheckJob.
type describeMigrateCheckJobOutput struct {
	MigrateCheckResult
	RequestIDOnly
}

// CompleteMigrateJobRequest is the input of CompleteMigrateJob.
type CompleteMigrateJobRequest struct {
	*tchttp.BaseRequest
	JobId *string `json:"JobId,omitempty" name:"JobId"`
	// CompleteMode is CompleteModeWaitForSync (the API's default) or CompleteModeImmediately.
	CompleteMode *string `json:"CompleteMode,omitempty" name:"CompleteMode"`
}

func (r *CompleteMigrateJobRequest) withBase(b *tchttp.BaseRequest) tchttp.Request {
	c := *r
	c.BaseRequest = b
	return &c
}

// DescribeMigrateJobsRequest is the input of DescribeMigrateJobs.
type DescribeMigrateJobsRequest struct {
	*tchttp.BaseRequest
	JobId *string `json:"JobId,omitempty" name:"JobId"`
	// JobName matches substrings; a caller that needs an exact match filters on its side.
	JobName *string `json:"JobName,omitempty" name:"JobName"`
	// Order is JobId, Status, JobName, MigrateType, RunMode or CreateTime (the default).
	Order *string `json:"Order,omitempty" name:"Order"`
	// OrderSeq is ASC or DESC (the default).
	OrderSeq *string `json:"OrderSeq,omitempty" name:"OrderSeq"`
	Offset   *int64  `json:"Offset,omitempty" name:"Offset"`
	// Limit is 1..100, default 20.
	Limit      *int64       `json:"Limit,omitempty" name:"Limit"`
	TagFilters []*TagFilter `json:"TagFilters,omitempty" name:"TagFilters"`
}

func (r *DescribeMigrateJobsRequest) withBase(b *tchttp.BaseRequest) tchttp.Request {
	c := *r
	c.BaseRequest = b
	return &c
}

// describeMigrateJobsOutput is the Response object of DescribeMigrateJobs.
type describeMigrateJobsOutput struct {
	TotalCount *int64            `json:"TotalCount,omitempty"`
	JobList    []*MigrateJobInfo `json:"JobList,omitempty"`
	RequestIDOnly
}

// errNilRequest guards the methods that take a request struct.
var errNilRequest = errors.New("dtsapi: nil request")

// errEmptyResponse is an answer without the Response object, which a working API never sends.
var errEmptyResponse = errors.New("the answer has no Response object")

// CreateMigrateJob creates a job and returns its ID. It is retried only when throttled: after any
// other failure the job may or may not exist, and the caller decides what to do.
func (c *Client) CreateMigrateJob(ctx context.Context, req *CreateMigrateJobRequest) (jobID string, err error) {
	if req == nil {
		return "", errNilRequest
	}
	resp, err := invoke(ctx, c, ActionCreateMigrateJob, req, newAnswer[createMigrateJobOutput])
	if err != nil {
		return "", err
	}
	if resp.Response == nil || StringValue(resp.Response.JobId) == "" {
		return "", &TransportError{Action: ActionCreateMigrateJob, Code: clientErrorParseJSON,
			Message: "the answer carries no JobId", Err: errEmptyResponse}
	}
	return *resp.Response.JobId, nil
}

// ModifyMigrateJob changes a job's configuration. It is retried only when throttled.
func (c *Client) ModifyMigrateJob(ctx context.Context, req *ModifyMigrateJobRequest) error {
	if req == nil {
		return errNilRequest
	}
	return c.mutateJob(ctx, ActionModifyMigrateJob, StringValue(req.JobId), req)
}

// CreateMigrateCheckJob starts the pre-migration check of a job. It is retried only when
// throttled.
func (c *Client) CreateMigrateCheckJob(ctx context.Context, jobID string) error {
	return c.mutateJob(ctx, ActionCreateMigrateCheckJob, jobID, &JobIDRequest{JobId: String(jobID)})
}

// DescribeMigrateCheckJob returns the state of a job's check. An unknown job gives an
// *APIError for which IsNotFound is true.
func (c *Client) DescribeMigrateCheckJob(ctx context.Context, jobID string) (*MigrateCheckResult, error) {
	req := &JobIDRequest{JobId: String(jobID)}
	out, err := fetch[describeMigrateCheckJobOutput](ctx, c, ActionDescribeMigrateCheckJob, req)
	if err != nil {
		return nil, err
	}
	result := out.MigrateCheckResult
	return &result, nil
}

// StartMigrateJob starts a job whose check passed. It is retried only when throttled.
func (c *Client) StartMigrateJob(ctx context.Context, jobID string) error {
	return c.mutateJob(ctx, ActionStartMigrateJob, jobID, &JobIDRequest{JobId: String(jobID)})
}

// StopMigrateJob stops a running job, which then fails. It is retried only when throttled.
func (c *Client) StopMigrateJob(ctx context.Context, jobID string) error {
	return c.mutateJob(ctx, ActionStopMigrateJob, jobID, &JobIDRequest{JobId: String(jobID)})
}

// CompleteMigrateJob completes an incremental job that is ready to complete. completeMode ""
// is not sent (the API then waits for sync). It is retried only when throttled.
func (c *Client) CompleteMigrateJob(ctx context.Context, jobID, completeMode string) error {
	req := &CompleteMigrateJobRequest{JobId: String(jobID)}
	if completeMode != "" {
		req.CompleteMode = String(completeMode)
	}
	return c.mutateJob(ctx, ActionCompleteMigrateJob, jobID, req)
}

// DeleteMigrateJob deletes a job. It is retried only when throttled.
func (c *Client) DeleteMigrateJob(ctx context.Context, jobID string) error {
	return c.mutateJob(ctx, ActionDeleteMigrateJob, jobID, &JobIDRequest{JobId: String(jobID)})
}

// mutateJob runs an action that changes job jobID and answers nothing but a request ID. The
// view hears of the change once the call has returned, whatever its outcome: a call that failed
// may still have changed the job, so no answer read before it may serve a find of that job.
func (c *Client) mutateJob(ctx context.Context, action, jobID string, req wireRequest) error {
	defer c.view.noteMutation(jobID)
	_, err := invoke(ctx, c, action, req, newAnswer[RequestIDOnly])
	return err
}

// fetch runs an action and returns its Response object, which a working API always sends.
func fetch[T any, P output[T]](ctx context.Context, c *Client, action string, req wireRequest) (P, error) {
	resp, err := invoke(ctx, c, action, req, newAnswer[T, P])
	if err != nil {
		return nil, err
	}
	if resp.Response == nil {
		return nil, &TransportError{Action: action, Code: clientErrorParseJSON,
			Message: errEmptyResponse.Error(), Err: errEmptyResponse}
	}
	return resp.Response, nil
}

// DescribeMigrateJobs returns one page of jobs and the total that match. A nil req lists with
// the API's defaults.
func (c *Client) DescribeMigrateJobs(ctx context.Context, req *DescribeMigrateJobsRequest) (total int64, jobs []*MigrateJobInfo, err error) {
	if req == nil {
		req = &DescribeMigrateJobsRequest{}
	}
	began := c.clock.Now()
	out, err := fetch[describeMigrateJobsOutput](ctx, c, ActionDescribeMigrateJobs, req)
	if err != nil {
		return 0, nil, err
	}
	total = Int64Value(out.TotalCount)
	unfiltered := StringValue(req.JobId) == "" && StringValue(req.JobName) == "" && len(req.TagFilters) == 0
	c.view.remember(out.JobList, total, unfiltered, began)
	return total, out.JobList, nil
}

// ListMigrateJobs reads every matching job, 100 per call, starting at req.Offset; req.Limit is
// ignored. maxJobs > 0 stops after that many jobs. total is the API's count from the last page.
func (c *Client) ListMigrateJobs(ctx context.Context, req *DescribeMigrateJobsRequest, maxJobs int) (total int64, jobs []*MigrateJobInfo, err error) {
	return c.ListMigrateJobsMatching(ctx, req, nil, maxJobs)
}

// ListMigrateJobsMatching is ListMigrateJobs with a filter applied on the client's side, for
// criteria the API cannot filter on: only jobs for which match returns true are kept, and
// maxJobs > 0 stops after that many of them. A nil match keeps every job.
func (c *Client) ListMigrateJobsMatching(ctx context.Context, req *DescribeMigrateJobsRequest, match func(*MigrateJobInfo) bool, maxJobs int) (total int64, jobs []*MigrateJobInfo, err error) {
	var page DescribeMigrateJobsRequest
	if req != nil {
		page = *req
	}
	page.BaseRequest = nil
	offset := Int64Value(page.Offset)
	prevFirst := ""
	for {
		limit := int64(listPageSize)
		if maxJobs > 0 && match == nil {
			// Without a filter every job counts, so the last page asks for no more than needed.
			limit = min(limit, int64(maxJobs-len(jobs)))
		}
		page.Offset = Int64(offset)
		page.Limit = Int64(limit)
		pageTotal, pageJobs, err := c.DescribeMigrateJobs(ctx, &page)
		if err != nil {
			return 0, nil, err
		}
		total = pageTotal
		// A server that ignores Offset would have this loop read its first page for ever.
		if first := firstJobID(pageJobs); first != "" && first == prevFirst {
			return 0, nil, &TransportError{Action: ActionDescribeMigrateJobs, Code: clientErrorParseJSON,
				Message: fmt.Sprintf("the page at offset %d repeats the previous one (job %s): the answer ignores Offset", offset, first), Err: errRepeatedPage}
		}
		prevFirst = firstJobID(pageJobs)
		for _, j := range pageJobs {
			if j == nil || match != nil && !match(j) {
				continue
			}
			jobs = append(jobs, j)
			if maxJobs > 0 && len(jobs) >= maxJobs {
				return total, jobs, nil
			}
		}
		offset += int64(len(pageJobs))
		if int64(len(pageJobs)) < limit || offset >= total {
			return total, jobs, nil
		}
	}
}

// errRepeatedPage is a listing whose pages do not move on.
var errRepeatedPage = errors.New("a page of DescribeMigrateJobs repeats the previous one")

// firstJobID is the ID of a page's first job, or "".
func firstJobID(jobs []*MigrateJobInfo) string {
	for _, j := range jobs {
		if j != nil {
			return StringValue(j.JobId)
		}
	}
	return ""
}

// FindMigrateJob returns the job with exactly this ID, or a *NotFoundError.
func (c *Client) FindMigrateJob(ctx context.Context, jobID string) (*MigrateJobInfo, error) {
	if jobID == "" {
		// An empty JobId is no filter at all for the API.
		return nil, &NotFoundError{JobID: jobID}
	}
	_, jobs, err := c.DescribeMigrateJobs(ctx, &DescribeMigrateJobsRequest{JobId: String(jobID)})
	if err != nil {
		if IsNotFound(err) {
			return nil, &NotFoundError{JobID: jobID}
		}
		return nil, err
	}
	for _, job := range jobs {
		if job != nil && StringValue(job.JobId) == jobID {
			return job, nil
		}
	}
	return nil, &NotFoundError{JobID: jobID}
}
