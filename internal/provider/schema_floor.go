package provider

// schema_floor.go: the dts_migrate_job schema stripped of everything the provider adds to the
// framework's own work (validators, plan modifiers, defaults), for the benchmark that compares
// the provider's plan with the framework's floor.

import (
	"context"
	"reflect"

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

// floorAttribute returns a without the provider's logic: its validators, plan modifiers and
// default cleared, and those of the attributes nested in it. Every attribute type of the
// framework names them by the same fields, so one walk by reflection clears them from each type,
// those the schema does not use yet included, where a switch would need a case per type.
func floorAttribute(a schema.Attribute) schema.Attribute {
	if a == nil || reflect.TypeOf(a).Kind() != reflect.Struct {
		return a
	}
	v := reflect.New(reflect.TypeOf(a)).Elem()
	v.Set(reflect.ValueOf(a))
	clearLogic(v)
	if nested := v.FieldByName("NestedObject"); nested.IsValid() {
		clearLogic(nested)
	}
	floor, _ := v.Interface().(schema.Attribute)
	return floor
}

// clearLogic clears the fields of v, an attribute or a nested object, that hold the provider's
// logic, and floors the attributes nested in it.
func clearLogic(v reflect.Value) {
	for _, name := range []string{"Validators", "PlanModifiers", "Default"} {
		if f := v.FieldByName(name); f.IsValid() {
			f.SetZero()
		}
	}
	if f := v.FieldByName("Attributes"); f.IsValid() {
		if attrs, ok := f.Interface().(map[string]schema.Attribute); ok {
			f.Set(reflect.ValueOf(floorAttributes(attrs)))
		}
	}
}
