package provider

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestMigrateJobSchemaFloorKeepsTheShape: the floor's schema has the resource's type, every
// attribute with the same flags, and none of the provider's validators, plan modifiers or
// defaults.
func TestMigrateJobSchemaFloorKeepsTheShape(t *testing.T) {
	ctx := t.Context()
	full, floor := migrateJobSchema(ctx), MigrateJobSchemaFloor(ctx)
	if !full.Type().TerraformType(ctx).Equal(floor.Type().TerraformType(ctx)) {
		t.Fatalf("the floor's type differs from the resource's")
	}
	stripped := 0
	var walk func(prefix string, full, floor map[string]schema.Attribute)
	walk = func(prefix string, full, floor map[string]schema.Attribute) {
		for name, a := range full {
			b, ok := floor[name]
			if !ok {
				t.Errorf("%s%s is missing", prefix, name)
				continue
			}
			if a.IsRequired() != b.IsRequired() || a.IsOptional() != b.IsOptional() || a.IsComputed() != b.IsComputed() ||
				a.IsSensitive() != b.IsSensitive() || a.IsWriteOnly() != b.IsWriteOnly() {
				t.Errorf("%s%s has other flags", prefix, name)
			}
			if hasLogic(a) {
				stripped++
			}
			if hasLogic(b) {
				t.Errorf("%s%s keeps validators, plan modifiers or a default", prefix, name)
			}
			switch a := a.(type) {
			case schema.SingleNestedAttribute:
				bn, ok := b.(schema.SingleNestedAttribute)
				if !ok {
					t.Errorf("%s%s is no longer a nested attribute", prefix, name)
					continue
				}
				walk(prefix+name+".", a.Attributes, bn.Attributes)
			case schema.ListNestedAttribute:
				bn, ok := b.(schema.ListNestedAttribute)
				if !ok {
					t.Errorf("%s%s is no longer a nested list", prefix, name)
					continue
				}
				walk(prefix+name+"[].", a.NestedObject.Attributes, bn.NestedObject.Attributes)
			}
		}
	}
	walk("", full.Attributes, floor.Attributes)
	if stripped == 0 {
		t.Error("the resource's schema had nothing to strip: the test proves nothing")
	}
}

// hasLogic reports whether an attribute has validators, plan modifiers or a default. Every
// attribute type of the framework's resource schema holds them in fields of these names, so
// reflection reads them on any type, also on those the resource does not use yet.
func hasLogic(a schema.Attribute) bool {
	v := reflect.ValueOf(a)
	for _, name := range []string{"Validators", "PlanModifiers"} {
		if f := v.FieldByName(name); f.IsValid() && f.Len() > 0 {
			return true
		}
	}
	d := v.FieldByName("Default")
	return d.IsValid() && !d.IsNil()
}
