package expr

import "github.com/stripesql/stripesql/internal/sqltypes"

// The bitwise aggregates bit_and, bit_or and bit_xor fold the non-NULL inputs of a group with &, |
// or ^; an empty group (or one of NULLs only) gives NULL. As in PostgreSQL they exist for smallint,
// integer and bigint, each returning its argument's type; analysts use them to combine flag
// columns per customer.

func init() {
	ops := map[string]func(a, b int64) int64{
		"bit_and": func(a, b int64) int64 { return a & b },
		"bit_or":  func(a, b int64) int64 { return a | b },
		"bit_xor": func(a, b int64) int64 { return a ^ b },
	}
	for name, op := range ops {
		defineAggregate(name, aggDef{bind: bindBitAgg, newAcc: func(*Agg) aggAcc { return &bitAcc{op: op} }})
	}
}

func bindBitAgg(name string, args []sqltypes.Type) ([]sqltypes.Type, sqltypes.Type, error) {
	if len(args) != 1 {
		return nil, 0, ErrNoFunction(name, args)
	}
	switch t := args[0]; t {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		return args, t, nil
	}
	return nil, 0, ErrNoFunction(name, args)
}

// bitAcc folds one group.
type bitAcc struct {
	op   func(a, b int64) int64
	acc  int64
	seen bool
}

func (b *bitAcc) add(_ *Env, vals []any) error {
	x := vals[0].(int64)
	if !b.seen {
		b.acc, b.seen = x, true
		return nil
	}
	b.acc = b.op(b.acc, x)
	return nil
}

func (b *bitAcc) result() (any, error) {
	if !b.seen {
		return nil, nil
	}
	return b.acc, nil
}
