package expr

import (
	"strconv"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The array editing functions: array_append, array_prepend, array_cat, array_remove,
// array_replace, array_positions, array_dims, array_fill and trim_array. Arrays here are
// one-dimensional and 1-based (sqltypes.Array). As in PostgreSQL the element and array arguments
// resolve to a common type (array_append(int[], numeric) is numeric[]), the functions are not
// strict where PostgreSQL's are not (array_append(NULL, 1) is {1}), and NULL elements compare
// equal to a NULL argument (array_remove(a, NULL) removes the NULLs).

// arrayElemArgs resolves (array, element…) or (element, array) arguments: the positions in elems
// are elements, the others arrays, and all share one element type.
func arrayElemArgs(name string, elems ...int) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	isElem := func(i int) bool {
		for _, e := range elems {
			if e == i {
				return true
			}
		}
		return false
	}
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		t := sqltypes.Unknown
		for i, a := range args {
			if a == sqltypes.Unknown {
				continue
			}
			e := a
			if !isElem(i) {
				if e = sqltypes.Elem(a); e == 0 {
					return nil, ErrNoFunction(name, args)
				}
			}
			c, ok := commonType(t, e)
			if !ok {
				return nil, ErrNoFunction(name, args)
			}
			t = c
		}
		if t == sqltypes.Unknown {
			t = sqltypes.Text
		}
		at := sqltypes.ArrayOf(t)
		if at == 0 {
			return nil, ErrNoFunction(name, args)
		}
		out := make([]sqltypes.Type, len(args))
		for i := range args {
			out[i] = at
			if isElem(i) {
				out[i] = t
			}
		}
		return out, nil
	}
}

// arrayResult is the array type among the converted argument types.
func arrayResult(ts []sqltypes.Type) sqltypes.Type {
	for _, t := range ts {
		if sqltypes.Elem(t) != 0 {
			return t
		}
	}
	return ts[0]
}

// sameElem reports whether an array element equals v, NULL matching NULL.
func sameElem(it, v any) bool {
	if it == nil || v == nil {
		return it == nil && v == nil
	}
	return cmpEq(it, v)
}

func init() {
	i4 := sqltypes.Int4
	items := func(v any) []any {
		if v == nil {
			return nil
		}
		return v.(array).Items
	}
	reg(
		Function{Name: "array_append", MinArgs: 2, MaxArgs: 2, ArgTypes: arrayElemArgs("array_append", 1), Result: arrayResult,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				out := append(append([]any(nil), items(a[0])...), a[1])
				return array{Elem: ts[1], Items: out}, nil
			}},
		Function{Name: "array_prepend", MinArgs: 2, MaxArgs: 2, ArgTypes: arrayElemArgs("array_prepend", 0), Result: arrayResult,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				out := append([]any{a[0]}, items(a[1])...)
				return array{Elem: ts[0], Items: out}, nil
			}},
		Function{Name: "array_cat", MinArgs: 2, MaxArgs: 2, ArgTypes: arrayElemArgs("array_cat"), Result: arrayResult,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				if a[0] == nil && a[1] == nil {
					return nil, nil
				}
				out := append(append([]any(nil), items(a[0])...), items(a[1])...)
				return array{Elem: sqltypes.Elem(ts[0]), Items: out}, nil
			}},
		Function{Name: "array_remove", MinArgs: 2, MaxArgs: 2, ArgTypes: arrayElemArgs("array_remove", 1), Result: arrayResult,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				out := []any{}
				for _, it := range items(a[0]) {
					if !sameElem(it, a[1]) {
						out = append(out, it)
					}
				}
				return array{Elem: ts[1], Items: out}, nil
			}},
		Function{Name: "array_replace", MinArgs: 3, MaxArgs: 3, ArgTypes: arrayElemArgs("array_replace", 1, 2), Result: arrayResult,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				out := append([]any(nil), items(a[0])...)
				for i, it := range out {
					if sameElem(it, a[1]) {
						out[i] = a[2]
					}
				}
				return array{Elem: ts[1], Items: out}, nil
			}},
		Function{Name: "array_positions", MinArgs: 2, MaxArgs: 2, ArgTypes: arrayElemArgs("array_positions", 1), Result: Returns(sqltypes.ArrayOf(i4)),
			Eval: func(_ *Env, a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				out := []any{}
				for i, it := range items(a[0]) {
					if sameElem(it, a[1]) {
						out = append(out, int64(i+1))
					}
				}
				return array{Elem: i4, Items: out}, nil
			}},
		Function{Name: "array_dims", MinArgs: 1, MaxArgs: 1, ArgTypes: arrayArg("array_dims"), Result: Returns(sqltypes.Text), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				n := len(items(a[0]))
				if n == 0 {
					return nil, nil
				}
				return "[1:" + strconv.Itoa(n) + "]", nil
			}},
		Function{Name: "trim_array", MinArgs: 2, MaxArgs: 2, ArgTypes: arrayArg("trim_array", i4), Result: sameAsFirst, Strict: true,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				it := items(a[0])
				n := a[1].(int64)
				if n < 0 || n > int64(len(it)) {
					return nil, sqlstate.New("2202E", "number of elements to trim must be between 0 and %d", len(it))
				}
				return array{Elem: sqltypes.Elem(ts[0]), Items: append([]any(nil), it[:int64(len(it))-n]...)}, nil
			}},
	)
}

// widthBucketThresholds is width_bucket(x, thresholds): how many of the ascending thresholds are
// at or below x (0 when x is below the first), by binary search as PostgreSQL does; a NULL
// threshold is 22004.
func widthBucketThresholds(x any, th array) (any, error) {
	for _, t := range th.Items {
		if t == nil {
			return nil, sqlstate.New(nullValueNotAllowed, "thresholds array must not contain NULLs")
		}
	}
	lo, hi := 0, len(th.Items)
	for lo < hi {
		mid := (lo + hi) / 2
		c, err := compareValues(x, th.Items[mid])
		if err != nil {
			return nil, err
		}
		if c < 0 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return int64(lo), nil
}
