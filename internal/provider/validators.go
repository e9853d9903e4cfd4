package provider

// validators.go: the provider's own string validators, for the checks the stock validators of
// terraform-plugin-framework-validators do not make, and the stock ones that more than one
// schema shares.

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// stringCheck validates a known string value with check; a failure is an attribute error
// whose detail names the attribute, says what is wrong and how to write it instead.
type stringCheck struct {
	description string
	summary     string
	hint        string
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string { return v.description }

func (v stringCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("Attribute %s: %s. %s", req.Path, err, v.hint))
	}
}

// ipValidator accepts an IPv4 or IPv6 address.
var ipValidator = stringCheck{
	description: "value must be an IPv4 or IPv6 address",
	summary:     "Invalid IP Address",
	hint:        "Write it as, for example, 10.0.0.5 or 2001:db8::5; a host name is not accepted.",
	check: func(s string) error {
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Errorf("%q is not an IP address", s)
		}
		return nil
	},
}

// endpointValidator accepts what dtsapi.ParseEndpoint accepts.
var endpointValidator = stringCheck{
	description: "value must be host[:port] or an http:// or https:// URL without a path",
	summary:     "Invalid Endpoint",
	hint:        "Write the endpoint as host[:port] (e.g. dts.tencentcloudapi.com) or as a URL such as http://127.0.0.1:8088.",
	check: func(s string) error {
		_, _, err := dtsapi.ParseEndpoint(s)
		return err
	},
}

// jobIDValidator accepts a job ID as the API writes it, for the data sources that name a job.
var jobIDValidator = stringvalidator.RegexMatches(regexp.MustCompile(`^dts-[a-z0-9]+$`), "must be a job ID such as dts-1a2b3c4d")
