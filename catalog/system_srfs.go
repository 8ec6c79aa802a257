package catalog

import (
	"strings"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// setFunction is a set-returning function as pg_proc lists it (proretset true): the JSON
// functions of package expr, and generate_series and unnest, which the planner runs itself.
type setFunction struct {
	name string
	ret  sqltypes.Type // prorettype: record for the functions with OUT parameters
	rows float64       // prorows, PostgreSQL's estimate of rows per call
}

// setFunctions lists them in name order; _pg_expandarray lives in information_schema and is
// left out, as psql's \df hides that schema anyway.
func setFunctions() []setFunction {
	out := []setFunction{{"generate_series", sqltypes.Int4, 1000}, {"unnest", sqltypes.Text, 100}}
	for _, n := range expr.SetFunctionNames() {
		if strings.HasPrefix(n, "_") {
			continue
		}
		ret := sqltypes.Text
		switch {
		case expr.SetFunctionFields(n) != nil:
			ret = sqltypes.Record
		case strings.HasSuffix(n, "_elements") && strings.HasPrefix(n, "jsonb"):
			ret = sqltypes.JSONB
		case strings.HasSuffix(n, "_elements"):
			ret = sqltypes.JSON
		}
		out = append(out, setFunction{n, ret, 100})
	}
	return out
}

// setFunctionProcRows are the pg_proc rows of the set-returning functions.
func setFunctionProcRows() [][]any {
	var out [][]any
	for _, f := range setFunctions() {
		out = append(out, []any{oidv(FunctionOID(f.name)), f.name, oidv(NamespacePgCatalog), oidv(OwnerRole), int64(12), float64(1), f.rows,
			int64(0), int64(0), "f", false, false, true,
			true, "i", "s", int64(1), int64(0), int64(uint32(f.ret)),
			sqltypes.Array{Elem: sqltypes.OID}, nil, nil, nil, nil,
			nil, f.name, nil, nil, nil, nil})
	}
	return out
}

// isSetFunction reports whether pg_proc lists name as a set-returning function, for regproc.
func isSetFunction(name string) bool {
	for _, f := range setFunctions() {
		if f.name == name {
			return true
		}
	}
	return false
}
