package provider

// wire_values.go: the small conversions between the wire's values (pointers, API times,
// percentages as strings, 0/1 flags) and the framework's, shared by every flattener and expander.

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// apiTime parses an API time; the API's "nothing" values, and garbage, give false.
func apiTime(s string) (time.Time, bool) {
	t, err := dtsapi.ParseTime(s)
	return t, err == nil && !t.IsZero()
}

func flattenTime(p *string) timetypes.RFC3339 {
	if t, ok := apiTime(dtsapi.StringValue(p)); ok {
		return timetypes.NewRFC3339TimeValue(t.UTC())
	}
	return timetypes.NewRFC3339Null()
}

// percent reads the API's percentages, which are strings such as "30".
func percent(p *string) int64 {
	f, err := strconv.ParseFloat(dtsapi.StringValue(p), 64)
	if err != nil {
		return 0
	}
	return int64(f)
}

func boolCode(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func optionalInt(v int64) types.Int64 {
	if v == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}

func optionalWire(s string) *string {
	if s == "" {
		return nil
	}
	return dtsapi.String(s)
}

func optionalWireInt(v types.Int64) *int64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	return dtsapi.Int64(v.ValueInt64())
}

func anyInt(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0
		}
		return i
	default:
		return 0
	}
}

// unknownOf returns the unknown value of v's type.
func unknownOf(ctx context.Context, v attr.Value) attr.Value {
	switch t := v.Type(ctx).(type) {
	case basetypes.ObjectType:
		return types.ObjectUnknown(t.AttrTypes)
	case basetypes.ListType:
		return types.ListUnknown(t.ElemType)
	case timetypes.RFC3339Type:
		return timetypes.NewRFC3339Unknown()
	case basetypes.Int64Type:
		return types.Int64Unknown()
	default:
		return types.StringUnknown()
	}
}
