package provider

// enums.go: the schema's words for the API's codes, one table per enum, and the value lists
// the validators and the documentation share. The codes themselves are dtsapi's.

import (
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

// codeTable maps the readable names of the schema to the API's codes. Names are listed in code
// order, which is also the order the documentation shows them in.
type codeTable[C comparable] []struct {
	name string
	code C
}

func (t codeTable[C]) names() []string {
	out := make([]string, len(t))
	for i, e := range t {
		out[i] = e.name
	}
	return out
}

func (t codeTable[C]) code(name string) (C, bool) {
	for _, e := range t {
		if e.name == name {
			return e.code, true
		}
	}
	var zero C
	return zero, false
}

// name returns the name of code, or "" when the table does not know it.
func (t codeTable[C]) name(code C) string {
	for _, e := range t {
		if e.code == code {
			return e.name
		}
	}
	return ""
}

var (
	migrateTypes = codeTable[int64]{
		{"structure", dtsapi.MigrateTypeStructure}, {"full", dtsapi.MigrateTypeFull},
		{"full_and_incremental", dtsapi.MigrateTypeFullAndIncremental},
	}
	runModes = codeTable[int64]{{"immediate", dtsapi.RunModeImmediate}, {"scheduled", dtsapi.RunModeScheduled}}
	// migrateObjects: a whole instance, or the databases (and tables) listed in databases.
	migrateObjects   = codeTable[int64]{{"instance", dtsapi.MigrateObjectInstance}, {"databases", dtsapi.MigrateObjectDatabases}}
	consistencyTypes = codeTable[int64]{
		{"not_configured", dtsapi.ConsistencyTypeNotConfigured}, {"full", dtsapi.ConsistencyTypeFull},
		{"sampling", dtsapi.ConsistencyTypeSampling}, {"inconsistent_tables_only", dtsapi.ConsistencyTypeInconsistentTablesOnly},
		{"none", dtsapi.ConsistencyTypeNone},
	}
	completeModes = codeTable[string]{{"wait_for_sync", dtsapi.CompleteModeWaitForSync}, {"immediately", dtsapi.CompleteModeImmediately}}
	stepStatuses  = codeTable[int64]{
		{"default", dtsapi.StepStatusDefault}, {"success", dtsapi.StepStatusSuccess}, {"failed", dtsapi.StepStatusFailed},
		{"running", dtsapi.StepStatusRunning}, {"not_run", dtsapi.StepStatusNotRun},
	}
)

var (
	// creatableDatabaseTypes are the engines CreateMigrateJob accepts; listedDatabaseTypes adds
	// those the API lists for jobs made elsewhere, which can be imported and read.
	creatableDatabaseTypes = []string{"mysql", "redis", "mongodb"}
	listedDatabaseTypes    = append(slices.Clip(creatableDatabaseTypes), "percona", "postgresql", "sqlserver", "mariadb")
	srcAccessTypes         = []string{"extranet", "cvm", "dcg", "vpncloud", "vpnselfbuild", "cdb"}
	dstAccessTypes         = []string{"cdb"}
	waitForTargets         = statusNames(dtsapi.StatusRunning, dtsapi.StatusReadyComplete, dtsapi.StatusSuccess)
	checkStatusNames       = []string{dtsapi.CheckStatusUnavailable, dtsapi.CheckStatusStarting, dtsapi.CheckStatusRunning, dtsapi.CheckStatusFinished}
	// jobStatusNames are the names of the statuses this provider knows, in code order.
	jobStatusNames = dtsapi.StatusNames()
	// unknownStatusName is how the schema shows a status code the provider does not know.
	unknownStatusName = "unknown"
)

// statusName is the schema's name of a job status: the API's names, with codes the provider
// does not know shown as "unknown".
func statusName(code int64) string {
	if _, ok := dtsapi.StatusCode(dtsapi.StatusName(code)); ok {
		return dtsapi.StatusName(code)
	}
	return unknownStatusName
}

// stepStatusName names a step's status; codes the table does not know read "unknown(N)".
func stepStatusName(code int64) string {
	if n := stepStatuses.name(code); n != "" {
		return n
	}
	return "unknown(" + strconv.FormatInt(code, 10) + ")"
}

// codeName is the schema's name of a code from the wire: null when absent, "unknown(N)" when
// the table does not know it.
func codeName(t codeTable[int64], p *int64) types.String {
	if p == nil {
		return types.StringNull()
	}
	if n := t.name(*p); n != "" {
		return types.StringValue(n)
	}
	return types.StringValue("unknown(" + strconv.FormatInt(*p, 10) + ")")
}
