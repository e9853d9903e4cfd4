package provider

// migrate_job_secrets.go: the job's passwords and access keys. They come from the plan (plain
// attributes) or the configuration (write-only ones), are masked in every log line of an
// operation, and are never read back from the API; after an import the private state marks
// that the state does not know them.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// secrets are the values of a job's configuration that the API never returns. Write-only
// values come from the configuration of the running operation and are never stored.
type secrets struct {
	srcPassword, srcAccessKey, dstPassword string
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

type configGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// beginSending prepares an operation that sends the job's configuration: it collects the
// secrets to send and masks them in every log line of the operation.
func beginSending(ctx context.Context, config configGetter, plan *migrateJobResourceModel) (context.Context, secrets, diag.Diagnostics) {
	s, diags := secretsFrom(ctx, config, plan)
	return maskSecrets(ctx, s), s, diags
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

// secretsOf collects the plain secrets a model holds.
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

// secretAttributes are the attributes of source and destination whose values the API never
// returns: after an import the state does not know them, and then their absence from the
// state is no change.
var secretAttributes = []string{"password", "password_wo_version", "access_key", "access_key_wo_version"}
