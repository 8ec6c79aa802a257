package expr

import (
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// lowerBound is the first subscript of an array of type t: 1, except for int2vector and
// oidvector (pg_index.indkey, pg_proc.proargtypes), which PostgreSQL numbers from 0. Catalog
// queries rely on it: SQLAlchemy reads indkey[s] for s in generate_subscripts(indkey, 1).
func lowerBound(t sqltypes.Type) int64 {
	if t == sqltypes.Int2Vector || t == sqltypes.OIDVector {
		return 0
	}
	return 1
}

// generateSubscriptsDef is generate_subscripts(array, dim [, reverse]): the subscripts of the
// array's dimension dim, in reverse order when asked. Arrays here have one dimension, so any
// other dim gives no rows, as in PostgreSQL.
func generateSubscriptsDef() setFuncDef {
	return setFuncDef{
		resolve: func(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
			ok := (len(args) == 2 || len(args) == 3 && args[2] == sqltypes.Bool) &&
				sqltypes.IsArray(args[0]) && isIntType(args[1])
			return []sqltypes.RecordField{{Name: "generate_subscripts", Type: sqltypes.Int4}}, ok
		},
		rowsFor: func(args []sqltypes.Type) func([]any) ([][]any, error) {
			lower := lowerBound(args[0])
			return func(vals []any) ([][]any, error) {
				a, ok := vals[0].(sqltypes.Array)
				if !ok || vals[1].(int64) != 1 {
					return nil, nil
				}
				n := int64(len(a.Items))
				out := make([][]any, n)
				for i := range n {
					s := lower + i
					if len(vals) == 3 && vals[2].(bool) {
						s = lower + n - 1 - i
					}
					out[i] = []any{s}
				}
				return out, nil
			}
		},
	}
}
