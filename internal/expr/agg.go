package expr

import (
	"math"
	"sort"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

var aggregateNames = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true, "string_agg": true,
	"array_agg": true, "jsonb_agg": true, "json_agg": true,
}

// IsAggregate reports whether name (lowercase) is an aggregate function, so the binder can tell
// `count(x)` from a scalar call.
func IsAggregate(name string) bool {
	return aggregateNames[strings.TrimPrefix(strings.ToLower(name), "pg_catalog.")]
}

// SortKey is one ORDER BY item inside an aggregate call (string_agg(x, ',' ORDER BY y DESC)).
// NullsFirst is taken literally; PostgreSQL's default is NULLS FIRST exactly when Desc.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// Agg is a bound aggregate call. The executor creates one AggState per group and feeds it rows.
type Agg struct {
	Name     string
	Args     []Expr
	Distinct bool
	// Star is count(*).
	Star bool
	// Filter is the FILTER (WHERE …) condition, nil when absent; rows where it is not true are skipped.
	Filter Expr
	// OrderBy orders the input of order-sensitive aggregates (array_agg, string_agg, jsonb_agg).
	OrderBy []SortKey
	T       sqltypes.Type
	// def is the declaration of an aggregate declared as data (aggdef.go), nil for the others.
	def *aggDef
}

// Aggregate binds an aggregate call. Result types follow PostgreSQL: count → bigint,
// sum(int2/int4) → bigint, sum(int8/numeric) → numeric, avg(integers/numeric) → numeric,
// avg/sum(float) → double precision, min/max → argument type, string_agg → text,
// array_agg(x) → x[], jsonb_agg → jsonb.
func Aggregate(name string, args []Expr, distinct, star bool) (*Agg, error) {
	n := strings.TrimPrefix(strings.ToLower(name), "pg_catalog.")
	if !aggregateNames[n] {
		return nil, ErrNoFunction(n, argTypes(args))
	}
	a := &Agg{Name: n, Distinct: distinct, Star: star}
	if star {
		if n != "count" {
			return nil, sqlstate.New(sqlstate.SyntaxError, "%s(*) is not allowed; only count(*) is", n)
		}
		a.T = sqltypes.Int8
		return a, nil
	}
	if d := aggDefs[n]; d != nil {
		return bindDeclared(a, d, args) // aggdef.go
	}
	wantArgs := 1
	if n == "string_agg" {
		wantArgs = 2
	}
	if len(args) != wantArgs {
		return nil, ErrNoFunction(n, argTypes(args))
	}
	args = append([]Expr(nil), args...)
	for i, e := range args {
		if e.Type() == sqltypes.Unknown {
			c, err := coerce(e, sqltypes.Text)
			if err != nil {
				return nil, err
			}
			args[i] = c
		}
	}
	t := args[0].Type()
	switch n {
	case "count":
		a.T = sqltypes.Int8
	case "sum":
		switch {
		case t == sqltypes.Int2 || t == sqltypes.Int4:
			a.T = sqltypes.Int8
		case t == sqltypes.Int8 || t == sqltypes.Numeric:
			a.T = sqltypes.Numeric
		case t == sqltypes.Float4 || t == sqltypes.Float8 || t == sqltypes.Interval:
			a.T = t
		default:
			return nil, ErrNoFunction(n, []sqltypes.Type{t})
		}
	case "avg":
		switch {
		case isIntType(t) && numRank(t) != 3 || t == sqltypes.Numeric:
			a.T = sqltypes.Numeric
		case t == sqltypes.Float4 || t == sqltypes.Float8:
			a.T = sqltypes.Float8
		case t == sqltypes.Interval:
			a.T = t
		default:
			return nil, ErrNoFunction(n, []sqltypes.Type{t})
		}
	case "min", "max":
		if !comparable(t) || t == sqltypes.Bool {
			return nil, ErrNoFunction(n, []sqltypes.Type{t})
		}
		a.T = t
	case "bool_and", "bool_or", "every":
		if t != sqltypes.Bool {
			return nil, ErrNoFunction(n, []sqltypes.Type{t})
		}
		a.T = sqltypes.Bool
	case "string_agg":
		if !isStringType(t) || !isStringType(args[1].Type()) {
			return nil, ErrNoFunction(n, argTypes(args))
		}
		a.T = sqltypes.Text
	case "array_agg":
		at := sqltypes.ArrayOf(t)
		if at == 0 {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "array_agg of type %s is not supported", sqltypes.FormatType(t))
		}
		a.T = at
	case "jsonb_agg":
		a.T = sqltypes.JSONB
	case "json_agg":
		a.T = sqltypes.JSON
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop": // statagg.go
		if a.T = statType(t); a.T == 0 {
			return nil, ErrNoFunction(n, []sqltypes.Type{t})
		}
	}
	a.Args = args
	return a, nil
}

// Type is the aggregate's result type.
func (a *Agg) Type() sqltypes.Type { return a.T }

// String renders the call for EXPLAIN.
func (a *Agg) String() string {
	var sb strings.Builder
	sb.WriteString(a.Name + "(")
	if a.Star {
		sb.WriteString("*")
	} else {
		if a.Distinct {
			sb.WriteString("DISTINCT ")
		}
		sb.WriteString(joinExprs(a.Args, ", "))
	}
	if len(a.OrderBy) > 0 {
		sb.WriteString(" ORDER BY ")
		for i, k := range a.OrderBy {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(k.Expr.String())
			if k.Desc {
				sb.WriteString(" DESC")
			}
		}
	}
	sb.WriteString(")")
	if a.Filter != nil {
		sb.WriteString(" FILTER (WHERE " + a.Filter.String() + ")")
	}
	return sb.String()
}

// AggState accumulates one group. Add evaluates the arguments and the filter on env.Row itself.
type AggState interface {
	Add(env *Env) error
	Result() (any, error)
}

// NewState returns an empty accumulator for one group.
func (a *Agg) NewState() AggState {
	s := &aggState{agg: a, keys: a.inputOrder()}
	if a.Distinct {
		s.seen = map[string]bool{}
	}
	if a.def != nil {
		s.decl = a.def.newAcc(a)
	}
	return s
}

type sortedInput struct {
	vals []any
	keys []any
}

type aggState struct {
	agg  *Agg
	seen map[string]bool
	n    int64
	// running values
	acc     any
	sep     []string
	items   []any
	boolAcc any
	ordered []sortedInput
	// intAcc sums integer inputs without allocating while they fit an int64.
	intAcc      int64
	intN        int64
	intOverflow bool
	buf         []any
	// stat accumulates stddev and variance (statagg.go).
	stat *statAcc
	// decl is the state of a declared aggregate (aggdef.go).
	decl aggAcc
	// keys orders the input before it is accumulated (inputOrder); nil accumulates as it comes.
	keys []SortKey
	// size counts the bytes an accumulating aggregate keeps (limits.go).
	size int64
}

// Add implements AggState: it applies the filter, evaluates the arguments and accumulates.
func (s *aggState) Add(env *Env) (err error) {
	defer recoverEval(s.agg.Name, &err)
	a := s.agg
	if a.Filter != nil {
		v, err := a.Filter.Eval(env)
		if err != nil {
			return err
		}
		if t, _ := Truth(v); !t {
			return nil
		}
	}
	if a.Star {
		s.n++
		return nil
	}
	// the argument buffer is reused across rows unless the values are kept for ORDER BY
	if len(s.keys) > 0 || cap(s.buf) < len(a.Args) {
		s.buf = make([]any, len(a.Args))
	}
	vals := s.buf[:len(a.Args)]
	for i, e := range a.Args {
		v, err := e.Eval(env)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	if a.def != nil {
		if a.def.skipsRow(vals) {
			return nil
		}
	} else if vals[0] == nil && a.Name != "array_agg" && a.Name != "jsonb_agg" && a.Name != "json_agg" {
		return nil
	}
	if s.seen != nil {
		k := HashKey(vals[0], a.Args[0].Type())
		for i := 1; i < len(vals) && a.def != nil; i++ {
			k += "\x00" + HashKey(vals[i], a.Args[i].Type()) // jsonb_object_agg(DISTINCT k, v)
		}
		if s.seen[k] {
			return nil
		}
		s.seen[k] = true
	}
	if err := s.grow(vals); err != nil {
		return err
	}
	if len(s.keys) > 0 {
		keys := make([]any, len(s.keys))
		for i, k := range s.keys {
			v, err := k.Expr.Eval(env)
			if err != nil {
				return err
			}
			keys[i] = v
		}
		s.ordered = append(s.ordered, sortedInput{vals: vals, keys: keys})
		return nil
	}
	return s.accumulate(env, vals)
}

func (s *aggState) accumulate(env *Env, vals []any) error {
	a := s.agg
	if s.decl != nil {
		return s.decl.add(env, vals)
	}
	v := vals[0]
	switch a.Name {
	case "count":
		s.n++
	case "sum", "avg":
		s.n++
		// integers add in an int64 until it would overflow, then in the decimal accumulator
		if x, ok := v.(int64); ok && !s.intOverflow {
			if (s.intAcc > 0 && x > math.MaxInt64-s.intAcc) || (s.intAcc < 0 && x < math.MinInt64-s.intAcc) {
				s.intOverflow = true
			} else {
				s.intAcc += x
				s.intN++
				return nil
			}
		}
		if s.acc == nil {
			switch a.Args[0].Type() {
			case sqltypes.Float4, sqltypes.Float8:
				s.acc = toFloat(v)
			case sqltypes.Interval:
				s.acc = v
			default:
				s.acc = toDecimal(v)
			}
			return nil
		}
		switch acc := s.acc.(type) {
		case float64:
			s.acc = acc + toFloat(v)
		case interval:
			iv := v.(interval)
			s.acc = interval{Months: acc.Months + iv.Months, Days: acc.Days + iv.Days, Micros: acc.Micros + iv.Micros}
		case decimal:
			s.acc = acc.Add(toDecimal(v))
		}
	case "min", "max":
		if s.acc == nil {
			s.acc = v
			return nil
		}
		c, err := compareValues(v, s.acc)
		if err != nil {
			return err
		}
		// on ties the newer value wins, as in PostgreSQL's numeric_larger (1.50 vs 1.5)
		if (a.Name == "min" && c <= 0) || (a.Name == "max" && c >= 0) {
			s.acc = v
		}
	case "bool_and", "every":
		if s.boolAcc == nil {
			s.boolAcc = true
		}
		if v == false {
			s.boolAcc = false
		}
	case "bool_or":
		if s.boolAcc == nil {
			s.boolAcc = false
		}
		if v == true {
			s.boolAcc = true
		}
	case "string_agg":
		sep := ""
		if vals[1] != nil {
			sep = vals[1].(string)
		}
		s.items = append(s.items, v)
		s.sep = append(s.sep, sep)
	case "array_agg":
		s.items = append(s.items, v)
	case "jsonb_agg":
		j, err := toJSONValue(env, v, a.Args[0].Type())
		if err != nil {
			return err
		}
		s.items = append(s.items, j)
	case "json_agg":
		// json keeps each element's text (jsonbuild.go); the items are json values
		t, j, err := jsonOut(env, v, a.Args[0].Type())
		if err != nil {
			return err
		}
		s.items = append(s.items, jsonVal{V: j, Text: t})
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		s.accumulateStat(v) // statagg.go
	case "percentile_cont", "percentile_disc", "mode":
		s.accumulateOrdered(vals) // ordered.go
	}
	return nil
}

// Result implements AggState: it sorts ordered input if needed and finishes the aggregate.
func (s *aggState) Result() (_ any, err error) {
	defer recoverEval(s.agg.Name, &err)
	a := s.agg
	if len(s.ordered) > 0 {
		in := s.ordered
		s.ordered = nil
		sort.SliceStable(in, func(i, j int) bool {
			for k, key := range s.keys {
				x, y := in[i].keys[k], in[j].keys[k]
				var c int
				switch {
				case x == nil && y == nil:
					c = 0
				case x == nil:
					c = 1
					if key.NullsFirst {
						c = -1
					}
				case y == nil:
					c = -1
					if key.NullsFirst {
						c = 1
					}
				default:
					c, _ = compareValues(x, y)
					if key.Desc {
						c = -c
					}
				}
				if c != 0 {
					return c < 0
				}
			}
			return false
		})
		for _, r := range in {
			if err := s.accumulate(nil, r.vals); err != nil {
				return nil, err
			}
		}
	}
	if s.decl != nil {
		return s.decl.result()
	}
	if s.intN > 0 {
		d := sqltypes.DecimalFromInt(s.intAcc)
		if acc, ok := s.acc.(decimal); ok {
			d = d.Add(acc)
		}
		s.acc, s.intAcc, s.intN = d, 0, 0
	}
	switch a.Name {
	case "count":
		return s.n, nil
	case "sum":
		if s.acc == nil {
			return nil, nil
		}
		if a.T == sqltypes.Int8 {
			d := s.acc.(decimal)
			n, ok := d.Int64()
			if !ok {
				return nil, errIntRange(sqltypes.Int8)
			}
			return n, nil
		}
		if a.T == sqltypes.Float4 {
			return float64(float32(s.acc.(float64))), nil
		}
		return s.acc, nil
	case "avg":
		if s.acc == nil {
			return nil, nil
		}
		switch acc := s.acc.(type) {
		case float64:
			return acc / float64(s.n), nil
		case interval:
			return scaleInterval(acc, 1/float64(s.n)), nil
		case decimal:
			q, _ := acc.Div(sqltypes.DecimalFromInt(s.n))
			return q, nil
		}
	case "min", "max":
		return s.acc, nil
	case "bool_and", "every", "bool_or":
		return s.boolAcc, nil
	case "string_agg":
		if len(s.items) == 0 {
			return nil, nil
		}
		var sb strings.Builder
		for i, it := range s.items {
			if i > 0 {
				sb.WriteString(s.sep[i])
			}
			sb.WriteString(it.(string))
		}
		return sb.String(), nil
	case "array_agg":
		if len(s.items) == 0 {
			return nil, nil
		}
		return array{Elem: a.Args[0].Type(), Items: s.items}, nil
	case "jsonb_agg":
		if len(s.items) == 0 {
			return nil, nil
		}
		return jsonVal{V: s.items}, nil
	case "json_agg":
		if len(s.items) == 0 {
			return nil, nil
		}
		texts, vals := make([]string, len(s.items)), make([]any, len(s.items))
		for i, it := range s.items {
			texts[i], vals[i] = it.(jsonVal).Text, it.(jsonVal).V
		}
		return jsonArrayOf(texts, vals), nil
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		return s.statResult() // statagg.go
	case "percentile_cont", "percentile_disc", "mode":
		return s.orderedResult() // ordered.go
	}
	return nil, sqlstate.New(sqlstate.InternalError, "unknown aggregate %s", a.Name)
}
