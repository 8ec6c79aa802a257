package procedures

import (
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestEveryProcedureIsWellFormed checks the invariants the planner and executor rely on, for
// every procedure of the registry.
func TestEveryProcedureIsWellFormed(t *testing.T) {
	for _, p := range Default().All() {
		t.Run(p.Name, func(t *testing.T) {
			if p.Description == "" || p.Origin == "" || p.Resource == "" {
				t.Errorf("missing description, origin or resource: %q %q %q", p.Description, p.Origin, p.Resource)
			}
			seen := map[string]bool{}
			inPath, requiredAfterOptional, optionalSeen := 0, false, false
			for _, prm := range p.Params {
				k := strings.ToLower(prm.Name)
				if seen[k] {
					t.Errorf("parameter %s appears twice", prm.Name)
				}
				seen[k] = true
				if !sqltypes.Known(prm.Type) {
					t.Errorf("parameter %s has unknown type %d", prm.Name, prm.Type)
				}
				if prm.InPath {
					inPath++
				} else if prm.StripeName == "" && !prm.Extra && p.Local == nil && !p.State {
					t.Errorf("parameter %s is neither in the path nor a Stripe parameter", prm.Name)
				}
				if prm.Required && optionalSeen {
					requiredAfterOptional = true
				}
				if !prm.Required {
					optionalSeen = true
				}
			}
			if requiredAfterOptional {
				// PostgreSQL: parameters after one with a default must have defaults too.
				t.Errorf("a required parameter follows an optional one: %s", p.Signature())
			}
			if p.PathFor == nil && p.Local == nil && !p.State && strings.Count(p.Path, "%s") != inPath {
				t.Errorf("path %s has %d placeholders for %d path parameters", p.Path, strings.Count(p.Path, "%s"), inPath)
			}
			switch {
			case p.State:
				if !p.Mutating || p.Method != "" {
					t.Errorf("state procedure has method %q, mutating %v", p.Method, p.Mutating)
				}
			case p.Local != nil:
				if p.Mutating || p.Method != "" {
					t.Errorf("local procedure has method %q, mutating %v", p.Method, p.Mutating)
				}
			case p.Method == "GET":
				if p.Mutating {
					t.Error("a GET action is marked mutating")
				}
			case p.Method == "POST" || p.Method == "DELETE":
				if !p.Mutating {
					t.Errorf("a %s action is not marked mutating", p.Method)
				}
			default:
				t.Errorf("method %q", p.Method)
			}
			cols := map[string]bool{}
			for _, c := range p.Columns() {
				if cols[c.Name] {
					t.Errorf("column %s appears twice", c.Name)
				}
				cols[c.Name] = true
			}
			if !cols[SuccessColumn] && !p.State { // a state procedure returns a stripesql table's row
				t.Error("no Success column")
			}
		})
	}
}
