package catalog

import (
	"strings"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// pg_get_functiondef is what psql's \sf and \ef print. A Stripe action has no SQL body, so the
// definition says what CALL does instead: a CREATE PROCEDURE header with the real parameters (as
// pg_proc lists them), LANGUAGE stripe, and a body of comments naming the Stripe action and its
// description. Built-in functions are implemented in Go and, as PostgreSQL's internal functions
// do, show a header with LANGUAGE internal.

func init() {
	register("pg_get_functiondef", 1, 1, argsAs(sqltypes.OID), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		oid := toOID(a[0])
		if r, ok := routineByOID(oid); ok {
			return procedureDef(r), nil
		}
		for _, n := range expr.FunctionNames() {
			if FunctionOID(n) == oid {
				return "CREATE OR REPLACE FUNCTION pg_catalog." + expr.QuoteIdent(n) + "()\n RETURNS text\n LANGUAGE internal\nAS $function$" + n + "$function$\n", nil
			}
		}
		return nil, nil
	})
}

// procedureDef is the definition text of a Stripe action procedure.
func procedureDef(r *Routine) string {
	params := make([]string, len(r.Params))
	for i, p := range r.Params {
		params[i] = "IN " + expr.QuoteIdent(p.Name) + " " + sqltypes.FormatType(p.Type)
		if !p.Required {
			params[i] += " DEFAULT NULL::" + sqltypes.FormatType(p.Type)
		}
	}
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE PROCEDURE public." + expr.QuoteIdent(r.SQLName()) + "(" + strings.Join(params, ", ") + ")\n")
	b.WriteString(" LANGUAGE stripe\nAS $procedure$\n")
	b.WriteString("-- runs the Stripe action " + r.Name + " with one API request\n")
	for _, line := range strings.Split(strings.TrimSpace(r.Description), "\n") {
		if line != "" {
			b.WriteString("-- " + line + "\n")
		}
	}
	b.WriteString("$procedure$\n")
	return b.String()
}
