package expr

import (
	"strconv"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// jsonOp binds the jsonb operators -> ->> #> #>> ? ?| ?&. A json (not jsonb) left side is read as
// jsonb; an unknown right side of -> and ->> is a key (text), as PostgreSQL resolves it.
func jsonOp(op string, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	if lt == sqltypes.Unknown {
		lt = sqltypes.JSONB
	}
	if lt != sqltypes.JSONB && lt != sqltypes.JSON {
		return nil, errNoOperator(op, l.Type(), rt)
	}
	switch op {
	case "->", "->>":
		res := lt
		if op == "->>" {
			res = sqltypes.Text
		}
		keyT := sqltypes.Text
		if isIntType(rt) {
			keyT = sqltypes.Int4
		} else if !isStringType(rt) {
			return nil, errNoOperator(op, l.Type(), rt)
		}
		return bin(op, l, r, lt, keyT, res, func(_ *Env, a, b any) (any, error) {
			v, ok := jsonGet(a.(jsonVal).V, b)
			if !ok {
				return nil, nil
			}
			if op == "->>" {
				return jsonText(v), nil
			}
			return jsonVal{V: v}, nil
		})
	case "#>", "#>>":
		res := lt
		if op == "#>>" {
			res = sqltypes.Text
		}
		if rt != sqltypes.TextArray && rt != sqltypes.Unknown {
			return nil, errNoOperator(op, l.Type(), rt)
		}
		return bin(op, l, r, lt, sqltypes.TextArray, res, func(_ *Env, a, b any) (any, error) {
			v := a.(jsonVal).V
			for _, k := range b.(array).Items {
				if k == nil {
					return nil, nil
				}
				var ok bool
				if v, ok = jsonGet(v, k); !ok {
					return nil, nil
				}
			}
			if op == "#>>" {
				return jsonText(v), nil
			}
			return jsonVal{V: v}, nil
		})
	case "?":
		if lt != sqltypes.JSONB || !isStringType(rt) {
			return nil, errNoOperator(op, l.Type(), rt)
		}
		return bin(op, l, r, lt, sqltypes.Text, sqltypes.Bool, func(_ *Env, a, b any) (any, error) {
			return jsonHasKey(a.(jsonVal).V, b.(string)), nil
		})
	case "?|", "?&":
		if lt != sqltypes.JSONB || (rt != sqltypes.TextArray && rt != sqltypes.Unknown) {
			return nil, errNoOperator(op, l.Type(), rt)
		}
		return bin(op, l, r, lt, sqltypes.TextArray, sqltypes.Bool, func(_ *Env, a, b any) (any, error) {
			all := op == "?&"
			for _, k := range b.(array).Items {
				if k == nil {
					continue
				}
				has := jsonHasKey(a.(jsonVal).V, k.(string))
				if has && !all {
					return true, nil
				}
				if !has && all {
					return false, nil
				}
			}
			return all, nil
		})
	}
	return nil, errNoOperator(op, lt, rt)
}

// jsonGet reads an object field (string key) or array element (integer index, negative from the
// end; a string key that is an integer also indexes arrays in path operators).
func jsonGet(v any, key any) (any, bool) {
	switch c := v.(type) {
	case map[string]any:
		k, ok := key.(string)
		if !ok {
			return nil, false
		}
		x, ok := c[k]
		return x, ok
	case []any:
		var i int64
		switch k := key.(type) {
		case int64:
			i = k
		case string:
			n, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return nil, false
			}
			i = n
		default:
			return nil, false
		}
		if i < 0 {
			i += int64(len(c))
		}
		if i < 0 || i >= int64(len(c)) {
			return nil, false
		}
		return c[i], true
	}
	return nil, false
}

// jsonText is ->>'s text of a JSON value: strings unquoted, null as SQL NULL, others as jsonb text.
func jsonText(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	}
	return sqltypes.FormatJSON(v)
}

func jsonHasKey(v any, k string) bool {
	switch c := v.(type) {
	case map[string]any:
		_, ok := c[k]
		return ok
	case []any:
		for _, e := range c {
			if s, ok := e.(string); ok && s == k {
				return true
			}
		}
	case string:
		return c == k
	}
	return false
}

// jsonContains is jsonb @>: every key/value of b is in a, recursively; an array contains the
// elements of another array in any order; a top-level array contains a scalar it holds.
func jsonContains(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		for k, bv := range y {
			av, ok := x[k]
			if !ok || !jsonContains(av, bv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok {
			if jsonRank(b) == 4 || jsonRank(b) == 5 {
				return false
			}
			y = []any{b}
		}
		for _, bv := range y {
			found := false
			for _, av := range x {
				if jsonRank(av) == jsonRank(bv) && jsonContains(av, bv) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	if jsonRank(a) != jsonRank(b) {
		return false
	}
	return compareJSON(a, b) == 0
}

// arrayContains is array @>: every non-NULL element of b equals some element of a.
func arrayContains(a, b array) bool {
	for _, y := range b.Items {
		if y == nil {
			return false
		}
		found := false
		for _, x := range a.Items {
			if x != nil {
				if c, _ := compareValues(x, y); c == 0 {
					found = true
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// jsonConcat is jsonb ||: objects merge (right wins), arrays append, scalars become arrays.
func jsonConcat(a, b any) any {
	ao, aok := a.(map[string]any)
	bo, bok := b.(map[string]any)
	if aok && bok {
		out := make(map[string]any, len(ao)+len(bo))
		for k, v := range ao {
			out[k] = v
		}
		for k, v := range bo {
			out[k] = v
		}
		return out
	}
	toArr := func(v any) []any {
		if arr, ok := v.([]any); ok {
			return arr
		}
		return []any{v}
	}
	return append(append([]any{}, toArr(a)...), toArr(b)...)
}
