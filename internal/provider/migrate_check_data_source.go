package provider

// migrate_check_data_source.go: the dts_migrate_check data source, a job's latest check
// result, read as it is or waited for.

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

var _ datasource.DataSourceWithConfigure = (*migrateCheckDataSource)(nil)

const defaultCheckReadTimeout = 20 * time.Minute

// NewMigrateCheckDataSource returns the dts_migrate_check data source.
func NewMigrateCheckDataSource() datasource.DataSource {
	return &migrateCheckDataSource{}
}

type migrateCheckDataSource struct {
	configuredDataSource
}

func (d *migrateCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migrate_check"
}

func (d *migrateCheckDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The result of a migration job's latest check: whether it passed and, if not, why. With `wait = true` it waits for a running check to finish.",
		Attributes: map[string]schema.Attribute{
			"job_id": schema.StringAttribute{
				MarkdownDescription: "The job whose check to read, such as `dts-1a2b3c4d`.",
				Required:            true,
				Validators:          []validator.String{jobIDValidator},
			},
			"wait": schema.BoolAttribute{
				MarkdownDescription: "Whether to wait until a check that is starting or running has finished (bounded by `timeouts.read`, default 20 minutes). Default: `false`, which reads the result as it is.",
				Optional:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Where the check is: " + enumDoc(checkStatusNames) + " (`unavailable` when no check has run since the job was created or modified).",
				Computed:            true,
			},
			"passed": schema.BoolAttribute{
				MarkdownDescription: "Whether the check has finished and passed (`status = \"finished\"` and `check_flag = 1`), as in `dts_migrate_job`'s `check.passed`.",
				Computed:            true,
			},
			"check_flag": schema.Int64Attribute{
				MarkdownDescription: "The API's check flag: 1 passed, 0 failed, 3 not checked.",
				Computed:            true,
			},
			"progress": schema.Int64Attribute{
				MarkdownDescription: "Check progress in percent, 0 to 100.",
				Computed:            true,
			},
			"error_code": schema.Int64Attribute{
				MarkdownDescription: "The check's error code; 0 when it passed.",
				Computed:            true,
			},
			"error_message": schema.StringAttribute{
				MarkdownDescription: "What the check found wrong, or `ok`.",
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *migrateCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg migrateCheckDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, timeout := withTimeout(ctx, cfg.Timeouts.Read, defaultCheckReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	jobID := cfg.JobID.ValueString()

	var (
		result *dtsapi.MigrateCheckResult
		err    error
	)
	if cfg.Wait.ValueBool() {
		result, err = newJobWaiter(d.data, timeout).waitMigrateCheckIdle(ctx, jobID)
	} else {
		result, err = d.data.client.DescribeMigrateCheckJob(ctx, jobID)
	}
	if dtsapi.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("job_id"), "DTS Migrate Job Not Found",
			fmt.Sprintf("There is no DTS Migrate Job with ID %s in this region. Check the ID (terraform output, or the dts_migrate_jobs data source).", jobID))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error Reading DTS Migrate Check", fmt.Sprintf("reading the check of DTS Migrate Job (%s): %s", jobID, err))
		return
	}
	flag := dtsapi.Int64Value(result.CheckFlag)
	cfg.Status = types.StringValue(dtsapi.StringValue(result.Status))
	cfg.Passed = types.BoolValue(checkPassed(result))
	cfg.CheckFlag = types.Int64Value(flag)
	cfg.Progress = types.Int64Value(percent(result.Progress))
	cfg.ErrorCode = types.Int64Value(dtsapi.Int64Value(result.ErrorCode))
	cfg.ErrorMessage = types.StringValue(dtsapi.StringValue(result.ErrorMessage))
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

type migrateCheckDataSourceModel struct {
	JobID        types.String   `tfsdk:"job_id"`
	Wait         types.Bool     `tfsdk:"wait"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
	Status       types.String   `tfsdk:"status"`
	Passed       types.Bool     `tfsdk:"passed"`
	CheckFlag    types.Int64    `tfsdk:"check_flag"`
	Progress     types.Int64    `tfsdk:"progress"`
	ErrorCode    types.Int64    `tfsdk:"error_code"`
	ErrorMessage types.String   `tfsdk:"error_message"`
}
