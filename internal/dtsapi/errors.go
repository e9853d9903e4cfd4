package dtsapi

import (
	"errors"
	"fmt"
	"strings"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// APIError is an error the DTS API answered with (Response.Error).
type APIError struct {
	Action    string
	Code      string
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s: [%s] %s (request %s)", e.Action, e.Code, e.Message, e.RequestID)
}

// TransportError is a call that got no usable answer from the API: the connection failed or
// timed out, or the answer was not HTTP 200 or not JSON. Whether the server acted on the request
// is unknown.
type TransportError struct {
	Action string
	// Code is the SDK's classification, e.g. ClientError.NetworkError,
	// ClientError.HttpStatusCodeError or ClientError.ParseJsonError.
	Code    string
	Message string
	Err     error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: [%s] %s", e.Action, e.Code, e.Message)
}

// Unwrap returns the underlying error, such as a *url.Error or context.DeadlineExceeded.
func (e *TransportError) Unwrap() error { return e.Err }

// NotFoundError says that a migrate job does not exist (any more). It is the one not-found
// error of the project: the waiter engine (internal/retry) recognises it by its NotFound
// method, so finders and waiters speak of absence alike.
type NotFoundError struct {
	JobID string
	// LastError is the API's answer that revealed the absence, when there was one.
	LastError error
}

// Error implements error.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("DTS migrate job (%s) not found", e.JobID)
}

// Unwrap returns the API's answer that revealed the absence, if any.
func (e *NotFoundError) Unwrap() error { return e.LastError }

// NotFound marks the error as an absence for internal/retry.
func (*NotFoundError) NotFound() bool { return true }

// Error codes that the predicates below recognise.
const (
	codeResourceNotFound      = "ResourceNotFound"
	codeRequestLimitExceeded  = "RequestLimitExceeded"
	codeInternalError         = "InternalError"
	codeNotAllowOperation     = "FailedOperation.NotAllowOperation"
	codeStatusInConflict      = "FailedOperation.StatusInConflict"
	codeOperationDenied       = "OperationDenied"
	clientErrorPrefix         = "ClientError."
	clientErrorNetwork        = "ClientError.NetworkError"
	clientErrorHTTPStatusCode = "ClientError.HttpStatusCodeError"
	clientErrorParseJSON      = "ClientError.ParseJsonError"
	clientErrorIO             = "ClientError.IOError"
)

// hasCode reports whether code is family or one of its sub-codes (family.Something).
func hasCode(code, family string) bool {
	return code == family || strings.HasPrefix(code, family+".")
}

// ErrorCode returns the API or SDK error code carried by err, or "".
func ErrorCode(err error) string {
	if apiErr, ok := asType[*APIError](err); ok {
		return apiErr.Code
	}
	if tErr, ok := asType[*TransportError](err); ok {
		return tErr.Code
	}
	return ""
}

// IsNotFound reports whether err says the job does not exist: a *NotFoundError or an API error
// ResourceNotFound or ResourceNotFound.*.
func IsNotFound(err error) bool {
	if _, ok := asType[*NotFoundError](err); ok {
		return true
	}
	if apiErr, ok := asType[*APIError](err); ok {
		return hasCode(apiErr.Code, codeResourceNotFound)
	}
	return false
}

// IsThrottled reports whether the API refused the call for its rate (RequestLimitExceeded*).
func IsThrottled(err error) bool {
	apiErr, ok := asType[*APIError](err)
	return ok && hasCode(apiErr.Code, codeRequestLimitExceeded)
}

// IsNotAllowed reports whether the job's state does not allow the action.
func IsNotAllowed(err error) bool {
	apiErr, ok := asType[*APIError](err)
	if !ok {
		return false
	}
	return apiErr.Code == codeNotAllowOperation || apiErr.Code == codeStatusInConflict ||
		hasCode(apiErr.Code, codeOperationDenied)
}

// IsTransient reports whether trying again later may succeed: InternalError*, throttling,
// network failures and timeouts, and answers that were not HTTP 200 or not JSON.
func IsTransient(err error) bool {
	if apiErr, ok := asType[*APIError](err); ok {
		return hasCode(apiErr.Code, codeInternalError) || hasCode(apiErr.Code, codeRequestLimitExceeded)
	}
	if tErr, ok := asType[*TransportError](err); ok {
		switch tErr.Code {
		case clientErrorNetwork, clientErrorHTTPStatusCode, clientErrorParseJSON, clientErrorIO:
			return true
		}
	}
	return false
}

// asType is errors.As in a form that reads well in conditions (errors.AsType needs Go 1.26).
func asType[E error](err error) (E, bool) {
	var target E
	ok := errors.As(err, &target)
	return target, ok
}

// maxMessageLength bounds the SDK's messages, which may quote a whole HTML error page.
const maxMessageLength = 512

// classify turns what the SDK returned for one attempt into *APIError or *TransportError.
func classify(action string, err error) error {
	sdkErr, ok := asType[*tcerr.TencentCloudSDKError](err)
	if !ok {
		return fmt.Errorf("%s: %w", action, err)
	}
	if !strings.HasPrefix(sdkErr.Code, clientErrorPrefix) {
		return &APIError{Action: action, Code: sdkErr.Code, Message: sdkErr.Message, RequestID: sdkErr.RequestId}
	}
	msg := sdkErr.Message
	if cause := sdkErr.Unwrap(); cause != nil {
		msg += ": " + cause.Error()
	}
	if len(msg) > maxMessageLength {
		msg = msg[:maxMessageLength] + "..."
	}
	return &TransportError{Action: action, Code: sdkErr.Code, Message: msg, Err: err}
}
