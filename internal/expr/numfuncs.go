package expr

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// numOverload resolves a one-numeric-argument function with numeric and float8 variants (and,
// when keepInt, integer variants): integers go to float8 like PostgreSQL (its preferred numeric
// type), numerics stay numeric, unknown literals are read as numeric. Extra arguments are int4.
func numOverload(name string, keepInt bool) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		out := make([]sqltypes.Type, len(args))
		t := args[0]
		switch {
		case t == sqltypes.Unknown:
			out[0] = sqltypes.Numeric
		case keepInt && isIntType(t) && numRank(t) != 3:
			out[0] = t
		case t == sqltypes.Numeric:
			out[0] = sqltypes.Numeric
		case numRank(t) > 0:
			out[0] = sqltypes.Float8
		default:
			return nil, ErrNoFunction(name, args)
		}
		for i := 1; i < len(args); i++ {
			if !implicitOK(args[i], sqltypes.Int4) {
				return nil, ErrNoFunction(name, args)
			}
			out[i] = sqltypes.Int4
			if len(args) > 1 && out[0] == sqltypes.Float8 {
				out[0] = sqltypes.Numeric // round(x, n) and trunc(x, n) exist only for numeric
			}
		}
		return out, nil
	}
}

// pairOverload resolves two numeric arguments to their common type; ints go to float8 unless
// keepInt, numeric stays numeric.
func pairOverload(name string, keepInt bool, numericOnly bool) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		a, b := args[0], args[1]
		if (numRank(a) == 0 && a != sqltypes.Unknown) || (numRank(b) == 0 && b != sqltypes.Unknown) {
			return nil, ErrNoFunction(name, args)
		}
		t, _ := commonType(a, b)
		if t == sqltypes.Unknown || t == sqltypes.Text {
			t = sqltypes.Numeric
		}
		switch {
		case numericOnly:
			t = sqltypes.Numeric
		case keepInt && isIntType(t):
			if numRank(t) == 3 {
				t = sqltypes.Int8
			}
		case t == sqltypes.Numeric:
		default:
			t = sqltypes.Float8
		}
		return []sqltypes.Type{t, t}, nil
	}
}

func numUnary(name string, keepInt bool, fd func(decimal) (any, error), ff func(float64) (any, error), fi func(int64, sqltypes.Type) (any, error)) Function {
	return Function{Name: name, MinArgs: 1, MaxArgs: 1, ArgTypes: numOverload(name, keepInt), Result: sameAsFirst, Strict: true,
		EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
			switch x := a[0].(type) {
			case decimal:
				return fd(x)
			case float64:
				return ff(x)
			case int64:
				return fi(x, ts[0])
			}
			return nil, errInternalValue(a[0])
		}}
}

func noInt(int64, sqltypes.Type) (any, error) {
	return nil, sqlstate.New(sqlstate.InternalError, "integer variant missing")
}

func init() {
	num, f8 := sqltypes.Numeric, sqltypes.Float8
	roundLike := func(name string, round bool) Function {
		return Function{Name: name, MinArgs: 1, MaxArgs: 2, ArgTypes: numOverload(name, false), Result: sameAsFirst, Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				switch x := a[0].(type) {
				case float64:
					if round {
						return math.RoundToEven(x), nil
					}
					return math.Trunc(x), nil
				case decimal:
					s := int64(0)
					if len(a) > 1 {
						s = a[1].(int64)
					}
					s = max(min(s, 1000), -1000)
					if round {
						return x.Round(int32(s)), nil
					}
					return x.Trunc(int32(s)), nil
				}
				return nil, errInternalValue(a[0])
			}}
	}
	reg(
		roundLike("round", true), roundLike("trunc", false),
		numUnary("abs", true, func(d decimal) (any, error) { return d.Abs(), nil }, func(f float64) (any, error) { return math.Abs(f), nil },
			func(n int64, t sqltypes.Type) (any, error) {
				if n < 0 {
					return intArith("-", 0, n, t)
				}
				return n, nil
			}),
		numUnary("floor", false, func(d decimal) (any, error) { return d.Floor(), nil }, func(f float64) (any, error) { return math.Floor(f), nil }, noInt),
		numUnary("ceil", false, func(d decimal) (any, error) { return d.Ceil(), nil }, func(f float64) (any, error) { return math.Ceil(f), nil }, noInt),
		numUnary("ceiling", false, func(d decimal) (any, error) { return d.Ceil(), nil }, func(f float64) (any, error) { return math.Ceil(f), nil }, noInt),
		numUnary("sign", false, func(d decimal) (any, error) { return sqltypes.DecimalFromInt(int64(d.Sign())), nil },
			func(f float64) (any, error) {
				switch {
				case f > 0:
					return 1.0, nil
				case f < 0:
					return -1.0, nil
				}
				return 0.0, nil
			}, noInt),
		numUnary("sqrt", false, func(d decimal) (any, error) {
			r, ok := d.Sqrt()
			if !ok {
				return nil, sqlstate.New("2201F", "cannot take square root of a negative number")
			}
			return r, nil
		}, func(f float64) (any, error) {
			if f < 0 {
				return nil, sqlstate.New("2201F", "cannot take square root of a negative number")
			}
			return math.Sqrt(f), nil
		}, noInt),
		Function{Name: "mod", MinArgs: 2, MaxArgs: 2, ArgTypes: pairOverload("mod", true, false), Result: sameAsFirst, Strict: true,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				switch x := a[0].(type) {
				case int64:
					return intArith("%", x, a[1].(int64), ts[0])
				case decimal:
					return numericArith("%", x, a[1].(decimal))
				case float64:
					d1, _ := sqltypes.DecimalFromFloat(x)
					d2, _ := sqltypes.DecimalFromFloat(a[1].(float64))
					r, err := numericArith("%", d1, d2)
					if err != nil {
						return nil, err
					}
					return r.(decimal).Float64(), nil
				}
				return nil, errInternalValue(a[0])
			}},
		Function{Name: "div", MinArgs: 2, MaxArgs: 2, ArgTypes: pairOverload("div", false, true), Result: Returns(num), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				q, ok := a[0].(decimal).DivTrunc(a[1].(decimal))
				if !ok {
					return nil, errDivZero()
				}
				return q, nil
			}},
		powerFn("power"), powerFn("pow"),
		// exp, ln and log10 are in mathfuncs.go, with their numeric variants
		Function{Name: "pi", MinArgs: 0, MaxArgs: 0, Result: Returns(f8), Eval: func(*Env, []any) (any, error) { return math.Pi, nil }},
		Function{Name: "random", MinArgs: 0, MaxArgs: 0, Result: Returns(f8), Volatile: true,
			Eval: func(*Env, []any) (any, error) { return rand.Float64(), nil }},
		Function{Name: "width_bucket", MinArgs: 2, MaxArgs: 4, Result: Returns(sqltypes.Int4), Strict: true,
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				switch len(args) {
				case 2: // width_bucket(x, thresholds[]): arrayedit.go
					return arrayElemArgs("width_bucket", 0)(args)
				case 4:
					return Fixed("width_bucket", f8, f8, f8, sqltypes.Int4)(args)
				}
				return nil, ErrNoFunction("width_bucket", args)
			},
			Eval: func(_ *Env, a []any) (any, error) {
				if len(a) == 2 {
					return widthBucketThresholds(a[0], a[1].(array))
				}
				x, lo, hi, n := a[0].(float64), a[1].(float64), a[2].(float64), a[3].(int64)
				if n <= 0 {
					return nil, sqlstate.New("2201G", "count must be greater than zero")
				}
				if lo == hi {
					return nil, sqlstate.New("2201G", "lower bound cannot equal upper bound")
				}
				switch {
				case lo < hi && x < lo, lo > hi && x > lo:
					return int64(0), nil
				case lo < hi && x >= hi, lo > hi && x <= hi:
					return n + 1, nil
				}
				return int64((x-lo)/(hi-lo)*float64(n)) + 1, nil
			}},
	)
	registerArrayFuncs()
}

func logOf(f float64, fn func(float64) float64) (any, error) {
	if f == 0 {
		return nil, sqlstate.New("2201E", "cannot take logarithm of zero")
	}
	if f < 0 {
		return nil, sqlstate.New("2201E", "cannot take logarithm of a negative number")
	}
	return fn(f), nil
}

func powerFn(name string) Function {
	return Function{Name: name, MinArgs: 2, MaxArgs: 2, ArgTypes: pairOverload(name, false, false), Result: sameAsFirst, Strict: true,
		Eval: func(_ *Env, a []any) (any, error) {
			if x, ok := a[0].(decimal); ok {
				return numericPow(x, a[1].(decimal))
			}
			return floatPow(a[0].(float64), a[1].(float64))
		}}
}

func arrayArg(name string, rest ...sqltypes.Type) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		if sqltypes.Elem(args[0]) == 0 {
			return nil, ErrNoFunction(name, args)
		}
		out := []sqltypes.Type{args[0]}
		for i := 1; i < len(args); i++ {
			w := rest[min(i-1, len(rest)-1)]
			if !implicitOK(args[i], w) && !(isStringType(args[i]) && isStringType(w)) {
				return nil, ErrNoFunction(name, args)
			}
			out = append(out, w)
		}
		return out, nil
	}
}

func registerArrayFuncs() {
	i4 := sqltypes.Int4
	dimFn := func(name string, f func(n int) any) Function {
		return Function{Name: name, MinArgs: 2, MaxArgs: 2, ArgTypes: arrayArg(name, i4), Result: Returns(i4), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				arr := a[0].(array)
				if a[1].(int64) != 1 || len(arr.Items) == 0 {
					return nil, nil
				}
				return f(len(arr.Items)), nil
			}}
	}
	reg(
		dimFn("array_length", func(n int) any { return int64(n) }),
		dimFn("array_upper", func(n int) any { return int64(n) }),
		dimFn("array_lower", func(int) any { return int64(1) }),
		Function{Name: "array_ndims", MinArgs: 1, MaxArgs: 1, ArgTypes: arrayArg("array_ndims"), Result: Returns(i4), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				if len(a[0].(array).Items) == 0 {
					return nil, nil
				}
				return int64(1), nil
			}},
		Function{Name: "cardinality", MinArgs: 1, MaxArgs: 1, ArgTypes: arrayArg("cardinality"), Result: Returns(i4), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) { return int64(len(a[0].(array).Items)), nil }},
		Function{Name: "array_to_string", MinArgs: 2, MaxArgs: 3, ArgTypes: arrayArg("array_to_string", sqltypes.Text), Result: Returns(sqltypes.Text),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				if a[0] == nil || a[1] == nil {
					return nil, nil
				}
				arr := a[0].(array)
				var parts []string
				for _, it := range arr.Items {
					switch {
					case it != nil:
						parts = append(parts, outText(env, it, arr.Elem))
					case len(a) > 2 && a[2] != nil:
						parts = append(parts, a[2].(string))
					}
				}
				return strings.Join(parts, a[1].(string)), nil
			}},
		Function{Name: "array_position", MinArgs: 2, MaxArgs: 2, Result: Returns(i4),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				e := sqltypes.Elem(args[0])
				if e == 0 {
					return nil, ErrNoFunction("array_position", args)
				}
				return []sqltypes.Type{args[0], e}, nil
			},
			Eval: func(_ *Env, a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				for i, it := range a[0].(array).Items {
					if (it == nil && a[1] == nil) || (it != nil && a[1] != nil && cmpEq(it, a[1])) {
						return int64(i + 1), nil
					}
				}
				return nil, nil
			}},
	)
}

func cmpEq(a, b any) bool {
	c, err := compareValues(a, b)
	return err == nil && c == 0
}
