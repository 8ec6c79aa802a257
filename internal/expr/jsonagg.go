package expr

import (
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// jsonb_object_agg(key, value) and json_object_agg(key, value) build one JSON object per group
// from key/value pairs, the pivot analysts use to turn rows into one column of {month: revenue}.
// Semantics follow PostgreSQL 15: a NULL key is an error (22023 "field name must not be null"), a
// key must be a scalar (not an array or json), its text is the value's text output (timestamps in
// ISO 8601, as to_jsonb writes them), NULL values are kept as JSON null, and an empty group gives
// NULL. jsonb keeps the last value of a repeated key; json keeps every pair in input order with
// PostgreSQL's layout { "k" : v, … }.

func init() {
	bind := func(res sqltypes.Type) func(string, []sqltypes.Type) ([]sqltypes.Type, sqltypes.Type, error) {
		return func(name string, args []sqltypes.Type) ([]sqltypes.Type, sqltypes.Type, error) {
			if len(args) != 2 {
				return nil, 0, ErrNoFunction(name, args)
			}
			want := make([]sqltypes.Type, 2)
			for i, t := range args {
				want[i] = t
				if t == sqltypes.Unknown {
					want[i] = sqltypes.Text
				}
			}
			return want, res, nil
		}
	}
	defineAggregate("jsonb_object_agg", aggDef{bind: bind(sqltypes.JSONB), keepNulls: true,
		newAcc: func(a *Agg) aggAcc { return &objectAcc{agg: a, binary: true} }})
	defineAggregate("json_object_agg", aggDef{bind: bind(sqltypes.JSON), keepNulls: true,
		newAcc: func(a *Agg) aggAcc { return &objectAcc{agg: a} }})
}

// objectAcc collects the pairs of one group.
type objectAcc struct {
	agg    *Agg
	binary bool
	keys   []string
	vals   []any
	texts  []string // json only: each value's text
}

func (o *objectAcc) add(env *Env, vals []any) error {
	k, err := jsonKey(env, vals[0], o.agg.Args[0].Type())
	if err != nil {
		return err
	}
	vt := o.agg.Args[1].Type()
	if o.binary {
		j, err := toJSONValue(env, vals[1], vt)
		if err != nil {
			return err
		}
		o.keys, o.vals = append(o.keys, k), append(o.vals, j)
		return nil
	}
	text, j, err := jsonOut(env, vals[1], vt)
	if err != nil {
		return err
	}
	o.keys, o.vals, o.texts = append(o.keys, k), append(o.vals, j), append(o.texts, text)
	return nil
}

func (o *objectAcc) result() (any, error) {
	if len(o.keys) == 0 {
		return nil, nil
	}
	m := make(map[string]any, len(o.keys))
	for i, k := range o.keys {
		m[k] = o.vals[i]
	}
	if o.binary {
		return jsonVal{V: m}, nil
	}
	var sb strings.Builder
	sb.WriteString("{ ")
	for i, k := range o.keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		sqltypes.WriteJSONString(&sb, k)
		sb.WriteString(" : ")
		sb.WriteString(o.texts[i])
	}
	sb.WriteString(" }")
	return jsonVal{V: m, Text: sb.String()}, nil
}

// jsonKey is the object key PostgreSQL makes of a SQL value: its JSON string for dates and times,
// its text output for other scalars; NULL, arrays and json values are refused with 22023.
func jsonKey(env *Env, v any, t sqltypes.Type) (string, error) {
	if v == nil {
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "field name must not be null")
	}
	if sqltypes.Elem(t) != 0 || t == sqltypes.JSON || t == sqltypes.JSONB || t == sqltypes.Record {
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "key value must be scalar, not array, composite, or json")
	}
	if dtRank(t) > 0 {
		j, err := toJSONValue(env, v, t)
		if err != nil {
			return "", err
		}
		if s, ok := j.(string); ok {
			return s, nil
		}
	}
	return textOf(env, v, t), nil
}
