package expr

import (
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// toJSONValue converts a SQL value to the JSON value to_jsonb gives: numbers stay numbers, bools
// booleans, text strings, jsonb itself, arrays JSON arrays, timestamps ISO 8601 strings.
func toJSONValue(env *Env, v any, t sqltypes.Type) (any, error) {
	switch x := normValue(v).(type) {
	case nil:
		return nil, nil
	case bool, string:
		return x, nil
	case int64:
		return sqltypes.DecimalFromInt(x), nil
	case decimal:
		return x, nil
	case float64:
		d, err := sqltypes.DecimalFromFloat(x)
		if err != nil {
			return sqltypes.FormatFloat(x, 64), nil
		}
		return d, nil
	case jsonVal:
		return x.V, nil
	case array:
		out := make([]any, len(x.Items))
		for i, it := range x.Items {
			j, err := toJSONValue(env, it, x.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	case time.Time:
		switch t {
		case sqltypes.Date:
			return x.Format("2006-01-02"), nil
		case sqltypes.Timestamp:
			return strings.Replace(sqltypes.FormatText(x, t), " ", "T", 1), nil
		}
		s := sqltypes.FormatTextIn(x, sqltypes.Timestamptz, env.Location())
		s = strings.Replace(s, " ", "T", 1)
		if i := strings.LastIndexAny(s, "+-"); i > 10 && len(s)-i == 3 {
			s += ":00"
		}
		return s, nil
	}
	return sqltypes.FormatTextIn(v, t, env.Location()), nil
}

// jsonArrayLength is jsonb_array_length and json_array_length: 22023 for a non-array.
func jsonArrayLength(_ *Env, a []any) (any, error) {
	arr, ok := a[0].(jsonVal).V.([]any)
	if !ok {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot get array length of a %s", jsonKindWord(a[0].(jsonVal).V))
	}
	return int64(len(arr)), nil
}

func init() {
	jb := sqltypes.JSONB
	jsonArg := func(name string) func([]sqltypes.Type) ([]sqltypes.Type, error) {
		return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
			out := make([]sqltypes.Type, len(args))
			for i, a := range args {
				switch {
				case i == 0 && (a == sqltypes.JSON || a == sqltypes.JSONB):
					out[i] = a
				case i == 0 && a == sqltypes.Unknown:
					out[i] = jb
				case i == 0:
					return nil, ErrNoFunction(name, args)
				default:
					if !isStringType(a) {
						return nil, ErrNoFunction(name, args)
					}
					out[i] = sqltypes.Text
				}
			}
			return out, nil
		}
	}
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
		Function{Name: "jsonb_typeof", MinArgs: 1, MaxArgs: 1, ArgTypes: jsonArg("jsonb_typeof"), Result: Returns(sqltypes.Text), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) { return jsonTypeof(a[0].(jsonVal).V), nil }},
		Function{Name: "json_typeof", MinArgs: 1, MaxArgs: 1, ArgTypes: jsonArg("json_typeof"), Result: Returns(sqltypes.Text), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) { return jsonTypeof(a[0].(jsonVal).V), nil }},
		Function{Name: "jsonb_array_length", MinArgs: 1, MaxArgs: 1, ArgTypes: jsonArg("jsonb_array_length"), Result: Returns(sqltypes.Int4), Strict: true,
			Eval: jsonArrayLength},
		// json_array_length is the same count for json values (it does not depend on the text layout)
		Function{Name: "json_array_length", MinArgs: 1, MaxArgs: 1, ArgTypes: jsonArg("json_array_length"), Result: Returns(sqltypes.Int4), Strict: true,
			Eval: jsonArrayLength},
		Function{Name: "jsonb_extract_path", MinArgs: 1, MaxArgs: -1, ArgTypes: jsonArg("jsonb_extract_path"), Result: sameAsFirst, Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				v, ok := jsonPath(a[0].(jsonVal).V, a[1:])
				if !ok {
					return nil, nil
				}
				return jsonVal{V: v}, nil
			}},
		Function{Name: "jsonb_extract_path_text", MinArgs: 1, MaxArgs: -1, ArgTypes: jsonArg("jsonb_extract_path_text"), Result: Returns(sqltypes.Text), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				v, ok := jsonPath(a[0].(jsonVal).V, a[1:])
				if !ok {
					return nil, nil
				}
				return jsonText(v), nil
			}},
		Function{Name: "jsonb_build_object", MinArgs: 0, MaxArgs: -1, ArgTypes: anyArgs, Result: Returns(jb),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				if len(a)%2 != 0 {
					return nil, sqlstate.New(sqlstate.InvalidParameterValue, "argument list must have even number of elements").WithHint("The arguments of jsonb_build_object() must consist of alternating keys and values.")
				}
				m := map[string]any{}
				for i := 0; i < len(a); i += 2 {
					if a[i] == nil {
						return nil, sqlstate.New(sqlstate.InvalidParameterValue, "argument %d: key must not be null", i+1)
					}
					k := textOf(env, a[i], ts[i])
					v, err := toJSONValue(env, a[i+1], ts[i+1])
					if err != nil {
						return nil, err
					}
					m[k] = v
				}
				return jsonVal{V: m}, nil
			}},
		Function{Name: "jsonb_build_array", MinArgs: 0, MaxArgs: -1, ArgTypes: anyArgs, Result: Returns(jb),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				out := make([]any, len(a))
				for i := range a {
					v, err := toJSONValue(env, a[i], ts[i])
					if err != nil {
						return nil, err
					}
					out[i] = v
				}
				return jsonVal{V: out}, nil
			}},
		Function{Name: "to_jsonb", MinArgs: 1, MaxArgs: 1, ArgTypes: anyArgs, Result: Returns(jb), Strict: true,
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				v, err := toJSONValue(env, a[0], ts[0])
				if err != nil {
					return nil, err
				}
				return jsonVal{V: v}, nil
			}},
		Function{Name: "jsonb_pretty", MinArgs: 1, MaxArgs: 1, ArgTypes: jsonArg("jsonb_pretty"), Result: Returns(sqltypes.Text), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				var sb strings.Builder
				prettyJSON(&sb, a[0].(jsonVal).V, 0)
				return sb.String(), nil
			}},
	)
}

func jsonKindWord(v any) string {
	switch jsonTypeof(v) {
	case "object":
		return "non-array"
	case "array":
		return "array"
	}
	return "scalar"
}

func jsonPath(v any, keys []any) (any, bool) {
	for _, k := range keys {
		if k == nil {
			return nil, false
		}
		var ok bool
		if v, ok = jsonGet(v, k); !ok {
			return nil, false
		}
	}
	return v, true
}

// prettyJSON writes jsonb_pretty's layout: four-space indents, one member per line.
func prettyJSON(sb *strings.Builder, v any, depth int) {
	ind := strings.Repeat("    ", depth+1)
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			sb.WriteString("{\n" + strings.Repeat("    ", depth) + "}")
			return
		}
		sb.WriteString("{\n")
		for i, k := range sqltypes.JSONKeys(x) {
			if i > 0 {
				sb.WriteString(",\n")
			}
			sb.WriteString(ind)
			sqltypes.WriteJSONString(sb, k)
			sb.WriteString(": ")
			prettyJSON(sb, x[k], depth+1)
		}
		sb.WriteString("\n" + strings.Repeat("    ", depth) + "}")
	case []any:
		if len(x) == 0 {
			sb.WriteString("[\n" + strings.Repeat("    ", depth) + "]")
			return
		}
		sb.WriteString("[\n")
		for i, e := range x {
			if i > 0 {
				sb.WriteString(",\n")
			}
			sb.WriteString(ind)
			prettyJSON(sb, e, depth+1)
		}
		sb.WriteString("\n" + strings.Repeat("    ", depth) + "]")
	default:
		sb.WriteString(sqltypes.FormatJSON(v))
	}
}
