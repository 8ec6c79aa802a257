package expr

import (
	"math"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// opAliases maps PostgreSQL's alternative operator spellings to the one this package prints.
var opAliases = map[string]string{
	"!=": "<>", "~~": "LIKE", "~~*": "ILIKE", "!~~": "NOT LIKE", "!~~*": "NOT ILIKE",
}

// Operator binds a prefix (one argument) or binary operator, resolving argument types the way
// PostgreSQL does for the types stripesql has: unknown literals take the other side's type,
// numbers promote (int4 → int8 → numeric → float8), strings compare as text, dates promote to
// timestamps. It returns 42883 "operator does not exist: text + integer" when nothing matches.
//
// Operators: = <> != < <= > >= + - * / % ^ || LIKE ILIKE NOT LIKE NOT ILIKE ~~ ~~* !~~ !~~* ~ ~*
// !~ !~* -> ->> #> #>> ? ?| ?& @> <@ &&; prefix - + NOT.
func Operator(op string, args ...Expr) (Expr, error) {
	name := strings.ToUpper(strings.Join(strings.Fields(op), " "))
	name = strings.TrimPrefix(name, "PG_CATALOG.") // OPERATOR(pg_catalog.~)
	if a, ok := opAliases[name]; ok {
		name = a
	}
	switch len(args) {
	case 1:
		return unaryOp(name, args[0])
	case 2:
		if l, r, ok := rowPair(args[0], args[1]); ok {
			return rowCompare(name, l, r) // record.go
		}
		return binaryOp(name, args[0], args[1])
	}
	return nil, sqlstate.New(sqlstate.SyntaxError, "operator %s takes one or two arguments", op)
}

func unaryOp(op string, a Expr) (Expr, error) {
	t := a.Type()
	switch op {
	case "NOT":
		b, err := CheckBool(a, "NOT")
		if err != nil {
			return nil, err
		}
		return Not(b), nil
	case "+", "-":
		if t == sqltypes.Unknown {
			return nil, &sqlstate.Error{Code: sqlstate.AmbiguousFunction, Message: "operator is not unique: " + op + " unknown",
				Hint: "Could not choose a best candidate operator. You might need to add explicit type casts."}
		}
		if numRank(t) == 0 && t != sqltypes.Interval {
			return nil, errNoOperator(op, t)
		}
		if op == "+" {
			return &OpExpr{Op: op, Args: []Expr{a}, T: t, eval: func(_ *Env, v []any) (any, error) { return v[0], nil }}, nil
		}
		return &OpExpr{Op: op, Args: []Expr{a}, T: t, eval: func(_ *Env, v []any) (any, error) { return negate(v[0], t) }}, nil
	}
	return nil, errNoOperator(op, t)
}

func negate(v any, t sqltypes.Type) (any, error) {
	switch x := v.(type) {
	case int64:
		return intArith("-", 0, x, t)
	case float64:
		return -x, nil
	case decimal:
		return x.Neg(), nil
	case interval:
		return interval{Months: -x.Months, Days: -x.Days, Micros: -x.Micros}, nil
	}
	return nil, errInternalValue(v)
}

func errInternalValue(v any) error {
	return sqlstate.New(sqlstate.InternalError, "unexpected value of Go type %T", v)
}

// bin builds a binary OpExpr after coercing both arguments.
func bin(op string, l, r Expr, lt, rt, res sqltypes.Type, f func(env *Env, a, b any) (any, error)) (Expr, error) {
	lc, err := coerce(l, lt)
	if err != nil {
		return nil, err
	}
	rc, err := coerce(r, rt)
	if err != nil {
		return nil, err
	}
	return &OpExpr{Op: op, Args: []Expr{lc, rc}, T: res, eval: func(env *Env, v []any) (any, error) { return f(env, v[0], v[1]) }, eval2: f}, nil
}

func binaryOp(op string, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		return comparison(op, l, r)
	case "+", "-", "*", "/", "%", "^":
		if op == "-" && lt == sqltypes.JSONB {
			return jsonDelete(l, r) // jsondelete.go
		}
		return arithmetic(op, l, r)
	case "||":
		return concatOp(l, r)
	case "LIKE", "ILIKE", "NOT LIKE", "NOT ILIKE", "~", "~*", "!~", "!~*":
		if !(isStringType(lt) && isStringType(rt)) {
			return nil, errNoOperator(op, lt, rt)
		}
		return bin(op, l, r, sqltypes.Text, sqltypes.Text, sqltypes.Bool, textMatcher(op))
	case "->", "->>", "#>", "#>>", "?", "?|", "?&":
		return jsonOp(op, l, r)
	case "#-":
		return jsonDeletePath(l, r) // jsonedit.go
	case "@>", "<@":
		if lt == sqltypes.Unknown {
			lt = rt
		}
		if rt == sqltypes.Unknown {
			rt = lt
		}
		if lt == sqltypes.JSONB && rt == sqltypes.JSONB {
			return bin(op, l, r, lt, rt, sqltypes.Bool, func(_ *Env, a, b any) (any, error) {
				if op == "<@" {
					a, b = b, a
				}
				return jsonContains(a.(jsonVal).V, b.(jsonVal).V), nil
			})
		}
		if sqltypes.Elem(lt) != 0 && sqltypes.Elem(rt) != 0 {
			t, ok := commonType(lt, rt)
			if !ok {
				return nil, errNoOperator(op, lt, rt)
			}
			return bin(op, l, r, t, t, sqltypes.Bool, func(_ *Env, a, b any) (any, error) {
				if op == "<@" {
					a, b = b, a
				}
				return arrayContains(a.(array), b.(array)), nil
			})
		}
		return nil, errNoOperator(op, lt, rt)
	case "&&":
		if lt == sqltypes.Unknown {
			lt = rt
		}
		if rt == sqltypes.Unknown {
			rt = lt
		}
		t, ok := commonType(lt, rt)
		if !ok || sqltypes.Elem(t) == 0 {
			return nil, errNoOperator(op, l.Type(), r.Type())
		}
		return bin(op, l, r, t, t, sqltypes.Bool, func(_ *Env, a, b any) (any, error) {
			for _, x := range a.(array).Items {
				for _, y := range b.(array).Items {
					if x != nil && y != nil {
						if c, _ := compareValues(x, y); c == 0 {
							return true, nil
						}
					}
				}
			}
			return false, nil
		})
	}
	return nil, errNoOperator(op, lt, rt)
}

func comparison(op string, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	t, ok := commonType(lt, rt)
	if !ok || !comparable(t) {
		return nil, errNoOperator(op, lt, rt)
	}
	var test func(int) bool
	switch op {
	case "=":
		test = func(c int) bool { return c == 0 }
	case "<>":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	default:
		test = func(c int) bool { return c >= 0 }
	}
	return bin(op, l, r, t, t, sqltypes.Bool, func(_ *Env, a, b any) (any, error) {
		c, err := compareValues(a, b)
		if err != nil {
			return nil, err
		}
		return test(c), nil
	})
}

// intRange checks that v fits the integer type t.
func intRange(v int64, t sqltypes.Type) (any, error) {
	switch t {
	case sqltypes.Int2:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "smallint out of range")
		}
	case sqltypes.Int4:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "integer out of range")
		}
	}
	return v, nil
}

func errIntRange(t sqltypes.Type) error {
	switch t {
	case sqltypes.Int2:
		return sqlstate.New(sqlstate.NumericValueOutOfRange, "smallint out of range")
	case sqltypes.Int4:
		return sqlstate.New(sqlstate.NumericValueOutOfRange, "integer out of range")
	}
	return sqlstate.New(sqlstate.NumericValueOutOfRange, "bigint out of range")
}

func errDivZero() error { return sqlstate.New(sqlstate.DivisionByZero, "division by zero") }

// intArith applies op to two integers of type t with PostgreSQL's overflow and division rules.
func intArith(op string, a, b int64, t sqltypes.Type) (any, error) {
	var c int64
	switch op {
	case "+":
		c = a + b
		if (c > a) != (b > 0) {
			return nil, errIntRange(t)
		}
	case "-":
		c = a - b
		if (c < a) != (b > 0) {
			return nil, errIntRange(t)
		}
	case "*":
		if a != 0 && b != 0 {
			c = a * b
			if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
				return nil, errIntRange(t)
			}
		}
	case "/":
		if b == 0 {
			return nil, errDivZero()
		}
		if b == -1 {
			if a == math.MinInt64 {
				return nil, errIntRange(t)
			}
			c = -a
		} else {
			c = a / b
		}
	case "%":
		if b == 0 {
			return nil, errDivZero()
		}
		if b == -1 {
			return int64(0), nil
		}
		c = a % b
	}
	return intRange(c, t)
}

func floatArith(op string, a, b float64, t sqltypes.Type) (any, error) {
	var c float64
	switch op {
	case "+":
		c = a + b
	case "-":
		c = a - b
	case "*":
		c = a * b
	case "/":
		if b == 0 {
			return nil, errDivZero()
		}
		c = a / b
	case "^":
		return floatPow(a, b)
	default:
		return nil, errNoOperator(op, t, t)
	}
	if math.IsInf(c, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value out of range: overflow")
	}
	if c == 0 && a != 0 && (op == "*" || op == "/") && b != 0 && !math.IsInf(b, 0) {
		return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value out of range: underflow")
	}
	if t == sqltypes.Float4 {
		c = float64(float32(c))
	}
	return c, nil
}

func floatPow(a, b float64) (any, error) {
	if a == 0 && b < 0 {
		return nil, sqlstate.New("2201F", "zero raised to a negative power is undefined")
	}
	if a < 0 && b != math.Trunc(b) {
		return nil, sqlstate.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	c := math.Pow(a, b)
	if math.IsInf(c, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value out of range: overflow")
	}
	return c, nil
}

func numericArith(op string, a, b decimal) (any, error) {
	switch op {
	case "+":
		return a.Add(b), nil
	case "-":
		return a.Sub(b), nil
	case "*":
		return a.Mul(b), nil
	case "/":
		q, ok := a.Div(b)
		if !ok {
			return nil, errDivZero()
		}
		return q, nil
	case "%":
		q, ok := a.Mod(b)
		if !ok {
			return nil, errDivZero()
		}
		return q, nil
	case "^":
		return numericPow(a, b)
	}
	return nil, errNoOperator(op, sqltypes.Numeric, sqltypes.Numeric)
}

// numericPow computes a ^ b for numerics with PostgreSQL's result scale: 16 significant digits
// (at least the inputs' scales). Integer exponents are exact before rounding; 0.5 is a square
// root; other fractional exponents go through float8 and are exact to about 15 digits only.
func numericPow(a, b decimal) (any, error) {
	if a.NaN || b.NaN {
		return decimal{NaN: true}, nil
	}
	if a.Sign() == 0 && b.Sign() < 0 {
		return nil, sqlstate.New("2201F", "zero raised to a negative power is undefined")
	}
	if a.Sign() < 0 && !b.IsInteger() {
		return nil, sqlstate.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	est := b.Float64() * math.Log10(math.Abs(a.Float64()))
	if a.Sign() == 0 {
		est = 0
	}
	if est > 1000 {
		return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value overflows numeric format")
	}
	rscale := int32(16 - math.Floor(est))
	rscale = max(rscale, a.Scale, b.Scale, 0)
	rscale = min(rscale, 1000)
	if b.IsInteger() {
		n, ok := b.Int64()
		if ok && n >= -1000 && n <= 1000 {
			r := sqltypes.DecimalFromInt(1)
			for i := int64(0); i < abs64(n); i++ {
				r = r.Mul(a)
			}
			if n < 0 {
				q, _ := sqltypes.DecimalFromInt(1).DivRound(r, rscale)
				return q, nil
			}
			return r.Round(rscale), nil
		}
	}
	if b.Cmp(decimal{Coef: big.NewInt(5), Scale: 1}) == 0 {
		return sqrtAt(a, rscale), nil
	}
	f, err := floatPow(a.Float64(), b.Float64())
	if err != nil {
		return nil, err
	}
	d, err := sqltypes.DecimalFromFloat(f.(float64))
	if err != nil {
		return nil, err
	}
	return d.Round(rscale), nil
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// sqrtAt returns the square root of a rounded to scale digits.
func sqrtAt(a decimal, scale int32) decimal {
	// isqrt(coef * 10^(2*(scale+1) - a.Scale)) has scale+1 digits; then round the last one.
	e := 2*(scale+1) - a.Scale
	v := new(big.Int)
	if a.Coef != nil {
		v.Set(a.Coef)
	}
	if e >= 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	} else {
		v.Quo(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	}
	q := new(big.Int).Sqrt(v)
	d := decimal{Coef: q, Scale: scale + 1}
	return d.Round(scale)
}

func toDecimal(v any) decimal {
	switch x := v.(type) {
	case int64:
		return sqltypes.DecimalFromInt(x)
	case decimal:
		return x
	case float64:
		d, _ := sqltypes.DecimalFromFloat(x)
		return d
	}
	return decimal{NaN: true}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case decimal:
		return x.Float64()
	}
	return math.NaN()
}

func arithmetic(op string, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	if lt == sqltypes.Unknown && rt == sqltypes.Unknown {
		return nil, &sqlstate.Error{Code: sqlstate.AmbiguousFunction, Message: "operator is not unique: unknown " + op + " unknown",
			Hint: "Could not choose a best candidate operator. You might need to add explicit type casts."}
	}
	// numbers
	ln, rn := numRank(lt) > 0 || lt == sqltypes.Unknown, numRank(rt) > 0 || rt == sqltypes.Unknown
	if ln && rn {
		t, _ := commonType(lt, rt)
		if t == sqltypes.OID || t == sqltypes.Regclass || t == sqltypes.Regtype || t == sqltypes.Regproc || t == sqltypes.Regnamespace {
			t = sqltypes.Int8
		}
		if op == "^" && t != sqltypes.Numeric {
			t = sqltypes.Float8
		}
		// real op integer/numeric has no real operator: PostgreSQL prefers double precision
		if t == sqltypes.Float4 && ((lt != sqltypes.Float4 && lt != sqltypes.Unknown) || (rt != sqltypes.Float4 && rt != sqltypes.Unknown)) {
			t = sqltypes.Float8
		}
		if op == "%" && (t == sqltypes.Float8 || t == sqltypes.Float4) {
			return nil, errNoOperator(op, lt, rt)
		}
		switch {
		case isIntType(t):
			return bin(op, l, r, t, t, t, func(_ *Env, a, b any) (any, error) { return intArith(op, a.(int64), b.(int64), t) })
		case t == sqltypes.Numeric:
			return bin(op, l, r, t, t, t, func(_ *Env, a, b any) (any, error) { return numericArith(op, toDecimal(a), toDecimal(b)) })
		default:
			return bin(op, l, r, t, t, t, func(_ *Env, a, b any) (any, error) { return floatArith(op, toFloat(a), toFloat(b), t) })
		}
	}
	// date/time and intervals
	if lt == sqltypes.Unknown {
		lt = guessTimeOperand(op, rt, true)
	}
	if rt == sqltypes.Unknown {
		rt = guessTimeOperand(op, lt, false)
	}
	D, TS, IV := sqltypes.Date, sqltypes.Timestamp, sqltypes.Interval
	switch {
	case lt == D && isIntType(rt) && (op == "+" || op == "-"):
		return bin(op, l, r, D, sqltypes.Int4, D, func(_ *Env, a, b any) (any, error) {
			n := b.(int64)
			if op == "-" {
				n = -n
			}
			return a.(time.Time).AddDate(0, 0, int(n)), nil
		})
	case isIntType(lt) && rt == D && op == "+":
		return bin(op, l, r, sqltypes.Int4, D, D, func(_ *Env, a, b any) (any, error) { return b.(time.Time).AddDate(0, 0, int(a.(int64))), nil })
	case lt == D && rt == D && op == "-":
		return bin(op, l, r, D, D, sqltypes.Int4, func(_ *Env, a, b any) (any, error) {
			return int64(a.(time.Time).Sub(b.(time.Time)).Hours() / 24), nil
		})
	case (dtRank(lt) > 0) && rt == IV && (op == "+" || op == "-"):
		res := lt
		if lt == D {
			res = TS
		}
		return bin(op, l, r, res, IV, res, func(env *Env, a, b any) (any, error) {
			iv := b.(interval)
			if op == "-" {
				iv = interval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
			}
			return addInterval(a.(time.Time), iv, res, env.Location()), nil
		})
	case lt == IV && dtRank(rt) > 0 && op == "+":
		res := rt
		if rt == D {
			res = TS
		}
		return bin(op, l, r, IV, res, res, func(env *Env, a, b any) (any, error) {
			return addInterval(b.(time.Time), a.(interval), res, env.Location()), nil
		})
	case dtRank(lt) >= 2 && dtRank(rt) >= 2 && op == "-":
		t, _ := commonType(lt, rt)
		return bin(op, l, r, t, t, IV, func(_ *Env, a, b any) (any, error) {
			us := a.(time.Time).Sub(b.(time.Time)).Microseconds()
			return justifyHours(interval{Micros: us}), nil
		})
	case lt == IV && rt == IV && (op == "+" || op == "-"):
		return bin(op, l, r, IV, IV, IV, func(_ *Env, a, b any) (any, error) {
			x, y := a.(interval), b.(interval)
			if op == "-" {
				y = interval{Months: -y.Months, Days: -y.Days, Micros: -y.Micros}
			}
			return interval{Months: x.Months + y.Months, Days: x.Days + y.Days, Micros: x.Micros + y.Micros}, nil
		})
	case lt == IV && numRank(rt) > 0 && (op == "*" || op == "/"):
		return bin(op, l, r, IV, sqltypes.Float8, IV, func(_ *Env, a, b any) (any, error) {
			f := b.(float64)
			if op == "/" {
				if f == 0 {
					return nil, errDivZero()
				}
				f = 1 / f
			}
			return scaleInterval(a.(interval), f), nil
		})
	case numRank(lt) > 0 && rt == IV && op == "*":
		return bin(op, l, r, sqltypes.Float8, IV, IV, func(_ *Env, a, b any) (any, error) { return scaleInterval(b.(interval), a.(float64)), nil })
	}
	return nil, errNoOperator(op, l.Type(), r.Type())
}

// guessTimeOperand picks the type of an unknown literal next to a date/time operand: an interval
// when adding to or subtracting from a date or timestamp, otherwise the other side's type.
func guessTimeOperand(op string, other sqltypes.Type, left bool) sqltypes.Type {
	switch {
	case dtRank(other) > 0 && !left && op == "+":
		return sqltypes.Interval
	case other == sqltypes.Date && !left && op == "-":
		return sqltypes.Int4
	case dtRank(other) > 0 && left && op == "+":
		return sqltypes.Interval
	case other == sqltypes.Interval && (op == "*" || op == "/"):
		return sqltypes.Float8
	}
	return other
}

// addInterval adds months, days and microseconds in that order; months and days move the wall
// clock of the session zone for timestamptz (so a day across a daylight-saving change is 23 or
// 25 hours), as PostgreSQL's timestamptz_pl_interval does.
func addInterval(t time.Time, iv interval, typ sqltypes.Type, loc *time.Location) time.Time {
	if iv.Months != 0 || iv.Days != 0 {
		w := t.UTC()
		if typ == sqltypes.Timestamptz {
			w = wallIn(t, loc)
		}
		if iv.Months != 0 {
			y, m, d := w.Date()
			first := time.Date(y, m+time.Month(iv.Months), 1, 0, 0, 0, 0, time.UTC)
			last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
			w = time.Date(first.Year(), first.Month(), min(d, last), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
		}
		if iv.Days != 0 {
			w = w.AddDate(0, 0, int(iv.Days))
		}
		t = w
		if typ == sqltypes.Timestamptz {
			t = sqltypes.InZone(w, loc)
		}
	}
	return t.Add(time.Duration(iv.Micros) * time.Microsecond).UTC()
}

func scaleInterval(iv interval, f float64) interval {
	months := float64(iv.Months) * f
	wm := math.Trunc(months)
	days := float64(iv.Days)*f + (months-wm)*30
	wd := math.Trunc(days)
	micros := float64(iv.Micros)*f + (days-wd)*float64(sqltypes.MicrosPerDay)
	return interval{Months: int32(wm), Days: int32(wd), Micros: int64(math.Round(micros))}
}

// justifyHours moves whole 24-hour periods from the time part into days, as timestamp
// subtraction does.
func justifyHours(iv interval) interval {
	d := iv.Micros / sqltypes.MicrosPerDay
	iv.Days += int32(d)
	iv.Micros -= d * sqltypes.MicrosPerDay
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += sqltypes.MicrosPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= sqltypes.MicrosPerDay
		iv.Days++
	}
	return iv
}

func concatOp(l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	le, re := sqltypes.Elem(lt), sqltypes.Elem(rt)
	switch {
	case le != 0 || re != 0:
		return arrayConcat(l, r)
	case (lt == sqltypes.JSONB && (rt == sqltypes.JSONB || rt == sqltypes.Unknown)) || (rt == sqltypes.JSONB && lt == sqltypes.Unknown):
		return bin("||", l, r, sqltypes.JSONB, sqltypes.JSONB, sqltypes.JSONB, func(_ *Env, a, b any) (any, error) {
			return jsonVal{V: jsonConcat(a.(jsonVal).V, b.(jsonVal).V)}, nil
		})
	case isStringType(lt) && isStringType(rt):
		return bin("||", l, r, sqltypes.Text, sqltypes.Text, sqltypes.Text, func(_ *Env, a, b any) (any, error) {
			if err := checkGrow(int64(len(a.(string))), int64(len(b.(string)))); err != nil {
				return nil, err
			}
			return a.(string) + b.(string), nil
		})
	case isStringType(lt) || isStringType(rt):
		// text || anynonarray: the other side is printed as text.
		lc, rc := l, r
		if isStringType(lt) {
			lc, _ = coerce(l, sqltypes.Text)
		}
		if isStringType(rt) {
			rc, _ = coerce(r, sqltypes.Text)
		}
		return &OpExpr{Op: "||", Args: []Expr{lc, rc}, T: sqltypes.Text, eval: func(env *Env, v []any) (any, error) {
			x, y := textOf(env, v[0], lc.Type()), textOf(env, v[1], rc.Type())
			if err := checkGrow(int64(len(x)), int64(len(y))); err != nil {
				return nil, err
			}
			return x + y, nil
		}}, nil
	}
	return nil, errNoOperator("||", lt, rt)
}

// textOf prints a value as its type's text output (what ::text gives).
func textOf(env *Env, v any, t sqltypes.Type) string {
	if s, ok := v.(string); ok {
		return s
	}
	if b, ok := v.(bool); ok {
		if b {
			return "true"
		}
		return "false"
	}
	return sqltypes.FormatTextIn(v, t, env.Location())
}

func arrayConcat(l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	le, re := sqltypes.Elem(lt), sqltypes.Elem(rt)
	switch {
	case le != 0 && (re != 0 || rt == sqltypes.Unknown && isArrayLiteral(r)):
		t, ok := commonType(lt, rt)
		if !ok {
			return nil, errNoOperator("||", lt, rt)
		}
		// Like array_cat it is not strict: a NULL side is an empty array, NULL || NULL is NULL
		// (psql's \d+ appends toast options to reloptions, most often NULL, and prints '').
		e, err := bin("||", l, r, t, t, t, func(_ *Env, a, b any) (any, error) {
			if a == nil || b == nil {
				if a == nil {
					return b, nil
				}
				return a, nil
			}
			x, y := a.(array), b.(array)
			if err := checkGrow(approxSize(x), approxSize(y)); err != nil {
				return nil, err
			}
			items := append(append([]any{}, x.Items...), y.Items...)
			return array{Elem: x.Elem, Items: items}, nil
		})
		if op, ok := e.(*OpExpr); ok {
			op.nonStrict, op.eval2 = true, nil
		}
		return e, err
	case le != 0:
		return arrayAppend(l, r, le, lt, false)
	default:
		return arrayAppend(r, l, re, rt, true)
	}
}

func isArrayLiteral(e Expr) bool {
	c, ok := e.(*Const)
	if !ok {
		return false
	}
	s, _ := c.Value.(string)
	return strings.HasPrefix(strings.TrimSpace(s), "{")
}

// arrayAppend binds array || element (or element || array when prepend). Unlike most operators
// it is not strict: a NULL element is appended as NULL and a NULL array acts as an empty one.
func arrayAppend(arr, el Expr, et, at sqltypes.Type, prepend bool) (Expr, error) {
	if el.Type() != sqltypes.Unknown && !implicitOK(el.Type(), et) {
		if prepend {
			return nil, errNoOperator("||", el.Type(), at)
		}
		return nil, errNoOperator("||", at, el.Type())
	}
	ec, err := coerce(el, et)
	if err != nil {
		return nil, err
	}
	args := []Expr{arr, ec}
	if prepend {
		args = []Expr{ec, arr}
	}
	return &OpExpr{Op: "||", Args: args, T: at, nonStrict: true, eval: func(_ *Env, v []any) (any, error) {
		a, e := v[0], v[1]
		if prepend {
			a, e = v[1], v[0]
		}
		var items []any
		if a != nil {
			items = append(items, a.(array).Items...)
		}
		if prepend {
			items = append([]any{e}, items...)
		} else {
			items = append(items, e)
		}
		return array{Elem: et, Items: items}, nil
	}}, nil
}

var likeCache = newRegexCache()

func textMatcher(op string) func(*Env, any, any) (any, error) {
	return func(_ *Env, a, b any) (any, error) {
		s, p := a.(string), b.(string)
		var re *regexp.Regexp
		var err error
		switch op {
		case "LIKE", "NOT LIKE":
			re, err = likeCache.like(p, false)
		case "ILIKE", "NOT ILIKE":
			re, err = likeCache.like(p, true)
		case "~", "!~":
			re, err = likeCache.regex(p, false)
		default:
			re, err = likeCache.regex(p, true)
		}
		if err != nil {
			return nil, err
		}
		m := re.MatchString(s)
		if strings.HasPrefix(op, "NOT") || strings.HasPrefix(op, "!") {
			m = !m
		}
		return m, nil
	}
}
