package expr

import (
	"math"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The statistical aggregates (stddev, stddev_samp, stddev_pop, variance, var_samp, var_pop)
// accumulate the count, the sum and the sum of squares. Integer and numeric inputs sum exactly in
// numeric and give a numeric result computed as PostgreSQL's numeric_stddev_internal does, so
// rounded answers agree digit for digit; float inputs give double precision.

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
	r, _ := num.Div(den)
	if root {
		r, _ = r.Sqrt()
	}
	return r, nil
}
