// Package provider is the Terraform layer of the dts provider: the provider's configuration,
// the dts_migrate_job resource and the dts_migrate_jobs and dts_migrate_check data sources.
package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

var _ provider.Provider = (*dtsProvider)(nil)

// Environment variables read when an attribute is not set in the configuration.
const (
	envSecretID        = "TENCENTCLOUD_SECRET_ID"
	envSecretKey       = "TENCENTCLOUD_SECRET_KEY"
	envSecurityToken   = "TENCENTCLOUD_SECURITY_TOKEN"
	envRegion          = "TENCENTCLOUD_REGION"
	envEndpoint        = "TENCENTCLOUD_DTS_ENDPOINT"
	envSignatureMethod = "TENCENTCLOUD_SIGNATURE_METHOD"
)

// attributeEnv names the environment variable behind each attribute that has one.
var attributeEnv = map[string]string{
	"secret_id": envSecretID, "secret_key": envSecretKey, "security_token": envSecurityToken,
	"region": envRegion, "endpoint": envEndpoint, "signature_method": envSignatureMethod,
}

// The API's regions and signature methods, as dtsapi lists them.
var (
	regions          = dtsapi.Regions()
	signatureMethods = dtsapi.SignatureMethods()
)

// Options are test seams: they tune how fast the provider polls and backs off, and never appear
// in the user-facing schema.
type Options struct {
	// PollMinInterval and PollMaxInterval bound the waiters' polling (defaults 500ms and 5s).
	PollMinInterval, PollMaxInterval time.Duration
	// MinBackoff and MaxBackoff bound the client's retry backoff (client defaults when zero).
	MinBackoff, MaxBackoff time.Duration
}

type dtsProvider struct {
	version string
	opts    Options
}

// New returns the provider as Terraform serves it.
func New(version string) func() provider.Provider {
	return NewWithOptions(version, Options{})
}

// NewWithOptions returns the provider with test seams set.
func NewWithOptions(version string, opts Options) func() provider.Provider {
	if opts.PollMinInterval <= 0 {
		opts.PollMinInterval = 500 * time.Millisecond
	}
	if opts.PollMaxInterval < opts.PollMinInterval {
		opts.PollMaxInterval = max(5*time.Second, opts.PollMinInterval)
	}
	return func() provider.Provider {
		return &dtsProvider{version: version, opts: opts}
	}
}

// providerData is what Configure hands to resources and data sources: the one shared client
// and the waiters' polling bounds.
type providerData struct {
	client          *dtsapi.Client
	pollMinInterval time.Duration
	pollMaxInterval time.Duration
}

func (p *dtsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "dts"
	resp.Version = p.version
}

func (p *dtsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `dts` provider manages migration jobs of the Data Transmission Service (DTS), " +
			"API version 2018-03-30. Every attribute may instead come from the environment variable named in " +
			"its description; a value in the configuration wins over the environment.",
		Attributes: map[string]schema.Attribute{
			"secret_id": schema.StringAttribute{
				MarkdownDescription: "The SecretId of the API key. Environment variable: `" + envSecretID + "`. Required one way or the other.",
				Optional:            true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The SecretKey of the API key. Environment variable: `" + envSecretKey + "`. Required one way or the other; never logged.",
				Optional:            true,
				Sensitive:           true,
			},
			"security_token": schema.StringAttribute{
				MarkdownDescription: "The session token that goes with temporary credentials. Environment variable: `" + envSecurityToken + "`. Leave it unset for a long-term key.",
				Optional:            true,
				Sensitive:           true,
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "The region whose jobs the provider manages, such as `ap-guangzhou`. Environment variable: `" + envRegion + "`. Required one way or the other; one of " + quotedList(regions) + ".",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(regions...)},
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "The API endpoint, as `host[:port]` or as a URL with `http://` or `https://`; the scheme selects the transport (HTTPS when none is given). Environment variable: `" + envEndpoint + "`. Default: `dts.tencentcloudapi.com`, or the region's own host for the finance regions `ap-shanghai-fsi` and `ap-shenzhen-fsi`.",
				Optional:            true,
				Validators:          []validator.String{endpointValidator},
			},
			"signature_method": schema.StringAttribute{
				MarkdownDescription: "How requests are signed: " + enumDoc(signatureMethods) + "; default `" + dtsapi.SignatureMethodTC3 + "`. Environment variable: `" + envSignatureMethod + "`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(signatureMethods...)},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a throttled request, or a failed read, is retried with exponential backoff. Default: %d.", dtsapi.DefaultMaxRetries),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one API request may take, as a Go duration such as `60s` or `2m`. Default: `" + strconv.Itoa(int(dtsapi.DefaultRequestTimeout.Seconds())) + "s`.",
				Optional:            true,
				CustomType:          timetypes.GoDurationType{},
			},
			"rate_limit": schema.Float64Attribute{
				MarkdownDescription: fmt.Sprintf("Requests per second the provider sends for each API action, so that parallel operations do not provoke throttling. Default: %[1]g, the API's limit; `DescribeMigrateJobs`, which the API allows %[2]g times as often, gets %[2]g times this rate.", dtsapi.DefaultRateLimit, dtsapi.DescribeJobsRateFactor),
				Optional:            true,
				Validators:          []validator.Float64{float64validator.AtLeast(0.1)},
			},
		},
	}
}

type providerModel struct {
	SecretID        types.String         `tfsdk:"secret_id"`
	SecretKey       types.String         `tfsdk:"secret_key"`
	SecurityToken   types.String         `tfsdk:"security_token"`
	Region          types.String         `tfsdk:"region"`
	Endpoint        types.String         `tfsdk:"endpoint"`
	SignatureMethod types.String         `tfsdk:"signature_method"`
	MaxRetries      types.Int64          `tfsdk:"max_retries"`
	RequestTimeout  timetypes.GoDuration `tfsdk:"request_timeout"`
	RateLimit       types.Float64        `tfsdk:"rate_limit"`
}

func (p *dtsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value that is only known after apply cannot configure a client: say which one.
	unknown := map[string]bool{
		"secret_id": cfg.SecretID.IsUnknown(), "secret_key": cfg.SecretKey.IsUnknown(),
		"security_token": cfg.SecurityToken.IsUnknown(), "region": cfg.Region.IsUnknown(),
		"endpoint": cfg.Endpoint.IsUnknown(), "signature_method": cfg.SignatureMethod.IsUnknown(),
		"max_retries": cfg.MaxRetries.IsUnknown(), "request_timeout": cfg.RequestTimeout.IsUnknown(),
		"rate_limit": cfg.RateLimit.IsUnknown(),
	}
	for _, name := range sortedKeys(unknown) {
		if !unknown[name] {
			continue
		}
		instead := "or leave it out to use its default."
		if env, ok := attributeEnv[name]; ok {
			instead = "or leave it out and set the environment variable " + env + "."
		}
		resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Attribute",
			fmt.Sprintf("The provider cannot be configured while %q is unknown (known only after apply). "+
				"Set it to a value known at plan time, %s", name, instead))
	}
	if resp.Diagnostics.HasError() {
		return
	}

	secretID := stringOrEnv(cfg.SecretID, envSecretID)
	secretKey := stringOrEnv(cfg.SecretKey, envSecretKey)
	token := stringOrEnv(cfg.SecurityToken, envSecurityToken)
	region := stringOrEnv(cfg.Region, envRegion)
	endpoint := stringOrEnv(cfg.Endpoint, envEndpoint)
	signatureMethod := stringOrEnv(cfg.SignatureMethod, envSignatureMethod)

	ctx = tflog.MaskLogStrings(ctx, nonEmpty(secretKey, token)...)

	missing := func(attr, env, what string) {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Missing "+what,
			fmt.Sprintf("The provider needs the %s: set %q in the provider block or the environment variable %s.", what, attr, env))
	}
	if secretID == "" {
		missing("secret_id", envSecretID, "API SecretId")
	}
	if secretKey == "" {
		missing("secret_key", envSecretKey, "API SecretKey")
	}
	if region == "" {
		missing("region", envRegion, "Region")
	} else if !slices.Contains(regions, region) {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Invalid Region",
			fmt.Sprintf("Region %q (from %s) is not one of %s.", region, sourceOf(cfg.Region, envRegion), strings.Join(regions, ", ")))
	}
	if signatureMethod == "" {
		signatureMethod = dtsapi.SignatureMethodTC3
	} else if !slices.Contains(signatureMethods, signatureMethod) {
		resp.Diagnostics.AddAttributeError(path.Root("signature_method"), "Invalid Signature Method",
			fmt.Sprintf("Signature method %q (from %s) is not one of %s.", signatureMethod, sourceOf(cfg.SignatureMethod, envSignatureMethod), strings.Join(signatureMethods, ", ")))
	}
	host, scheme, err := dtsapi.ParseEndpoint(endpoint)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Endpoint",
			fmt.Sprintf("The endpoint (from %s) is not valid: %s.", sourceOf(cfg.Endpoint, envEndpoint), err))
	}
	timeout := dtsapi.DefaultRequestTimeout
	if !cfg.RequestTimeout.IsNull() {
		d, diags := cfg.RequestTimeout.ValueGoDuration()
		resp.Diagnostics.Append(diags...)
		if d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid Request Timeout",
				fmt.Sprintf("The request timeout must be positive, such as \"60s\"; got %q.", cfg.RequestTimeout.ValueString()))
		}
		timeout = d
	}
	if resp.Diagnostics.HasError() {
		return
	}
	maxRetries := int64(dtsapi.DefaultMaxRetries)
	if !cfg.MaxRetries.IsNull() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	}
	rateLimit := dtsapi.DefaultRateLimit
	if !cfg.RateLimit.IsNull() {
		rateLimit = cfg.RateLimit.ValueFloat64()
	}

	client, err := dtsapi.New(dtsapi.Config{
		SecretID:        secretID,
		SecretKey:       secretKey,
		SecurityToken:   token,
		Region:          region,
		Endpoint:        host,
		Scheme:          scheme,
		SignatureMethod: signatureMethod,
		MaxRetries:      int(maxRetries),
		RequestTimeout:  timeout,
		RateLimit:       rateLimit,
		Version:         p.version,
		Logger:          newTFLogger(secretKey, token),
		MinBackoff:      p.opts.MinBackoff,
		MaxBackoff:      p.opts.MaxBackoff,
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create DTS Client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured DTS client", map[string]any{
		"region": region, "endpoint": client.Endpoint(), "scheme": client.Scheme(), "signature_method": signatureMethod,
	})
	data := &providerData{client: client, pollMinInterval: p.opts.PollMinInterval, pollMaxInterval: p.opts.PollMaxInterval}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *dtsProvider) Resources(context.Context) []func() resource.Resource {
	return providerResources
}

func (p *dtsProvider) DataSources(context.Context) []func() datasource.DataSource {
	return providerDataSources
}

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func sourceOf(v types.String, env string) string {
	if !v.IsNull() {
		return "the configuration"
	}
	return "environment variable " + env
}

func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func nonEmpty(values ...string) []string {
	return slices.DeleteFunc(values, func(s string) bool { return s == "" })
}
