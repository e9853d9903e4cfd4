package dtsapi

import (
	"context"
	"net/http"
	"testing"
)

// FuzzDecodeResponses answers every call with the fuzzed body: whatever the server says, the
// client returns a value or an error, never panics, and never loops.
func FuzzDecodeResponses(f *testing.F) {
	f.Add(`{"Response":{"TotalCount":1,"JobList":[{"JobId":"dts-abcdefgh","Status":7}],"RequestId":"r"}}`)
	f.Add(`{"Response":{"TotalCount":3,"JobList":[null,{"JobId":"dts-abcdefgh","Tags":[null],"Detail":{"StepInfo":[null]},"ErrorInfo":[null]}]}}`)
	f.Add(`{"Response":{"TotalCount":9223372036854775807,"JobList":[{"JobId":"dts-abcdefgh"}]}}`)
	f.Add(`{"Response":{"JobId":null,"Status":"finished","CheckFlag":"1"}}`)
	f.Add(`{"Response":null}`)
	f.Add(`{"Response":{"Error":{"Code":"ResourceNotFound.JobNotExist","Message":"m"},"RequestId":"r"}}`)
	f.Add(`[]`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, body string) {
		c, _, _ := newStubClient(t, SignatureMethodTC3, func(_ int, r *http.Request) (*http.Response, error) {
			return jsonAnswer(r, body), nil
		}, func(cfg *Config) { cfg.MaxRetries = 0 })
		ctx := context.Background()
		if job, err := c.FindMigrateJob(ctx, "dts-abcdefgh"); err == nil && job == nil {
			t.Fatal("FindMigrateJob returned neither a job nor an error")
		}
		if _, jobs, err := c.ListMigrateJobs(ctx, nil, 0); err == nil {
			for _, j := range jobs {
				if j == nil {
					t.Fatal("ListMigrateJobs returned a nil job")
				}
			}
		}
		if res, err := c.DescribeMigrateCheckJob(ctx, "dts-abcdefgh"); err == nil && res == nil {
			t.Fatal("DescribeMigrateCheckJob returned neither a result nor an error")
		}
		if id, err := c.CreateMigrateJob(ctx, &CreateMigrateJobRequest{JobName: String("x")}); err == nil && id == "" {
			t.Fatal("CreateMigrateJob returned an empty ID without an error")
		}
	})
}
