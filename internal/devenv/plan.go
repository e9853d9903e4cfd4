package devenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// PlanChanges is what a saved plan would change: each entry names a resource instance or an
// output and its planned actions, such as "dts_migrate_job.full (update)".
type PlanChanges struct {
	Resources []string
	Outputs   []string
}

// planJSON holds the parts of `terraform show -json PLANFILE` that PlanChanges needs.
type planJSON struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Change  struct {
			Actions []string `json:"actions"`
		} `json:"change"`
	} `json:"resource_changes"`
	OutputChanges map[string]struct {
		Actions []string `json:"actions"`
	} `json:"output_changes"`
}

// ParsePlanChanges reads the output of `terraform show -json PLANFILE` and lists the resource
// instances and outputs whose planned action is anything but no-op.
func ParsePlanChanges(b []byte) (PlanChanges, error) {
	var p planJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return PlanChanges{}, fmt.Errorf("parsing the plan's JSON: %w", err)
	}
	var pc PlanChanges
	for _, rc := range p.ResourceChanges {
		if changes(rc.Change.Actions) {
			pc.Resources = append(pc.Resources, fmt.Sprintf("%s (%s)", rc.Address, strings.Join(rc.Change.Actions, ", ")))
		}
	}
	for name, oc := range p.OutputChanges {
		if changes(oc.Actions) {
			pc.Outputs = append(pc.Outputs, fmt.Sprintf("%s (%s)", name, strings.Join(oc.Actions, ", ")))
		}
	}
	slices.Sort(pc.Outputs)
	return pc, nil
}

func changes(actions []string) bool {
	for _, a := range actions {
		if a != "no-op" && a != "read" {
			return true
		}
	}
	return false
}

// ShowPlan runs `terraform show -json planFile` in dir and returns its changes.
func (t Terraform) ShowPlan(ctx context.Context, dir, planFile string) (PlanChanges, error) {
	var out bytes.Buffer
	t.Stdout = &out
	if _, err := t.Run(ctx, dir, "show", "-json", planFile); err != nil {
		return PlanChanges{}, err
	}
	return ParsePlanChanges(out.Bytes())
}
