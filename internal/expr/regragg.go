package expr

import (
	"math"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The two-variable statistical aggregates: corr, covar_pop, covar_samp and the regr_* family
// (regr_count, regr_avgx, regr_avgy, regr_sxx, regr_syy, regr_sxy, regr_slope, regr_intercept,
// regr_r2), what analysts use for trend lines over revenue. As in PostgreSQL the arguments are
// (Y, X), both read as double precision; rows where either is NULL are ignored; the state is
// PostgreSQL's float8_regr_accum (Youngs–Cramer running sums, so answers agree with PostgreSQL's
// to the last bits); results are double precision except regr_count (bigint, 0 for an empty
// group). Undefined results (no rows, one row for the sample covariance, a vertical or
// horizontal line) are NULL.

var regrFinals = map[string]func(r *regrAcc) any{
	"regr_count": func(r *regrAcc) any { return int64(r.n) },
	"regr_avgx":  func(r *regrAcc) any { return r.nonEmpty(r.sx / r.n) },
	"regr_avgy":  func(r *regrAcc) any { return r.nonEmpty(r.sy / r.n) },
	"regr_sxx":   func(r *regrAcc) any { return r.nonEmpty(r.sxx) },
	"regr_syy":   func(r *regrAcc) any { return r.nonEmpty(r.syy) },
	"regr_sxy":   func(r *regrAcc) any { return r.nonEmpty(r.sxy) },
	"covar_pop":  func(r *regrAcc) any { return r.nonEmpty(r.sxy / r.n) },
	"covar_samp": func(r *regrAcc) any {
		if r.n < 2 {
			return nil
		}
		return r.sxy / (r.n - 1)
	},
	"corr": func(r *regrAcc) any {
		if r.n < 1 || r.sxx == 0 || r.syy == 0 {
			return nil
		}
		return r.sxy / math.Sqrt(r.sxx*r.syy)
	},
	"regr_slope": func(r *regrAcc) any {
		if r.n < 1 || r.sxx == 0 {
			return nil
		}
		return r.sxy / r.sxx
	},
	"regr_intercept": func(r *regrAcc) any {
		if r.n < 1 || r.sxx == 0 {
			return nil
		}
		return (r.sy - r.sx*r.sxy/r.sxx) / r.n
	},
	"regr_r2": func(r *regrAcc) any {
		if r.n < 1 || r.sxx == 0 {
			return nil
		}
		if r.syy == 0 {
			return 1.0
		}
		return r.sxy * r.sxy / (r.sxx * r.syy)
	},
}

func init() {
	for name, final := range regrFinals {
		defineAggregate(name, aggDef{bind: bindRegr, newAcc: func(*Agg) aggAcc { return &regrAcc{final: final} }})
	}
}

func bindRegr(name string, args []sqltypes.Type) ([]sqltypes.Type, sqltypes.Type, error) {
	if len(args) != 2 || !implicitOK(args[0], sqltypes.Float8) || !implicitOK(args[1], sqltypes.Float8) {
		return nil, 0, ErrNoFunction(name, args)
	}
	res := sqltypes.Float8
	if name == "regr_count" {
		res = sqltypes.Int8
	}
	return []sqltypes.Type{sqltypes.Float8, sqltypes.Float8}, res, nil
}

// regrAcc holds PostgreSQL's transition state: N, Sx, Sxx, Sy, Syy, Sxy.
type regrAcc struct {
	final                    func(*regrAcc) any
	n, sx, sxx, sy, syy, sxy float64
}

func (r *regrAcc) add(_ *Env, vals []any) error {
	y, x := vals[0].(float64), vals[1].(float64)
	r.n++
	r.sx += x
	r.sy += y
	if r.n > 1 {
		tx, ty := x*r.n-r.sx, y*r.n-r.sy
		scale := 1 / (r.n * (r.n - 1))
		r.sxx += tx * tx * scale
		r.syy += ty * ty * scale
		r.sxy += tx * ty * scale
		return nil
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		r.sxx, r.sxy = math.NaN(), math.NaN()
	}
	if math.IsNaN(y) || math.IsInf(y, 0) {
		r.syy, r.sxy = math.NaN(), math.NaN()
	}
	return nil
}

// nonEmpty is v, or NULL when no row was added.
func (r *regrAcc) nonEmpty(v float64) any {
	if r.n == 0 {
		return nil
	}
	return v
}

func (r *regrAcc) result() (any, error) { return r.final(r), nil }
