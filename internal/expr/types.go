package expr

import (
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

type (
	decimal  = sqltypes.Decimal
	interval = sqltypes.IntervalValue
	jsonVal  = sqltypes.JSONValue
	array    = sqltypes.Array
)

var typeNames = map[string]sqltypes.Type{
	"int": sqltypes.Int4, "integer": sqltypes.Int4, "int4": sqltypes.Int4,
	"bigint": sqltypes.Int8, "int8": sqltypes.Int8,
	"smallint": sqltypes.Int2, "int2": sqltypes.Int2,
	"text": sqltypes.Text, "varchar": sqltypes.Varchar, "character varying": sqltypes.Varchar,
	"bpchar": sqltypes.Text, "character": sqltypes.Text,
	"bool": sqltypes.Bool, "boolean": sqltypes.Bool,
	"float8": sqltypes.Float8, "double precision": sqltypes.Float8, "float": sqltypes.Float8,
	"real": sqltypes.Float4, "float4": sqltypes.Float4,
	"numeric": sqltypes.Numeric, "decimal": sqltypes.Numeric,
	"date":      sqltypes.Date,
	"timestamp": sqltypes.Timestamp, "timestamp without time zone": sqltypes.Timestamp,
	"timestamptz": sqltypes.Timestamptz, "timestamp with time zone": sqltypes.Timestamptz,
	"time": sqltypes.Time, "time without time zone": sqltypes.Time,
	"interval": sqltypes.Interval,
	"json":     sqltypes.JSON, "jsonb": sqltypes.JSONB,
	"bytea": sqltypes.Bytea, "oid": sqltypes.OID,
	"regclass": sqltypes.Regclass, "regtype": sqltypes.Regtype, "regproc": sqltypes.Regproc, "regnamespace": sqltypes.Regnamespace,
	"name": sqltypes.Name, "char": sqltypes.Char, "\"char\"": sqltypes.Char,
	"unknown": sqltypes.Unknown, "void": sqltypes.Void, "record": sqltypes.Record,
	"int2vector": sqltypes.Int2Vector, "oidvector": sqltypes.OIDVector,
	// Object-identifier types stripesql has no type of its own for: regprocedure reads and prints
	// as regproc (a name without its argument list), the others as plain OIDs. psql's \dL+,
	// \dAo and \dAp cast columns of empty catalogs to them.
	"regprocedure": sqltypes.Regproc, "regoper": sqltypes.OID, "regoperator": sqltypes.OID,
	"regcollation": sqltypes.OID, "regconfig": sqltypes.OID, "regdictionary": sqltypes.OID,
}

// TypeByName resolves a type as SQL spells it in casts and DDL ("int", "timestamp with time zone",
// "character varying(20)", "text[]", "pg_catalog.int8"); 42704 `type "x" does not exist` when
// unknown. Type modifiers such as (20) or (10,2) are accepted and ignored.
func TypeByName(name string) (sqltypes.Type, error) {
	n := strings.ToLower(strings.Join(strings.Fields(name), " "))
	n = strings.TrimPrefix(n, "pg_catalog.")
	isArray := false
	for strings.HasSuffix(n, "[]") {
		n = strings.TrimSpace(strings.TrimSuffix(n, "[]"))
		isArray = true
	}
	if i := strings.IndexByte(n, '('); i >= 0 {
		if j := strings.IndexByte(n[i:], ')'); j >= 0 {
			n = strings.TrimSpace(n[:i] + n[i+j+1:])
		}
	}
	if strings.HasPrefix(n, "_") && !isArray {
		if t, ok := typeNames[n[1:]]; ok {
			if a := sqltypes.ArrayOf(t); a != 0 {
				return a, nil
			}
		}
	}
	t, ok := typeNames[n]
	if !ok {
		return 0, sqlstate.New(sqlstate.UndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(name))
	}
	if isArray {
		a := sqltypes.ArrayOf(t)
		if a == 0 {
			return 0, sqlstate.New(sqlstate.UndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(name))
		}
		return a, nil
	}
	return t, nil
}

// numRank orders the numeric types by PostgreSQL's implicit promotion; 0 means not numeric.
func numRank(t sqltypes.Type) int {
	switch t {
	case sqltypes.Int2:
		return 1
	case sqltypes.Int4:
		return 2
	case sqltypes.OID, sqltypes.Regclass, sqltypes.Regtype, sqltypes.Regproc, sqltypes.Regnamespace:
		return 3
	case sqltypes.Int8:
		return 4
	case sqltypes.Numeric:
		return 5
	case sqltypes.Float4:
		return 6
	case sqltypes.Float8:
		return 7
	}
	return 0
}

func isIntType(t sqltypes.Type) bool { r := numRank(t); return r >= 1 && r <= 4 }

// dtRank orders date < timestamp < timestamptz; 0 means not a datetime.
func dtRank(t sqltypes.Type) int {
	switch t {
	case sqltypes.Date:
		return 1
	case sqltypes.Timestamp:
		return 2
	case sqltypes.Timestamptz:
		return 3
	}
	return 0
}

// commonType is the type two operands are converted to for comparison or a CASE/COALESCE result,
// following PostgreSQL's rules for our types: unknown takes the other side's type, numbers
// promote, strings become text, dates promote to timestamps.
func commonType(a, b sqltypes.Type) (sqltypes.Type, bool) {
	switch {
	case a == b:
		if a == sqltypes.Unknown {
			return sqltypes.Text, true
		}
		return a, true
	case a == sqltypes.Unknown:
		return b, true
	case b == sqltypes.Unknown:
		return a, true
	}
	if ra, rb := numRank(a), numRank(b); ra > 0 && rb > 0 {
		if ra >= rb {
			if ra == 3 && a != sqltypes.OID && rb == 3 {
				return sqltypes.OID, true
			}
			return a, true
		}
		return b, true
	}
	if isStringType(a) && isStringType(b) {
		return sqltypes.Text, true
	}
	if ra, rb := dtRank(a), dtRank(b); ra > 0 && rb > 0 {
		if ra >= rb {
			return a, true
		}
		return b, true
	}
	if (a == sqltypes.JSON && b == sqltypes.JSONB) || (a == sqltypes.JSONB && b == sqltypes.JSON) {
		return sqltypes.JSONB, true
	}
	return 0, false
}

// commonTypeOf folds commonType over a list, for CASE, COALESCE, IN, GREATEST and ARRAY[...].
func commonTypeOf(what string, es []Expr) (sqltypes.Type, error) {
	t := sqltypes.Unknown
	for _, e := range es {
		if e == nil {
			continue
		}
		et := e.Type()
		if t == sqltypes.Unknown {
			t = et
			continue
		}
		if et == sqltypes.Unknown {
			continue
		}
		c, ok := commonType(t, et)
		if !ok {
			return 0, sqlstate.New(sqlstate.DatatypeMismatch, "%s types %s and %s cannot be matched", what, sqltypes.FormatType(t), sqltypes.FormatType(et))
		}
		t = c
	}
	if t == sqltypes.Unknown {
		t = sqltypes.Text
	}
	return t, nil
}

// implicitOK reports whether PostgreSQL converts from to to without an explicit cast.
func implicitOK(from, to sqltypes.Type) bool {
	if from == to || from == sqltypes.Unknown {
		return true
	}
	if rf, rt := numRank(from), numRank(to); rf > 0 && rt > 0 {
		return rf <= rt || (rf == 3 && rt == 3) || (rf == 4 && rt == 3)
	}
	if isStringType(from) && isStringType(to) {
		return true
	}
	if rf, rt := dtRank(from), dtRank(to); rf > 0 && rt > 0 {
		return rf <= rt
	}
	if from == sqltypes.JSON && to == sqltypes.JSONB {
		return true
	}
	if ef, et := sqltypes.Elem(from), sqltypes.Elem(to); ef != 0 && et != 0 {
		return implicitOK(ef, et)
	}
	return false
}

// coerce converts e to type t as PostgreSQL does implicitly: unknown literals are read as t now
// (so a bad literal fails at plan time, as in PostgreSQL), untyped parameters take type t, and
// other expressions get an implicit cast. Literals of date/time types stay as casts evaluated with
// the session's time zone, checked for syntax now.
func coerce(e Expr, t sqltypes.Type) (Expr, error) {
	et := e.Type()
	if et == t {
		return e, nil
	}
	if et == sqltypes.Unknown {
		switch n := e.(type) {
		case *Const:
			if n.Value == nil {
				return NewConst(nil, t), nil
			}
			s, _ := n.Value.(string)
			if dtRank(t) > 0 || t == sqltypes.Time || lookupCast(sqltypes.Text, t) != nil {
				if dtRank(t) > 0 {
					if _, err := sqltypes.ParseTime(s, t, time.UTC, time.Now()); err != nil {
						return nil, err
					}
				}
				return &CastExpr{Arg: &Const{Value: s, T: sqltypes.Text}, T: t, implicit: true}, nil
			}
			v, err := sqltypes.ParseText(s, t, time.UTC)
			if err != nil {
				return nil, err
			}
			return NewConst(v, t), nil
		case *ParamRef:
			return &ParamRef{N: n.N, T: t}, nil
		}
	}
	// Constants of types that do not depend on the session are converted now, so the planner
	// sees a plain Const (amount > 1000 rather than amount > 1000::bigint).
	if c, ok := e.(*Const); ok && dtRank(et) == 0 && dtRank(t) == 0 {
		if c.Value == nil {
			return NewConst(nil, t), nil
		}
		v, err := castValue(nil, c.Value, et, t)
		if err != nil {
			return nil, err
		}
		return NewConst(v, t), nil
	}
	return &CastExpr{Arg: e, T: t, implicit: true}, nil
}

func errNoOperator(op string, args ...sqltypes.Type) *sqlstate.Error {
	var msg string
	if len(args) == 1 {
		msg = "operator does not exist: " + op + " " + sqltypes.FormatType(args[0])
	} else {
		msg = "operator does not exist: " + sqltypes.FormatType(args[0]) + " " + op + " " + sqltypes.FormatType(args[1])
	}
	return &sqlstate.Error{Code: sqlstate.UndefinedFunction, Message: msg,
		Hint: "No operator matches the given name and argument types. You might need to add explicit type casts."}
}
