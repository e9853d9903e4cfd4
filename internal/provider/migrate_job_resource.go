package provider

// migrate_job_resource.go: the dts_migrate_job resource's Terraform methods (CRUD, import,
// plan), the one path that reads a job into state, and the models. The schema is in
// migrate_job_schema.go, the cross-field rules in migrate_job_validate.go, the operations in
// migrate_job_lifecycle.go and the waits in migrate_job_wait.go.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

var (
	_ resource.ResourceWithConfigure      = (*migrateJobResource)(nil)
	_ resource.ResourceWithIdentity       = (*migrateJobResource)(nil)
	_ resource.ResourceWithImportState    = (*migrateJobResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*migrateJobResource)(nil)
	_ resource.ResourceWithValidateConfig = (*migrateJobResource)(nil)
)

// Default operation timeouts.
const (
	defaultCreateTimeout = 60 * time.Minute
	defaultUpdateTimeout = 60 * time.Minute
	defaultDeleteTimeout = 30 * time.Minute
)

// NewMigrateJobResource returns the dts_migrate_job resource.
func NewMigrateJobResource() resource.Resource {
	return &migrateJobResource{}
}

type migrateJobResource struct {
	data *providerData
}

func (r *migrateJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migrate_job"
}

func (r *migrateJobResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = migrateJobSchema(ctx)
}

func (r *migrateJobResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"job_id": identityschema.StringAttribute{
				Description:       "The job ID, such as dts-1a2b3c4d.",
				RequiredForImport: true,
			},
			"region": identityschema.StringAttribute{
				Description:       "The job's region; when given on import, it must be the provider's.",
				OptionalForImport: true,
			},
		},
	}
}

func (r *migrateJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *migrateJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan migrateJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, timeout := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	ctx, s, diags := beginSending(ctx, req.Config, &plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	createReq, diags := expandCreateRequest(&plan, s)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	l := newLifecycle(r.data, timeout)
	jobID, err := l.create(ctx, createReq)
	if err != nil {
		resp.Diagnostics.AddError("Error Creating DTS Migrate Job", fmt.Sprintf("creating DTS Migrate Job (%s): %s", plan.Name.ValueString(), err))
		return
	}
	// The ID goes into state at once: whatever fails from here on leaves a tainted resource
	// that the next apply replaces, never a job that Terraform does not know about.
	plan.ID = types.StringValue(jobID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), jobID)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A new job is creating: the first look at it waits a poll interval.
	seen, err := l.converge(ctx, jobID, &plan, convergeOptions{check: true, firstReadDelay: l.wait.minPoll})
	r.record(ctx, &plan, nil, seen, err, "creating", &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *migrateJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state migrateJobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, secretsOf(&state))
	jobID := state.ID.ValueString()
	priorStatus := state.Status.ValueString()

	job, diags, err := r.readInto(ctx, &state, lastRead{}, refreshMaxAge)
	if dtsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("DTS Migrate Job Not Found",
			fmt.Sprintf("DTS Migrate Job (%s) no longer exists; it is removed from state, and the next apply creates it again.", jobID))
		resp.State.RemoveResource(ctx)
		// The framework wants an identity after every Read without errors, a removal included.
		resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, jobID)...)
		return
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	deriveLifecycle(&state, job)

	failed := dtsapi.StatusName(dtsapi.StatusFailed)
	if state.Status.ValueString() == failed && priorStatus != "" && priorStatus != failed {
		resp.Diagnostics.AddWarning("DTS Migrate Job Failed",
			fmt.Sprintf("DTS Migrate Job (%s) has failed since it was last read: %s", jobID, jobErrorText(job)))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, jobID)...)
}

func (r *migrateJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state migrateJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, timeout := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	ctx, s, diags := beginSending(ctx, req.Config, &plan)
	resp.Diagnostics.Append(diags...)
	unknownSecrets, diags := secretsUnknown(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	changed, diags := changedAPIPaths(ctx, req.Plan, req.State, unknownSecrets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	jobID := state.ID.ValueString()
	plan.ID = state.ID
	l := newLifecycle(r.data, timeout)
	var (
		seen lastRead
		err  error
	)
	if len(changed) > 0 {
		modifyReq, diags := expandModifyRequest(jobID, &plan, s)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		err = l.modify(ctx, jobID, modifyReq)
		if err == nil {
			seen, err = l.converge(ctx, jobID, &plan, convergeOptions{check: true})
		}
	} else {
		seen, err = l.converge(ctx, jobID, &plan, convergeOptions{})
	}
	if err == nil && unknownSecrets {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSecretsUnknown, nil)...)
	}
	r.record(ctx, &plan, &state, seen, err, "updating", &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *migrateJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state migrateJobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, timeout := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	jobID := state.ID.ValueString()
	// A state written before deletion_protection existed has it null: it protects too.
	protect := !state.DeletionProtection.Equal(types.BoolValue(false))
	err := newLifecycle(r.data, timeout).remove(ctx, jobID, protect)
	var pe *protectedError
	switch {
	case errors.As(err, &pe):
		resp.Diagnostics.AddError("DTS Migrate Job Is Protected", err.Error()+".")
	case err != nil:
		resp.Diagnostics.AddError("Error Deleting DTS Migrate Job", fmt.Sprintf("deleting DTS Migrate Job (%s): %s", jobID, err))
	}
}

func (r *migrateJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if req.ID == "" && req.Identity != nil {
		var ident migrateJobIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = ident.JobID.ValueString()
		if region := ident.Region.ValueString(); region != "" && r.data != nil && region != r.data.client.Region() {
			resp.Diagnostics.AddError("Import Identity In Another Region",
				fmt.Sprintf("The identity names region %s, but this provider manages %s. Import the job with a provider configured for %s.", region, r.data.client.Region(), region))
			return
		}
	}
	if !strings.HasPrefix(id, "dts-") {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a DTS Migrate Job by its job ID, such as dts-1a2b3c4d; got %q.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	// The API never returns secrets, so after an import the state cannot know them: the first
	// apply records the configuration's passwords rather than sending them, which would stop
	// and restart a running migration for nothing.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSecretsUnknown, []byte(`true`))...)
}

func (r *migrateJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	if req.State.Raw.IsNull() {
		resp.Diagnostics.Append(planCreate(ctx, req.Plan)...)
		return
	}
	// A plan equal to the state changes nothing: the common case of a plan of many jobs skips
	// the comparison of every API attribute.
	var changed path.Paths
	if !req.Plan.Raw.Equal(req.State.Raw) {
		unknownSecrets, diags := secretsUnknown(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
		changed, diags = changedAPIPaths(ctx, req.Plan, req.State, unknownSecrets)
		resp.Diagnostics.Append(diags...)
		resp.Diagnostics.Append(planModify(ctx, req.Plan, req.State, changed)...)
	}
	var jobID, status types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &jobID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if resp.Diagnostics.HasError() {
		return
	}
	code, known := dtsapi.StatusCode(status.ValueString())
	if len(changed) > 0 {
		switch code {
		case dtsapi.StatusSuccess:
			// The API refuses every modification of a finished job: the only way to apply the
			// change is a new job.
			resp.RequiresReplace = append(resp.RequiresReplace, changed...)
			resp.Diagnostics.AddWarning("DTS Migrate Job Will Be Replaced",
				fmt.Sprintf("DTS Migrate Job (%s) has finished (status success), and the API cannot modify a finished job: "+
					"the change is planned as a replacement, a new job migrating again.", jobID.ValueString()))
		case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete:
			resp.Diagnostics.AddWarning("Running Migration Will Be Restarted",
				fmt.Sprintf("DTS Migrate Job (%s) is %s. To apply the change, apply stops the migration (the job fails, as the API "+
					"does on a stop), modifies the job, checks it again and, with start = true, starts it again from the beginning.",
					jobID.ValueString(), status.ValueString()))
		}
		return
	}

	// Nothing to modify: the job may still fall short of what the configuration asks, after an
	// interrupted or timed-out apply, an untaint, or a change made outside Terraform. Then the
	// plan is an update that resumes it in place.
	goal, goalKnown, diags := goalFromPlan(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	if !known || !goalKnown || goalReached(code, goal) {
		return
	}
	for _, name := range resumeComputed {
		var v attr.Value
		resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root(name), &v)...)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), unknownOf(ctx, v))...)
	}
	summary, detail := "DTS Migrate Job Will Resume", "has not reached what the configuration asks"
	if code == dtsapi.StatusFailed || code == dtsapi.StatusStopping || code == dtsapi.StatusCheckNotPass {
		summary, detail = "DTS Migrate Job Will Be Restarted", "has stopped short of what the configuration asks (it failed, was stopped or did not pass its check)"
	}
	resp.Diagnostics.AddWarning(summary, fmt.Sprintf("DTS Migrate Job (%s) is %s and %s: apply %s, in place.",
		jobID.ValueString(), status.ValueString(), detail, remainingWork(goal, code)))
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// migrateJobResourceModel is the resource's whole state: what the API says of the job
// (migrateJobModel), the source and destination with their secrets, the lifecycle controls and
// the check.
type migrateJobResourceModel struct {
	migrateJobModel
	Source       *sourceModel      `tfsdk:"source"`
	Destination  *destinationModel `tfsdk:"destination"`
	Start        types.Bool        `tfsdk:"start"`
	WaitFor      types.String      `tfsdk:"wait_for"`
	Complete     types.Bool        `tfsdk:"complete"`
	CompleteMode types.String      `tfsdk:"complete_mode"`
	// DeletionProtection guards a job that moves data against Delete.
	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
	Check              types.Object   `tfsdk:"check"`
}

// sourceModel is the resource's source: what the API returns, and the secrets it never does.
type sourceModel struct {
	sourceInfoModel
	Password           types.String `tfsdk:"password"`
	PasswordWO         types.String `tfsdk:"password_wo"`
	PasswordWOVersion  types.Int64  `tfsdk:"password_wo_version"`
	AccessKey          types.String `tfsdk:"access_key"`
	AccessKeyWO        types.String `tfsdk:"access_key_wo"`
	AccessKeyWOVersion types.Int64  `tfsdk:"access_key_wo_version"`
}

// destinationModel is the resource's destination, with its password.
type destinationModel struct {
	destinationInfoModel
	Password          types.String `tfsdk:"password"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
}

// migrateJobIdentityModel is the resource's identity: what names the job, whatever the
// configuration says.
type migrateJobIdentityModel struct {
	JobID  types.String `tfsdk:"job_id"`
	Region types.String `tfsdk:"region"`
}
