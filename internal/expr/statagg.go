package expr

import (
	"math"
	"math/big"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The statistical aggregates (stddev, stddev_samp, stddev_pop, variance, var_samp, var_pop)
// accumulate the count, the sum and the sum of squares. Integer and numeric inputs sum exactly in
// numeric and give a numeric result computed as PostgreSQL's numeric_stddev_internal does (the
// variance at numeric division's scale, the root at that same scale), so answers agree digit for
// digit; float inputs give double precision.

var statAggregates = map[string]bool{
	"stddev": true, "stddev_samp": true, "stddev_pop": true,
	"variance": true, "var_samp": true, "var_pop": true,
}

func init() {
	for n := range statAggregates {
		aggregateNames[n] = true
	}
}

// statType is the result type of a statistical aggregate over t, or 0 when t is not numeric.
func statType(t sqltypes.Type) sqltypes.Type {
	switch t {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric:
		return sqltypes.Numeric
	case sqltypes.Float4, sqltypes.Float8:
		return sqltypes.Float8
	}
	return 0
}

// statAcc is the running state of a statistical aggregate.
type statAcc struct {
	n          int64
	sum, sumSq decimal
	fsum, fsq  float64
}

func (s *aggState) accumulateStat(v any) {
	if s.stat == nil {
		s.stat = &statAcc{sum: sqltypes.DecimalFromInt(0), sumSq: sqltypes.DecimalFromInt(0)}
	}
	st := s.stat
	st.n++
	if s.agg.T == sqltypes.Float8 {
		f := toFloat(v)
		st.fsum += f
		st.fsq += f * f
		return
	}
	d := toDecimal(v)
	st.sum = st.sum.Add(d)
	st.sumSq = st.sumSq.Add(d.Mul(d))
}

func (s *aggState) statResult() (any, error) {
	st := s.stat
	name := s.agg.Name
	sample := name != "stddev_pop" && name != "var_pop"
	root := name == "stddev" || name == "stddev_samp" || name == "stddev_pop"
	if st == nil || st.n == 0 || sample && st.n == 1 {
		return nil, nil
	}
	n := st.n
	if s.agg.T == sqltypes.Float8 {
		num := float64(n)*st.fsq - st.fsum*st.fsum
		if num < 0 {
			num = 0
		}
		den := float64(n) * float64(n)
		if sample {
			den = float64(n) * float64(n-1)
		}
		r := num / den
		if root {
			r = math.Sqrt(r)
		}
		return r, nil
	}
	num := sqltypes.DecimalFromInt(n).Mul(st.sumSq).Sub(st.sum.Mul(st.sum))
	if num.Sign() <= 0 {
		return sqltypes.DecimalFromInt(0), nil
	}
	den := sqltypes.DecimalFromInt(n).Mul(sqltypes.DecimalFromInt(n))
	if sample {
		den = sqltypes.DecimalFromInt(n).Mul(sqltypes.DecimalFromInt(n - 1))
	}
	r, _ := num.Div(den) // at select_div_scale's scale, as PostgreSQL divides
	if root {
		r = sqrtAtScale(r, r.Scale)
	}
	return r, nil
}

// sqrtAtScale is the square root of d >= 0 rounded half up to scale digits. stddev takes the root
// at the variance's own scale, as PostgreSQL's numeric_stddev_internal does (sqrt_var with the
// division's rscale), not at the scale the SQL function sqrt() would choose: stddev of bigint
// amounts prints 81694.07329364, not 81694.07329364319.
func sqrtAtScale(d decimal, scale int32) decimal {
	v := new(big.Int)
	if d.Coef != nil {
		v.Set(d.Coef)
	}
	// sqrt(c / 10^s) at scale+1 digits = isqrt(c * 10^(2(scale+1) - s)) / 10^(scale+1)
	if e := 2*(scale+1) - d.Scale; e >= 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	} else {
		v.Quo(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	}
	q := v.Sqrt(v)
	q.Add(q, big.NewInt(5)) // round the extra digit half up (q >= 0)
	q.Quo(q, big.NewInt(10))
	return decimal{Coef: q, Scale: scale}
}
