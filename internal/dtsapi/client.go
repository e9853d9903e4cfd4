// Package dtsapi is the signed, rate-limited and retrying client of the Tencent Cloud DTS API,
// version 2018-03-30 (migration jobs). The Tencent Cloud SDK's common client signs and sends
// every request; this package adds typed wire models, its own retries (the SDK's are turned
// off because they resend a stale signature and ignore the context), a rate limiter per action
// and structured logging that never shows parameters, headers or signatures.
package dtsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/json"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	"golang.org/x/time/rate"
)

// Service and API version of every request.
const (
	Service    = "dts"
	APIVersion = "2018-03-30"
)

// Signature methods the API accepts.
const (
	SignatureMethodTC3        = "TC3-HMAC-SHA256"
	SignatureMethodHmacSHA256 = "HmacSHA256"
	SignatureMethodHmacSHA1   = "HmacSHA1"
)

// Actions of the API, as sent in the Action parameter.
const (
	ActionCreateMigrateJob        = "CreateMigrateJob"
	ActionModifyMigrateJob        = "ModifyMigrateJob"
	ActionCreateMigrateCheckJob   = "CreateMigrateCheckJob"
	ActionDescribeMigrateCheckJob = "DescribeMigrateCheckJob"
	ActionStartMigrateJob         = "StartMigrateJob"
	ActionStopMigrateJob          = "StopMigrateJob"
	ActionCompleteMigrateJob      = "CompleteMigrateJob"
	ActionDeleteMigrateJob        = "DeleteMigrateJob"
	ActionDescribeMigrateJobs     = "DescribeMigrateJobs"
)

// allActions lists every action the client calls.
var allActions = []string{
	ActionCreateMigrateJob, ActionModifyMigrateJob, ActionCreateMigrateCheckJob,
	ActionDescribeMigrateCheckJob, ActionStartMigrateJob, ActionStopMigrateJob,
	ActionCompleteMigrateJob, ActionDeleteMigrateJob, ActionDescribeMigrateJobs,
}

// Defaults for the zero values of Config, and for the provider's attributes that set them.
const (
	DefaultMaxRetries     = 10
	DefaultRateLimit      = 20.0
	DefaultRequestTimeout = 60 * time.Second
	DefaultMinBackoff     = 200 * time.Millisecond
	DefaultMaxBackoff     = 10 * time.Second
	// DescribeJobsRateFactor keeps the API's own ratio: 50/s for DescribeMigrateJobs, 20/s for
	// every other action.
	DescribeJobsRateFactor = 2.5
	// DefaultHost is the public host that routes to the nearest region.
	DefaultHost = "dts.tencentcloudapi.com"
)

// SignatureMethods lists the signature methods the API accepts, the default first.
func SignatureMethods() []string {
	return []string{SignatureMethodTC3, SignatureMethodHmacSHA256, SignatureMethodHmacSHA1}
}

// Regions lists the regions of the API reference's region list.
func Regions() []string {
	return []string{
		"ap-beijing", "ap-beijing-bls", "ap-chengdu", "ap-chongqing", "ap-guangzhou",
		"ap-guangzhou-open", "ap-hongkong", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi",
		"ap-shenzhen-fsi", "ap-singapore", "eu-frankfurt", "na-siliconvalley", "na-toronto",
	}
}

// financeRegions must be reached through their own host.
var financeRegions = map[string]bool{
	"ap-shanghai-fsi": true,
	"ap-shenzhen-fsi": true,
}

// IsFinanceRegion reports whether region is a finance region, which has its own host.
func IsFinanceRegion(region string) bool { return financeRegions[region] }

// DefaultEndpoint returns the host for region: its own host for finance regions, else the
// public host.
func DefaultEndpoint(region string) string {
	if IsFinanceRegion(region) {
		return Service + "." + region + ".tencentcloudapi.com"
	}
	return DefaultHost
}

// Logger receives one line per attempt. Fields are action, attempt, duration, request_id and
// error_code (and retry_in when a retry follows); never parameters, headers or signatures.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Clock is the client's view of time: the timestamp every request is signed with, the rate
// limiter and the waits between retries all use it, so tests can run them without sleeping.
type Clock interface {
	Now() time.Time
	// After sends the time on the returned channel once d has passed.
	After(d time.Duration) <-chan time.Time
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Config configures a Client. Zero values select the documented defaults.
type Config struct {
	SecretID, SecretKey, SecurityToken string
	Region                             string
	// Endpoint is host[:port] without a scheme; "" selects DefaultEndpoint(Region). A URL with
	// http:// or https:// is accepted too and its scheme then selects the transport.
	Endpoint string
	// Scheme is "https" (default) or "http".
	Scheme string
	// SignatureMethod is "TC3-HMAC-SHA256" (default), "HmacSHA256" or "HmacSHA1".
	SignatureMethod string
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// RequestTimeout bounds each attempt; 0 selects DefaultRequestTimeout.
	RequestTimeout time.Duration
	// RateLimit is the client-side limit in requests per second per action; DescribeMigrateJobs
	// gets DescribeJobsRateFactor times as much. 0 selects DefaultRateLimit.
	RateLimit float64
	// Version is the provider version, sent in the user agent terraform-provider-dts/<version>.
	Version string
	// Logger receives a line per attempt; nil means no logging.
	Logger Logger
	// MinBackoff and MaxBackoff bound the exponential backoff between retries; 0 selects
	// DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// Clock drives signing timestamps, backoff waits and the rate limiter; nil is real time.
	Clock Clock
	// Transport replaces the HTTP transport (a test seam); nil keeps the SDK's.
	Transport http.RoundTripper
}

// Client calls the DTS API. It is safe for concurrent use.
type Client struct {
	sdk            *common.Client
	region         string
	endpoint       string
	scheme         string
	userAgent      string
	maxRetries     int
	requestTimeout time.Duration
	minBackoff     time.Duration
	maxBackoff     time.Duration
	clock          Clock
	logger         Logger
	limiters       map[string]*rate.Limiter
	// jitter picks the actual wait in [0, ceiling]; tests replace it to pin the waits.
	jitter func(ceiling time.Duration) time.Duration
	// view is the shared view of the jobs that Jobs returns.
	view *JobView
}

// requestClientDisallowed matches what the SDK refuses in a RequestClient.
var requestClientDisallowed = regexp.MustCompile(`[^0-9a-zA-Z\-_ ,;.]`)

// New validates cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.SecretID == "" || cfg.SecretKey == "" {
		return nil, errors.New("dtsapi: a secret ID and a secret key are required")
	}
	if cfg.Region == "" {
		return nil, errors.New("dtsapi: a region is required")
	}
	endpoint, scheme, err := splitEndpoint(cfg.Endpoint, cfg.Scheme)
	if err != nil {
		return nil, err
	}
	if endpoint == "" {
		endpoint = DefaultEndpoint(cfg.Region)
	}
	signMethod := cfg.SignatureMethod
	switch signMethod {
	case "":
		signMethod = SignatureMethodTC3
	case SignatureMethodTC3, SignatureMethodHmacSHA256, SignatureMethodHmacSHA1:
	default:
		return nil, fmt.Errorf("dtsapi: unsupported signature method %q (want %s, %s or %s)",
			signMethod, SignatureMethodTC3, SignatureMethodHmacSHA256, SignatureMethodHmacSHA1)
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("dtsapi: max retries must not be negative, got %d", cfg.MaxRetries)
	}
	if cfg.RequestTimeout < 0 || cfg.MinBackoff < 0 || cfg.MaxBackoff < 0 {
		return nil, errors.New("dtsapi: request timeout and backoffs must not be negative")
	}
	if cfg.RateLimit < 0 || math.IsNaN(cfg.RateLimit) || math.IsInf(cfg.RateLimit, 0) {
		return nil, fmt.Errorf("dtsapi: rate limit must be a positive number, got %v", cfg.RateLimit)
	}

	c := &Client{
		region:         cfg.Region,
		endpoint:       endpoint,
		scheme:         scheme,
		maxRetries:     cfg.MaxRetries,
		requestTimeout: orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
		minBackoff:     orDefault(cfg.MinBackoff, DefaultMinBackoff),
		maxBackoff:     orDefault(cfg.MaxBackoff, DefaultMaxBackoff),
		clock:          cfg.Clock,
		logger:         cfg.Logger,
		jitter:         fullJitter,
	}
	if c.maxBackoff < c.minBackoff {
		c.maxBackoff = c.minBackoff
	}
	if c.clock == nil {
		c.clock = realClock{}
	}
	if c.logger == nil {
		c.logger = nopLogger{}
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	c.userAgent = "terraform-provider-dts/" + version

	rateLimit := cfg.RateLimit
	if rateLimit == 0 {
		rateLimit = DefaultRateLimit
	}
	c.limiters = make(map[string]*rate.Limiter, len(allActions))
	for _, action := range allActions {
		r := rateLimit
		if action == ActionDescribeMigrateJobs {
			r *= DescribeJobsRateFactor
		}
		// A burst of one second's worth of calls matches the API's token bucket.
		c.limiters[action] = rate.NewLimiter(rate.Limit(r), max(1, int(math.Ceil(r))))
	}

	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = endpoint
	prof.HttpProfile.Scheme = strings.ToUpper(scheme)
	prof.HttpProfile.ReqMethod = http.MethodPost
	// The per-attempt context enforces RequestTimeout precisely; the SDK's whole-second HTTP
	// client timeout is only a backstop.
	prof.HttpProfile.ReqTimeout = int(math.Ceil(c.requestTimeout.Seconds()))
	prof.SignMethod = signMethod
	prof.Language = "en-US"
	prof.NetworkFailureMaxRetries = 0
	prof.RateLimitExceededMaxRetries = 0
	prof.DisableRegionBreaker = true
	prof.BackupEndpoint = ""
	prof.UnsafeRetryOnConnectionFailure = false

	var cred *common.Credential
	if cfg.SecurityToken != "" {
		cred = common.NewTokenCredential(cfg.SecretID, cfg.SecretKey, cfg.SecurityToken)
	} else {
		cred = common.NewCredential(cfg.SecretID, cfg.SecretKey)
	}
	// The SDK's own logger would print to stderr; everything worth saying is logged here.
	sdk := new(common.Client).Init(cfg.Region).WithLogger(log.New(io.Discard, "", 0))
	sdk.WithCredential(cred).WithProfile(prof)
	// The SDK accepts only [0-9a-zA-Z-_ ,;.] in a RequestClient (and prefixes its own name), so
	// the slash of the user agent becomes an underscore there.
	sdk.WithRequestClient("terraform-provider-dts_" + requestClientDisallowed.ReplaceAllString(version, "_"))
	if cfg.Transport != nil {
		sdk.WithHttpTransport(cfg.Transport)
	}
	c.sdk = sdk
	c.view = newJobView(c)
	return c, nil
}

// ParseEndpoint splits "host[:port]" or "http(s)://host[:port]" into the host and the scheme
// the SDK wants apart. An empty endpoint yields an empty host (DefaultEndpoint then applies)
// and "https".
func ParseEndpoint(s string) (host, scheme string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "https", nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("cannot parse it as host[:port] or URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", fmt.Errorf("scheme %q is neither http nor https", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", "", fmt.Errorf("%q has no host", s)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
		return "", "", fmt.Errorf("%q must be only a scheme, a host and a port: the API path is always /", s)
	}
	return u.Host, u.Scheme, nil
}

// splitEndpoint parses endpoint and settles the scheme with Config.Scheme, which must agree
// with a scheme the endpoint names.
func splitEndpoint(endpoint, scheme string) (host, finalScheme string, err error) {
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "", "http", "https":
	default:
		return "", "", fmt.Errorf("dtsapi: unsupported scheme %q (want http or https)", scheme)
	}
	host, urlScheme, err := ParseEndpoint(endpoint)
	if err != nil {
		return "", "", fmt.Errorf("dtsapi: endpoint: %w", err)
	}
	if strings.Contains(endpoint, "://") {
		if scheme != "" && scheme != urlScheme {
			return "", "", fmt.Errorf("dtsapi: endpoint %q disagrees with scheme %q", endpoint, scheme)
		}
		return host, urlScheme, nil
	}
	if scheme == "" {
		scheme = urlScheme
	}
	return host, scheme, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Region returns the region every request is sent for.
func (c *Client) Region() string { return c.region }

// Endpoint returns the host[:port] requests go to.
func (c *Client) Endpoint() string { return c.endpoint }

// Scheme returns "http" or "https".
func (c *Client) Scheme() string { return c.scheme }

// UserAgent returns the User-Agent header every request carries.
func (c *Client) UserAgent() string { return c.userAgent }

// nopLogger discards everything.
type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// wireRequest is a typed request that can be bound to a fresh SDK base request.
type wireRequest interface {
	// withBase returns a shallow copy of the request that embeds b, so that each attempt has
	// its own parameters, timestamp, nonce and signature.
	withBase(b *tchttp.BaseRequest) tchttp.Request
}

// wireResponse is a typed response.
type wireResponse interface {
	tchttp.Response
	requestID() string
}

// signedRequest hands the SDK a request whose Timestamp comes from the client's clock. The SDK
// stamps time.Now() into the parameters just before signing; returning the parameters through
// GetParams lets the clock's value win, so that the signature, the emulator and the backoff
// all agree on time.
type signedRequest struct {
	tchttp.Request
	timestamp string
}

// GetParams implements tchttp.Request.
func (r *signedRequest) GetParams() map[string]string {
	params := r.Request.GetParams()
	params["Timestamp"] = r.timestamp
	return params
}

// MarshalJSON gives the TC3 body: the typed request's own fields.
func (r *signedRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.Request)
}

// isRead reports whether action only reads, so that transient failures may be retried.
func isRead(action string) bool { return strings.HasPrefix(action, "Describe") }

// invoke runs one action with rate limiting and retries, and returns the parsed response.
func invoke[R wireResponse](ctx context.Context, c *Client, action string, req wireRequest, newResp func() R) (R, error) {
	var zero R
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := c.waitForLimiter(ctx, action); err != nil {
			return zero, stopped(action, attempt-1, err, lastErr)
		}
		resp := newResp()
		start := c.clock.Now()
		err := c.send(ctx, action, req, resp)
		fields := map[string]any{
			"action":   action,
			"attempt":  attempt,
			"duration": c.clock.Now().Sub(start).String(),
		}
		if err == nil {
			fields["request_id"] = resp.requestID()
			c.logger.Debug(ctx, "DTS API call succeeded", fields)
			return resp, nil
		}
		err = classify(action, err)
		lastErr = err
		fields["error_code"] = ErrorCode(err)
		if apiErr, ok := asType[*APIError](err); ok {
			fields["request_id"] = apiErr.RequestID
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			c.logger.Debug(ctx, "DTS API call failed", fields)
			return zero, stopped(action, attempt, ctxErr, err)
		}
		retryable := IsThrottled(err) || (isRead(action) && IsTransient(err))
		if !retryable || attempt > c.maxRetries {
			c.logger.Debug(ctx, "DTS API call failed", fields)
			return zero, err
		}
		delay := c.backoff(attempt - 1)
		fields["retry_in"] = delay.String()
		c.logger.Warn(ctx, "DTS API call failed, retrying", fields)
		select {
		case <-ctx.Done():
			return zero, stopped(action, attempt, ctx.Err(), err)
		case <-c.clock.After(delay):
		}
	}
}

// stopped is the error when the context ends the calls; it wraps both the context's error and
// the last answer, if there was one.
func stopped(action string, attempts int, ctxErr, lastErr error) error {
	if lastErr == nil {
		return fmt.Errorf("%s: %w", action, ctxErr)
	}
	return fmt.Errorf("%s: giving up after %d attempt(s): %w; last error: %w", action, attempts, ctxErr, lastErr)
}

// send makes one freshly signed attempt.
func (c *Client) send(ctx context.Context, action string, req wireRequest, resp wireResponse) error {
	attemptCtx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	base := &tchttp.BaseRequest{}
	base.Init().WithApiInfo(Service, APIVersion, action)
	inner := req.withBase(base)
	// v1 signatures sign the flattened parameters; the SDK flattens only the fields of the
	// request it is given, which is the wrapper below, so flatten the typed request here.
	if err := tchttp.ConstructParams(inner); err != nil {
		return fmt.Errorf("encoding parameters: %w", err)
	}
	signed := &signedRequest{Request: inner, timestamp: strconv.FormatInt(c.clock.Now().Unix(), 10)}
	signed.SetContext(attemptCtx)
	signed.SetHeader(map[string]string{"User-Agent": c.userAgent})
	return c.sdk.Send(signed, resp)
}

// backoff returns the wait before retry n (0 for the first retry): full jitter over an
// exponentially growing ceiling, capped at maxBackoff.
func (c *Client) backoff(n int) time.Duration {
	return c.jitter(backoffCeiling(c.minBackoff, c.maxBackoff, n))
}

// backoffCeiling is min(maxBackoff, minBackoff * 2^n) without overflowing.
func backoffCeiling(minBackoff, maxBackoff time.Duration, n int) time.Duration {
	ceiling := minBackoff
	for range n {
		if ceiling >= maxBackoff/2 {
			return maxBackoff
		}
		ceiling *= 2
	}
	return min(ceiling, maxBackoff)
}

// fullJitter picks a uniformly random wait in [0, ceiling].
func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// waitForLimiter takes a token of action's limiter, waiting on the client's clock if needed.
func (c *Client) waitForLimiter(ctx context.Context, action string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	limiter, ok := c.limiters[action]
	if !ok {
		return nil
	}
	now := c.clock.Now()
	reservation := limiter.ReserveN(now, 1)
	if !reservation.OK() {
		return fmt.Errorf("rate limiter refused a single request for %s", action)
	}
	delay := reservation.DelayFrom(now)
	if delay <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		// Give the token back so that a cancelled call does not slow the others.
		reservation.CancelAt(c.clock.Now())
		return ctx.Err()
	case <-c.clock.After(delay):
		return nil
	}
}
