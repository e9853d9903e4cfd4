package provider

// registry.go: what the provider serves, its resources and data sources, in one place, and the
// plumbing they share: what the provider's Configure made, and the operations' timeouts.

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// providerResources and providerDataSources list what the provider serves.
var (
	providerResources   = []func() resource.Resource{NewMigrateJobResource}
	providerDataSources = []func() datasource.DataSource{NewMigrateJobsDataSource, NewMigrateCheckDataSource}
)

// configuredData is what the provider's Configure handed to a resource or data source: nil
// before the provider is configured (validation, for instance), and an error diagnostic,
// rather than a panic, if it is ever of the wrong type.
func configuredData(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
	}
	return data
}

// configuredDataSource is embedded by every data source: what the provider's Configure made is
// kept the same way for each of them.
type configuredDataSource struct {
	data *providerData
}

func (d *configuredDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// timeoutOf is a timeouts block's method for one operation, such as Create or Read: the
// timeout the configuration sets, or the default it is given.
type timeoutOf func(context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// withTimeout bounds ctx by an operation's timeout, def unless the timeouts block sets another,
// and returns that timeout too, for the waits within the operation. Reading the block adds its
// diagnostics to diags.
func withTimeout(ctx context.Context, of timeoutOf, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, time.Duration) {
	timeout, d := of(ctx, def)
	diags.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, timeout
}
