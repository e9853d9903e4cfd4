package dtsmock

import (
	"bytes"
	"encoding/json"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	createDatabaseTypes = map[string]bool{"mysql": true, "redis": true, "mongodb": true}
	srcAccessTypes      = map[string]bool{"extranet": true, "cvm": true, "dcg": true, "vpncloud": true, "vpnselfbuild": true, "cdb": true}
	regions             = map[string]bool{
		"ap-beijing": true, "ap-beijing-bls": true, "ap-chengdu": true, "ap-chongqing": true,
		"ap-guangzhou": true, "ap-guangzhou-open": true, "ap-hongkong": true, "ap-seoul": true,
		"ap-shanghai": true, "ap-shanghai-fsi": true, "ap-shenzhen-fsi": true, "ap-singapore": true,
		"eu-frankfurt": true, "na-siliconvalley": true, "na-toronto": true,
	}
	externKeys = map[string]map[string]kind{
		"redis": {
			"ClientOutputBufferHardLimit": kindInt, "ClientOutputBufferSoftLimit": kindInt,
			"ClientOutputBufferPersistTime": kindInt, "ReplBacklogSize": kindInt, "ReplTimeout": kindInt,
		},
		"mongodb": {"SrcAuthDatabase": kindString, "SrcAuthFlag": kindString, "SrcAuthMechanism": kindString},
	}
	jobIDPattern = regexp.MustCompile(`^dts-[0-9a-z]{8}$`)
)

func missing(name string) *apiError {
	return newError("MissingParameter", "The request is missing the required parameter `%s`.", name)
}

func invalid(name, format string, args ...any) *apiError {
	return newError("InvalidParameterValue", "The value of `"+name+"` is invalid: "+format, args...)
}

// requiredString returns a required, non-empty string parameter.
func requiredString(p params, name, path string) (string, *apiError) {
	s, ok := p.str(name)
	if !ok || s == "" {
		return "", missing(path)
	}
	return s, nil
}

// eachTagKey calls fn with each object of the list parameter name (Tags, TagFilters) and the
// TagKey that each must have, stopping at the first error; an absent list has no objects.
func eachTagKey(p params, name string, fn func(key string, tag params) *apiError) *apiError {
	list, _ := p.list(name)
	for i, t := range list {
		m, _ := t.(map[string]any) // The schema guarantees objects.
		tp := params(m)
		k, ae := requiredString(tp, "TagKey", name+"."+itoa(i)+".TagKey")
		if ae != nil {
			return ae
		}
		if ae := fn(k, tp); ae != nil {
			return ae
		}
	}
	return nil
}

func intIn(p params, name, path string, lo, hi int64, def int) (int, *apiError) {
	v, ok := p.integer(name)
	if !ok {
		return def, nil
	}
	if v < lo || v > hi {
		return 0, invalid(path, "it must be between %d and %d.", lo, hi)
	}
	return int(v), nil
}

// applyMigrateOption replaces the job's migration options with mo, which must be complete.
func applyMigrateOption(j *jobState, mo params) *apiError {
	if !mo.has("RunMode") {
		return missing("MigrateOption.RunMode")
	}
	if !mo.has("MigrateType") {
		return missing("MigrateOption.MigrateType")
	}
	var ae *apiError
	if j.RunMode, ae = intIn(mo, "RunMode", "MigrateOption.RunMode", 1, 2, 0); ae != nil {
		return ae
	}
	if j.MigrateType, ae = intIn(mo, "MigrateType", "MigrateOption.MigrateType", 1, 3, 0); ae != nil {
		return ae
	}
	if j.MigrateObject, ae = intIn(mo, "MigrateObject", "MigrateOption.MigrateObject", 1, 2, 1); ae != nil {
		return ae
	}
	if j.ConsistencyType, ae = intIn(mo, "ConsistencyType", "MigrateOption.ConsistencyType", 1, 5, 1); ae != nil {
		return ae
	}
	if j.IsOverrideRoot, ae = intIn(mo, "IsOverrideRoot", "MigrateOption.IsOverrideRoot", 0, 1, 0); ae != nil {
		return ae
	}
	j.ExpectTime = time.Time{}
	if et, _ := mo.str("ExpectTime"); et != "" && et != zeroTime {
		t, err := time.ParseInLocation(timeLayout, et, vendorZone)
		if err != nil {
			return invalid("MigrateOption.ExpectTime", "it must have the format yyyy-mm-dd hh:mm:ss.")
		}
		j.ExpectTime = t
	}
	j.ExternParams, _ = mo.str("ExternParams")
	j.SelectRowsPerTable, j.TablesSelectAll, j.TablesSelectCount = 0, 0, 0
	if cp, ok := mo.obj("ConsistencyParams"); ok {
		names := []string{"SelectRowsPerTable", "TablesSelectAll", "TablesSelectCount"}
		vals := make([]int64, 3)
		anySet := false
		for i, n := range names {
			vals[i], _ = cp.integer(n)
			anySet = anySet || vals[i] != 0
		}
		if anySet {
			for i, n := range names {
				path := "MigrateOption.ConsistencyParams." + n
				if !cp.has(n) {
					return missing(path)
				}
				if vals[i] < 1 || vals[i] > 100 {
					return invalid(path, "it must be between 1 and 100.")
				}
			}
			j.SelectRowsPerTable, j.TablesSelectAll, j.TablesSelectCount = int(vals[0]), int(vals[1]), int(vals[2])
		}
	}
	return nil
}

func applySrcInfo(j *jobState, si params) *apiError {
	str := func(n string) string {
		s, _ := si.str(n)
		return s
	}
	port, ae := intIn(si, "Port", "SrcInfo.Port", 0, 65535, 0)
	if ae != nil {
		return ae
	}
	if ip := str("Ip"); ip != "" && net.ParseIP(ip) == nil {
		return invalid("SrcInfo.Ip", "%q is not an IP address.", ip)
	}
	if r := str("Region"); r != "" && !regions[r] {
		return invalid("SrcInfo.Region", "%q is not a supported region.", r)
	}
	j.SrcIP, j.SrcPort, j.SrcUser, j.SrcPassword, j.SrcAccessKey = str("Ip"), port, str("User"), str("Password"), str("AccessKey")
	j.SrcRdsInstanceID, j.SrcCvmInstanceID, j.SrcUniqDcgID = str("RdsInstanceId"), str("CvmInstanceId"), str("UniqDcgId")
	j.SrcVpcID, j.SrcSubnetID, j.SrcUniqVpnGwID = str("VpcId"), str("SubnetId"), str("UniqVpnGwId")
	j.SrcInstanceID, j.SrcRegion, j.SrcSupplier = str("InstanceId"), str("Region"), str("Supplier")
	j.SrcCcnID, j.SrcEngineVersion = str("CcnId"), str("EngineVersion")
	return nil
}

func applyDstInfo(j *jobState, di params, modify bool) *apiError {
	str := func(n string) string {
		s, _ := di.str(n)
		return s
	}
	id, ae := requiredString(di, "InstanceId", "DstInfo.InstanceId")
	if ae != nil {
		return ae
	}
	port, ae := intIn(di, "Port", "DstInfo.Port", 0, 65535, 0)
	if ae != nil {
		return ae
	}
	ro, ae := intIn(di, "ReadOnly", "DstInfo.ReadOnly", 0, 1, 0)
	if ae != nil {
		return ae
	}
	region := str("Region")
	if ip := str("Ip"); ip != "" && net.ParseIP(ip) == nil {
		return invalid("DstInfo.Ip", "%q is not an IP address.", ip)
	}
	if modify {
		if region != "" && region != j.DstRegion {
			return invalid("DstInfo.Region", "the region of the destination instance cannot be modified.")
		}
		region = j.DstRegion
	} else if region != "" && !regions[region] {
		return invalid("DstInfo.Region", "%q is not a supported region.", region)
	}
	j.DstInstanceID, j.DstIP, j.DstPort, j.DstRegion, j.DstReadOnly = id, str("Ip"), port, region, ro
	j.DstUser, j.DstPassword = str("User"), str("Password")
	return nil
}

// databaseEntry is one element of DatabaseInfo.
type databaseEntry struct {
	Database string
	Schema   string
	Table    []string
}

// parseDatabaseInfo parses the DatabaseInfo string: a JSON array of {Database, Schema?, Table?}.
func parseDatabaseInfo(s string) ([]databaseEntry, *apiError) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	var entries []databaseEntry
	if err := dec.Decode(&entries); err != nil || dec.More() || entries == nil {
		return nil, invalid("DatabaseInfo", "it must be a JSON array of {\"Database\": ..., \"Schema\": ..., \"Table\": [...]} objects.")
	}
	for i, e := range entries {
		if strings.TrimSpace(e.Database) == "" {
			return nil, invalid("DatabaseInfo", "element %d has no Database.", i)
		}
		for _, t := range e.Table {
			if t == "" {
				return nil, invalid("DatabaseInfo", "element %d names an empty table.", i)
			}
		}
	}
	return entries, nil
}

func externEmpty(s string) bool {
	t := strings.TrimSpace(s)
	return t == "" || t == "{}" || t == "[]"
}

func validateExternParams(s, srcType string) *apiError {
	if externEmpty(s) {
		return nil
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || dec.More() {
		return invalid("MigrateOption.ExternParams", "it must be a JSON object.")
	}
	keys := externKeys[srcType]
	for k, v := range m {
		want, ok := keys[k]
		if !ok {
			return invalid("MigrateOption.ExternParams", "%q is not a parameter for source type %s.", k, srcType)
		}
		switch want {
		case kindInt:
			n, isNum := v.(json.Number)
			if !isNum {
				return invalid("MigrateOption.ExternParams", "%q must be an integer.", k)
			}
			if i, err := n.Int64(); err != nil || i < 0 {
				return invalid("MigrateOption.ExternParams", "%q must be a non-negative integer.", k)
			}
		default:
			if _, isStr := v.(string); !isStr {
				return invalid("MigrateOption.ExternParams", "%q must be a string.", k)
			}
		}
	}
	return nil
}

// validateConfig checks the cross-field rules of API-NOTES section 3 on a job's configuration.
func validateConfig(j *jobState) *apiError {
	if !srcAccessTypes[j.SrcAccessType] {
		return invalid("SrcAccessType", "%q is not one of extranet, cvm, dcg, vpncloud, vpnselfbuild, cdb.", j.SrcAccessType)
	}
	if j.DstAccessType != "cdb" {
		return invalid("DstAccessType", "only cdb is supported.")
	}
	switch {
	case j.RunMode == 2 && j.ExpectTime.IsZero():
		return missing("MigrateOption.ExpectTime")
	case j.RunMode == 1 && !j.ExpectTime.IsZero():
		return invalid("MigrateOption.ExpectTime", "it is only allowed with RunMode 2.")
	}
	cpSet := j.SelectRowsPerTable != 0
	switch {
	case j.ConsistencyType == 3 && !cpSet:
		return missing("MigrateOption.ConsistencyParams")
	case j.ConsistencyType != 3 && cpSet:
		return invalid("MigrateOption.ConsistencyParams", "it is only allowed with ConsistencyType 3.")
	}
	di := strings.TrimSpace(j.DatabaseInfo)
	switch {
	case j.MigrateObject == 2 && di == "":
		return missing("DatabaseInfo")
	case j.MigrateObject == 2:
		entries, ae := parseDatabaseInfo(di)
		if ae != nil {
			return ae
		}
		if len(entries) == 0 {
			return invalid("DatabaseInfo", "MigrateObject 2 needs at least one database.")
		}
	case di != "" && di != "[]":
		if _, ae := parseDatabaseInfo(di); ae != nil {
			return ae
		}
		return invalid("DatabaseInfo", "it is only allowed with MigrateObject 2.")
	}
	if j.IsOverrideRoot == 1 && (j.MigrateObject == 2 || j.MigrateType == 1) {
		return invalid("MigrateOption.IsOverrideRoot", "it must be 0 for table-level or structure migration.")
	}
	return validateExternParams(j.ExternParams, j.SrcDatabaseType)
}

// validJobID reports whether id has the shape of a job ID.
func validJobID(id string) bool {
	return jobIDPattern.MatchString(id)
}

func itoa(i int) string { return strconv.Itoa(i) }
