package provider

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// ipValidator accepts an IPv4 or IPv6 address.
type ipValidator struct{}

func (ipValidator) Description(context.Context) string {
	return "value must be an IPv4 or IPv6 address"
}

func (v ipValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (ipValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := netip.ParseAddr(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IP Address",
			fmt.Sprintf("Attribute %s: %q is not an IP address. Write it as, for example, 10.0.0.5 or 2001:db8::5; a host name is not accepted.", req.Path, req.ConfigValue.ValueString()))
	}
}
