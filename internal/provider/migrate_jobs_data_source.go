package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	data *providerData
}

// orderKeys maps order_by values to the API's Order keys.
var orderKeys = map[string]string{
	"job_id": "JobId", "status": "Status", "name": "JobName",
	"migrate_type": "MigrateType", "run_mode": "RunMode", "create_time": "CreateTime",
}

func (d *migrateJobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migrate_jobs"
}

func (d *migrateJobsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Lists DTS migration jobs and their state, every page of them. Passwords and access keys are never part of the listing.",
		Attributes: map[string]dschema.Attribute{
			"job_id": dschema.StringAttribute{
				MarkdownDescription: "Only the job with this ID.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^dts-[a-z0-9]+$`), "must be a job ID such as dts-1a2b3c4d")},
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
				MarkdownDescription: "Only jobs in one of these statuses: " + enumDoc(jobStatusNames) + ". The API cannot filter by status, so the provider does.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.OneOf(jobStatusNames...))},
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
				NestedObject:        dschema.NestedAttributeObject{Attributes: jobListingAttributes(ctx)},
			},
		},
	}
}

// listingExcluded are the resource's attributes a listing leaves out: secrets, which the API
// never returns, the lifecycle controls, which are the resource's own, and the check, which
// the listing does not read (dts_migrate_check does).
var listingExcluded = []string{
	"password", "password_wo", "password_wo_version", "access_key", "access_key_wo", "access_key_wo_version",
	"start", "wait_for", "complete", "complete_mode", "check",
}

// jobListingAttributes derives the attributes of one listed job from the resource's schema, so
// that the two always describe a job alike.
func jobListingAttributes(ctx context.Context) map[string]dschema.Attribute {
	var resp resource.SchemaResponse
	(&migrateJobResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	return computedAttributes(resp.Schema.Attributes)
}

func computedAttributes(in map[string]rschema.Attribute) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(in))
	for name, a := range in {
		if slices.Contains(listingExcluded, name) {
			continue
		}
		out[name] = computedAttribute(a)
	}
	return out
}

func computedAttribute(a rschema.Attribute) dschema.Attribute {
	desc := listingDescription(a.GetMarkdownDescription())
	switch a := a.(type) {
	case rschema.StringAttribute:
		return dschema.StringAttribute{Computed: true, MarkdownDescription: desc, CustomType: a.CustomType}
	case rschema.Int64Attribute:
		return dschema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	case rschema.BoolAttribute:
		return dschema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	case rschema.ListAttribute:
		return dschema.ListAttribute{Computed: true, MarkdownDescription: desc, ElementType: a.ElementType}
	case rschema.MapAttribute:
		return dschema.MapAttribute{Computed: true, MarkdownDescription: desc, ElementType: a.ElementType}
	case rschema.SingleNestedAttribute:
		return dschema.SingleNestedAttribute{Computed: true, MarkdownDescription: desc, Attributes: computedAttributes(a.Attributes)}
	case rschema.ListNestedAttribute:
		return dschema.ListNestedAttribute{Computed: true, MarkdownDescription: desc,
			NestedObject: dschema.NestedAttributeObject{Attributes: computedAttributes(a.NestedObject.Attributes)}}
	default:
		panic(fmt.Sprintf("computedAttribute: no data source form for %T; add one", a))
	}
}

// listingDescription keeps what a description says about the value and drops what it says
// about configuring it (defaults, requirements, replacement).
func listingDescription(desc string) string {
	var kept []string
	for _, sentence := range strings.SplitAfter(desc, ". ") {
		s := strings.TrimSpace(sentence)
		if s == "" || strings.HasPrefix(s, "Default:") || strings.HasPrefix(s, "Required") || strings.HasPrefix(s, "When omitted") ||
			strings.Contains(s, "replaces the job") || strings.Contains(s, "Changing it") ||
			strings.HasPrefix(s, "Only with") || strings.HasPrefix(s, "must be") || strings.Contains(s, "not allowed otherwise") {
			continue
		}
		kept = append(kept, s)
	}
	return strings.Join(kept, " ")
}

func (d *migrateJobsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
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
	cfg.Jobs = make([]migrateJobListingModel, 0, len(jobs))
	for _, job := range jobs {
		var m migrateJobResourceModel
		resp.Diagnostics.Append(flattenMigrateJob(ctx, job, &m)...)
		cfg.IDs = append(cfg.IDs, m.ID)
		cfg.Jobs = append(cfg.Jobs, listingOf(&m))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// listingOf is the listing's view of a job the resource's flattener has read.
func listingOf(m *migrateJobResourceModel) migrateJobListingModel {
	l := migrateJobListingModel{
		ID: m.ID, Name: m.Name, MigrateType: m.MigrateType, RunMode: m.RunMode, ExpectTime: m.ExpectTime,
		MigrateObject: m.MigrateObject, Databases: m.Databases, ConsistencyType: m.ConsistencyType,
		ConsistencySampling: m.ConsistencySampling, OverrideRoot: m.OverrideRoot,
		RedisParams: m.RedisParams, MongoDBParams: m.MongoDBParams, Tags: m.Tags,
		Status: m.Status, StatusCode: m.StatusCode, Detail: m.Detail, Errors: m.Errors,
		CreateTime: m.CreateTime, StartTime: m.StartTime, EndTime: m.EndTime,
	}
	if s := m.Source; s != nil {
		l.Source = &sourceListingModel{
			DatabaseType: s.DatabaseType, AccessType: s.AccessType, IP: s.IP, Port: s.Port, User: s.User,
			InstanceID: s.InstanceID, CVMInstanceID: s.CVMInstanceID, RDSInstanceID: s.RDSInstanceID,
			VPCID: s.VPCID, SubnetID: s.SubnetID, UniqDCGID: s.UniqDCGID, UniqVPNGwID: s.UniqVPNGwID,
			CCNID: s.CCNID, EngineVersion: s.EngineVersion, Region: s.Region, Supplier: s.Supplier,
		}
	}
	if d := m.Destination; d != nil {
		l.Destination = &destinationListingModel{
			DatabaseType: d.DatabaseType, AccessType: d.AccessType, InstanceID: d.InstanceID, Region: d.Region,
			IP: d.IP, Port: d.Port, ReadOnly: d.ReadOnly, User: d.User,
		}
	}
	return l
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
	Jobs       []migrateJobListingModel  `tfsdk:"jobs"`
}

type migrateJobListingModel struct {
	ID                  types.String              `tfsdk:"id"`
	Name                types.String              `tfsdk:"name"`
	MigrateType         types.String              `tfsdk:"migrate_type"`
	RunMode             types.String              `tfsdk:"run_mode"`
	ExpectTime          timetypes.RFC3339         `tfsdk:"expect_time"`
	MigrateObject       types.String              `tfsdk:"migrate_object"`
	Databases           []databaseModel           `tfsdk:"databases"`
	ConsistencyType     types.String              `tfsdk:"consistency_type"`
	ConsistencySampling *consistencySamplingModel `tfsdk:"consistency_sampling"`
	OverrideRoot        types.Bool                `tfsdk:"override_root"`
	Source              *sourceListingModel       `tfsdk:"source"`
	Destination         *destinationListingModel  `tfsdk:"destination"`
	RedisParams         *redisParamsModel         `tfsdk:"redis_params"`
	MongoDBParams       *mongoDBParamsModel       `tfsdk:"mongodb_params"`
	Tags                map[string]types.String   `tfsdk:"tags"`
	Status              types.String              `tfsdk:"status"`
	StatusCode          types.Int64               `tfsdk:"status_code"`
	Detail              types.Object              `tfsdk:"detail"`
	Errors              types.List                `tfsdk:"errors"`
	CreateTime          timetypes.RFC3339         `tfsdk:"create_time"`
	StartTime           timetypes.RFC3339         `tfsdk:"start_time"`
	EndTime             timetypes.RFC3339         `tfsdk:"end_time"`
}

type sourceListingModel struct {
	DatabaseType  types.String `tfsdk:"database_type"`
	AccessType    types.String `tfsdk:"access_type"`
	IP            types.String `tfsdk:"ip"`
	Port          types.Int64  `tfsdk:"port"`
	User          types.String `tfsdk:"user"`
	InstanceID    types.String `tfsdk:"instance_id"`
	CVMInstanceID types.String `tfsdk:"cvm_instance_id"`
	RDSInstanceID types.String `tfsdk:"rds_instance_id"`
	VPCID         types.String `tfsdk:"vpc_id"`
	SubnetID      types.String `tfsdk:"subnet_id"`
	UniqDCGID     types.String `tfsdk:"uniq_dcg_id"`
	UniqVPNGwID   types.String `tfsdk:"uniq_vpn_gw_id"`
	CCNID         types.String `tfsdk:"ccn_id"`
	EngineVersion types.String `tfsdk:"engine_version"`
	Region        types.String `tfsdk:"region"`
	Supplier      types.String `tfsdk:"supplier"`
}

type destinationListingModel struct {
	DatabaseType types.String `tfsdk:"database_type"`
	AccessType   types.String `tfsdk:"access_type"`
	InstanceID   types.String `tfsdk:"instance_id"`
	Region       types.String `tfsdk:"region"`
	IP           types.String `tfsdk:"ip"`
	Port         types.Int64  `tfsdk:"port"`
	ReadOnly     types.Bool   `tfsdk:"read_only"`
	User         types.String `tfsdk:"user"`
}
