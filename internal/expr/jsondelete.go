package expr

import (
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// jsonDelete binds jsonb - text (drop an object key, or matching strings from an array),
// jsonb - text[] (drop several keys) and jsonb - integer (drop an array element, negative
// indexes from the end), as PostgreSQL does. The input value is never modified.
func jsonDelete(l, r Expr) (Expr, error) {
	rt := r.Type()
	switch {
	case isIntType(rt):
		return bin("-", l, r, sqltypes.JSONB, sqltypes.Int4, sqltypes.JSONB, func(_ *Env, a, b any) (any, error) {
			arr, ok := a.(jsonVal).V.([]any)
			if !ok {
				if _, isObj := a.(jsonVal).V.(map[string]any); isObj {
					return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot delete from object using integer index")
				}
				return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot delete from scalar")
			}
			i := int(b.(int64))
			if i < 0 {
				i += len(arr)
			}
			if i < 0 || i >= len(arr) {
				return a, nil
			}
			out := append(append([]any{}, arr[:i]...), arr[i+1:]...)
			return jsonVal{V: out}, nil
		})
	case rt == sqltypes.TextArray:
		return bin("-", l, r, sqltypes.JSONB, sqltypes.TextArray, sqltypes.JSONB, func(_ *Env, a, b any) (any, error) {
			v := a.(jsonVal).V
			for _, k := range b.(array).Items {
				if k == nil {
					continue
				}
				var err error
				if v, err = jsonWithout(v, k.(string)); err != nil {
					return nil, err
				}
			}
			return jsonVal{V: v}, nil
		})
	case isStringType(rt):
		return bin("-", l, r, sqltypes.JSONB, sqltypes.Text, sqltypes.JSONB, func(_ *Env, a, b any) (any, error) {
			v, err := jsonWithout(a.(jsonVal).V, b.(string))
			if err != nil {
				return nil, err
			}
			return jsonVal{V: v}, nil
		})
	}
	return nil, errNoOperator("-", l.Type(), rt)
}

// jsonWithout returns v without key k: a copy of an object without the key, or of an array
// without its string elements equal to k.
func jsonWithout(v any, k string) (any, error) {
	switch c := v.(type) {
	case map[string]any:
		if _, ok := c[k]; !ok {
			return c, nil
		}
		out := make(map[string]any, len(c))
		for key, val := range c {
			if key != k {
				out[key] = val
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(c))
		for _, e := range c {
			if s, ok := e.(string); ok && s == k {
				continue
			}
			out = append(out, e)
		}
		return out, nil
	}
	return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot delete from scalar")
}
