package planner

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// castWithTypmods binds arg::t keeping the cast's type modifiers: (amount / 100.0)::numeric(10,2) rounds
// to two decimals and checks the precision, 'abc'::varchar(2) truncates, as in PostgreSQL.
// Without modifiers (or for array types) it is expr.Cast.
func castWithTypmods(arg expr.Expr, t sqltypes.Type, tn *pg.TypeName) (expr.Expr, error) {
	if len(tn.Typmods) == 0 || len(tn.ArrayBounds) > 0 {
		return expr.Cast(arg, t)
	}
	mods := make([]string, 0, len(tn.Typmods))
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return expr.Cast(arg, t)
		}
		mods = append(mods, strconv.Itoa(int(c.GetIval().Ival)))
	}
	return expr.CastTypeName(arg, sqltypes.FormatType(t)+"("+strings.Join(mods, ",")+")")
}
