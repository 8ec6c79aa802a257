package expr

import (
	"math"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The ordered-set aggregates percentile_cont, percentile_disc and mode (f(…) WITHIN GROUP (ORDER BY
// x)) are Aggs whose OrderBy is the WITHIN GROUP key: the accumulator sorts the values as for
// string_agg(… ORDER BY …), and the result is read from the sorted values. Args holds the direct
// argument (the fraction, or an array of fractions) followed by the sorted value.

var orderedSetAggregates = map[string]bool{"percentile_cont": true, "percentile_disc": true, "mode": true}

func init() {
	for n := range orderedSetAggregates {
		aggregateNames[n] = true
	}
}

// IsOrderedSetAggregate reports whether name is an aggregate called with WITHIN GROUP (ORDER BY …).
func IsOrderedSetAggregate(name string) bool { return orderedSetAggregates[name] }

// OrderedSetAggregate binds name(direct…) WITHIN GROUP (ORDER BY key). Result types follow
// PostgreSQL: percentile_cont → double precision (the key is read as double precision),
// percentile_disc and mode → the key's type, and an array of fractions gives an array.
func OrderedSetAggregate(name string, direct []Expr, key SortKey) (*Agg, error) {
	if !orderedSetAggregates[name] {
		return nil, sqlstate.New("42809", "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP", name)
	}
	types := append(argTypes(direct), key.Expr.Type())
	a := &Agg{Name: name}
	v := key.Expr
	if v.Type() == sqltypes.Unknown {
		c, err := coerce(v, sqltypes.Text)
		if err != nil {
			return nil, err
		}
		v = c
	}
	switch name {
	case "mode":
		if len(direct) != 0 || !comparable(v.Type()) {
			return nil, ErrNoFunction(name, types)
		}
		a.T = v.Type()
		a.Args = []Expr{v}
	default:
		if len(direct) != 1 {
			return nil, ErrNoFunction(name, types)
		}
		frac := direct[0]
		ft := sqltypes.Float8
		isArray := sqltypes.Elem(frac.Type()) != 0
		if isArray {
			ft = sqltypes.ArrayOf(sqltypes.Float8)
		}
		f, err := coerce(frac, ft)
		if err != nil {
			return nil, ErrNoFunction(name, types)
		}
		if name == "percentile_cont" {
			if v, err = coerce(v, sqltypes.Float8); err != nil {
				return nil, ErrNoFunction(name, types)
			}
		} else if !comparable(v.Type()) {
			return nil, ErrNoFunction(name, types)
		}
		a.T = v.Type()
		if isArray {
			if a.T = sqltypes.ArrayOf(v.Type()); a.T == 0 {
				return nil, ErrNoFunction(name, types)
			}
		}
		a.Args = []Expr{f, v}
	}
	key.Expr = v
	a.OrderBy = []SortKey{key}
	return a, nil
}

// accumulateOrdered keeps one sorted value (the last argument); NULLs are ignored.
func (s *aggState) accumulateOrdered(vals []any) {
	v := vals[len(vals)-1]
	if v == nil {
		return
	}
	if len(vals) == 2 && s.acc == nil {
		s.acc = vals[0] // the fraction(s), constant over the group
		if s.acc == nil {
			s.acc = nullFraction{}
		}
	}
	s.items = append(s.items, v)
}

// nullFraction marks a NULL direct argument, whose result is NULL.
type nullFraction struct{}

func (s *aggState) orderedResult() (any, error) {
	a := s.agg
	if len(s.items) == 0 {
		return nil, nil
	}
	if a.Name == "mode" {
		var best any
		bestN, run := 0, 0
		for i, v := range s.items {
			if i > 0 {
				if c, err := compareValues(v, s.items[i-1]); err != nil {
					return nil, err
				} else if c == 0 {
					run++
				} else {
					run = 1
				}
			} else {
				run = 1
			}
			if run > bestN {
				best, bestN = s.items[i-run+1], run
			}
		}
		return best, nil
	}
	switch f := s.acc.(type) {
	case nullFraction:
		return nil, nil
	case array:
		out := make([]any, len(f.Items))
		for i, x := range f.Items {
			if x == nil {
				continue
			}
			v, err := s.percentile(x.(float64))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return array{Elem: sqltypes.Elem(a.T), Items: out}, nil
	case float64:
		return s.percentile(f)
	}
	return nil, sqlstate.New(sqlstate.InternalError, "%s: unexpected fraction %T", a.Name, s.acc)
}

// percentile reads fraction f of the sorted values: interpolated for percentile_cont, the first
// value at or past it for percentile_disc.
func (s *aggState) percentile(f float64) (any, error) {
	if f < 0 || f > 1 || math.IsNaN(f) {
		return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "percentile value %g is not between 0 and 1", f)
	}
	n := len(s.items)
	if s.agg.Name == "percentile_disc" {
		k := int(math.Ceil(f * float64(n)))
		if k < 1 {
			k = 1
		}
		return s.items[k-1], nil
	}
	pos := f * float64(n-1)
	lo, hi := math.Floor(pos), math.Ceil(pos)
	a, b := toFloat(s.items[int(lo)]), toFloat(s.items[int(hi)])
	if lo == hi {
		return a, nil
	}
	return a + (pos-lo)*(b-a), nil
}
