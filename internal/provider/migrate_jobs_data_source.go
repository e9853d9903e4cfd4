package provider

// migrate_jobs_data_source.go: the dts_migrate_jobs data source, which lists jobs page by page
// and filters them by what the API cannot filter on. The schema of one listed job is in
// migrate_jobs_schema.go.

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

var _ datasource.DataSourceWithConfigure = (*migrateJobsDataSource)(nil)

// NewMigrateJobsDataSource returns the dts_migrate_jobs data source.
func NewMigrateJobsDataSource() datasource.DataSource {
	return &migrateJobsDataSource{}
}

type migrateJobsDataSource struct {
	configuredDataSource
}

// orderKeys maps order_by values to the API's Order keys.
var orderKeys = map[string]string{
	"job_id": "JobId", "status": "Status", "name": "JobName",
	"migrate_type": "MigrateType", "run_mode": "RunMode", "create_time": "CreateTime",
}

func (d *migrateJobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migrate_jobs"
}

func (d *migrateJobsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Lists DTS migration jobs and their state, every page of them. Passwords and access keys are never part of the listing.",
		Attributes: map[string]dschema.Attribute{
			"job_id": dschema.StringAttribute{
				MarkdownDescription: "Only the job with this ID.",
				Optional:            true,
				Validators:          []validator.String{jobIDValidator},
			},
			"name": dschema.StringAttribute{
				MarkdownDescription: "Only jobs whose name contains this text (case-sensitive), or, with `name_exact`, whose name is exactly it.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name_exact": dschema.BoolAttribute{
				MarkdownDescription: "Whether `name` must match the whole name rather than a part of it. Default: `false`.",
				Optional:            true,
			},
			"tag_filters": dschema.MapAttribute{
				MarkdownDescription: "Only jobs with these tags: every key must be present, with any of the values listed for it (an empty list accepts any value). For example `{ env = [\"prod\", \"staging\"] }`.",
				Optional:            true,
				ElementType:         types.ListType{ElemType: types.StringType},
			},
			"statuses": dschema.ListAttribute{
				MarkdownDescription: "Only jobs in one of these statuses: " + enumDoc(append(slices.Clip(jobStatusNames), unknownStatusName)) + " (`unknown` selects the jobs whose status code this provider does not know). The API cannot filter by status, so the provider does.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(append(slices.Clip(jobStatusNames), unknownStatusName)...))},
			},
			"order_by": dschema.StringAttribute{
				MarkdownDescription: "What the jobs are sorted by: " + enumDoc(sortedKeys(orderKeys)) + ". Default: `create_time`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(sortedKeys(orderKeys)...)},
			},
			"order": dschema.StringAttribute{
				MarkdownDescription: "Sort direction: `asc` or `desc`. Default: `desc`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("asc", "desc")},
			},
			"max_results": dschema.Int64Attribute{
				MarkdownDescription: "At most this many jobs. Default: all of them.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"ids": dschema.ListAttribute{
				MarkdownDescription: "The IDs of the jobs listed, in order.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"total_count": dschema.Int64Attribute{
				MarkdownDescription: "How many jobs the API counts for the API-side filters (`job_id`, `name`, `tag_filters`), before the provider's own filters and `max_results`.",
				Computed:            true,
			},
			"jobs": dschema.ListNestedAttribute{
				MarkdownDescription: "The jobs, with everything `dts_migrate_job` exposes except secrets and lifecycle controls.",
				Computed:            true,
				NestedObject:        dschema.NestedAttributeObject{Attributes: jobListingAttributes()},
			},
		},
	}
}

func (d *migrateJobsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg migrateJobsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	apiReq := &dtsapi.DescribeMigrateJobsRequest{
		JobId:    optionalWire(cfg.JobID.ValueString()),
		JobName:  optionalWire(cfg.Name.ValueString()),
		Order:    dtsapi.String(orderKeys["create_time"]),
		OrderSeq: dtsapi.String("DESC"),
	}
	if !cfg.OrderBy.IsNull() {
		apiReq.Order = dtsapi.String(orderKeys[cfg.OrderBy.ValueString()])
	}
	if !cfg.Order.IsNull() {
		apiReq.OrderSeq = dtsapi.String(strings.ToUpper(cfg.Order.ValueString()))
	}
	for _, key := range sortedKeys(cfg.TagFilters) {
		filter := &dtsapi.TagFilter{TagKey: dtsapi.String(key), TagValue: []*string{}}
		for _, v := range cfg.TagFilters[key] {
			filter.TagValue = append(filter.TagValue, dtsapi.String(v.ValueString()))
		}
		apiReq.TagFilters = append(apiReq.TagFilters, filter)
	}

	name, exact := cfg.Name.ValueString(), cfg.NameExact.ValueBool()
	var statuses []string
	for _, s := range cfg.Statuses {
		statuses = append(statuses, s.ValueString())
	}
	var match func(*dtsapi.MigrateJobInfo) bool
	if (exact && name != "") || len(statuses) > 0 {
		match = func(j *dtsapi.MigrateJobInfo) bool {
			if exact && name != "" && dtsapi.StringValue(j.JobName) != name {
				return false
			}
			return len(statuses) == 0 || slices.Contains(statuses, statusName(dtsapi.Int64Value(j.Status)))
		}
	}
	total, jobs, err := d.data.client.ListMigrateJobsMatching(ctx, apiReq, match, int(cfg.MaxResults.ValueInt64()))
	if err != nil {
		resp.Diagnostics.AddError("Error Listing DTS Migrate Jobs", fmt.Sprintf("listing DTS Migrate Jobs: %s", err))
		return
	}

	cfg.TotalCount = types.Int64Value(total)
	cfg.IDs = make([]types.String, 0, len(jobs))
	listed := make([]migrateJobListingModel, 0, len(jobs))
	for _, job := range jobs {
		l := migrateJobListingModel{Source: flattenSourceInfo(job), Destination: flattenDestinationInfo(job)}
		resp.Diagnostics.Append(flattenJob(ctx, job, &l.migrateJobModel)...)
		cfg.IDs = append(cfg.IDs, l.ID)
		listed = append(listed, l)
	}
	// The listed jobs become values without the framework's reflection, which took seconds for
	// thousands of jobs.
	jobsType, diags := req.Config.Schema.TypeAtPath(ctx, path.Root("jobs"))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, diags := modelValue(reflect.ValueOf(listed), jobsType)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Jobs, _ = list.(types.List)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

type migrateJobsDataSourceModel struct {
	JobID      types.String              `tfsdk:"job_id"`
	Name       types.String              `tfsdk:"name"`
	NameExact  types.Bool                `tfsdk:"name_exact"`
	TagFilters map[string][]types.String `tfsdk:"tag_filters"`
	Statuses   []types.String            `tfsdk:"statuses"`
	OrderBy    types.String              `tfsdk:"order_by"`
	Order      types.String              `tfsdk:"order"`
	MaxResults types.Int64               `tfsdk:"max_results"`
	IDs        []types.String            `tfsdk:"ids"`
	TotalCount types.Int64               `tfsdk:"total_count"`
	Jobs       types.List                `tfsdk:"jobs"`
}

// migrateJobListingModel is one listed job: what the resource says of it, without secrets,
// lifecycle controls or the check.
type migrateJobListingModel struct {
	migrateJobModel
	Source      sourceInfoModel      `tfsdk:"source"`
	Destination destinationInfoModel `tfsdk:"destination"`
}
