package expr

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

func col(i int, t sqltypes.Type, name string) *ColumnRef {
	return &ColumnRef{Index: i, T: t, Name: name}
}
func lit(s string) *Const { return NewConst(s, sqltypes.Unknown) }
func i64(n int64) *Const  { return NewConst(n, sqltypes.Int8) }

// mustE unwraps a constructor result in test set-up; a constructor error there is a test bug.
func mustE(e Expr, err error) Expr {
	if err != nil {
		panic(err)
	}
	return e
}

func codeOf(err error) string {
	if e, ok := sqlstate.As(err); ok {
		return e.Code
	}
	if err != nil {
		return "not coded: " + err.Error()
	}
	return ""
}

// TestThreeValuedLogic checks AND, OR and NOT over true, false and NULL.
func TestThreeValuedLogic(t *testing.T) {
	vals := map[string]Expr{"t": NewConst(true, sqltypes.Bool), "f": NewConst(false, sqltypes.Bool), "n": NewConst(nil, sqltypes.Bool)}
	tests := []struct {
		op   string
		a, b string
		want any
	}{
		{"and", "t", "t", true}, {"and", "t", "f", false}, {"and", "t", "n", nil},
		{"and", "f", "n", false}, {"and", "n", "f", false}, {"and", "n", "n", nil},
		{"or", "f", "f", false}, {"or", "t", "n", true}, {"or", "n", "t", true},
		{"or", "f", "n", nil}, {"or", "n", "n", nil},
		{"not", "t", "", false}, {"not", "f", "", true}, {"not", "n", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.op+"_"+tc.a+tc.b, func(t *testing.T) {
			var e Expr
			switch tc.op {
			case "and":
				e = And(vals[tc.a], vals[tc.b])
			case "or":
				e = Or(vals[tc.a], vals[tc.b])
			default:
				e = Not(vals[tc.a])
			}
			got, err := e.Eval(nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	// AND flattens and stops at the first false, so a later error is never reached.
	boom, _ := Operator("/", i64(1), i64(0))
	boomCmp := mustE(Operator("=", boom, i64(1)))
	e := And(NewConst(false, sqltypes.Bool), And(boomCmp, NewConst(true, sqltypes.Bool)))
	if b, ok := e.(*BoolExpr); !ok || len(b.Args) != 3 {
		t.Errorf("And did not flatten: %s", e)
	}
	if v, err := e.Eval(nil); err != nil || v != false {
		t.Errorf("short circuit: got %v, %v", v, err)
	}
}

// TestParamTypeInference checks that an untyped $n takes the other operand's type and converts a
// text argument on evaluation.
func TestParamTypeInference(t *testing.T) {
	e := mustE(Operator("=", col(0, sqltypes.Int8, "amount"), &ParamRef{N: 1, T: sqltypes.Unknown}))
	var params []*ParamRef
	Walk(e, func(x Expr) bool {
		if p, ok := x.(*ParamRef); ok {
			params = append(params, p)
		}
		return true
	})
	if len(params) != 1 || params[0].T != sqltypes.Int8 {
		t.Fatalf("params = %+v, want one $1 of type bigint", params)
	}
	tests := []struct {
		name  string
		param any
		want  any
		code  string
	}{
		{"typed", int64(42), true, ""},
		{"text converted", "42", true, ""},
		{"different", int64(7), false, ""},
		{"null", nil, nil, ""},
		{"bad text", "x", nil, sqlstate.InvalidTextRepresentation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Eval(&Env{Row: []any{int64(42)}, Params: []any{tc.param}})
			if diff := cmp.Diff(tc.code, codeOf(err)); diff != "" {
				t.Fatal(diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	if _, err := (&ParamRef{N: 2, T: sqltypes.Int8}).Eval(&Env{Params: []any{int64(1)}}); codeOf(err) != sqlstate.UndefinedParameter {
		t.Errorf("missing $2: %v", err)
	}
}

// TestFoldTimeArithmetic checks the planner's main folding case: created > now() - interval.
func TestFoldTimeArithmetic(t *testing.T) {
	now, err := Call("now", nil)
	if err != nil {
		t.Fatal(err)
	}
	rhs := mustE(Operator("-", now, mustE(Cast(lit("30 days"), sqltypes.Interval))))
	pred := mustE(Operator(">", col(0, sqltypes.Timestamptz, "created"), rhs))
	if !IsConstant(rhs) || IsConstant(pred) {
		t.Fatalf("IsConstant(rhs)=%v IsConstant(pred)=%v", IsConstant(rhs), IsConstant(pred))
	}
	env := &Env{Now: time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)}
	v, err := Fold(rhs, env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), v); diff != "" {
		t.Error(diff)
	}
	if _, err := Fold(pred, env); err == nil {
		t.Error("Fold of a column reference succeeded")
	}
	// A text literal compared with timestamptz is read in the session zone when folded.
	lit := mustE(Operator(">=", col(0, sqltypes.Timestamptz, "created"), lit("2024-01-01")))
	right := lit.(*OpExpr).Args[1]
	ny, _ := time.LoadLocation("America/New_York")
	got, err := Fold(right, &Env{Session: &testSession{loc: ny}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(time.Date(2024, 1, 1, 5, 0, 0, 0, time.UTC), got); diff != "" {
		t.Error(diff)
	}
	rnd := mustE(Call("random", nil))
	if IsConstant(rnd) {
		t.Error("random() is volatile but IsConstant says constant")
	}
}

func TestConstructorErrors(t *testing.T) {
	tests := []struct {
		name string
		make func() error
		code string
		msg  string
		hint string
	}{
		{"text plus int", func() error { _, err := Operator("+", col(0, sqltypes.Text, "s"), i64(1)); return err },
			"42883", "operator does not exist: text + bigint", "No operator matches the given name and argument types. You might need to add explicit type casts."},
		{"unknown function hint", func() error { _, err := Call("lowr", []Expr{lit("A")}); return err },
			"42883", "function lowr(unknown) does not exist", `Perhaps you meant to call the function "lower".`},
		{"wrong arg type", func() error { _, err := Call("lower", []Expr{i64(1)}); return err },
			"42883", "function lower(bigint) does not exist", "No function matches the given name and argument types. You might need to add explicit type casts."},
		{"bad literal", func() error { _, err := Operator("=", col(0, sqltypes.Int8, "n"), lit("abc")); return err },
			"22P02", `invalid input syntax for type bigint: "abc"`, ""},
		{"bad cast", func() error { _, err := Cast(i64(1), sqltypes.Date); return err },
			"42846", "cannot cast type bigint to date", ""},
		{"where not boolean", func() error { _, err := CheckBool(i64(1), "WHERE"); return err },
			"42804", "argument of WHERE must be type boolean, not type bigint", ""},
		{"unknown type", func() error { _, err := TypeByName("money"); return err },
			"42704", `type "money" does not exist`, ""},
		{"aggregate of text", func() error { _, err := Aggregate("sum", []Expr{col(0, sqltypes.Text, "s")}, false, false); return err },
			"42883", "function sum(text) does not exist", "No function matches the given name and argument types. You might need to add explicit type casts."},
		{"subscript of scalar", func() error { _, err := Subscript(i64(1), i64(1)); return err },
			"42804", "cannot subscript type bigint because it does not support subscripting", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.make()
			var e *sqlstate.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *sqlstate.Error", err)
			}
			if diff := cmp.Diff([]string{tc.code, tc.msg, tc.hint}, []string{e.Code, e.Message, e.Hint}); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestTypeByName(t *testing.T) {
	tests := map[string]sqltypes.Type{
		"int": sqltypes.Int4, "INTEGER": sqltypes.Int4, "bigint": sqltypes.Int8, "int8": sqltypes.Int8,
		"smallint": sqltypes.Int2, "text": sqltypes.Text, "varchar": sqltypes.Varchar,
		"character varying(20)": sqltypes.Varchar, "bool": sqltypes.Bool, "double precision": sqltypes.Float8,
		"real": sqltypes.Float4, "numeric(10,2)": sqltypes.Numeric, "decimal": sqltypes.Numeric,
		"timestamp with time zone": sqltypes.Timestamptz, "timestamptz": sqltypes.Timestamptz,
		"timestamp": sqltypes.Timestamp, "date": sqltypes.Date, "interval": sqltypes.Interval,
		"jsonb": sqltypes.JSONB, "json": sqltypes.JSON, "bytea": sqltypes.Bytea, "oid": sqltypes.OID,
		"regclass": sqltypes.Regclass, "name": sqltypes.Name, `"char"`: sqltypes.Char,
		"text[]": sqltypes.TextArray, "int[]": sqltypes.Int4Array, "_int8": sqltypes.Int8Array,
		"pg_catalog.int4": sqltypes.Int4,
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := TypeByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("got %s, want %s", sqltypes.FormatType(got), sqltypes.FormatType(want))
			}
		})
	}
}

func TestCompareAndHashKey(t *testing.T) {
	d := func(s string) sqltypes.Decimal { v, _ := sqltypes.ParseDecimal(s); return v }
	tests := []struct {
		name string
		a, b any
		t    sqltypes.Type
		want int
	}{
		{"numeric scale", d("1.50"), d("1.5"), sqltypes.Numeric, 0},
		{"interval month vs days", sqltypes.IntervalValue{Months: 1}, sqltypes.IntervalValue{Days: 30}, sqltypes.Interval, 0},
		{"interval hours vs day", sqltypes.IntervalValue{Micros: 25 * sqltypes.MicrosPerHour}, sqltypes.IntervalValue{Days: 1}, sqltypes.Interval, 1},
		{"text bytewise", "B", "a", sqltypes.Text, -1},
		{"text prefix", "ab", "abc", sqltypes.Text, -1},
		{"float nan greatest", nanF(), 1e308, sqltypes.Float8, 1},
		{"float zero signs", 0.0, negZero(), sqltypes.Float8, 0},
		{"bool", false, true, sqltypes.Bool, -1},
		{"timestamps", time.Unix(1, 0), time.Unix(2, 0), sqltypes.Timestamptz, -1},
		{"jsonb numbers by value", sqltypes.JSONValue{V: []any{d("1.0")}}, sqltypes.JSONValue{V: []any{d("1")}}, sqltypes.JSONB, 0},
		{"jsonb object over array", sqltypes.JSONValue{V: map[string]any{}}, sqltypes.JSONValue{V: []any{d("1")}}, sqltypes.JSONB, 1},
		{"arrays", sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(1), int64(2)}}, sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(1), int64(3)}}, sqltypes.Int8Array, -1},
		{"array null element last", sqltypes.Array{Elem: sqltypes.Int8, Items: []any{nil}}, sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(9)}}, sqltypes.Int8Array, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(tc.a, tc.b, tc.t)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Compare = %d, want %d", got, tc.want)
			}
			if eq := HashKey(tc.a, tc.t) == HashKey(tc.b, tc.t); eq != (tc.want == 0) {
				t.Errorf("HashKey equality = %v, Compare = %d", eq, got)
			}
		})
	}
}

func nanF() float64    { z := 0.0; return z / z }
func negZero() float64 { z := 0.0; return -z }

func TestRegisterFunction(t *testing.T) {
	calls := 0
	RegisterFunction(Function{
		Name: "Test_Twice", MinArgs: 1, MaxArgs: 1, Strict: true,
		ArgTypes: Fixed("test_twice", sqltypes.Int8),
		Result:   Returns(sqltypes.Int8),
		Eval: func(_ *Env, a []any) (any, error) {
			calls++
			return a[0].(int64) * 2, nil
		},
	})
	e, err := Call("test_twice", []Expr{NewConst(int64(21), sqltypes.Int4)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Type() != sqltypes.Int8 {
		t.Errorf("type = %s", sqltypes.FormatType(e.Type()))
	}
	tests := []struct {
		arg  Expr
		want any
	}{
		{NewConst(int64(21), sqltypes.Int4), int64(42)},
		{NewConst(nil, sqltypes.Int8), nil},
		{lit("5"), int64(10)},
	}
	for _, tc := range tests {
		e := mustE(Call("TEST_TWICE", []Expr{tc.arg}))
		got, err := e.Eval(nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: %s", e, diff)
		}
	}
	if calls != 2 {
		t.Errorf("Eval called %d times, want 2 (the NULL call is strict)", calls)
	}
	if _, err := Call("test_twice", []Expr{NewConst("x", sqltypes.Text)}); codeOf(err) != sqlstate.UndefinedFunction {
		t.Errorf("text argument: %v", err)
	}
}

func TestStringRendering(t *testing.T) {
	amount := col(0, sqltypes.Int8, "amount")
	cur := col(1, sqltypes.Text, "currency")
	tests := []struct {
		e    Expr
		want string
	}{
		{mustE(Operator(">", amount, NewConst(int64(1000), sqltypes.Int4))), "(amount > 1000)"},
		{And(mustE(Operator("=", cur, lit("usd"))), IsNull(amount, true)), "((currency = 'usd') AND (amount IS NOT NULL))"},
		{mustE(In(cur, []Expr{lit("usd"), lit("eur")}, false)), "(currency IN ('usd', 'eur'))"},
		{mustE(Call("lower", []Expr{cur})), "lower(currency)"},
		{mustE(Between(amount, i64(1), i64(5), false, false)), "(amount BETWEEN 1 AND 5)"},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.e.String()); diff != "" {
			t.Error(diff)
		}
	}
}

func TestAggregateTypes(t *testing.T) {
	tests := []struct {
		name string
		arg  sqltypes.Type
		want sqltypes.Type
	}{
		{"count", sqltypes.Text, sqltypes.Int8},
		{"sum", sqltypes.Int4, sqltypes.Int8},
		{"sum", sqltypes.Int8, sqltypes.Numeric},
		{"sum", sqltypes.Float8, sqltypes.Float8},
		{"avg", sqltypes.Int4, sqltypes.Numeric},
		{"avg", sqltypes.Float4, sqltypes.Float8},
		{"min", sqltypes.Timestamptz, sqltypes.Timestamptz},
		{"max", sqltypes.Text, sqltypes.Text},
		{"array_agg", sqltypes.Text, sqltypes.TextArray},
		{"jsonb_agg", sqltypes.Int8, sqltypes.JSONB},
		{"bool_and", sqltypes.Bool, sqltypes.Bool},
	}
	for _, tc := range tests {
		t.Run(tc.name+"("+sqltypes.FormatType(tc.arg)+")", func(t *testing.T) {
			a, err := Aggregate(tc.name, []Expr{col(0, tc.arg, "x")}, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if a.Type() != tc.want {
				t.Errorf("type = %s, want %s", sqltypes.FormatType(a.Type()), sqltypes.FormatType(tc.want))
			}
		})
	}
	if !IsAggregate("COUNT") || IsAggregate("lower") {
		t.Error("IsAggregate is wrong")
	}
	star, err := Aggregate("count", nil, false, true)
	if err != nil {
		t.Fatal(err)
	}
	st := star.NewState()
	for i := 0; i < 3; i++ {
		if err := st.Add(&Env{Row: []any{nil}}); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := st.Result(); v != int64(3) {
		t.Errorf("count(*) = %v, want 3", v)
	}
}

// TestAnyAllWithColumn binds x = ANY($1) with a bigint column and a text[] parameter value.
func TestAnyAllWithColumn(t *testing.T) {
	e := mustE(AnyAll("=", col(0, sqltypes.Text, "id"), &ParamRef{N: 1, T: sqltypes.TextArray}, false))
	arr := sqltypes.Array{Elem: sqltypes.Text, Items: []any{"cus_1", "cus_2"}}
	tests := []struct {
		row  any
		want any
	}{{"cus_2", true}, {"cus_3", false}, {nil, nil}}
	for _, tc := range tests {
		got, err := e.Eval(&Env{Row: []any{tc.row}, Params: []any{arr}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%v: %s", tc.row, diff)
		}
	}
}

// BenchmarkEvalComparisonArithmetic measures a typical residual filter:
// amount * 2 + 10 > 1000 AND currency = 'usd'.
func BenchmarkEvalComparisonArithmetic(b *testing.B) {
	amount := col(0, sqltypes.Int8, "amount")
	cur := col(1, sqltypes.Text, "currency")
	mul, _ := Operator("*", amount, NewConst(int64(2), sqltypes.Int4))
	add, _ := Operator("+", mul, NewConst(int64(10), sqltypes.Int4))
	gt, _ := Operator(">", add, NewConst(int64(1000), sqltypes.Int4))
	eq, _ := Operator("=", cur, lit("usd"))
	e := And(gt, eq)
	env := &Env{Row: []any{int64(2500), "usd"}}
	b.ReportAllocs()
	for b.Loop() {
		v, err := e.Eval(env)
		if err != nil || v != true {
			b.Fatal(v, err)
		}
	}
}

// TestSloppyRowValues feeds values in near representations; evaluation must convert or fail with
// an error, never panic.
func TestSloppyRowValues(t *testing.T) {
	amount := col(0, sqltypes.Int8, "amount")
	gt := mustE(Operator(">", amount, NewConst(int64(10), sqltypes.Int4)))
	plus := mustE(Operator("+", amount, NewConst(int64(1), sqltypes.Int4)))
	meta := mustE(Operator("->>", col(0, sqltypes.JSONB, "metadata"), lit("k")))
	tests := []struct {
		name string
		e    Expr
		v    any
		want any
		code string
	}{
		{"go int", gt, 11, true, ""},
		{"float integral", plus, float64(41), int64(42), ""},
		{"decoded json map", meta, map[string]any{"k": "v"}, "v", ""},
		{"wrong type", plus, "forty", nil, sqlstate.InternalError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.e.Eval(&Env{Row: []any{tc.v}})
			if diff := cmp.Diff(tc.code, codeOf(err)); diff != "" {
				t.Fatal(diff, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// TestRegisterCast checks the hook the catalog owner uses for regclass: literals and explicit
// casts go through it.
func TestRegisterCast(t *testing.T) {
	RegisterCast(sqltypes.Text, sqltypes.Regclass, func(_ *Env, v any) (any, error) {
		if v.(string) == "customers" {
			return int64(16384), nil
		}
		return nil, sqlstate.New(sqlstate.UndefinedTable, "relation \"%s\" does not exist", v)
	})
	e := mustE(Operator("=", col(0, sqltypes.OID, "oid"), mustE(Cast(lit("customers"), sqltypes.Regclass))))
	got, err := e.Eval(&Env{Row: []any{int64(16384)}})
	if err != nil || got != true {
		t.Fatalf("got %v, %v", got, err)
	}
	bad := mustE(Cast(lit("nope"), sqltypes.Regclass))
	if _, err := bad.Eval(nil); codeOf(err) != sqlstate.UndefinedTable {
		t.Errorf("err = %v", err)
	}
}

// TestNodeStrings checks the EXPLAIN rendering of every node kind.
func TestNodeStrings(t *testing.T) {
	x := col(0, sqltypes.Int8, "x")
	s := col(1, sqltypes.Text, "s")
	ts := col(2, sqltypes.Timestamptz, "created")
	arr := col(3, sqltypes.TextArray, "tags")
	sum, _ := Aggregate("sum", []Expr{x}, true, false)
	sum.Filter = mustE(Operator(">", x, i64(0)))
	tests := []struct {
		got  string
		want string
	}{
		{mustE(Case(nil, [][2]Expr{{mustE(Operator(">", x, i64(1))), lit("big")}}, lit("small"))).String(), "CASE WHEN (x > 1) THEN 'big' ELSE 'small' END"},
		{mustE(Case(x, [][2]Expr{{i64(1), lit("one")}}, nil)).String(), "CASE x WHEN 1 THEN 'one' END"},
		{mustE(Coalesce([]Expr{s, lit("none")})).String(), "COALESCE(s, 'none')"},
		{mustE(NullIf(s, lit(""))).String(), "NULLIF(s, '')"},
		{mustE(Greatest([]Expr{x, i64(3)})).String(), "GREATEST(x, 3)"},
		{mustE(Least([]Expr{x, i64(3)})).String(), "LEAST(x, 3)"},
		{mustE(IsDistinctFrom(x, i64(3), true)).String(), "(x IS NOT DISTINCT FROM 3)"},
		{mustE(BoolTest(mustE(Operator("=", x, i64(1))), "is not true")).String(), "((x = 1) IS NOT TRUE)"},
		{mustE(Between(x, i64(1), i64(2), true, true)).String(), "(x NOT BETWEEN SYMMETRIC 1 AND 2)"},
		{mustE(In(x, []Expr{i64(1)}, true)).String(), "(x NOT IN (1))"},
		{mustE(ArrayLiteral([]Expr{lit("a"), s}, 0)).String(), "ARRAY['a', s]"},
		{mustE(Subscript(arr, i64(1))).String(), "tags[1]"},
		{mustE(AnyAll("=", s, arr, true)).String(), "(s = ALL (tags))"},
		{mustE(Cast(x, sqltypes.Text)).String(), "x::text"},
		{mustE(CastTypeName(s, "varchar(3)")).String(), "s::character varying(3)"},
		{mustE(AtTimeZone(ts, lit("UTC"))).String(), "timezone('UTC', created)"},
		{mustE(Operator("-", x)).String(), "(- x)"},
		{Not(IsNull(s, false)).String(), "(NOT (s IS NULL))"},
		{NewConst(nil, sqltypes.Int8).String(), "NULL"},
		{NewConst(int64(-5), sqltypes.Int8).String(), "'-5'::bigint"},
		{NewConst(true, sqltypes.Bool).String(), "true"},
		{sum.String(), "sum(DISTINCT x) FILTER (WHERE (x > 0))"},
		{(&ParamRef{N: 2}).String(), "$2"},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Error(diff)
		}
	}
}

// TestAtTimeZone converts both ways through the constructor the binder uses for AT TIME ZONE.
func TestAtTimeZone(t *testing.T) {
	instant := NewConst(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), sqltypes.Timestamptz)
	wall := mustE(AtTimeZone(instant, lit("Asia/Tokyo")))
	if wall.Type() != sqltypes.Timestamp {
		t.Fatalf("type = %s", sqltypes.FormatType(wall.Type()))
	}
	back := mustE(AtTimeZone(wall, lit("Asia/Tokyo")))
	tests := []struct {
		e    Expr
		want string
	}{{wall, "2024-01-01 21:00:00"}, {back, "2024-01-01 12:00:00+00"}}
	for _, tc := range tests {
		v, err := Fold(tc.e, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, sqltypes.FormatText(v, tc.e.Type())); diff != "" {
			t.Error(diff)
		}
	}
	bad := mustE(AtTimeZone(instant, lit("Nowhere/Land")))
	if _, err := Fold(bad, nil); codeOf(err) != sqlstate.InvalidParameterValue {
		t.Errorf("unknown zone: %v", err)
	}
}

// TestConcurrentEval evaluates shared expressions from several goroutines, as parallel scans do;
// run with -race it checks the pattern cache and the function registry.
func TestConcurrentEval(t *testing.T) {
	s := col(0, sqltypes.Text, "email")
	like := mustE(Operator("ILIKE", s, lit("%@EXAMPLE.com")))
	re := mustE(Operator("~", s, col(1, sqltypes.Text, "pattern")))
	low := mustE(Call("lower", []Expr{s}))
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				env := &Env{Row: []any{"user@example.com", "^u.{" + string(rune('0'+(i+g)%10)) + "}"}}
				for _, e := range []Expr{like, re, low} {
					if _, err := e.Eval(env); err != nil {
						done <- err
						return
					}
				}
				if i%50 == 0 {
					RegisterFunction(Function{Name: "test_noop", Result: Returns(sqltypes.Int8),
						Eval: func(*Env, []any) (any, error) { return int64(0), nil }})
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	v, err := like.Eval(&Env{Row: []any{"a@example.com", ""}})
	if err != nil || v != true {
		t.Errorf("ILIKE = %v, %v", v, err)
	}
}

// TestSumOverflowsIntoNumeric checks that sum(bigint) keeps exact digits past int64.
func TestSumOverflowsIntoNumeric(t *testing.T) {
	a, err := Aggregate("sum", []Expr{col(0, sqltypes.Int8, "x")}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	st := a.NewState()
	for _, v := range []any{int64(9223372036854775807), int64(9223372036854775807), int64(-1), nil, int64(3)} {
		if err := st.Add(&Env{Row: []any{v}}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := st.Result()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("18446744073709551616", sqltypes.FormatText(v, a.Type())); diff != "" {
		t.Error(diff)
	}
}

// BenchmarkAggregateSumAvg measures sum and avg of bigint values, the common report query.
func BenchmarkAggregateSumAvg(b *testing.B) {
	x := col(0, sqltypes.Int8, "amount")
	sum, _ := Aggregate("sum", []Expr{x}, false, false)
	avg, _ := Aggregate("avg", []Expr{x}, false, false)
	env := &Env{Row: []any{int64(0)}}
	b.ReportAllocs()
	for b.Loop() {
		ss, as := sum.NewState(), avg.NewState()
		for i := int64(0); i < 1000; i++ {
			env.Row[0] = i * 1999
			if err := ss.Add(env); err != nil {
				b.Fatal(err)
			}
			if err := as.Add(env); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := ss.Result(); err != nil {
			b.Fatal(err)
		}
		if _, err := as.Result(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParamConversions passes parameters the way drivers do: text, Go ints, floats.
func TestParamConversions(t *testing.T) {
	tests := []struct {
		name  string
		t     sqltypes.Type
		param any
		want  string
	}{
		{"text to timestamptz", sqltypes.Timestamptz, "2024-01-01 10:00:00+02", "2024-01-01 08:00:00+00"},
		{"go int to bigint", sqltypes.Int8, 7, "7"},
		{"float to numeric", sqltypes.Numeric, 2.5, "2.5"},
		{"int to float", sqltypes.Float8, int64(3), "3"},
		{"text to interval", sqltypes.Interval, "1 day", "1 day"},
		{"text to jsonb", sqltypes.JSONB, `{"b":1,"a":2}`, `{"a": 2, "b": 1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := (&ParamRef{N: 1, T: tc.t}).Eval(&Env{Params: []any{tc.param}})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, sqltypes.FormatText(v, tc.t)); diff != "" {
				t.Error(diff)
			}
		})
	}
}
