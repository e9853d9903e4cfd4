package provider

// model_values.go: a model struct turned into framework values without the framework's
// reflection, which re-reads every field's tag for every value and made the listing of 10,000
// jobs take seconds. The fields of each struct type are read once and kept.

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// modelField is one field of a model struct: where it is, and its attribute's name.
type modelField struct {
	index []int
	name  string
}

var (
	modelFieldsMu sync.Mutex
	modelFields   = map[reflect.Type][]modelField{}
	attrValueType = reflect.TypeFor[attr.Value]()
)

// fieldsOf returns the tfsdk-tagged fields of struct type t, those of embedded structs
// included, as the framework reads them.
func fieldsOf(t reflect.Type) []modelField {
	modelFieldsMu.Lock()
	defer modelFieldsMu.Unlock()
	if fs, ok := modelFields[t]; ok {
		return fs
	}
	var fs []modelField
	for _, f := range reflect.VisibleFields(t) {
		name, ok := f.Tag.Lookup("tfsdk")
		if !ok || name == "-" || !f.IsExported() {
			continue
		}
		fs = append(fs, modelField{index: f.Index, name: name})
	}
	modelFields[t] = fs
	return fs
}

// modelValue turns v, a model value (a framework value, a struct or a pointer to one, a slice
// or a map of them), into a framework value of type typ. A nil pointer, slice or map is null.
func modelValue(v reflect.Value, typ attr.Type) (attr.Value, diag.Diagnostics) {
	if v.Type().Implements(attrValueType) {
		val, _ := v.Interface().(attr.Value)
		return val, nil
	}
	var diags diag.Diagnostics
	switch v.Kind() {
	case reflect.Pointer:
		ot, ok := typ.(basetypes.ObjectType)
		if !ok {
			break
		}
		if v.IsNil() {
			return types.ObjectNull(ot.AttrTypes), nil
		}
		return modelValue(v.Elem(), typ)
	case reflect.Struct:
		ot, ok := typ.(basetypes.ObjectType)
		if !ok {
			break
		}
		vals := make(map[string]attr.Value, len(ot.AttrTypes))
		for _, f := range fieldsOf(v.Type()) {
			at, ok := ot.AttrTypes[f.name]
			if !ok {
				diags.AddError("Model Mismatch", fmt.Sprintf("the model's field %s has no attribute", f.name))
				return nil, diags
			}
			val, d := modelValue(v.FieldByIndex(f.index), at)
			diags.Append(d...)
			if diags.HasError() {
				return nil, diags
			}
			vals[f.name] = val
		}
		obj, d := types.ObjectValue(ot.AttrTypes, vals)
		diags.Append(d...)
		return obj, diags
	case reflect.Slice:
		lt, ok := typ.(basetypes.ListType)
		if !ok {
			break
		}
		if v.IsNil() {
			return types.ListNull(lt.ElemType), nil
		}
		elems := make([]attr.Value, v.Len())
		for i := range elems {
			val, d := modelValue(v.Index(i), lt.ElemType)
			diags.Append(d...)
			if diags.HasError() {
				return nil, diags
			}
			elems[i] = val
		}
		list, d := types.ListValue(lt.ElemType, elems)
		diags.Append(d...)
		return list, diags
	case reflect.Map:
		mt, ok := typ.(basetypes.MapType)
		if !ok || v.Type().Key().Kind() != reflect.String {
			break
		}
		if v.IsNil() {
			return types.MapNull(mt.ElemType), nil
		}
		elems := make(map[string]attr.Value, v.Len())
		for it := v.MapRange(); it.Next(); {
			val, d := modelValue(it.Value(), mt.ElemType)
			diags.Append(d...)
			if diags.HasError() {
				return nil, diags
			}
			elems[it.Key().String()] = val
		}
		m, d := types.MapValue(mt.ElemType, elems)
		diags.Append(d...)
		return m, diags
	}
	diags.AddError("Model Mismatch", fmt.Sprintf("a model value of Go type %s cannot be %s", v.Type(), strings.TrimSpace(typ.String())))
	return nil, diags
}
