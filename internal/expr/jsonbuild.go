package expr

import (
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The json (not jsonb) constructors. A json value keeps the text it was built with, and PostgreSQL
// builds that text in its own layout, which clients may compare byte for byte:
// json_build_object gives {"a" : 1, "b" : 2} (keys in argument order, duplicates kept),
// json_build_array and json_agg give [1, 2], and an array argument becomes [1,2] with no spaces
// (array_to_json). Each value also carries its decoded form (JSONValue.V), so json operators work
// on it as on any other json value.

// jsonOut returns the json text of a SQL value as PostgreSQL's json constructors write it, and its
// decoded JSON value.
func jsonOut(env *Env, v any, t sqltypes.Type) (string, any, error) {
	switch x := normValue(v).(type) {
	case nil:
		return "null", nil, nil
	case jsonVal:
		if t == sqltypes.JSON && x.Text != "" {
			return x.Text, x.V, nil
		}
		return sqltypes.FormatText(x, sqltypes.JSONB), x.V, nil
	case array:
		var sb strings.Builder
		vals := make([]any, len(x.Items))
		sb.WriteByte('[')
		for i, it := range x.Items {
			s, j, err := jsonOut(env, it, x.Elem)
			if err != nil {
				return "", nil, err
			}
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(s)
			vals[i] = j
		}
		sb.WriteByte(']')
		return sb.String(), vals, nil
	}
	j, err := toJSONValue(env, v, t)
	if err != nil {
		return "", nil, err
	}
	return sqltypes.FormatText(jsonVal{V: j}, sqltypes.JSONB), j, nil
}

// jsonArrayOf joins element texts as json_build_array and json_agg do.
func jsonArrayOf(texts []string, vals []any) jsonVal {
	return jsonVal{V: vals, Text: "[" + strings.Join(texts, ", ") + "]"}
}

func init() {
	js := sqltypes.JSON
	// unknown literals are text, as for the jsonb constructors
	anyArgs := func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		out := make([]sqltypes.Type, len(args))
		for i, a := range args {
			out[i] = a
			if a == sqltypes.Unknown {
				out[i] = sqltypes.Text
			}
		}
		return out, nil
	}
	reg(
		Function{Name: "json_build_object", MinArgs: 0, MaxArgs: -1, ArgTypes: anyArgs, Result: Returns(js),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				if len(a)%2 != 0 {
					return nil, sqlstate.New(sqlstate.InvalidParameterValue, "argument list must have even number of elements").WithHint("The arguments of json_build_object() must consist of alternating keys and values.")
				}
				m := map[string]any{}
				var sb strings.Builder
				sb.WriteByte('{')
				for i := 0; i < len(a); i += 2 {
					if a[i] == nil {
						return nil, sqlstate.New(sqlstate.InvalidParameterValue, "argument %d cannot be null", i+1).WithHint("Object keys should be text.")
					}
					k := textOf(env, a[i], ts[i])
					s, v, err := jsonOut(env, a[i+1], ts[i+1])
					if err != nil {
						return nil, err
					}
					if i > 0 {
						sb.WriteString(", ")
					}
					sqltypes.WriteJSONString(&sb, k)
					sb.WriteString(" : ")
					sb.WriteString(s)
					m[k] = v
				}
				sb.WriteByte('}')
				return jsonVal{V: m, Text: sb.String()}, nil
			}},
		Function{Name: "json_build_array", MinArgs: 0, MaxArgs: -1, ArgTypes: anyArgs, Result: Returns(js),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				texts, vals := make([]string, len(a)), make([]any, len(a))
				for i := range a {
					s, v, err := jsonOut(env, a[i], ts[i])
					if err != nil {
						return nil, err
					}
					texts[i], vals[i] = s, v
				}
				return jsonArrayOf(texts, vals), nil
			}},
		Function{Name: "to_json", MinArgs: 1, MaxArgs: 1, ArgTypes: anyArgs, Result: Returns(js), Strict: true,
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				s, v, err := jsonOut(env, a[0], ts[0])
				if err != nil {
					return nil, err
				}
				return jsonVal{V: v, Text: s}, nil
			}},
	)
}
