package planner

import (
	"sync"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/procedures"
)

// registerRoutines makes pg_proc and information_schema.routines list package procedures'
// registry. NewSession does it once per process, so every front end (the wire server, the
// database/sql driver, tests) shows the same procedures to \df and to clients' introspection.
var registerRoutines sync.Once

// procedureRoutines describes package procedures' registry as catalog routines: each Stripe
// action with its parameters.
func procedureRoutines() []catalog.Routine {
	all := procedures.Default().All()
	out := make([]catalog.Routine, 0, len(all))
	for _, p := range all {
		r := catalog.Routine{Name: p.Name, Description: p.Description}
		for _, prm := range p.Params {
			r.Params = append(r.Params, catalog.RoutineParam{Name: prm.Name, Type: prm.Type, Required: prm.Required})
		}
		out = append(out, r)
	}
	return out
}
