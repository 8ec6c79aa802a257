package expr

import "github.com/stripesql/stripesql/internal/sqltypes"

// Aggregates declared as data. The aggregates of agg.go are cases of one switch; the newer families
// (bit_and and friends in bitagg.go, jsonb_object_agg in jsonagg.go, corr and the regr_*
// aggregates in regragg.go) each declare an aggDef instead: how a call binds and how one group
// accumulates. Aggregate, Add and Result consult the definition, so a family lives in one file.

// aggDef declares one aggregate.
type aggDef struct {
	// bind checks the argument types (unknown literals included) and returns the types the
	// arguments are converted to and the result type; errors are *sqlstate.Error (42883 for a
	// call no variant matches).
	bind func(name string, args []sqltypes.Type) (want []sqltypes.Type, result sqltypes.Type, err error)
	// keepNulls passes rows with NULL arguments to the accumulator; without it a row with any
	// NULL argument is skipped, as PostgreSQL does for aggregates with a strict transition.
	keepNulls bool
	// newAcc returns the empty state of one group.
	newAcc func(a *Agg) aggAcc
}

// aggAcc is the running state of one group of a declared aggregate. result may be called more
// than once, with more rows added in between (running window frames), so it must not consume the
// state.
type aggAcc interface {
	add(env *Env, vals []any) error
	result() (any, error)
}

var aggDefs = map[string]*aggDef{}

// defineAggregate registers a declared aggregate; it is called from init functions of this
// package only, before any query binds.
func defineAggregate(name string, d aggDef) {
	aggregateNames[name] = true
	aggDefs[name] = &d
}

// bindDeclared finishes Aggregate for a declared aggregate: it resolves the argument types and
// converts the arguments.
func bindDeclared(a *Agg, d *aggDef, args []Expr) (*Agg, error) {
	types := argTypes(args)
	want, res, err := d.bind(a.Name, types)
	if err != nil {
		return nil, err
	}
	a.Args = make([]Expr, len(args))
	for i, e := range args {
		c, err := coerce(e, want[i])
		if err != nil {
			return nil, err
		}
		a.Args[i] = c
	}
	a.T = res
	a.def = d
	return a, nil
}

// skipsRow reports whether a declared aggregate ignores a row with these argument values.
func (d *aggDef) skipsRow(vals []any) bool {
	if d.keepNulls {
		return false
	}
	for _, v := range vals {
		if v == nil {
			return true
		}
	}
	return false
}

// orderSensitive lists the aggregates whose result shows the order of their input.
var orderSensitive = map[string]bool{
	"array_agg": true, "string_agg": true, "jsonb_agg": true, "json_agg": true,
	"jsonb_object_agg": true, "json_object_agg": true,
}

// inputOrder is the order an aggregate accumulates its input in: its ORDER BY, or, for an
// order-sensitive aggregate with DISTINCT and no ORDER BY, its arguments ascending with NULLs
// last. PostgreSQL removes duplicates by sorting, so array_agg(DISTINCT status) lists the
// statuses in order, and clients rely on that.
func (a *Agg) inputOrder() []SortKey {
	if len(a.OrderBy) > 0 || !a.Distinct || !orderSensitive[a.Name] {
		return a.OrderBy
	}
	n := 1 // string_agg's separator is not part of the distinct value
	if a.def != nil {
		n = len(a.Args)
	}
	keys := make([]SortKey, n)
	for i := range keys {
		keys[i] = SortKey{Expr: a.Args[i]}
	}
	return keys
}
