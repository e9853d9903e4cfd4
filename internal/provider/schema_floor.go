package provider

// schema_floor.go: the dts_migrate_job schema stripped of everything the provider adds to the
// framework's own work (validators, plan modifiers, defaults), for the benchmark that compares
// the provider's plan with the framework's floor.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// MigrateJobSchemaFloor returns the schema of dts_migrate_job with the same attributes, types
// and flags (required, optional, computed, sensitive, write-only), and none of the provider's
// validators, plan modifiers or defaults: a resource with it does what the framework does for
// every resource of this shape, and nothing of ours.
func MigrateJobSchemaFloor(ctx context.Context) schema.Schema {
	s := migrateJobSchema(ctx)
	return schema.Schema{Attributes: floorAttributes(s.Attributes), Blocks: s.Blocks, Version: s.Version}
}

func floorAttributes(in map[string]schema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(in))
	for name, a := range in {
		out[name] = floorAttribute(a)
	}
	return out
}

func floorAttribute(a schema.Attribute) schema.Attribute {
	switch a := a.(type) {
	case schema.StringAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.BoolAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.Int64Attribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.Float64Attribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.NumberAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.ListAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.SetAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.MapAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.ObjectAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.SingleNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.Attributes = floorAttributes(a.Attributes)
		return a
	case schema.ListNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.NestedObject.Validators, a.NestedObject.PlanModifiers = nil, nil
		a.NestedObject.Attributes = floorAttributes(a.NestedObject.Attributes)
		return a
	case schema.SetNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.NestedObject.Validators, a.NestedObject.PlanModifiers = nil, nil
		a.NestedObject.Attributes = floorAttributes(a.NestedObject.Attributes)
		return a
	case schema.MapNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.NestedObject.Validators, a.NestedObject.PlanModifiers = nil, nil
		a.NestedObject.Attributes = floorAttributes(a.NestedObject.Attributes)
		return a
	}
	return a
}
