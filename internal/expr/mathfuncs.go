package expr

import (
	"math"
	"math/big"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Mathematical functions beyond numfuncs.go: ln, log, log10 and exp of numeric computed to
// PostgreSQL's digits (big.Float at a precision past the result scale, rounded to the scale
// PostgreSQL's ln_var, log_var and exp_var choose), gcd and lcm, scale, min_scale and
// trim_scale, factorial, and the float8 trigonometry (degrees, radians, sin … atan2, cot, cbrt).
// Integer arguments of ln, log and exp resolve to double precision as in PostgreSQL; numeric
// stays numeric.

// numericDigitsMax bounds the numeric results computed here, as PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE.
const numericDigitsMax = 1000

// bigOf converts a decimal to a big.Float of precision prec.
func bigOf(d decimal, prec uint) *big.Float {
	f := new(big.Float).SetPrec(prec).SetInt(d.Coef)
	if d.Scale > 0 {
		p := new(big.Float).SetPrec(prec).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
		f.Quo(f, p)
	}
	return f
}

// decimalOf rounds f to scale digits after the point, half away from zero as numeric rounds.
func decimalOf(f *big.Float, scale int32) decimal {
	p := new(big.Float).SetPrec(f.Prec()).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	x := new(big.Float).SetPrec(f.Prec()).Mul(f, p)
	half := big.NewFloat(0.5)
	if x.Sign() < 0 {
		half.Neg(half)
	}
	x.Add(x, half)
	n, _ := x.Int(nil)
	return decimal{Coef: n, Scale: scale}
}

// precFor is a binary precision that carries digits decimal digits with room to spare.
func precFor(digits int32) uint { return uint(digits+40) * 4 }

// bigLn returns ln(x) for x > 0: x = m·2^k with m in [0.5, 1), ln(m) by the atanh series.
func bigLn(x *big.Float) *big.Float {
	prec := x.Prec()
	m := new(big.Float).SetPrec(prec)
	k := x.MantExp(m)
	r := lnSeries(m)
	if k != 0 {
		two := new(big.Float).SetPrec(prec).SetInt64(2)
		ln2 := lnSeries(two)
		r.Add(r, ln2.Mul(ln2, new(big.Float).SetPrec(prec).SetInt64(int64(k))))
	}
	return r
}

// lnSeries is ln(m) = 2·atanh((m-1)/(m+1)), fast for m near 1 (|z| ≤ 1/3 for m in [0.5, 2]).
func lnSeries(m *big.Float) *big.Float {
	prec := m.Prec()
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	z := new(big.Float).SetPrec(prec).Sub(m, one)
	z.Quo(z, new(big.Float).SetPrec(prec).Add(m, one))
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	sum := new(big.Float).SetPrec(prec).Set(z)
	term := new(big.Float).SetPrec(prec).Set(z)
	eps := new(big.Float).SetPrec(prec).SetMantExp(one, -int(prec))
	for n := int64(3); ; n += 2 {
		term.Mul(term, z2)
		t := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		if t.Sign() == 0 || new(big.Float).Abs(t).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, t)
	}
	return sum.Mul(sum, new(big.Float).SetPrec(prec).SetInt64(2))
}

// bigExp returns e^x: x = n·ln2 + r, e^r by its Taylor series, then scaled by 2^n.
func bigExp(x *big.Float) *big.Float {
	prec := x.Prec()
	ln2 := lnSeries(new(big.Float).SetPrec(prec).SetInt64(2))
	q, _ := new(big.Float).SetPrec(prec).Quo(x, ln2).Float64()
	n := int64(math.Round(q))
	r := new(big.Float).SetPrec(prec).Sub(x, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetPrec(prec).SetInt64(n)))
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(one, -int(prec))
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		if term.Sign() == 0 || new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, int(n))
}

// lnDweight is PostgreSQL's estimate_ln_dweight: the decimal weight of ln(d), which fixes how
// many digits ln and log print.
func lnDweight(d decimal) int32 {
	if d.Sign() <= 0 {
		return 0
	}
	lo, _ := sqltypes.ParseDecimal("0.9")
	hi, _ := sqltypes.ParseDecimal("1.1")
	if d.Cmp(lo) >= 0 && d.Cmp(hi) <= 0 {
		x := d.Sub(sqltypes.DecimalFromInt(1)).Abs()
		if x.Sign() == 0 {
			return 0
		}
		return int32(len(x.Coef.String())) - x.Scale - 1
	}
	return int32(math.Log10(math.Abs(math.Log(d.Float64()))))
}

func errLogArg(d decimal) error {
	if d.Sign() == 0 {
		return sqlstate.New("2201E", "cannot take logarithm of zero")
	}
	return sqlstate.New("2201E", "cannot take logarithm of a negative number")
}

// numericLn is ln(d) with ln_var's result scale.
func numericLn(d decimal) (any, error) {
	if d.NaN {
		return d, nil
	}
	if d.Sign() <= 0 {
		return nil, errLogArg(d)
	}
	rscale := min(max(16-lnDweight(d), d.Scale, 0), numericDigitsMax)
	return decimalOf(bigLn(bigOf(d, precFor(rscale+int32(len(d.Coef.String()))))), rscale), nil
}

// numericLog is log(base, d) with log_var's result scale.
func numericLog(base, d decimal) (any, error) {
	if base.NaN || d.NaN {
		return decimal{NaN: true}, nil
	}
	if base.Sign() <= 0 {
		return nil, errLogArg(base)
	}
	if d.Sign() <= 0 {
		return nil, errLogArg(d)
	}
	rscale := min(max(16-(lnDweight(d)-lnDweight(base)), base.Scale, d.Scale, 0), numericDigitsMax)
	prec := precFor(rscale + int32(len(d.Coef.String())+len(base.Coef.String())))
	lb := bigLn(bigOf(base, prec))
	if lb.Sign() == 0 {
		return nil, errDivZero()
	}
	ln := bigLn(bigOf(d, prec))
	return decimalOf(ln.Quo(ln, lb), rscale), nil
}

// numericExp is exp(d) with exp_var's result scale.
func numericExp(d decimal) (any, error) {
	if d.NaN {
		return d, nil
	}
	v := d.Float64()
	// Like numericPow, results past 1000 integer digits are refused (PostgreSQL's limit is
	// 131072): computing them costs seconds that a query cannot cancel.
	if v > 1000/0.434294481903252 {
		return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value overflows numeric format")
	}
	if v < -280000 {
		return decimal{Coef: big.NewInt(0), Scale: numericDigitsMax}, nil
	}
	dweight := int32(v * 0.434294481903252)
	rscale := min(max(16-dweight, d.Scale, 0), numericDigitsMax)
	prec := precFor(rscale + max(dweight, 0) + int32(len(d.Coef.String())))
	return decimalOf(bigExp(bigOf(d, prec)), rscale), nil
}

// gcdInt is the greatest common divisor of integers, 22003 when it is 2^63 (or 2^31 for
// integer), which does not fit.
func gcdInt(a, b int64, t sqltypes.Type) (int64, error) {
	x, y := new(big.Int).Abs(big.NewInt(a)), new(big.Int).Abs(big.NewInt(b))
	g := new(big.Int).GCD(nil, nil, x, y)
	if !g.IsInt64() || !intFits(g.Int64(), t) {
		return 0, errIntRange(t)
	}
	return g.Int64(), nil
}

func intFits(n int64, t sqltypes.Type) bool {
	switch t {
	case sqltypes.Int2:
		return n >= math.MinInt16 && n <= math.MaxInt16
	case sqltypes.Int4:
		return n >= math.MinInt32 && n <= math.MaxInt32
	}
	return true
}

// gcdDecimal is the gcd of numerics: both are read as integers at the larger scale.
func gcdDecimal(a, b decimal) decimal {
	s := max(a.Scale, b.Scale)
	asInt := func(d decimal) *big.Int {
		c := new(big.Int).Abs(d.Coef)
		return c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s-d.Scale)), nil))
	}
	return decimal{Coef: new(big.Int).GCD(nil, nil, asInt(a), asInt(b)), Scale: s}
}

// trimmedScale is the smallest scale that represents d exactly (min_scale).
func trimmedScale(d decimal) int32 {
	s := d.Scale
	c := new(big.Int).Set(d.Coef)
	ten, r := big.NewInt(10), new(big.Int)
	for s > 0 {
		q, m := new(big.Int).QuoRem(c, ten, r)
		if m.Sign() != 0 {
			break
		}
		c, s = q, s-1
	}
	return s
}

func init() {
	num, f8, i4 := sqltypes.Numeric, sqltypes.Float8, sqltypes.Int4
	floatFn := func(name string, f func(float64) (float64, error)) Function {
		return Function{Name: name, MinArgs: 1, MaxArgs: 1, ArgTypes: Fixed(name, f8), Result: Returns(f8), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) { return f(a[0].(float64)) }}
	}
	plain := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) { return f(x), nil }
	}
	// inverse trigonometric functions refuse arguments outside [-1, 1] as PostgreSQL does
	bounded := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if x < -1 || x > 1 {
				return 0, sqlstate.New(sqlstate.NumericValueOutOfRange, "input is out of range")
			}
			return f(x), nil
		}
	}
	floatLog := func(f func(float64) float64) func(float64) (any, error) {
		return func(x float64) (any, error) { return logOf(x, f) }
	}
	noIntVariant := func(int64, sqltypes.Type) (any, error) { return nil, errInternalValue(int64(0)) }
	intPair := func(name string) func([]sqltypes.Type) ([]sqltypes.Type, error) {
		return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
			t, ok := commonType(args[0], args[1])
			switch {
			case !ok || (numRank(t) == 0 && t != sqltypes.Unknown):
				return nil, ErrNoFunction(name, args)
			case t == sqltypes.Int2 || t == sqltypes.Unknown:
				t = i4
			case isIntType(t) && numRank(t) == 3:
				t = sqltypes.Int8
			case !isIntType(t):
				t = num
			}
			return []sqltypes.Type{t, t}, nil
		}
	}
	reg(
		numUnary("ln", false, numericLn, floatLog(math.Log), noIntVariant),
		numUnary("log10", false, func(d decimal) (any, error) { return numericLog(sqltypes.DecimalFromInt(10), d) }, floatLog(math.Log10), noIntVariant),
		numUnary("exp", false, numericExp, func(x float64) (any, error) {
			r := math.Exp(x)
			if math.IsInf(r, 1) && !math.IsInf(x, 1) {
				return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value out of range: overflow")
			}
			return r, nil
		}, noIntVariant),
		Function{Name: "log", MinArgs: 1, MaxArgs: 2, Result: sameAsFirst, Strict: true,
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if len(args) == 2 {
					return pairOverload("log", false, true)(args)
				}
				return numOverload("log", false)(args)
			},
			Eval: func(_ *Env, a []any) (any, error) {
				if len(a) == 2 {
					return numericLog(a[0].(decimal), a[1].(decimal))
				}
				if d, ok := a[0].(decimal); ok {
					return numericLog(sqltypes.DecimalFromInt(10), d)
				}
				return logOf(a[0].(float64), math.Log10)
			}},
		Function{Name: "gcd", MinArgs: 2, MaxArgs: 2, ArgTypes: intPair("gcd"), Result: sameAsFirst, Strict: true,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				if x, ok := a[0].(int64); ok {
					return gcdInt(x, a[1].(int64), ts[0])
				}
				x, y := a[0].(decimal), a[1].(decimal)
				if x.NaN || y.NaN {
					return decimal{NaN: true}, nil // as PostgreSQL: gcd('NaN', 18) is NaN
				}
				return gcdDecimal(x, y), nil
			}},
		Function{Name: "lcm", MinArgs: 2, MaxArgs: 2, ArgTypes: intPair("lcm"), Result: sameAsFirst, Strict: true,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				if x, ok := a[0].(int64); ok {
					y := a[1].(int64)
					if x == 0 || y == 0 {
						return int64(0), nil
					}
					g, err := gcdInt(x, y, ts[0])
					if err != nil {
						return nil, err
					}
					l := new(big.Int).Mul(big.NewInt(x/g), big.NewInt(y))
					l.Abs(l)
					if !l.IsInt64() || !intFits(l.Int64(), ts[0]) {
						return nil, errIntRange(ts[0])
					}
					return l.Int64(), nil
				}
				x, y := a[0].(decimal), a[1].(decimal)
				if x.NaN || y.NaN {
					return decimal{NaN: true}, nil
				}
				g := gcdDecimal(x, y) // at the larger scale
				if g.Coef.Sign() == 0 {
					return g, nil
				}
				// |x| / g is an integer; times |y| at y's scale, brought to g's scale
				q, _ := x.Abs().DivTrunc(g)
				return q.Mul(y.Abs()).Round(g.Scale), nil
			}},
		Function{Name: "scale", MinArgs: 1, MaxArgs: 1, ArgTypes: Fixed("scale", num), Result: Returns(i4), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				if d := a[0].(decimal); !d.NaN {
					return int64(d.Scale), nil
				}
				return nil, nil
			}},
		Function{Name: "min_scale", MinArgs: 1, MaxArgs: 1, ArgTypes: Fixed("min_scale", num), Result: Returns(i4), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				if d := a[0].(decimal); !d.NaN {
					return int64(trimmedScale(d)), nil
				}
				return nil, nil
			}},
		Function{Name: "trim_scale", MinArgs: 1, MaxArgs: 1, ArgTypes: Fixed("trim_scale", num), Result: Returns(num), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				d := a[0].(decimal)
				if d.NaN {
					return d, nil
				}
				return d.Round(trimmedScale(d)), nil
			}},
		Function{Name: "factorial", MinArgs: 1, MaxArgs: 1, ArgTypes: Fixed("factorial", sqltypes.Int8), Result: Returns(num), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				n := a[0].(int64)
				if n < 0 {
					return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "factorial of a negative number is undefined")
				}
				if n > 32177 {
					return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value overflows numeric format")
				}
				return decimal{Coef: new(big.Int).MulRange(1, max(n, 1))}, nil
			}},
		floatFn("degrees", plain(func(x float64) float64 { return x * (180 / math.Pi) })),
		floatFn("radians", plain(func(x float64) float64 { return x * (math.Pi / 180) })),
		floatFn("sin", plain(math.Sin)), floatFn("cos", plain(math.Cos)), floatFn("tan", plain(math.Tan)),
		floatFn("cot", plain(func(x float64) float64 { return 1 / math.Tan(x) })),
		floatFn("asin", bounded(math.Asin)), floatFn("acos", bounded(math.Acos)),
		floatFn("atan", plain(math.Atan)), floatFn("cbrt", plain(math.Cbrt)),
		Function{Name: "atan2", MinArgs: 2, MaxArgs: 2, ArgTypes: Fixed("atan2", f8, f8), Result: Returns(f8), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) { return math.Atan2(a[0].(float64), a[1].(float64)), nil }},
	)
}
