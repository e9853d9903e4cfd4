package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// providerResources and providerDataSources list what the provider serves.
var (
	providerResources   = []func() resource.Resource{NewMigrateJobResource}
	providerDataSources = []func() datasource.DataSource{NewMigrateJobsDataSource, NewMigrateCheckDataSource}
)
