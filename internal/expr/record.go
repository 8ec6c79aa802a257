package expr

import (
	"fmt"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Composite values: ROW(…) builds one, (r).field reads a field. The record's field names and
// types are known when the expression is bound (sqltypes.RecordType), so a field selection is
// type-checked like a column reference.

// RowExpr builds a record from its arguments: ROW(a, b), or the whole value of a composite
// set-returning function in a select list.
type RowExpr struct {
	Args []Expr
	T    sqltypes.Type
	// types are the field types a Row value carries.
	types []sqltypes.Type
	// given are the arguments as written, before unknown literals became text: a row comparison
	// resolves each pair on its own, as PostgreSQL does.
	given []Expr
}

// Row returns ROW(args…) with the given field names; fewer names than arguments are completed
// with PostgreSQL's f1, f2, …. Arguments of unknown type (string literals) become text.
func Row(args []Expr, names []string) (Expr, error) {
	fields := make([]sqltypes.RecordField, len(args))
	out := make([]Expr, len(args))
	types := make([]sqltypes.Type, len(args))
	for i, a := range args {
		if a.Type() == sqltypes.Unknown {
			c, err := Cast(a, sqltypes.Text)
			if err != nil {
				return nil, err
			}
			a = c
		}
		name := fmt.Sprintf("f%d", i+1)
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		out[i], types[i] = a, a.Type()
		fields[i] = sqltypes.RecordField{Name: name, Type: a.Type()}
	}
	return &RowExpr{Args: out, T: sqltypes.RecordType(fields), types: types, given: args}, nil
}

// Type implements Expr.
func (r *RowExpr) Type() sqltypes.Type { return r.T }

// Children lets Walk see the arguments.
func (r *RowExpr) Children() []Expr { return r.Args }

// Eval implements Expr. A row of NULLs is a record, not NULL, as in PostgreSQL.
func (r *RowExpr) Eval(env *Env) (any, error) {
	vals := make([]any, len(r.Args))
	for i, a := range r.Args {
		v, err := a.Eval(env)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return sqltypes.Row{Values: vals, Types: r.types}, nil
}

// String implements Expr.
func (r *RowExpr) String() string { return "ROW(" + joinExprs(r.Args, ", ") + ")" }

// FieldExpr selects one field of a composite value: (r).name. A NULL record gives NULL.
type FieldExpr struct {
	Arg   Expr
	Index int
	Name  string
	T     sqltypes.Type
}

// Field returns (arg).name. A field the record type lacks is 42703 and a non-composite argument
// 42809, with PostgreSQL's messages.
func Field(arg Expr, name string) (Expr, error) {
	t := arg.Type()
	fields, ok := sqltypes.RecordFields(t)
	if !ok {
		if t == sqltypes.Record {
			return nil, sqlstate.New("42809", "could not identify column %q in record data type", name)
		}
		return nil, sqlstate.New("42809", "column notation .%s applied to type %s, which is not a composite type", name, sqltypes.FormatType(t))
	}
	if r, ok := arg.(*RowExpr); ok {
		// (ROW(a, b)).f2 is b: no record needs building.
		for i, f := range fields {
			if f.Name == name {
				return r.Args[i], nil
			}
		}
	}
	for i, f := range fields {
		if f.Name == name {
			return &FieldExpr{Arg: arg, Index: i, Name: name, T: f.Type}, nil
		}
	}
	return nil, sqlstate.New(sqlstate.UndefinedColumn, "could not identify column %q in record data type", name)
}

// Type implements Expr.
func (f *FieldExpr) Type() sqltypes.Type { return f.T }

// Children lets Walk see the record.
func (f *FieldExpr) Children() []Expr { return []Expr{f.Arg} }

// Eval implements Expr.
func (f *FieldExpr) Eval(env *Env) (any, error) {
	v, err := f.Arg.Eval(env)
	if err != nil || v == nil {
		return nil, err
	}
	r, ok := v.(sqltypes.Row)
	if !ok || f.Index >= len(r.Values) {
		return nil, sqlstate.New(sqlstate.InternalError, "field %s of a %T", f.Name, v)
	}
	return r.Values[f.Index], nil
}

// String implements Expr.
func (f *FieldExpr) String() string { return "(" + f.Arg.String() + ")." + quoteIdentIfNeeded(f.Name) }

// quoteIdentIfNeeded double-quotes a name that is not a plain lower-case identifier.
func quoteIdentIfNeeded(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// RowFields returns the field names of a record type from sqltypes.RecordType, for (r).* and
// error messages; nil for any other type.
func RowFields(t sqltypes.Type) []string {
	fields, _ := sqltypes.RecordFields(t)
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// rowPair returns both operands when both are ROW(…) constructors.
func rowPair(a, b Expr) (l, r *RowExpr, ok bool) {
	l, lok := a.(*RowExpr)
	r, rok := b.(*RowExpr)
	return l, r, lok && rok
}

// rowCompare compares two row constructors field by field, as PostgreSQL does: = is every pair
// equal, <> any pair different, and <, <=, >, >= order by the first pair that is not equal, so a
// NULL in a pair that decides gives NULL.
func rowCompare(op string, l, r *RowExpr) (Expr, error) {
	if len(l.given) != len(r.given) {
		return nil, sqlstate.New(sqlstate.SyntaxError, "unequal number of entries in row expressions")
	}
	if len(l.given) == 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "cannot compare rows of zero length")
	}
	pair := func(op string, i int) (Expr, error) { return Operator(op, l.given[i], r.given[i]) }
	switch op {
	case "=", "<>":
		parts := make([]Expr, len(l.given))
		for i := range l.given {
			e, err := pair(op, i)
			if err != nil {
				return nil, err
			}
			parts[i] = e
		}
		if op == "=" {
			return And(parts...), nil
		}
		return Or(parts...), nil
	case "<", "<=", ">", ">=":
		strict := op[:1]
		last := len(l.given) - 1
		out, err := pair(op, last)
		if err != nil {
			return nil, err
		}
		for i := last - 1; i >= 0; i-- {
			lt, err := pair(strict, i)
			if err != nil {
				return nil, err
			}
			eq, err := pair("=", i)
			if err != nil {
				return nil, err
			}
			out = Or(lt, And(eq, out))
		}
		return out, nil
	}
	return nil, sqlstate.New(sqlstate.FeatureNotSupported, "operator %s is not supported for row expressions", op)
}
