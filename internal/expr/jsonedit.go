package expr

import (
	"strconv"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Editing jsonb at a path: jsonb_set, jsonb_set_lax, jsonb_insert, the #- operator, and
// jsonb_strip_nulls, as PostgreSQL 15 defines them (its setPath): a path names object keys and
// array positions (negative positions count from the end, a position that is not an integer is
// 22P02); only the last step may create a key or an element; a path that leads through a missing
// key or into a scalar leaves the value unchanged; a scalar at the top is an error (22023). The
// input value is never modified: every edit copies the containers along the path.

// nullValueNotAllowed is SQLSTATE 22004, null_value_not_allowed.
const nullValueNotAllowed = "22004"

// pathEdit is what happens at the end of the path.
type pathEdit int

const (
	editSet         pathEdit = iota // replace, or create when allowed
	editInsert                      // insert before (jsonb_insert)
	editInsertAfter                 // insert after (jsonb_insert(…, true))
	editDelete                      // remove (#-)
)

// editPath returns v edited at path[level:]. create allows the last step to add a key or element
// (jsonb_set's create_if_missing; always true for inserts).
func editPath(v any, path []string, level int, newVal any, op pathEdit, create bool) (any, error) {
	switch c := v.(type) {
	case map[string]any:
		k := path[level]
		old, exists := c[k]
		last := level == len(path)-1
		if !last {
			if !exists {
				return c, nil
			}
			sub, err := editPath(old, path, level+1, newVal, op, create)
			if err != nil {
				return nil, err
			}
			return withKey(c, k, sub, false), nil
		}
		switch {
		case op == editDelete:
			if !exists {
				return c, nil
			}
			return withKey(c, k, nil, true), nil
		case exists && op != editSet:
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot replace existing key").
				WithHint("Try using the function jsonb_set to replace key value.")
		case exists || create:
			return withKey(c, k, newVal, false), nil
		}
		return c, nil
	case []any:
		idx, err := strconv.Atoi(path[level])
		if err != nil {
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "path element at position %d is not an integer: \"%s\"", level+1, path[level])
		}
		n := len(c)
		if idx < 0 {
			idx += n
		}
		inRange := idx >= 0 && idx < n
		if level < len(path)-1 {
			if !inRange {
				return c, nil
			}
			sub, err := editPath(c[idx], path, level+1, newVal, op, create)
			if err != nil {
				return nil, err
			}
			out := append([]any(nil), c...)
			out[idx] = sub
			return out, nil
		}
		switch {
		case op == editDelete:
			if !inRange {
				return c, nil
			}
			return append(append([]any{}, c[:idx]...), c[idx+1:]...), nil
		case inRange && op == editSet:
			out := append([]any(nil), c...)
			out[idx] = newVal
			return out, nil
		case inRange:
			if op == editInsertAfter {
				idx++
			}
			return append(append(append([]any{}, c[:idx]...), newVal), c[idx:]...), nil
		case !create:
			return c, nil
		case idx < 0:
			return append([]any{newVal}, c...), nil
		}
		return append(append([]any{}, c...), newVal), nil
	}
	return v, nil // a path into a scalar changes nothing
}

// withKey copies object c with key k set to val, or removed when del.
func withKey(c map[string]any, k string, val any, del bool) map[string]any {
	out := make(map[string]any, len(c)+1)
	for key, x := range c {
		out[key] = x
	}
	if del {
		delete(out, k)
	} else {
		out[k] = val
	}
	return out
}

// editJSON applies an edit to a jsonb value at a text[] path.
func editJSON(target any, path any, newVal any, op pathEdit, create bool) (any, error) {
	v := target.(jsonVal).V
	items := path.(array).Items
	if _, isObj := v.(map[string]any); !isObj {
		if _, isArr := v.([]any); !isArr {
			what := "set"
			if op == editDelete {
				what = "delete"
			}
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot %s path in scalar", what)
		}
	}
	if len(items) == 0 {
		return target, nil
	}
	keys := make([]string, len(items))
	for i, it := range items {
		if it == nil {
			return nil, sqlstate.New(nullValueNotAllowed, "path element at position %d is null", i+1)
		}
		keys[i] = it.(string)
	}
	out, err := editPath(v, keys, 0, newVal, op, create)
	if err != nil {
		return nil, err
	}
	return jsonVal{V: out}, nil
}

// stripNulls removes object fields whose value is JSON null, at any depth (array elements stay).
func stripNulls(v any) any {
	switch c := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(c))
		for k, x := range c {
			if x != nil {
				out[k] = stripNulls(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(c))
		for i, x := range c {
			out[i] = stripNulls(x)
		}
		return out
	}
	return v
}

// jsonDeletePath binds jsonb #- text[].
func jsonDeletePath(l, r Expr) (Expr, error) {
	if lt := l.Type(); lt != sqltypes.JSONB && lt != sqltypes.Unknown {
		return nil, errNoOperator("#-", lt, r.Type())
	}
	if rt := r.Type(); rt != sqltypes.TextArray && rt != sqltypes.Unknown {
		return nil, errNoOperator("#-", l.Type(), rt)
	}
	return bin("#-", l, r, sqltypes.JSONB, sqltypes.TextArray, sqltypes.JSONB, func(_ *Env, a, b any) (any, error) {
		return editJSON(a, b, nil, editDelete, false)
	})
}

func init() {
	jb, ta, b := sqltypes.JSONB, sqltypes.TextArray, sqltypes.Bool
	lax := map[string]bool{"raise_exception": true, "use_json_null": true, "delete_key": true, "return_target": true}
	reg(
		Function{Name: "jsonb_set", MinArgs: 3, MaxArgs: 4, Strict: true, ArgTypes: Fixed("jsonb_set", jb, ta, jb, b), Result: Returns(jb),
			Eval: func(_ *Env, a []any) (any, error) {
				create := len(a) < 4 || a[3].(bool)
				return editJSON(a[0], a[1], a[2].(jsonVal).V, editSet, create)
			}},
		// jsonb_set_lax is not strict in its new value: a SQL NULL is handled as null_value_treatment says.
		Function{Name: "jsonb_set_lax", MinArgs: 3, MaxArgs: 5, ArgTypes: Fixed("jsonb_set_lax", jb, ta, jb, b, sqltypes.Text), Result: Returns(jb),
			Eval: func(_ *Env, a []any) (any, error) {
				if a[0] == nil || a[1] == nil || (len(a) > 3 && a[3] == nil) {
					return nil, nil
				}
				treatment := "use_json_null"
				if len(a) > 4 {
					if a[4] == nil {
						return nil, sqlstate.New(nullValueNotAllowed, "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"")
					}
					treatment = a[4].(string)
					if !lax[treatment] {
						return nil, sqlstate.New(sqlstate.InvalidParameterValue, "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"")
					}
				}
				create := len(a) < 4 || a[3].(bool)
				if a[2] != nil {
					return editJSON(a[0], a[1], a[2].(jsonVal).V, editSet, create)
				}
				switch treatment {
				case "raise_exception":
					return nil, sqlstate.New(nullValueNotAllowed, "JSON value must not be null").
						WithDetail("Exception was raised because null_value_treatment is \"raise_exception\".").
						WithHint("To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.")
				case "delete_key":
					return editJSON(a[0], a[1], nil, editDelete, false)
				case "return_target":
					return a[0], nil
				}
				return editJSON(a[0], a[1], nil, editSet, create)
			}},
		Function{Name: "jsonb_insert", MinArgs: 3, MaxArgs: 4, Strict: true, ArgTypes: Fixed("jsonb_insert", jb, ta, jb, b), Result: Returns(jb),
			Eval: func(_ *Env, a []any) (any, error) {
				op := editInsert
				if len(a) > 3 && a[3].(bool) {
					op = editInsertAfter
				}
				return editJSON(a[0], a[1], a[2].(jsonVal).V, op, true)
			}},
		Function{Name: "jsonb_strip_nulls", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: Fixed("jsonb_strip_nulls", jb), Result: Returns(jb),
			Eval: func(_ *Env, a []any) (any, error) { return jsonVal{V: stripNulls(a[0].(jsonVal).V)}, nil }},
	)
}
