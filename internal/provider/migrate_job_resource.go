package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

var (
	_ resource.ResourceWithConfigure      = (*migrateJobResource)(nil)
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

func (r *migrateJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *migrateJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan migrateJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel, s, diags := beginSending(ctx, req.Config, &plan, timeout)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	createReq, diags := expandCreateRequest(&plan, s)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	w := r.waiter(timeout)
	jobID, err := w.createJob(ctx, createReq)
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
	job, check, err := w.converge(ctx, jobID, &plan, true, w.minPoll)
	r.finish(ctx, jobID, &plan, job, check, err, "creating", &resp.State, &resp.Diagnostics)
}

// finish records the job as it now is in state and reports err, the outcome of the operation.
// job and check, when not nil, are what the operation's last reads saw, which spares reading
// them again.
func (r *migrateJobResource) finish(ctx context.Context, jobID string, m *migrateJobResourceModel, job *dtsapi.MigrateJobInfo, check *dtsapi.MigrateCheckResult, err error, verb string, state stateSetter, diags *diag.Diagnostics) {
	// The final read uses a fresh context: the operation's own may have run out.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	readDiags := r.refresh(readCtx, jobID, m, job, check)
	if err != nil {
		diags.AddError(fmt.Sprintf("Error %s DTS Migrate Job", titleCase(verb)), fmt.Sprintf("%s DTS Migrate Job (%s): %s", verb, jobID, err))
	}
	if readDiags.HasError() && err == nil {
		diags.Append(readDiags...)
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// refresh reads the job and its check into m. job and check, when not nil, were already read.
func (r *migrateJobResource) refresh(ctx context.Context, jobID string, m *migrateJobResourceModel, job *dtsapi.MigrateJobInfo, check *dtsapi.MigrateCheckResult) diag.Diagnostics {
	var diags diag.Diagnostics
	if job == nil {
		var err error
		if job, err = r.data.client.FindMigrateJob(ctx, jobID); err != nil {
			diags.AddError("Error Reading DTS Migrate Job", fmt.Sprintf("reading DTS Migrate Job (%s): %s", jobID, err))
			return diags
		}
	}
	var err error
	diags.Append(flattenMigrateJob(ctx, job, m)...)
	if check == nil {
		check, err = r.data.client.DescribeMigrateCheckJob(ctx, jobID)
		if err != nil && !dtsapi.IsNotFound(err) {
			diags.AddWarning("Cannot Read DTS Migrate Check", fmt.Sprintf("reading the check of DTS Migrate Job (%s): %s", jobID, err))
		}
	}
	obj, d := flattenCheck(check)
	diags.Append(d...)
	m.Check = obj
	return diags
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

	job, err := r.data.client.FindMigrateJob(ctx, jobID)
	if dtsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("DTS Migrate Job Not Found",
			fmt.Sprintf("DTS Migrate Job (%s) no longer exists; it is removed from state, and the next apply creates it again.", jobID))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error Reading DTS Migrate Job", fmt.Sprintf("reading DTS Migrate Job (%s): %s", jobID, err))
		return
	}
	priorCheck := state.Check
	resp.Diagnostics.Append(flattenMigrateJob(ctx, job, &state)...)
	if checkSettled(priorCheck, dtsapi.Int64Value(job.Status)) {
		// A started job's check cannot have changed without the job passing through a
		// checking status again: the finished result in state stands, and a refresh of many
		// jobs costs one call each rather than two.
		state.Check = priorCheck
	} else {
		check, err := r.data.client.DescribeMigrateCheckJob(ctx, jobID)
		if err != nil && !dtsapi.IsNotFound(err) {
			resp.Diagnostics.AddError("Error Reading DTS Migrate Check", fmt.Sprintf("reading the check of DTS Migrate Job (%s): %s", jobID, err))
			return
		}
		obj, d := flattenCheck(check)
		resp.Diagnostics.Append(d...)
		state.Check = obj
	}
	deriveLifecycle(&state, job)

	if state.Status.ValueString() == "failed" && priorStatus != "" && priorStatus != "failed" {
		resp.Diagnostics.AddWarning("DTS Migrate Job Failed",
			fmt.Sprintf("DTS Migrate Job (%s) has failed since it was last read: %s", jobID, jobErrorText(job)))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// checkSettled reports whether prior, the check result in state, still holds for a job in
// status: it finished, and the job has since been started (statuses 6 to 9, 11, 12).
func checkSettled(prior types.Object, status int64) bool {
	if prior.IsNull() || prior.IsUnknown() {
		return false
	}
	s, ok := prior.Attributes()["status"].(types.String)
	if !ok || s.ValueString() != dtsapi.CheckStatusFinished {
		return false
	}
	switch status {
	case dtsapi.StatusReadyRun, dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusSuccess,
		dtsapi.StatusStopping, dtsapi.StatusCompleting:
		return true
	}
	return false
}

// deriveLifecycle fills the lifecycle controls a Read cannot know (after an import) from what
// the job's state says about how it was driven.
func deriveLifecycle(m *migrateJobResourceModel, job *dtsapi.MigrateJobInfo) {
	status := dtsapi.Int64Value(job.Status)
	if m.Start.IsNull() {
		started := status >= dtsapi.StatusReadyRun && status != dtsapi.StatusFailed ||
			status == dtsapi.StatusFailed && dtsapi.StringValue(job.StartTime) != "" && dtsapi.StringValue(job.StartTime) != "0000-00-00 00:00:00"
		m.Start = types.BoolValue(started)
	}
	if m.Complete.IsNull() {
		completed := status == dtsapi.StatusCompleting ||
			status == dtsapi.StatusSuccess && m.MigrateType.ValueString() == "full_and_incremental"
		m.Complete = types.BoolValue(completed)
	}
	if m.WaitFor.IsNull() {
		m.WaitFor = types.StringValue("running")
	}
	if m.CompleteMode.IsNull() {
		m.CompleteMode = types.StringValue("wait_for_sync")
	}
}

func (r *migrateJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state migrateJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel, s, diags := beginSending(ctx, req.Config, &plan, timeout)
	defer cancel()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	jobID := state.ID.ValueString()
	plan.ID = state.ID
	w := r.waiter(timeout)
	var (
		job   *dtsapi.MigrateJobInfo
		check *dtsapi.MigrateCheckResult
		err   error
	)
	unknownSecrets, diags := secretsUnknown(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if apiFieldsChanged(&plan, &state, unknownSecrets) {
		var modifyReq *dtsapi.ModifyMigrateJobRequest
		modifyReq, diags = expandModifyRequest(jobID, &plan, s)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		err = w.modifyJob(ctx, jobID, modifyReq)
		if err == nil {
			job, check, err = w.converge(ctx, jobID, &plan, true, 0)
		}
	} else {
		job, check, err = w.converge(ctx, jobID, &plan, false, 0)
	}
	if err == nil && unknownSecrets {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSecretsUnknown, nil)...)
	}
	r.finish(ctx, jobID, &plan, job, check, err, "updating", &resp.State, &resp.Diagnostics)
}

func (r *migrateJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state migrateJobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	jobID := state.ID.ValueString()
	if err := r.waiter(timeout).deleteJob(ctx, jobID); err != nil {
		resp.Diagnostics.AddError("Error Deleting DTS Migrate Job", fmt.Sprintf("deleting DTS Migrate Job (%s): %s", jobID, err))
	}
}

func (r *migrateJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if !strings.HasPrefix(id, "dts-") {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a DTS Migrate Job by its job ID, such as dts-1a2b3c4d; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	// The API never returns secrets, so after an import the state cannot know them: the first
	// apply records the configuration's passwords rather than sending them, which would stop
	// and restart a running migration for nothing.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSecretsUnknown, []byte(`true`))...)
}

// privateSecretsUnknown is the private-state key that marks an imported job whose passwords
// and access keys the state does not know.
const privateSecretsUnknown = "secrets_unknown"

// privateGetter is the framework's private state, which is safe to read when nil.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func secretsUnknown(ctx context.Context, p privateGetter) (bool, diag.Diagnostics) {
	v, diags := p.GetKey(ctx, privateSecretsUnknown)
	return string(v) == "true", diags
}

func (r *migrateJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state migrateJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unknownSecrets, diags := secretsUnknown(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if !apiFieldsChanged(&plan, &state, unknownSecrets) {
		return
	}
	jobID := state.ID.ValueString()
	switch state.Status.ValueString() {
	case "success":
		// The API refuses every modification of a finished job: the only way to apply the
		// change is a new job.
		resp.RequiresReplace = append(resp.RequiresReplace, changedAPIPaths(&plan, &state, unknownSecrets)...)
		resp.Diagnostics.AddWarning("DTS Migrate Job Will Be Replaced",
			fmt.Sprintf("DTS Migrate Job (%s) has finished (status success), and the API cannot modify a finished job: "+
				"the change is planned as a replacement, a new job migrating again.", jobID))
	case "ready_run", "running", "ready_complete":
		resp.Diagnostics.AddWarning("Running Migration Will Be Restarted",
			fmt.Sprintf("DTS Migrate Job (%s) is %s. To apply the change, apply stops the migration (the job fails, as the API "+
				"does on a stop), modifies the job, checks it again and, with start = true, starts it again from the beginning.",
				jobID, state.Status.ValueString()))
	}
}

// apiFieldsChanged reports whether the job's API configuration differs between plan and
// state, as opposed to lifecycle controls, timeouts and computed values, which never call
// ModifyMigrateJob. With unknownSecrets (an imported job), a secret the state lacks is no change.
func apiFieldsChanged(plan, state *migrateJobResourceModel, unknownSecrets bool) bool {
	return len(changedAPIPaths(plan, state, unknownSecrets)) > 0
}

// changedAPIPaths lists the top-level attributes sent to the API whose values differ.
func changedAPIPaths(plan, state *migrateJobResourceModel, unknownSecrets bool) path.Paths {
	if unknownSecrets {
		plan = withSecretsOf(plan, state)
	}
	var out path.Paths
	for _, f := range apiFields {
		if !f.equal(plan, state) {
			out = append(out, path.Root(f.name))
		}
	}
	return out
}

// withSecretsOf returns a copy of plan whose secrets the state does not know are taken from
// the state, so that they compare equal.
func withSecretsOf(plan, state *migrateJobResourceModel) *migrateJobResourceModel {
	p := *plan
	if p.Source != nil && state.Source != nil {
		src := *p.Source
		if state.Source.Password.IsNull() {
			src.Password = state.Source.Password
		}
		if state.Source.PasswordWOVersion.IsNull() {
			src.PasswordWOVersion = state.Source.PasswordWOVersion
		}
		if state.Source.AccessKey.IsNull() {
			src.AccessKey = state.Source.AccessKey
		}
		if state.Source.AccessKeyWOVersion.IsNull() {
			src.AccessKeyWOVersion = state.Source.AccessKeyWOVersion
		}
		p.Source = &src
	}
	if p.Destination != nil && state.Destination != nil {
		dst := *p.Destination
		if state.Destination.Password.IsNull() {
			dst.Password = state.Destination.Password
		}
		if state.Destination.PasswordWOVersion.IsNull() {
			dst.PasswordWOVersion = state.Destination.PasswordWOVersion
		}
		p.Destination = &dst
	}
	return &p
}

var apiFields = []struct {
	name  string
	equal func(a, b *migrateJobResourceModel) bool
}{
	{"name", func(a, b *migrateJobResourceModel) bool { return a.Name.Equal(b.Name) }},
	{"migrate_type", func(a, b *migrateJobResourceModel) bool { return a.MigrateType.Equal(b.MigrateType) }},
	{"run_mode", func(a, b *migrateJobResourceModel) bool { return a.RunMode.Equal(b.RunMode) }},
	{"expect_time", func(a, b *migrateJobResourceModel) bool { return sameInstant(a.ExpectTime, b.ExpectTime) }},
	{"migrate_object", func(a, b *migrateJobResourceModel) bool { return a.MigrateObject.Equal(b.MigrateObject) }},
	{"databases", func(a, b *migrateJobResourceModel) bool { return reflect.DeepEqual(a.Databases, b.Databases) }},
	{"consistency_type", func(a, b *migrateJobResourceModel) bool { return a.ConsistencyType.Equal(b.ConsistencyType) }},
	{"consistency_sampling", func(a, b *migrateJobResourceModel) bool {
		return reflect.DeepEqual(a.ConsistencySampling, b.ConsistencySampling)
	}},
	{"override_root", func(a, b *migrateJobResourceModel) bool { return a.OverrideRoot.Equal(b.OverrideRoot) }},
	{"source", func(a, b *migrateJobResourceModel) bool { return reflect.DeepEqual(a.Source, b.Source) }},
	{"destination", func(a, b *migrateJobResourceModel) bool { return reflect.DeepEqual(a.Destination, b.Destination) }},
	{"redis_params", func(a, b *migrateJobResourceModel) bool { return reflect.DeepEqual(a.RedisParams, b.RedisParams) }},
	{"mongodb_params", func(a, b *migrateJobResourceModel) bool { return reflect.DeepEqual(a.MongoDBParams, b.MongoDBParams) }},
}

func sameInstant(a, b timetypes.RFC3339) bool {
	if a.IsNull() || b.IsNull() || a.IsUnknown() || b.IsUnknown() {
		return a.Equal(b)
	}
	ta, da := a.ValueRFC3339Time()
	tb, db := b.ValueRFC3339Time()
	if da.HasError() || db.HasError() {
		return a.Equal(b)
	}
	return ta.Equal(tb)
}

// beginSending prepares an operation that sends the job's configuration: it collects the
// secrets to send, masks them in every log line of the operation, and bounds it by timeout.
func beginSending(ctx context.Context, config configGetter, plan *migrateJobResourceModel, timeout time.Duration) (context.Context, context.CancelFunc, secrets, diag.Diagnostics) {
	s, diags := secretsFrom(ctx, config, plan)
	ctx, cancel := context.WithTimeout(maskSecrets(ctx, s), timeout)
	return ctx, cancel, s, diags
}

// secretsFrom collects the secrets to send: plain values from the plan, write-only ones from
// the configuration (the only place they exist).
func secretsFrom(ctx context.Context, config configGetter, plan *migrateJobResourceModel) (secrets, diag.Diagnostics) {
	s := secretsOf(plan)
	var diags diag.Diagnostics
	get := func(p path.Path, into *string) {
		var v types.String
		diags.Append(config.GetAttribute(ctx, p, &v)...)
		if !v.IsNull() && !v.IsUnknown() {
			*into = v.ValueString()
		}
	}
	get(path.Root("source").AtName("password_wo"), &s.srcPassword)
	get(path.Root("source").AtName("access_key_wo"), &s.srcAccessKey)
	get(path.Root("destination").AtName("password_wo"), &s.dstPassword)
	return s, diags
}

type configGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

func secretsOf(m *migrateJobResourceModel) secrets {
	var s secrets
	if m.Source != nil {
		s.srcPassword, s.srcAccessKey = m.Source.Password.ValueString(), m.Source.AccessKey.ValueString()
	}
	if m.Destination != nil {
		s.dstPassword = m.Destination.Password.ValueString()
	}
	return s
}

// maskSecrets keeps the job's passwords and keys out of every log line of this operation.
func maskSecrets(ctx context.Context, s secrets) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "password", "access_key", "Password", "AccessKey")
	if values := nonEmpty(s.srcPassword, s.srcAccessKey, s.dstPassword); len(values) > 0 {
		ctx = tflog.MaskLogStrings(ctx, values...)
	}
	return ctx
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// jobErrorText joins what a job says about its failure.
func jobErrorText(job *dtsapi.MigrateJobInfo) string {
	var parts []string
	for _, e := range job.ErrorInfo {
		if e == nil {
			continue
		}
		p := dtsapi.StringValue(e.ErrorLog)
		if h := dtsapi.StringValue(e.HelpDoc); h != "" {
			p += " (see " + h + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "the API gave no reason"
	}
	return strings.Join(slices.Compact(parts), "; ")
}

var errCheckFailed = errors.New("the migration check did not pass")

type migrateJobResourceModel struct {
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
	Source              *sourceModel              `tfsdk:"source"`
	Destination         *destinationModel         `tfsdk:"destination"`
	RedisParams         *redisParamsModel         `tfsdk:"redis_params"`
	MongoDBParams       *mongoDBParamsModel       `tfsdk:"mongodb_params"`
	Tags                map[string]types.String   `tfsdk:"tags"`
	Start               types.Bool                `tfsdk:"start"`
	WaitFor             types.String              `tfsdk:"wait_for"`
	Complete            types.Bool                `tfsdk:"complete"`
	CompleteMode        types.String              `tfsdk:"complete_mode"`
	Timeouts            timeouts.Value            `tfsdk:"timeouts"`
	Status              types.String              `tfsdk:"status"`
	StatusCode          types.Int64               `tfsdk:"status_code"`
	Check               types.Object              `tfsdk:"check"`
	Detail              types.Object              `tfsdk:"detail"`
	Errors              types.List                `tfsdk:"errors"`
	CreateTime          timetypes.RFC3339         `tfsdk:"create_time"`
	StartTime           timetypes.RFC3339         `tfsdk:"start_time"`
	EndTime             timetypes.RFC3339         `tfsdk:"end_time"`
}

type databaseModel struct {
	Database types.String   `tfsdk:"database"`
	Schema   types.String   `tfsdk:"schema"`
	Tables   []types.String `tfsdk:"tables"`
}

type consistencySamplingModel struct {
	SelectRowsPerTable types.Int64 `tfsdk:"select_rows_per_table"`
	TablesSelectAll    types.Int64 `tfsdk:"tables_select_all"`
	TablesSelectCount  types.Int64 `tfsdk:"tables_select_count"`
}

type sourceModel struct {
	DatabaseType       types.String `tfsdk:"database_type"`
	AccessType         types.String `tfsdk:"access_type"`
	IP                 types.String `tfsdk:"ip"`
	Port               types.Int64  `tfsdk:"port"`
	User               types.String `tfsdk:"user"`
	Password           types.String `tfsdk:"password"`
	PasswordWO         types.String `tfsdk:"password_wo"`
	PasswordWOVersion  types.Int64  `tfsdk:"password_wo_version"`
	AccessKey          types.String `tfsdk:"access_key"`
	AccessKeyWO        types.String `tfsdk:"access_key_wo"`
	AccessKeyWOVersion types.Int64  `tfsdk:"access_key_wo_version"`
	InstanceID         types.String `tfsdk:"instance_id"`
	CVMInstanceID      types.String `tfsdk:"cvm_instance_id"`
	RDSInstanceID      types.String `tfsdk:"rds_instance_id"`
	VPCID              types.String `tfsdk:"vpc_id"`
	SubnetID           types.String `tfsdk:"subnet_id"`
	UniqDCGID          types.String `tfsdk:"uniq_dcg_id"`
	UniqVPNGwID        types.String `tfsdk:"uniq_vpn_gw_id"`
	CCNID              types.String `tfsdk:"ccn_id"`
	EngineVersion      types.String `tfsdk:"engine_version"`
	Region             types.String `tfsdk:"region"`
	Supplier           types.String `tfsdk:"supplier"`
}

type destinationModel struct {
	DatabaseType      types.String `tfsdk:"database_type"`
	AccessType        types.String `tfsdk:"access_type"`
	InstanceID        types.String `tfsdk:"instance_id"`
	Region            types.String `tfsdk:"region"`
	IP                types.String `tfsdk:"ip"`
	Port              types.Int64  `tfsdk:"port"`
	ReadOnly          types.Bool   `tfsdk:"read_only"`
	User              types.String `tfsdk:"user"`
	Password          types.String `tfsdk:"password"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
}

type redisParamsModel struct {
	ClientOutputBufferHardLimit   types.Int64 `tfsdk:"client_output_buffer_hard_limit"`
	ClientOutputBufferSoftLimit   types.Int64 `tfsdk:"client_output_buffer_soft_limit"`
	ClientOutputBufferPersistTime types.Int64 `tfsdk:"client_output_buffer_persist_time"`
	ReplBacklogSize               types.Int64 `tfsdk:"repl_backlog_size"`
	ReplTimeout                   types.Int64 `tfsdk:"repl_timeout"`
}

type mongoDBParamsModel struct {
	AuthDatabase  types.String `tfsdk:"auth_database"`
	AuthFlag      types.String `tfsdk:"auth_flag"`
	AuthMechanism types.String `tfsdk:"auth_mechanism"`
}
