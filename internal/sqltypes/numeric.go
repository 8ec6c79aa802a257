package sqltypes

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is the value of PostgreSQL's numeric: an exact decimal with a display scale. The value is
// Coef × 10^-Scale; Scale is also the number of digits printed after the point, so 2.50 and 2.5 are
// equal but print differently, as in PostgreSQL. NaN is PostgreSQL's numeric 'NaN'.
// A Decimal is immutable: operations return new values and never modify Coef.
type Decimal struct {
	Coef  *big.Int
	Scale int32
	NaN   bool
}

// maxNumericScale is PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE.
const maxNumericScale = 1000

var bigTen = big.NewInt(10)

func pow10(n int32) *big.Int {
	if n <= 0 {
		return big.NewInt(1)
	}
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// DecimalFromInt returns n as a numeric with scale 0.
func DecimalFromInt(n int64) Decimal { return Decimal{Coef: big.NewInt(n)} }

// DecimalFromFloat converts a float8 to a numeric value the way PostgreSQL's float8::numeric cast does:
// through its shortest 15-significant-digit text.
func DecimalFromFloat(f float64) (Decimal, error) {
	if math.IsNaN(f) {
		return Decimal{NaN: true}, nil
	}
	if math.IsInf(f, 0) {
		return Decimal{}, errOutOfRange("cannot convert infinity to numeric")
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	n, ok := parseNumeric(s)
	if !ok {
		return Decimal{}, errOutOfRange("cannot convert float to numeric")
	}
	return n.trimFloatScale(), nil
}

// trimFloatScale drops trailing fractional zeros, as float→numeric conversion does.
func (n Decimal) trimFloatScale() Decimal {
	for n.Scale > 0 {
		q, r := new(big.Int).QuoRem(n.Coef, bigTen, new(big.Int))
		if r.Sign() != 0 {
			break
		}
		n = Decimal{Coef: q, Scale: n.Scale - 1}
	}
	return n
}

// parseNumeric reads a decimal literal such as "-12.340", "1e3", ".5"; ok is false on bad syntax.
func parseNumeric(s string) (Decimal, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "nan") {
		return Decimal{NaN: true}, true
	}
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	exp := int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.ParseInt(s[i+1:], 10, 32)
		if err != nil || e > 1000 || e < -1000 {
			return Decimal{}, false
		}
		exp = e
		s = s[:i]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
	}
	if intPart == "" && frac == "" {
		return Decimal{}, false
	}
	digits := intPart + frac
	for _, c := range digits {
		if c < '0' || c > '9' {
			return Decimal{}, false
		}
	}
	if digits == "" {
		return Decimal{}, false
	}
	coef, _ := new(big.Int).SetString(digits, 10)
	scale := int64(len(frac)) - exp
	if scale < 0 {
		coef.Mul(coef, pow10(int32(-scale)))
		scale = 0
	}
	if scale > maxNumericScale {
		return Decimal{}, false
	}
	if neg {
		coef.Neg(coef)
	}
	return Decimal{Coef: coef, Scale: int32(scale)}, true
}

// String prints the numeric as PostgreSQL does: all Scale digits after the point.
func (n Decimal) String() string {
	if n.NaN {
		return "NaN"
	}
	if n.Coef == nil {
		n.Coef = new(big.Int)
	}
	s := new(big.Int).Abs(n.Coef).String()
	if n.Scale > 0 {
		if len(s) <= int(n.Scale) {
			s = strings.Repeat("0", int(n.Scale)-len(s)+1) + s
		}
		s = s[:len(s)-int(n.Scale)] + "." + s[len(s)-int(n.Scale):]
	}
	if n.Coef.Sign() < 0 {
		s = "-" + s
	}
	return s
}

func (n Decimal) coef() *big.Int {
	if n.Coef == nil {
		return new(big.Int)
	}
	return n.Coef
}

// Sign returns -1, 0 or +1.
func (n Decimal) Sign() int { return n.coef().Sign() }

// rescaled returns n's coefficient expressed at scale s (s ≥ n.Scale).
func (n Decimal) rescaled(s int32) *big.Int {
	return new(big.Int).Mul(n.coef(), pow10(s-n.Scale))
}

// Cmp compares two numerics by value; NaN sorts above every other value and equals itself, as in
// PostgreSQL.
func (n Decimal) Cmp(m Decimal) int {
	switch {
	case n.NaN && m.NaN:
		return 0
	case n.NaN:
		return 1
	case m.NaN:
		return -1
	}
	s := max(n.Scale, m.Scale)
	return n.rescaled(s).Cmp(m.rescaled(s))
}

// Add returns n + m with the larger of the two scales.
func (n Decimal) Add(m Decimal) Decimal {
	if n.NaN || m.NaN {
		return Decimal{NaN: true}
	}
	s := max(n.Scale, m.Scale)
	return Decimal{Coef: new(big.Int).Add(n.rescaled(s), m.rescaled(s)), Scale: s}
}

// Sub returns n - m with the larger of the two scales.
func (n Decimal) Sub(m Decimal) Decimal { return n.Add(m.Neg()) }

// Neg returns -n.
func (n Decimal) Neg() Decimal {
	if n.NaN {
		return n
	}
	return Decimal{Coef: new(big.Int).Neg(n.coef()), Scale: n.Scale}
}

// Abs returns |n|.
func (n Decimal) Abs() Decimal {
	if n.NaN {
		return n
	}
	return Decimal{Coef: new(big.Int).Abs(n.coef()), Scale: n.Scale}
}

// Mul returns n × m with scale n.Scale + m.Scale (capped at PostgreSQL's maximum display scale).
func (n Decimal) Mul(m Decimal) Decimal {
	if n.NaN || m.NaN {
		return Decimal{NaN: true}
	}
	r := Decimal{Coef: new(big.Int).Mul(n.coef(), m.coef()), Scale: n.Scale + m.Scale}
	if r.Scale > maxNumericScale {
		r = r.Round(maxNumericScale)
	}
	return r
}

// weightAndFirst returns PostgreSQL's base-10000 weight and leading base-10000 digit of |n|
// (0, 0 for zero); numeric division chooses its result scale from them.
func (n Decimal) weightAndFirst() (int, int64) {
	a := new(big.Int).Abs(n.coef())
	if a.Sign() == 0 {
		return 0, 0
	}
	// decimal position of the leading digit
	p := len(a.String()) - 1 - int(n.Scale)
	w := p / 4
	if p < 0 && p%4 != 0 {
		w--
	}
	// first = floor(|n| / 10000^w)
	e := 4*w + int(n.Scale)
	var q *big.Int
	if e >= 0 {
		q = new(big.Int).Quo(a, pow10(int32(e)))
	} else {
		q = new(big.Int).Mul(a, pow10(int32(-e)))
	}
	return w, q.Int64()
}

// DivScale is the result scale PostgreSQL picks for n / m: at least 16 significant digits and no
// less than either input's scale.
func (n Decimal) DivScale(m Decimal) int32 {
	w1, f1 := n.weightAndFirst()
	w2, f2 := m.weightAndFirst()
	qw := w1 - w2
	if f1 <= f2 {
		qw--
	}
	r := int32(16 - qw*4)
	r = max(r, n.Scale, m.Scale, 0)
	return min(r, maxNumericScale)
}

// Div returns n / m rounded to PostgreSQL's division scale; ok is false when m is zero.
func (n Decimal) Div(m Decimal) (Decimal, bool) {
	return n.DivRound(m, n.DivScale(m))
}

// DivRound returns n / m rounded half away from zero to the given scale; ok is false when m is zero.
func (n Decimal) DivRound(m Decimal, scale int32) (Decimal, bool) {
	if n.NaN || m.NaN {
		return Decimal{NaN: true}, true
	}
	if m.Sign() == 0 {
		return Decimal{}, false
	}
	// n/m = (cn / 10^sn) / (cm / 10^sm); at scale s: cn * 10^(s+sm-sn+1) / cm, then round last digit.
	e := scale + m.Scale - n.Scale + 1
	num := new(big.Int).Set(n.coef())
	den := new(big.Int).Set(m.coef())
	if e >= 0 {
		num.Mul(num, pow10(e))
	} else {
		den.Mul(den, pow10(-e))
	}
	q := new(big.Int).Quo(num, den)
	return Decimal{Coef: roundLastDigit(q), Scale: scale}, true
}

// roundLastDigit drops the last decimal digit of q, rounding half away from zero.
func roundLastDigit(q *big.Int) *big.Int {
	r := new(big.Int)
	q2, _ := new(big.Int).QuoRem(q, bigTen, r)
	if r.CmpAbs(big.NewInt(5)) >= 0 {
		if q.Sign() < 0 {
			q2.Sub(q2, big.NewInt(1))
		} else {
			q2.Add(q2, big.NewInt(1))
		}
	}
	return q2
}

// DivTrunc returns the integral part of n / m (PostgreSQL's div); ok is false when m is zero.
func (n Decimal) DivTrunc(m Decimal) (Decimal, bool) {
	if n.NaN || m.NaN {
		return Decimal{NaN: true}, true
	}
	if m.Sign() == 0 {
		return Decimal{}, false
	}
	s := max(n.Scale, m.Scale)
	return Decimal{Coef: new(big.Int).Quo(n.rescaled(s), m.rescaled(s))}, true
}

// Mod returns n % m with the sign of n and the larger scale; ok is false when m is zero.
func (n Decimal) Mod(m Decimal) (Decimal, bool) {
	if n.NaN || m.NaN {
		return Decimal{NaN: true}, true
	}
	if m.Sign() == 0 {
		return Decimal{}, false
	}
	s := max(n.Scale, m.Scale)
	return Decimal{Coef: new(big.Int).Rem(n.rescaled(s), m.rescaled(s)), Scale: s}, true
}

// Round rounds half away from zero to scale digits after the point (negative scale rounds to tens,
// hundreds…, printing scale 0), like PostgreSQL's round(numeric, int).
func (n Decimal) Round(scale int32) Decimal { return n.roundMode(scale, true) }

// Trunc truncates toward zero to scale digits, like PostgreSQL's trunc(numeric, int).
func (n Decimal) Trunc(scale int32) Decimal { return n.roundMode(scale, false) }

func (n Decimal) roundMode(scale int32, round bool) Decimal {
	if n.NaN {
		return n
	}
	if scale > maxNumericScale {
		scale = maxNumericScale
	}
	if scale >= n.Scale {
		return Decimal{Coef: n.rescaled(scale), Scale: scale}
	}
	drop := n.Scale - scale
	var q *big.Int
	if round {
		q = new(big.Int).Quo(n.coef(), pow10(drop-1))
		q = roundLastDigit(q)
	} else {
		q = new(big.Int).Quo(n.coef(), pow10(drop))
	}
	if scale < 0 {
		return Decimal{Coef: q.Mul(q, pow10(-scale))}
	}
	return Decimal{Coef: q, Scale: scale}
}

// Floor returns the largest integer ≤ n, with scale 0.
func (n Decimal) Floor() Decimal {
	if n.NaN {
		return n
	}
	q, m := new(big.Int).DivMod(n.coef(), pow10(n.Scale), new(big.Int))
	_ = m
	return Decimal{Coef: q}
}

// Ceil returns the smallest integer ≥ n, with scale 0.
func (n Decimal) Ceil() Decimal {
	if n.NaN {
		return n
	}
	return n.Neg().Floor().Neg()
}

// Int64 returns n rounded half away from zero to an integer; ok is false when it does not fit.
func (n Decimal) Int64() (int64, bool) {
	if n.NaN {
		return 0, false
	}
	r := n.Round(0)
	if !r.Coef.IsInt64() {
		return 0, false
	}
	return r.Coef.Int64(), true
}

// Float64 returns the nearest float8.
func (n Decimal) Float64() float64 {
	if n.NaN {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(n.String(), 64)
	return f
}

// IsInteger reports whether n has no fractional part.
func (n Decimal) IsInteger() bool {
	if n.NaN {
		return false
	}
	return new(big.Int).Rem(n.coef(), pow10(n.Scale)).Sign() == 0
}

// Normalized returns n without trailing fractional zeros, for hashing equal values alike.
func (n Decimal) Normalized() Decimal {
	if n.NaN {
		return n
	}
	return Decimal{Coef: n.coef(), Scale: n.Scale}.trimFloatScale()
}

// Sqrt returns the square root with PostgreSQL's result scale; ok is false for negative input.
func (n Decimal) Sqrt() (Decimal, bool) {
	if n.NaN {
		return n, true
	}
	if n.Sign() < 0 {
		return Decimal{}, false
	}
	w, _ := n.weightAndFirst()
	sweight := (w+1)*4/2 - 1
	rscale := int32(16 - sweight)
	rscale = max(rscale, n.Scale, 0)
	rscale = min(rscale, maxNumericScale)
	// isqrt(coef * 10^(2*rscale + 2 - scale)) at scale rscale+1, then round.
	e := 2*(rscale+1) - n.Scale
	v := new(big.Int).Set(n.coef())
	if e >= 0 {
		v.Mul(v, pow10(e))
	} else {
		v.Quo(v, pow10(-e))
	}
	q := new(big.Int).Sqrt(v)
	return Decimal{Coef: roundLastDigit(q), Scale: rscale}, true
}
