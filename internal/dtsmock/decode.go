package dtsmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// apiError is an error answered in the API envelope.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newError(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// kind is the wire type of a parameter.
type kind int

const (
	kindString kind = iota
	kindInt
	kindObject
	kindArray
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "String"
	case kindInt:
		return "Integer"
	case kindObject:
		return "Object"
	}
	return "Array"
}

// field describes one parameter: its kind, its element (arrays) or its members (objects).
type field struct {
	kind   kind
	elem   *field
	fields map[string]*field
}

var (
	fString = &field{kind: kindString}
	fInt    = &field{kind: kindInt}
)

func object(fields map[string]*field) *field { return &field{kind: kindObject, fields: fields} }
func array(elem *field) *field               { return &field{kind: kindArray, elem: elem} }

// flatNode is one level of the tree rebuilt from dotted parameter names.
type flatNode struct {
	value    *string
	children map[string]*flatNode
}

// buildFlatTree rebuilds the nested structure from flattened names such as `SrcInfo.Ip`,
// `Tags.0.TagKey` and `TagFilters.0.TagValue.1`.
func buildFlatTree(params url.Values) (*flatNode, *apiError) {
	root := &flatNode{children: map[string]*flatNode{}}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		vals := params[name]
		if len(vals) != 1 {
			return nil, newError("InvalidParameter", "The parameter `%s` is given more than once.", name)
		}
		n := root
		for _, seg := range strings.Split(name, ".") {
			if n.children == nil {
				n.children = map[string]*flatNode{}
			}
			c, ok := n.children[seg]
			if !ok {
				c = &flatNode{}
				n.children[seg] = c
			}
			n = c
		}
		v := vals[0]
		n.value = &v
	}
	return root, nil
}

// decodeFlat validates flattened parameters against the action's schema.
func decodeFlat(schema map[string]*field, params url.Values) (map[string]any, *apiError) {
	root, ae := buildFlatTree(params)
	if ae != nil {
		return nil, ae
	}
	return conformFlatObject(schema, root, "")
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// conformMembers conforms the members of an object at path to their fields with conform, in
// name order, so that a request with several faults is always answered with the same one. A
// member the schema does not know is an UnknownParameter; a member that conform reports absent
// is left out.
func conformMembers[V any](fields map[string]*field, members map[string]V, path string, conform func(f *field, v V, path string) (any, bool, *apiError)) (map[string]any, *apiError) {
	out := make(map[string]any, len(members))
	for _, name := range slices.Sorted(maps.Keys(members)) {
		p := joinPath(path, name)
		f, ok := fields[name]
		if !ok {
			return nil, newError("UnknownParameter", "The parameter `%s` is not recognized.", p)
		}
		v, present, ae := conform(f, members[name], p)
		if ae != nil {
			return nil, ae
		}
		if present {
			out[name] = v
		}
	}
	return out, nil
}

func conformFlatObject(fields map[string]*field, n *flatNode, path string) (map[string]any, *apiError) {
	if n.value != nil {
		return nil, newError("InvalidParameterValue", "The parameter `%s` must be an object, given as its members `%s.Name`.", path, path)
	}
	return conformMembers(fields, n.children, path, func(f *field, c *flatNode, p string) (any, bool, *apiError) {
		v, ae := conformFlat(f, c, p)
		return v, true, ae
	})
}

func conformFlat(f *field, n *flatNode, path string) (any, *apiError) {
	switch f.kind {
	case kindString, kindInt:
		if n.value == nil || len(n.children) > 0 {
			return nil, newError("InvalidParameterValue", "The parameter `%s` must be a %s, not a structure.", path, f.kind)
		}
		if f.kind == kindString {
			return *n.value, nil
		}
		i, err := strconv.ParseInt(*n.value, 10, 64)
		if err != nil {
			return nil, newError("InvalidParameterValue", "The value of `%s` must be an Integer.", path)
		}
		return i, nil
	case kindObject:
		return conformFlatObject(f.fields, n, path)
	}
	if n.value != nil {
		return nil, newError("InvalidParameterValue", "The parameter `%s` must be an array, given as `%s.0`, `%s.1`, ....", path, path, path)
	}
	out := make([]any, len(n.children))
	for k, c := range n.children {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(n.children) || strconv.Itoa(i) != k {
			return nil, newError("InvalidParameterValue", "The parameter `%s.%s` is not a valid array index; indexes start at 0 and have no gaps.", path, k)
		}
		v, ae := conformFlat(f.elem, c, path+"."+k)
		if ae != nil {
			return nil, ae
		}
		out[i] = v
	}
	return out, nil
}

// decodeJSON validates a JSON body against the action's schema. An empty body is an empty
// object; JSON null members count as absent.
func decodeJSON(schema map[string]*field, body []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newError("InvalidParameter", "The request body is not valid JSON: %v.", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, newError("InvalidParameter", "The request body holds more than one JSON value.")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, newError("InvalidParameter", "The request body must be a JSON object.")
	}
	for _, name := range []string{"RequestClient", "Language"} {
		delete(m, name)
	}
	return conformJSONObject(schema, m, "")
}

func conformJSONObject(fields map[string]*field, m map[string]any, path string) (map[string]any, *apiError) {
	return conformMembers(fields, m, path, func(f *field, v any, p string) (any, bool, *apiError) {
		if v == nil {
			return nil, false, nil // A null member counts as absent.
		}
		c, ae := conformJSON(f, v, p)
		return c, true, ae
	})
}

func conformJSON(f *field, v any, path string) (any, *apiError) {
	wrong := func() *apiError {
		return newError("InvalidParameterValue", "The parameter `%s` must be of type %s.", path, f.kind)
	}
	switch f.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return nil, wrong()
		}
		return s, nil
	case kindInt:
		n, ok := v.(json.Number)
		if !ok {
			return nil, wrong()
		}
		i, err := n.Int64()
		if err != nil {
			return nil, wrong()
		}
		return i, nil
	case kindObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, wrong()
		}
		return conformJSONObject(f.fields, m, path)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, wrong()
	}
	out := make([]any, 0, len(list))
	for i, e := range list {
		if e == nil {
			return nil, newError("InvalidParameterValue", "The element `%s.%d` must not be null.", path, i)
		}
		c, ae := conformJSON(f.elem, e, fmt.Sprintf("%s.%d", path, i))
		if ae != nil {
			return nil, ae
		}
		out = append(out, c)
	}
	return out, nil
}

// params wraps validated parameters with typed accessors.
type params map[string]any

func (p params) str(name string) (string, bool) {
	v, ok := p[name].(string)
	return v, ok
}

func (p params) integer(name string) (int64, bool) {
	v, ok := p[name].(int64)
	return v, ok
}

func (p params) obj(name string) (params, bool) {
	v, ok := p[name].(map[string]any)
	return params(v), ok
}

func (p params) list(name string) ([]any, bool) {
	v, ok := p[name].([]any)
	return v, ok
}

func (p params) has(name string) bool {
	_, ok := p[name]
	return ok
}

// The schemas of the nine actions.
var (
	consistencyParamsField = object(map[string]*field{
		"SelectRowsPerTable": fInt, "TablesSelectAll": fInt, "TablesSelectCount": fInt,
	})
	migrateOptionField = object(map[string]*field{
		"RunMode": fInt, "ExpectTime": fString, "MigrateType": fInt, "MigrateObject": fInt,
		"ConsistencyType": fInt, "IsOverrideRoot": fInt, "ExternParams": fString,
		"ConsistencyParams": consistencyParamsField,
	})
	srcInfoField = object(map[string]*field{
		"AccessKey": fString, "Ip": fString, "Port": fInt, "User": fString, "Password": fString,
		"RdsInstanceId": fString, "CvmInstanceId": fString, "UniqDcgId": fString, "VpcId": fString,
		"SubnetId": fString, "UniqVpnGwId": fString, "InstanceId": fString, "Region": fString,
		"Supplier": fString, "CcnId": fString, "EngineVersion": fString,
	})
	dstInfoField = object(map[string]*field{
		"InstanceId": fString, "Ip": fString, "Port": fInt, "Region": fString, "ReadOnly": fInt,
		"User": fString, "Password": fString,
	})
	tagField       = object(map[string]*field{"TagKey": fString, "TagValue": fString})
	tagFilterField = object(map[string]*field{"TagKey": fString, "TagValue": array(fString)})
	jobIDOnly      = map[string]*field{"JobId": fString}

	schemas = map[string]map[string]*field{
		"CreateMigrateJob": {
			"JobName": fString, "MigrateOption": migrateOptionField, "SrcDatabaseType": fString,
			"SrcAccessType": fString, "SrcInfo": srcInfoField, "DstDatabaseType": fString,
			"DstAccessType": fString, "DstInfo": dstInfoField, "DatabaseInfo": fString,
			"Tags": array(tagField),
		},
		"ModifyMigrateJob": {
			"JobId": fString, "JobName": fString, "MigrateOption": migrateOptionField,
			"SrcAccessType": fString, "SrcInfo": srcInfoField, "DstAccessType": fString,
			"DstInfo": dstInfoField, "DatabaseInfo": fString,
		},
		"DescribeMigrateJobs": {
			"JobId": fString, "JobName": fString, "Order": fString, "OrderSeq": fString,
			"Offset": fInt, "Limit": fInt, "TagFilters": array(tagFilterField),
		},
		"CompleteMigrateJob":      {"JobId": fString, "CompleteMode": fString},
		"CreateMigrateCheckJob":   jobIDOnly,
		"DeleteMigrateJob":        jobIDOnly,
		"DescribeMigrateCheckJob": jobIDOnly,
		"StartMigrateJob":         jobIDOnly,
		"StopMigrateJob":          jobIDOnly,
	}
)

// decodeParams validates the business parameters of an authenticated request.
func decodeParams(action string, auth *authResult) (params, *apiError) {
	schema := schemas[action]
	var m map[string]any
	var ae *apiError
	if auth.isJSON {
		m, ae = decodeJSON(schema, auth.jsonBody)
	} else {
		m, ae = decodeFlat(schema, auth.flat)
	}
	return params(m), ae
}

// peekJobID extracts a request's JobId without validating the rest, for fault matching and
// the journal.
func peekJobID(auth *authResult) string {
	if auth.isJSON {
		var m map[string]any
		if err := json.Unmarshal(auth.jsonBody, &m); err != nil {
			return ""
		}
		s, _ := m["JobId"].(string)
		return s
	}
	return auth.flat.Get("JobId")
}
