package dtsapi

import (
	"context"
	"errors"
	"fmt"
	"testing"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

func TestErrorPredicates(t *testing.T) {
	t.Parallel()
	api := func(code string) error {
		return fmt.Errorf("wrapped: %w", &APIError{Action: "X", Code: code, Message: "m", RequestID: "r"})
	}
	transport := func(code string) error { return &TransportError{Action: "X", Code: code, Message: "m"} }
	tests := []struct {
		name                                       string
		err                                        error
		notFound, throttled, notAllowed, transient bool
	}{
		{"not found type", &NotFoundError{JobID: "dts-1"}, true, false, false, false},
		{"ResourceNotFound", api("ResourceNotFound"), true, false, false, false},
		{"ResourceNotFound.JobNotExist", api("ResourceNotFound.JobNotExist"), true, false, false, false},
		{"ResourceNotFoundish", api("ResourceNotFoundish"), false, false, false, false},
		{"RequestLimitExceeded", api("RequestLimitExceeded"), false, true, false, true},
		{"RequestLimitExceeded.UinLimitExceeded", api("RequestLimitExceeded.UinLimitExceeded"), false, true, false, true},
		{"NotAllowOperation", api("FailedOperation.NotAllowOperation"), false, false, true, false},
		{"StatusInConflict", api("FailedOperation.StatusInConflict"), false, false, true, false},
		{"OperationDenied", api("OperationDenied"), false, false, true, false},
		{"OperationDenied.X", api("OperationDenied.AccountNotVerified"), false, false, true, false},
		{"FailedOperation other", api("FailedOperation.Other"), false, false, false, false},
		{"InternalError", api("InternalError"), false, false, false, true},
		{"InternalError.DatabaseError", api("InternalError.DatabaseError"), false, false, false, true},
		{"InvalidParameter", api("InvalidParameter"), false, false, false, false},
		{"AuthFailure", api("AuthFailure.SignatureExpire"), false, false, false, false},
		{"network", transport("ClientError.NetworkError"), false, false, false, true},
		{"http status", transport("ClientError.HttpStatusCodeError"), false, false, false, true},
		{"not JSON", transport("ClientError.ParseJsonError"), false, false, false, true},
		{"io", transport("ClientError.IOError"), false, false, false, true},
		{"other client error", transport("ClientError.CredentialError"), false, false, false, false},
		{"plain", errors.New("boom"), false, false, false, false},
		{"nil", nil, false, false, false, false},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.notFound {
			t.Errorf("%s: IsNotFound = %v", tt.name, got)
		}
		if got := IsThrottled(tt.err); got != tt.throttled {
			t.Errorf("%s: IsThrottled = %v", tt.name, got)
		}
		if got := IsNotAllowed(tt.err); got != tt.notAllowed {
			t.Errorf("%s: IsNotAllowed = %v", tt.name, got)
		}
		if got := IsTransient(tt.err); got != tt.transient {
			t.Errorf("%s: IsTransient = %v", tt.name, got)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	e := &APIError{Action: "StartMigrateJob", Code: "FailedOperation.NotAllowOperation", Message: "no", RequestID: "req-1"}
	if got, want := e.Error(), "StartMigrateJob: [FailedOperation.NotAllowOperation] no (request req-1)"; got != want {
		t.Errorf("APIError = %q, want %q", got, want)
	}
	nf := &NotFoundError{JobID: "dts-xxx"}
	if got, want := nf.Error(), "DTS migrate job (dts-xxx) not found"; got != want {
		t.Errorf("NotFoundError = %q, want %q", got, want)
	}
	if ErrorCode(e) != e.Code || ErrorCode(errors.New("x")) != "" {
		t.Error("ErrorCode")
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	apiErr := classify("DescribeMigrateJobs", tcerr.NewTencentCloudSDKError("InternalError", "oops", "req-7"))
	var a *APIError
	if !errors.As(apiErr, &a) || a.Code != "InternalError" || a.RequestID != "req-7" || a.Action != "DescribeMigrateJobs" {
		t.Errorf("API error classified as %#v", apiErr)
	}
	cause := context.DeadlineExceeded
	netErr := classify("X", tcerr.NewTencentCloudSDKErrorWithCause("ClientError.NetworkError", "Fail to get response", "", cause))
	var tr *TransportError
	if !errors.As(netErr, &tr) || !IsTransient(netErr) || !errors.Is(netErr, context.DeadlineExceeded) {
		t.Errorf("network error classified as %#v", netErr)
	}
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'x'
	}
	htmlErr := classify("X", tcerr.NewTencentCloudSDKError("ClientError.HttpStatusCodeError", string(long), ""))
	if !errors.As(htmlErr, &tr) || len(tr.Message) > maxMessageLength+3 {
		t.Errorf("long message kept: %d bytes", len(tr.Message))
	}
	plain := classify("X", errors.New("boom"))
	if IsTransient(plain) || plain.Error() != "X: boom" {
		t.Errorf("plain error classified as %v", plain)
	}
}
