package provider

// migrate_job_plan.go: what counts as a change of the job's configuration. Only the attributes
// sent to the API can call for ModifyMigrateJob; values are compared as the framework's values,
// with timestamps equal when they name the same instant and, after an import, the secrets the
// state does not know left out.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// apiAttributes are the top-level attributes sent to the API, as opposed to lifecycle
// controls, timeouts and computed values, which never call ModifyMigrateJob.
var apiAttributes = []string{
	"name", "migrate_type", "run_mode", "expect_time", "migrate_object", "databases", "consistency_type",
	"consistency_sampling", "override_root", "source", "destination", "redis_params", "mongodb_params",
}

// changedAPIPaths lists the API attributes whose values differ between plan and state. With
// unknownSecrets (an imported job), a secret the state lacks is no change.
func changedAPIPaths(ctx context.Context, plan, state configGetter, unknownSecrets bool) (path.Paths, diag.Diagnostics) {
	var (
		out   path.Paths
		diags diag.Diagnostics
	)
	for _, name := range apiAttributes {
		var planned, prior attr.Value
		diags.Append(plan.GetAttribute(ctx, path.Root(name), &planned)...)
		diags.Append(state.GetAttribute(ctx, path.Root(name), &prior)...)
		if diags.HasError() {
			return nil, diags
		}
		if unknownSecrets {
			planned = withSecretsOf(planned, prior)
		}
		if !sameValue(planned, prior) {
			out = append(out, path.Root(name))
		}
	}
	return out, diags
}

// withSecretsOf returns planned with the secret attributes that prior lacks taken from prior,
// so that they compare equal; values other than objects come back as they are.
func withSecretsOf(planned, prior attr.Value) attr.Value {
	p, ok1 := planned.(types.Object)
	s, ok2 := prior.(types.Object)
	if !ok1 || !ok2 || p.IsNull() || p.IsUnknown() || s.IsNull() || s.IsUnknown() {
		return planned
	}
	attrs := p.Attributes()
	priorAttrs := s.Attributes()
	for _, name := range secretAttributes {
		if v, ok := priorAttrs[name]; ok && v.IsNull() {
			attrs[name] = v
		}
	}
	obj, diags := types.ObjectValue(p.AttributeTypes(context.Background()), attrs)
	if diags.HasError() {
		return planned
	}
	return obj
}

// sameValue compares two values of an attribute; timestamps are equal when they name the
// same instant.
func sameValue(a, b attr.Value) bool {
	if ta, ok := a.(timetypes.RFC3339); ok {
		if tb, ok := b.(timetypes.RFC3339); ok {
			return sameInstant(ta, tb)
		}
	}
	return a.Equal(b)
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
