package expr

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Set-returning functions whose rows are computed from their argument values alone: the JSON
// functions analysts use on metadata and nested Stripe objects (json_each, jsonb_array_elements,
// jsonb_object_keys, …) and information_schema._pg_expandarray. The planner runs them as a
// function scan in FROM, or, in a select list, through the rewrite that makes the list's
// set-returning functions a LATERAL ROWS FROM (planner/record_srf.go). generate_series and unnest
// stay planner nodes of their own: a series streams instead of being computed at once.

// SetFunc is a bound call of a set-returning function: its arguments and its result columns.
type SetFunc struct {
	Name string
	Args []Expr
	// Columns are the result columns. A function returning a scalar has one, named after its OUT
	// parameter (value for jsonb_array_elements) or else after the function, as PostgreSQL names
	// it in FROM; a composite one names its fields.
	Columns []sqltypes.RecordField
	// Composite is set for functions returning a record (json_each, _pg_expandarray): in a select
	// list their value is one record, in FROM one column per field.
	Composite bool
	rows      func(args []any) ([][]any, error)
}

// setFuncDef describes one set-returning function: resolve checks the argument types and returns
// the result columns, rows computes the rows from non-NULL argument values.
type setFuncDef struct {
	// fields names the record a composite function returns; nil for a scalar one.
	fields  []string
	resolve func(args []sqltypes.Type) ([]sqltypes.RecordField, bool)
	rows    func(args []any) ([][]any, error)
	// rowsFor, when set, replaces rows for functions whose rows depend on the argument types
	// (generate_subscripts numbers an int2vector from 0).
	rowsFor func(args []sqltypes.Type) func(args []any) ([][]any, error)
	// params, when set, are the parameter types that arguments of unknown type (string
	// literals) take; otherwise they take json or jsonb, the JSON functions' document.
	params []sqltypes.Type
}

var setFuncs = map[string]setFuncDef{
	"_pg_expandarray":           {fields: []string{"x", "n"}, resolve: resolveExpandArray, rows: expandArrayRows},
	"json_each":                 jsonEachDef(sqltypes.JSON, false),
	"jsonb_each":                jsonEachDef(sqltypes.JSONB, false),
	"json_each_text":            jsonEachDef(sqltypes.JSON, true),
	"jsonb_each_text":           jsonEachDef(sqltypes.JSONB, true),
	"json_array_elements":       jsonElementsDef(sqltypes.JSON, false),
	"jsonb_array_elements":      jsonElementsDef(sqltypes.JSONB, false),
	"json_array_elements_text":  jsonElementsDef(sqltypes.JSON, true),
	"jsonb_array_elements_text": jsonElementsDef(sqltypes.JSONB, true),
	"json_object_keys":          jsonKeysDef(sqltypes.JSON),
	"jsonb_object_keys":         jsonKeysDef(sqltypes.JSONB),
	"generate_subscripts":       generateSubscriptsDef(),
	"pg_get_keywords":           getKeywordsDef(), // keywords.go
	"pg_options_to_table":       optionsToTableDef(),
	"pg_partition_tree":         partitionTreeDef(),
	"ts_token_type":             tokenTypeDef(),
}

// IsSetFunction reports whether name is a set-returning function of this package.
func IsSetFunction(name string) bool {
	_, ok := setFuncs[strings.TrimPrefix(name, "pg_catalog.")]
	return ok
}

// SetFunctionFields returns the field names of the record a set-returning function returns, nil
// for one that returns a scalar (or is unknown), so a select list can be rewritten before binding.
func SetFunctionFields(name string) []string { return setFuncs[name].fields }

// SetCall binds a call of a set-returning function; wrong argument types are 42883 as for any
// function. Arguments of unknown type (string literals) take the parameter's type.
func SetCall(name string, args []Expr) (*SetFunc, error) {
	def, ok := setFuncs[name]
	if !ok {
		return nil, ErrNoFunction(name, argTypes(args))
	}
	types := argTypes(args)
	if def.params != nil {
		for i, t := range types {
			if t == sqltypes.Unknown && i < len(def.params) {
				types[i] = def.params[i]
			}
		}
	}
	cols, ok := def.resolve(types)
	if !ok {
		return nil, ErrNoFunction(name, types)
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		out[i] = a
		if a.Type() == sqltypes.Unknown && len(cols) > 0 {
			want := sqltypes.JSONB
			switch {
			case def.params != nil && i < len(def.params):
				want = def.params[i]
			case strings.HasPrefix(name, "json_"):
				want = sqltypes.JSON
			}
			c, err := Cast(a, want)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
	}
	rows := def.rows
	if def.rowsFor != nil {
		rows = def.rowsFor(types)
	}
	return &SetFunc{Name: name, Args: out, Columns: cols, Composite: def.fields != nil, rows: rows}, nil
}

// RecordType is the type of the function's value in a select list: a record of its columns, or
// the scalar column's type.
func (f *SetFunc) RecordType() sqltypes.Type {
	if !f.Composite {
		return f.Columns[0].Type
	}
	return sqltypes.RecordType(f.Columns)
}

// Rows evaluates the arguments on env and returns the function's rows. A NULL argument gives no
// rows, as these functions are strict.
func (f *SetFunc) Rows(env *Env) ([][]any, error) {
	vals := make([]any, len(f.Args))
	for i, a := range f.Args {
		v, err := a.Eval(env)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, nil
		}
		vals[i] = v
	}
	return f.rows(vals)
}

// String renders the call for EXPLAIN.
func (f *SetFunc) String() string { return f.Name + "(" + joinExprs(f.Args, ", ") + ")" }

// resolveExpandArray: _pg_expandarray(anyarray) returns (x anyelement, n int).
func resolveExpandArray(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
	if len(args) != 1 || !sqltypes.IsArray(args[0]) {
		return nil, false
	}
	return []sqltypes.RecordField{{Name: "x", Type: sqltypes.Elem(args[0])}, {Name: "n", Type: sqltypes.Int4}}, true
}

func expandArrayRows(args []any) ([][]any, error) {
	a, ok := args[0].(sqltypes.Array)
	if !ok {
		return nil, sqlstate.New(sqlstate.InternalError, "_pg_expandarray: %T is not an array", args[0])
	}
	out := make([][]any, len(a.Items))
	for i, it := range a.Items {
		out[i] = []any{it, int64(i + 1)}
	}
	return out, nil
}

// jsonFuncDef describes one JSON set-returning function over documents of type t (json or
// jsonb): suffix names it after the type (_each, _array_elements_text, …), object says whether it
// reads an object's members or an array's elements, cols are its result columns and row turns one
// member into a row. An unknown literal argument is read as t.
func jsonFuncDef(t sqltypes.Type, suffix string, object bool, cols []sqltypes.RecordField, row func(m jsonMember) []any) setFuncDef {
	name := sqltypes.Typname(t) + suffix
	def := setFuncDef{
		resolve: func(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
			return cols, len(args) == 1 && (args[0] == t || args[0] == sqltypes.Unknown)
		},
		rows: func(args []any) ([][]any, error) {
			items, err := jsonMembers(args[0], t, name, object)
			if err != nil {
				return nil, err
			}
			out := make([][]any, len(items))
			for i, m := range items {
				out[i] = row(m)
			}
			return out, nil
		}}
	if len(cols) > 1 {
		for _, c := range cols {
			def.fields = append(def.fields, c.Name)
		}
	}
	return def
}

// valueType is the type of a member's value: the document's type, or text for the _text forms.
func valueType(t sqltypes.Type, asText bool) sqltypes.Type {
	if asText {
		return sqltypes.Text
	}
	return t
}

// textSuffix is "_text" for the _text forms.
func textSuffix(asText bool) string {
	if asText {
		return "_text"
	}
	return ""
}

// jsonEachDef is json_each / jsonb_each (key text, value json[b]) and their _text forms (value
// text). Keys come in the document's order for json and in jsonb's storage order for jsonb.
func jsonEachDef(t sqltypes.Type, asText bool) setFuncDef {
	cols := []sqltypes.RecordField{{Name: "key", Type: sqltypes.Text}, {Name: "value", Type: valueType(t, asText)}}
	return jsonFuncDef(t, "_each"+textSuffix(asText), true, cols, func(m jsonMember) []any { return []any{m.key, m.value(t, asText)} })
}

// jsonElementsDef is json[b]_array_elements (value json[b]) and the _text forms (value text).
func jsonElementsDef(t sqltypes.Type, asText bool) setFuncDef {
	cols := []sqltypes.RecordField{{Name: "value", Type: valueType(t, asText)}}
	return jsonFuncDef(t, "_array_elements"+textSuffix(asText), false, cols, func(m jsonMember) []any { return []any{m.value(t, asText)} })
}

// jsonKeysDef is json[b]_object_keys: the object's keys as text, in a column named after the
// function.
func jsonKeysDef(t sqltypes.Type) setFuncDef {
	cols := []sqltypes.RecordField{{Name: sqltypes.Typname(t) + "_object_keys", Type: sqltypes.Text}}
	return jsonFuncDef(t, "_object_keys", true, cols, func(m jsonMember) []any { return []any{m.key} })
}

// jsonMember is one member of an object (key set) or one element of an array: its decoded value
// and, for a json (not jsonb) document, its original text.
type jsonMember struct {
	key  string
	v    any
	text string
}

// value is the member as a json/jsonb value (JSON null included) or, asText, as text: a string
// unquoted, JSON null as SQL NULL, anything else as JSON text.
func (m jsonMember) value(t sqltypes.Type, asText bool) any {
	if !asText {
		if t == sqltypes.JSON && m.text != "" {
			return sqltypes.JSONValue{V: m.v, Text: m.text}
		}
		return sqltypes.JSONValue{V: m.v}
	}
	switch x := m.v.(type) {
	case nil:
		return nil
	case string:
		return x
	}
	if m.text != "" {
		return m.text
	}
	return sqltypes.FormatJSON(m.v)
}

// jsonMembers lists an object's members (object) or an array's elements (!object) with
// PostgreSQL's 22023 errors for the other shapes. A json value with its original text keeps the
// text's order, duplicate keys and spelling of each member.
func jsonMembers(v any, t sqltypes.Type, fn string, object bool) ([]jsonMember, error) {
	jv, ok := v.(sqltypes.JSONValue)
	if !ok {
		jv = sqltypes.JSONValue{V: sqltypes.NormalizeJSON(v)}
	}
	switch x := jv.V.(type) {
	case map[string]any:
		if !object {
			return nil, jsonShapeError(t, fn, "object")
		}
		if t == sqltypes.JSON && jv.Text != "" {
			if ms, err := jsonTextMembers(jv.Text, true); err == nil {
				return ms, nil
			}
		}
		out := make([]jsonMember, 0, len(x))
		for _, k := range sqltypes.JSONKeys(x) {
			out = append(out, jsonMember{key: k, v: x[k]})
		}
		return out, nil
	case []any:
		if object {
			return nil, jsonShapeError(t, fn, "array")
		}
		if t == sqltypes.JSON && jv.Text != "" {
			if ms, err := jsonTextMembers(jv.Text, false); err == nil {
				return ms, nil
			}
		}
		out := make([]jsonMember, len(x))
		for i, e := range x {
			out[i] = jsonMember{v: e}
		}
		return out, nil
	}
	return nil, jsonShapeError(t, fn, "scalar")
}

// jsonShapeError is PostgreSQL's message for calling fn on a document of the wrong shape.
func jsonShapeError(t sqltypes.Type, fn, shape string) error {
	var msg string
	switch {
	case strings.HasSuffix(fn, "_object_keys") && shape == "array":
		msg = "cannot call " + fn + " on an array"
	case strings.HasSuffix(fn, "_object_keys"):
		msg = "cannot call " + fn + " on a scalar"
	case t == sqltypes.JSONB && strings.Contains(fn, "_each"):
		msg = "cannot call " + fn + " on a non-object"
	case t == sqltypes.JSONB:
		msg = "cannot extract elements from " + map[string]string{"object": "an object", "scalar": "a scalar"}[shape]
	case strings.Contains(fn, "_each"):
		msg = "cannot deconstruct " + map[string]string{"array": "an array as an object", "scalar": "a scalar"}[shape]
	case shape == "object":
		msg = "cannot call " + fn + " on a non-array"
	default:
		msg = "cannot call " + fn + " on a scalar"
	}
	return sqlstate.New(sqlstate.InvalidParameterValue, "%s", msg)
}

// jsonTextMembers reads the top-level members of a json document's text in order, each with its
// text as written.
func jsonTextMembers(text string, object bool) ([]jsonMember, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // { or [
		return nil, err
	}
	var out []jsonMember
	for dec.More() {
		var m jsonMember
		if object {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			m.key, _ = k.(string)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		var v any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		m.v, m.text = sqltypes.NormalizeJSON(v), string(raw)
		out = append(out, m)
	}
	return out, nil
}

// SetFunctionNames lists the set-returning functions of this package, sorted, for pg_proc.
func SetFunctionNames() []string {
	out := make([]string, 0, len(setFuncs))
	for n := range setFuncs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// optionsToTableDef is pg_options_to_table(text[]): the name=value pairs of a reloptions,
// fdwoptions or srvoptions array as rows (option_name, option_value), the value NULL for an
// option written without =. psql's \des+, \det+ and \dew+ read it.
func optionsToTableDef() setFuncDef {
	cols := []sqltypes.RecordField{{Name: "option_name", Type: sqltypes.Text}, {Name: "option_value", Type: sqltypes.Text}}
	return setFuncDef{
		fields: []string{"option_name", "option_value"},
		params: []sqltypes.Type{sqltypes.TextArray},
		resolve: func(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
			return cols, len(args) == 1 && args[0] == sqltypes.TextArray
		},
		rows: func(args []any) ([][]any, error) {
			a, _ := args[0].(sqltypes.Array)
			var out [][]any
			for _, it := range a.Items {
				s, ok := it.(string)
				if !ok {
					continue
				}
				if name, value, found := strings.Cut(s, "="); found {
					out = append(out, []any{name, value})
				} else {
					out = append(out, []any{s, nil})
				}
			}
			return out, nil
		},
	}
}

// partitionTreeDef is pg_partition_tree(regclass): the partitions under a partitioned table.
// No table here is partitioned, and PostgreSQL returns no rows for a table that is not, so it
// never returns any; psql's \dP+ calls it.
func partitionTreeDef() setFuncDef {
	cols := []sqltypes.RecordField{{Name: "relid", Type: sqltypes.Regclass}, {Name: "parentrelid", Type: sqltypes.Regclass},
		{Name: "isleaf", Type: sqltypes.Bool}, {Name: "level", Type: sqltypes.Int4}}
	return setFuncDef{
		fields: []string{"relid", "parentrelid", "isleaf", "level"},
		params: []sqltypes.Type{sqltypes.Regclass},
		resolve: func(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
			if len(args) != 1 {
				return nil, false
			}
			switch args[0] {
			case sqltypes.Regclass, sqltypes.OID, sqltypes.Int4, sqltypes.Int8:
				return cols, true
			}
			return nil, false
		},
		rows: func([]any) ([][]any, error) { return nil, nil },
	}
}

// tokenTypeDef is ts_token_type(parser oid or name): the token types of a text search parser.
// There are no parsers here (pg_ts_parser is empty), so it has no rows; psql's \dF+ and \dFp+
// call it.
func tokenTypeDef() setFuncDef {
	cols := []sqltypes.RecordField{{Name: "tokid", Type: sqltypes.Int4}, {Name: "alias", Type: sqltypes.Text}, {Name: "description", Type: sqltypes.Text}}
	return setFuncDef{
		fields: []string{"tokid", "alias", "description"},
		params: []sqltypes.Type{sqltypes.Text},
		resolve: func(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
			return cols, len(args) == 1 && (args[0] == sqltypes.OID || args[0] == sqltypes.Text)
		},
		rows: func([]any) ([][]any, error) { return nil, nil },
	}
}
