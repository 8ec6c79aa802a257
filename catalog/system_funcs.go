package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// ServerVersion is the one definition of the server_version setting, which the wire server reports
// at startup and SHOW, current_setting and pg_settings answer: a PostgreSQL 15 version, so that
// psql, JDBC and ODBC choose their PostgreSQL 15 catalog queries, marked as stripesql for people.
const ServerVersion = "15.4 (stripesql)"

// ServerVersionNum is ServerVersion as server_version_num spells it, for clients that compare
// versions as integers.
const ServerVersionNum = "150004"

// VersionString is what version() returns: PostgreSQL 15 for clients that parse it, marked as
// stripesql for people.
const VersionString = "PostgreSQL " + ServerVersion + " on x86_64-pc-linux-gnu, compiled by Go, 64-bit"

var startTime = time.Now()

var txid atomic.Int64

// catalogSession is what system functions need of the session beyond expr.Session: its catalog.
// planner.Session implements it.
type catalogSession interface {
	Catalog() *Catalog
}

var (
	fallbackOnce sync.Once
	fallback     *Catalog
)

// catalogOf returns the session's catalog, or the default catalog when evaluation has no session
// (plan-time folding in tests).
func catalogOf(env *expr.Env) *Catalog {
	if env != nil && env.Session != nil {
		if cs, ok := env.Session.(catalogSession); ok && cs.Catalog() != nil {
			return cs.Catalog()
		}
	}
	fallbackOnce.Do(func() { fallback = Default() })
	return fallback
}

// TableByOID finds a table by its OID.
func (c *Catalog) TableByOID(oid uint32) (*Table, bool) {
	for _, t := range c.Tables() {
		if t.OID == oid {
			return t, true
		}
	}
	return nil, false
}

// tableByIndexOID finds the table whose primary-key index (or constraint) has this OID.
func (c *Catalog) tableByIndexOID(oid uint32) (*Table, bool) {
	for _, t := range c.Tables() {
		if hasPrimaryKey(t) && PrimaryKeyOID(t) == oid {
			return t, true
		}
	}
	return nil, false
}

func routineByOID(oid uint32) (*Routine, bool) {
	for _, r := range Routines() {
		if RoutineOID(r.Name) == oid {
			r := r
			return &r, true
		}
	}
	return nil, false
}

func fixed(t sqltypes.Type) func([]sqltypes.Type) sqltypes.Type {
	return func([]sqltypes.Type) sqltypes.Type { return t }
}

// argsAs converts every argument to the given types (the last one repeats).
func argsAs(ts ...sqltypes.Type) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		out := make([]sqltypes.Type, len(args))
		for i := range args {
			if i < len(ts) {
				out[i] = ts[i]
			} else {
				out[i] = ts[len(ts)-1]
			}
		}
		return out, nil
	}
}

func toOID(v any) uint32 {
	switch x := v.(type) {
	case int64:
		return uint32(x)
	case int32:
		return uint32(x)
	case uint32:
		return x
	}
	return 0
}

func toInt(v any) int64 {
	if x, ok := v.(int64); ok {
		return x
	}
	return 0
}

func register(name string, minArgs, maxArgs int, args func([]sqltypes.Type) ([]sqltypes.Type, error), result sqltypes.Type, strict bool, eval func(env *expr.Env, args []any) (any, error)) {
	expr.RegisterFunction(expr.Function{Name: name, MinArgs: minArgs, MaxArgs: maxArgs, ArgTypes: args, Result: fixed(result), Strict: strict, Eval: eval})
}

func constant(v any) func(*expr.Env, []any) (any, error) {
	return func(*expr.Env, []any) (any, error) { return v, nil }
}

func always(b bool) func(*expr.Env, []any) (any, error) { return constant(b) }

func init() {
	functionNames = expr.FunctionNames
	registerSystemFunctions()
	registerRegCasts()
}

func registerSystemFunctions() {
	register("version", 0, 0, nil, sqltypes.Text, false, constant(VersionString))
	register("current_schema", 0, 0, nil, sqltypes.Name, false, constant("public"))
	register("current_schemas", 1, 1, argsAs(sqltypes.Bool), sqltypes.NameArray, true, func(_ *expr.Env, a []any) (any, error) {
		out := sqltypes.Array{Elem: sqltypes.Name}
		if b, _ := a[0].(bool); b {
			out.Items = append(out.Items, "pg_catalog")
		}
		out.Items = append(out.Items, "public")
		return out, nil
	})
	register("current_database", 0, 0, nil, sqltypes.Name, false, func(env *expr.Env, _ []any) (any, error) {
		if env != nil && env.Session != nil && env.Session.Database() != "" {
			return env.Session.Database(), nil
		}
		return DatabaseName, nil
	})
	user := func(env *expr.Env, _ []any) (any, error) {
		if env != nil && env.Session != nil && env.Session.User() != "" {
			return env.Session.User(), nil
		}
		return OwnerName, nil
	}
	for _, n := range []string{"current_user", "session_user", "user", "current_role"} {
		register(n, 0, 0, nil, sqltypes.Name, false, user)
	}
	register("pg_backend_pid", 0, 0, nil, sqltypes.Int4, false, func(env *expr.Env, _ []any) (any, error) {
		if env != nil && env.Session != nil {
			return int64(env.Session.BackendPID()), nil
		}
		return int64(0), nil
	})
	register("current_setting", 1, 2, argsAs(sqltypes.Text, sqltypes.Bool), sqltypes.Text, false, func(env *expr.Env, a []any) (any, error) {
		name, _ := a[0].(string)
		if a[0] == nil {
			return nil, nil
		}
		missingOK := len(a) > 1 && a[1] == true
		if env != nil && env.Session != nil {
			if v, ok := env.Session.Setting(name); ok {
				return v, nil
			}
		}
		if missingOK {
			return nil, nil
		}
		return nil, sqlstate.New(sqlstate.UndefinedObject, "unrecognized configuration parameter %q", name)
	})
	register("set_config", 3, 3, argsAs(sqltypes.Text, sqltypes.Text, sqltypes.Bool), sqltypes.Text, false, func(env *expr.Env, a []any) (any, error) {
		name, _ := a[0].(string)
		value, _ := a[1].(string)
		if a[0] == nil {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "set_config needs a parameter name")
		}
		if env == nil || env.Session == nil {
			return value, nil
		}
		if err := env.Session.SetSetting(name, value); err != nil {
			return nil, err
		}
		v, _ := env.Session.Setting(name)
		return v, nil
	})
	register("pg_table_is_visible", 1, 1, argsAs(sqltypes.OID), sqltypes.Bool, true, func(env *expr.Env, a []any) (any, error) {
		oid := toOID(a[0])
		c := catalogOf(env)
		if t, ok := c.TableByOID(oid); ok {
			return t.Schema == "public" || t.Schema == "pg_catalog", nil
		}
		if t, ok := c.tableByIndexOID(oid); ok {
			return t.Schema == "public", nil
		}
		return false, nil
	})
	register("pg_type_is_visible", 1, 1, argsAs(sqltypes.OID), sqltypes.Bool, true, always(true))
	register("pg_function_is_visible", 1, 1, argsAs(sqltypes.OID), sqltypes.Bool, true, always(true))
	for _, n := range []string{"pg_operator_is_visible", "pg_opclass_is_visible", "pg_opfamily_is_visible", "pg_conversion_is_visible",
		"pg_ts_config_is_visible", "pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible", "pg_collation_is_visible"} {
		register(n, 1, 1, argsAs(sqltypes.OID), sqltypes.Bool, true, always(true)) // psql's \do, \dF…, \dc
	}
	register("format_type", 2, 2, argsAs(sqltypes.OID, sqltypes.Int4), sqltypes.Text, false, func(_ *expr.Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		t := sqltypes.Type(toOID(a[0]))
		if !sqltypes.Known(t) {
			return "???", nil
		}
		return sqltypes.FormatType(t), nil
	})
	register("pg_get_expr", 2, 3, argsAs(sqltypes.Text, sqltypes.OID, sqltypes.Bool), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		// Expressions are stored as their text in pg_attrdef and pg_index.
		return a[0], nil
	})
	register("pg_get_userbyid", 1, 1, argsAs(sqltypes.OID), sqltypes.Name, true, func(_ *expr.Env, a []any) (any, error) {
		if toOID(a[0]) == OwnerRole {
			return OwnerName, nil
		}
		return fmt.Sprintf("unknown (OID=%d)", toOID(a[0])), nil
	})
	register("obj_description", 1, 2, argsAs(sqltypes.OID, sqltypes.Name), sqltypes.Text, true, func(env *expr.Env, a []any) (any, error) {
		oid := toOID(a[0])
		class := "pg_class"
		if len(a) > 1 {
			class, _ = a[1].(string)
		}
		switch class {
		case "pg_class":
			if t, ok := catalogOf(env).TableByOID(oid); ok && t.Description != "" {
				return t.Description, nil
			}
			if len(a) > 1 {
				return nil, nil
			}
			fallthrough
		case "pg_proc":
			if r, ok := routineByOID(oid); ok && r.Description != "" {
				return r.Description, nil
			}
		case "pg_namespace":
			switch oid {
			case NamespacePublic:
				return "stripe objects, one table per stripe resource", nil
			case NamespacePgCatalog:
				return "system catalog schema", nil
			}
		case "pg_extension":
			if oid == extensionPlpgsql {
				return plpgsqlDescription, nil
			}
		}
		return nil, nil
	})
	register("col_description", 2, 2, argsAs(sqltypes.OID, sqltypes.Int4), sqltypes.Text, true, func(env *expr.Env, a []any) (any, error) {
		t, ok := catalogOf(env).TableByOID(toOID(a[0]))
		n := toInt(a[1])
		if !ok || n < 1 || int(n) > len(t.Columns) || t.Columns[n-1].Description == "" {
			return nil, nil
		}
		return t.Columns[n-1].Description, nil
	})
	register("shobj_description", 2, 2, argsAs(sqltypes.OID, sqltypes.Name), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		if toOID(a[0]) == DatabaseOID {
			return "stripe account, as a postgresql database", nil
		}
		return nil, nil
	})
	for _, n := range []string{"has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
		"has_function_privilege", "has_any_column_privilege", "has_sequence_privilege", "has_type_privilege", "has_foreign_data_wrapper_privilege",
		"has_server_privilege", "has_tablespace_privilege", "has_language_privilege", "pg_has_role"} {
		// Every object a session can see it can read; writes are refused by the planner for
		// read-only sessions with a clearer error than a privilege check would give.
		register(n, 2, 4, nil, sqltypes.Bool, true, always(true))
	}
	register("pg_encoding_to_char", 1, 1, argsAs(sqltypes.Int4), sqltypes.Name, true, func(_ *expr.Env, a []any) (any, error) {
		switch toInt(a[0]) {
		case 6:
			return "UTF8", nil
		case 0:
			return "SQL_ASCII", nil
		}
		return "", nil
	})
	register("pg_char_to_encoding", 1, 1, argsAs(sqltypes.Name), sqltypes.Int4, true, func(_ *expr.Env, a []any) (any, error) {
		if s, _ := a[0].(string); strings.EqualFold(s, "utf8") {
			return int64(6), nil
		}
		return int64(-1), nil
	})
	register("pg_get_indexdef", 1, 3, argsAs(sqltypes.OID, sqltypes.Int4, sqltypes.Bool), sqltypes.Text, true, func(env *expr.Env, a []any) (any, error) {
		t, ok := catalogOf(env).tableByIndexOID(toOID(a[0]))
		if !ok {
			return nil, nil
		}
		if len(a) > 1 && toInt(a[1]) > 0 {
			return "id", nil
		}
		if len(a) > 2 && a[2] == true && t.Schema == "public" {
			// pretty output names the table as the search path finds it (psql's \d)
			return "CREATE UNIQUE INDEX " + t.Name + "_pkey ON " + t.Name + " USING btree (id)", nil
		}
		return IndexDef(t), nil
	})
	register("pg_get_constraintdef", 1, 2, argsAs(sqltypes.OID, sqltypes.Bool), sqltypes.Text, true, func(env *expr.Env, a []any) (any, error) {
		c := catalogOf(env)
		if _, ok := c.tableByIndexOID(toOID(a[0])); ok {
			return "PRIMARY KEY (id)", nil
		}
		for _, fk := range c.ForeignKeys() {
			if fk.OID() == toOID(a[0]) {
				return fk.Def(), nil
			}
		}
		return nil, nil
	})
	register("pg_get_function_arguments", 1, 1, argsAs(sqltypes.OID), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		if r, ok := routineByOID(toOID(a[0])); ok {
			return routineArguments(r, true), nil
		}
		return "", nil
	})
	register("pg_get_function_identity_arguments", 1, 1, argsAs(sqltypes.OID), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		if r, ok := routineByOID(toOID(a[0])); ok {
			return routineArguments(r, false), nil
		}
		return "", nil
	})
	register("pg_get_function_result", 1, 1, argsAs(sqltypes.OID), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		if _, ok := routineByOID(toOID(a[0])); ok {
			return nil, nil // procedures have no result type, as in PostgreSQL
		}
		return "text", nil
	})
	register("pg_get_function_sqlbody", 1, 1, argsAs(sqltypes.OID), sqltypes.Text, true, constant(nil))
	for _, n := range []string{"pg_get_viewdef", "pg_get_triggerdef", "pg_get_ruledef", "pg_get_partkeydef", "pg_get_partition_constraintdef",
		"pg_get_statisticsobjdef_columns", "pg_get_serial_sequence"} { // pg_get_functiondef: functiondef.go
		register(n, 1, 3, nil, sqltypes.Text, true, constant(nil))
	}
	register("pg_tablespace_location", 1, 1, argsAs(sqltypes.OID), sqltypes.Text, true, constant(""))
	for _, n := range []string{"pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size"} {
		// Stripe objects take no space here; sizes are zero.
		register(n, 1, 2, nil, sqltypes.Int8, true, constant(int64(0)))
	}
	register("pg_size_pretty", 1, 1, argsAs(sqltypes.Int8), sqltypes.Text, true, func(_ *expr.Env, a []any) (any, error) {
		return sizePretty(toInt(a[0])), nil
	})
	for _, n := range []string{"pg_database_size", "pg_tablespace_size"} {
		// psql's \l+ and \db+: the database's Stripe objects are not stored here.
		register(n, 1, 1, nil, sqltypes.Int8, true, constant(int64(0)))
	}
	register("getdatabaseencoding", 0, 0, nil, sqltypes.Name, false, constant("UTF8"))
	register("pg_client_encoding", 0, 0, nil, sqltypes.Name, false, constant("UTF8"))
	register("pg_statistics_obj_is_visible", 1, 1, argsAs(sqltypes.OID), sqltypes.Bool, true, always(true))
	register("pg_describe_object", 3, 3, argsAs(sqltypes.OID, sqltypes.OID, sqltypes.Int4), sqltypes.Text, true, func(env *expr.Env, a []any) (any, error) {
		return describeObject(catalogOf(env), toOID(a[0]), toOID(a[1]), toInt(a[2])), nil
	})
	register("pg_postmaster_start_time", 0, 0, nil, sqltypes.Timestamptz, false, constant(startTime.UTC()))
	register("pg_conf_load_time", 0, 0, nil, sqltypes.Timestamptz, false, constant(startTime.UTC()))
	register("pg_is_in_recovery", 0, 0, nil, sqltypes.Bool, false, always(false))
	expr.RegisterFunction(expr.Function{Name: "txid_current", Result: fixed(sqltypes.Int8), Volatile: true,
		Eval: func(*expr.Env, []any) (any, error) { return txid.Add(1), nil }})
	register("pg_relation_is_publishable", 1, 1, nil, sqltypes.Bool, true, always(false))
	register("pg_jit_available", 0, 0, nil, sqltypes.Bool, false, always(false))
	register("inet_server_port", 0, 0, nil, sqltypes.Int4, false, constant(nil))
	registerBitwise()
}

// registerBitwise adds PostgreSQL's int2and … int8xor, the functions behind the integer
// operators &, | and #; the planner binds those operators to them (pgjdbc's getIndexInfo tests
// index column options with indoption[k] & 1).
func registerBitwise() {
	ops := map[string]func(x, y int64) int64{
		"and": func(x, y int64) int64 { return x & y },
		"or":  func(x, y int64) int64 { return x | y },
		"xor": func(x, y int64) int64 { return x ^ y },
	}
	for _, t := range []sqltypes.Type{sqltypes.Int2, sqltypes.Int4, sqltypes.Int8} {
		for name, op := range ops {
			args := func([]sqltypes.Type) ([]sqltypes.Type, error) { return []sqltypes.Type{t, t}, nil }
			register(sqltypes.Typname(t)+name, 2, 2, args, t, true, func(_ *expr.Env, a []any) (any, error) {
				x, ok1 := a[0].(int64)
				y, ok2 := a[1].(int64)
				if !ok1 || !ok2 {
					return nil, sqlstate.New(sqlstate.DatatypeMismatch, "integer operands expected")
				}
				return op(x, y), nil
			})
		}
	}
}

// describeObject is pg_describe_object's text for the objects stripesql has ("table customers",
// "column email of table customers", "function cancelsubscription(text,boolean)"), NULL for an
// object it does not know.
func describeObject(c *Catalog, class, oid uint32, sub int64) any {
	switch class {
	case ClassPgClass:
		if t, ok := c.TableByOID(oid); ok {
			kind := "table"
			if pg15Kind(t.Schema, t.Name) == "v" || t.Schema == "information_schema" {
				kind = "view"
			}
			name := t.Name
			if t.Schema != "public" && t.Schema != "pg_catalog" {
				name = t.Schema + "." + t.Name
			}
			if sub > 0 && int(sub) <= len(t.Columns) {
				return "column " + t.Columns[sub-1].Name + " of " + kind + " " + name
			}
			return kind + " " + name
		}
		if t, ok := c.tableByIndexOID(oid); ok {
			return "index " + t.Name + "_pkey"
		}
	case ClassPgProc:
		if r, ok := routineByOID(oid); ok {
			types := make([]string, len(r.Params))
			for i, p := range r.Params {
				types[i] = sqltypes.FormatType(p.Type)
			}
			return "function " + r.SQLName() + "(" + strings.Join(types, ",") + ")"
		}
	case ClassPgNamespace:
		for _, ns := range schemas {
			if ns.oid == oid {
				return "schema " + ns.name
			}
		}
	case ClassPgType:
		if t := sqltypes.Type(oid); sqltypes.Known(t) {
			return "type " + sqltypes.FormatType(t)
		}
	case ClassPgConstraint:
		if t, ok := c.tableByIndexOID(oid); ok {
			return "constraint " + t.Name + "_pkey on table " + t.Name
		}
		for _, fk := range c.ForeignKeys() {
			if fk.OID() == oid {
				return "constraint " + fk.Name() + " on table " + fk.Table.Name
			}
		}
	case classPgExtension:
		if oid == extensionPlpgsql {
			return "extension plpgsql"
		}
	}
	return nil
}

// classPgExtension is pg_extension's OID, the classid of an extension in pg_depend.
const classPgExtension uint32 = 3079

// routineArguments prints a procedure's parameters as pg_get_function_arguments does:
// "IN customer text, IN amount bigint DEFAULT NULL::bigint" (PostgreSQL names the mode of a
// procedure's parameters, IN included).
func routineArguments(r *Routine, defaults bool) string {
	parts := make([]string, len(r.Params))
	for i, p := range r.Params {
		s := "IN " + expr.QuoteIdent(p.Name) + " " + sqltypes.FormatType(p.Type)
		if defaults && !p.Required {
			s += " DEFAULT NULL::" + sqltypes.FormatType(p.Type)
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

func sizePretty(n int64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB"}
	i := 0
	v := n
	for i < len(units)-1 && (v >= 10*1024 || v <= -10*1024) {
		v = (v + 512) / 1024
		i++
	}
	return strconv.FormatInt(v, 10) + " " + units[i]
}

// splitQualified splits "schema.name" (either part possibly double-quoted) and folds unquoted
// parts to lower case, as PostgreSQL reads a regclass literal.
func splitQualified(s string) (schema, name string, err error) {
	var parts []string
	s = strings.TrimSpace(s)
	for len(s) > 0 {
		if s[0] == '"' {
			end := 1
			var sb strings.Builder
			for end < len(s) {
				if s[end] == '"' {
					if end+1 < len(s) && s[end+1] == '"' {
						sb.WriteByte('"')
						end += 2
						continue
					}
					break
				}
				sb.WriteByte(s[end])
				end++
			}
			if end >= len(s) {
				return "", "", sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid name syntax")
			}
			parts = append(parts, sb.String())
			s = s[end+1:]
		} else {
			i := strings.IndexByte(s, '.')
			if i < 0 {
				i = len(s)
			}
			parts = append(parts, strings.ToLower(strings.TrimSpace(s[:i])))
			s = s[i:]
		}
		if len(s) > 0 {
			if s[0] != '.' {
				return "", "", sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid name syntax")
			}
			s = s[1:]
		}
	}
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	case 3:
		return parts[1], parts[2], nil
	}
	return "", "", sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid name syntax")
}

func registerRegCasts() {
	textToRegclass := func(env *expr.Env, v any) (any, error) {
		s := fmt.Sprint(v)
		if n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32); err == nil {
			return int64(n), nil
		}
		schema, name, err := splitQualified(s)
		if err != nil {
			return nil, err
		}
		c := catalogOf(env)
		if t, ok := c.Lookup(schema, name); ok {
			return int64(t.OID), nil
		}
		for _, t := range c.Tables() {
			if hasPrimaryKey(t) && t.Name+"_pkey" == name && (schema == "" || schema == t.Schema) {
				return int64(PrimaryKeyOID(t)), nil
			}
		}
		switch name {
		case "pg_class":
			return int64(ClassPgClass), nil
		case "pg_proc":
			return int64(ClassPgProc), nil
		case "pg_namespace":
			return int64(ClassPgNamespace), nil
		case "pg_type":
			return int64(ClassPgType), nil
		case "pg_constraint":
			return int64(ClassPgConstraint), nil
		case "pg_database":
			return int64(ClassPgDatabase), nil
		}
		return nil, sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", s)
	}
	regclassToText := func(env *expr.Env, v any) (any, error) {
		oid := toOID(v)
		c := catalogOf(env)
		if t, ok := c.TableByOID(oid); ok {
			if t.Schema == "public" || t.Schema == "pg_catalog" {
				return expr.QuoteIdent(t.Name), nil
			}
			return expr.QuoteIdent(t.Schema) + "." + expr.QuoteIdent(t.Name), nil
		}
		if t, ok := c.tableByIndexOID(oid); ok {
			return t.Name + "_pkey", nil
		}
		switch oid {
		case ClassPgClass:
			return "pg_class", nil
		case ClassPgProc:
			return "pg_proc", nil
		case ClassPgNamespace:
			return "pg_namespace", nil
		case ClassPgType:
			return "pg_type", nil
		}
		return strconv.FormatUint(uint64(oid), 10), nil
	}
	textToRegtype := func(_ *expr.Env, v any) (any, error) {
		s := strings.TrimSpace(fmt.Sprint(v))
		if n, err := strconv.ParseUint(s, 10, 32); err == nil {
			return int64(n), nil
		}
		s = strings.TrimPrefix(strings.TrimPrefix(s, "pg_catalog."), `"pg_catalog".`)
		t, err := expr.TypeByName(strings.ToLower(strings.Trim(s, `"`)))
		if err != nil {
			if oid, ok := pseudoTypes[strings.ToLower(s)]; ok {
				return int64(oid), nil
			}
			return nil, err
		}
		return int64(t), nil
	}
	regtypeToText := func(_ *expr.Env, v any) (any, error) {
		t := sqltypes.Type(toOID(v))
		if t == 0 {
			return "-", nil
		}
		if !sqltypes.Known(t) {
			for name, oid := range pseudoTypes {
				if oid == uint32(t) {
					return name, nil
				}
			}
			return strconv.FormatUint(uint64(t), 10), nil
		}
		return sqltypes.FormatType(t), nil
	}
	textToRegproc := func(_ *expr.Env, v any) (any, error) {
		s := strings.TrimSpace(fmt.Sprint(v))
		if n, err := strconv.ParseUint(s, 10, 32); err == nil {
			return int64(n), nil
		}
		if s == "-" {
			return int64(0), nil
		}
		schema, name, err := splitQualified(s)
		if err != nil {
			return nil, err
		}
		if _, ok := expr.LookupFunction(name); (ok || isSetFunction(name)) && schema != "public" {
			return int64(FunctionOID(name)), nil
		}
		if name == arrayInFunc && schema != "public" {
			return int64(FunctionOID(arrayInFunc)), nil
		}
		for _, r := range Routines() {
			if strings.EqualFold(r.Name, name) {
				return int64(RoutineOID(r.Name)), nil
			}
		}
		return nil, sqlstate.New(sqlstate.UndefinedFunction, "function %q does not exist", s)
	}
	regprocToText := func(_ *expr.Env, v any) (any, error) {
		oid := toOID(v)
		if oid == 0 {
			return "-", nil
		}
		if r, ok := routineByOID(oid); ok {
			return r.SQLName(), nil
		}
		if oid == FunctionOID(arrayInFunc) {
			return arrayInFunc, nil
		}
		for _, n := range expr.FunctionNames() {
			if FunctionOID(n) == oid {
				return n, nil
			}
		}
		for _, f := range setFunctions() {
			if FunctionOID(f.name) == oid {
				return f.name, nil
			}
		}
		return strconv.FormatUint(uint64(oid), 10), nil
	}
	// regnamespace reads and prints schema names the way regclass does table names: a name that
	// is not a schema is 3F000 on input, an OID with no schema prints as its number.
	textToRegnamespace := func(_ *expr.Env, v any) (any, error) {
		s := strings.TrimSpace(fmt.Sprint(v))
		if n, err := strconv.ParseUint(s, 10, 32); err == nil {
			return int64(n), nil
		}
		if s == "-" {
			return int64(0), nil
		}
		schema, name, err := splitQualified(s)
		if err != nil || schema != "" {
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid name syntax")
		}
		for _, ns := range schemas {
			if ns.name == name {
				return int64(ns.oid), nil
			}
		}
		return nil, sqlstate.New(sqlstate.InvalidSchemaName, "schema %q does not exist", name)
	}
	regnamespaceToText := func(_ *expr.Env, v any) (any, error) {
		oid := toOID(v)
		if oid == 0 {
			return "-", nil
		}
		for _, ns := range schemas {
			if ns.oid == oid {
				return expr.QuoteIdent(ns.name), nil
			}
		}
		return strconv.FormatUint(uint64(oid), 10), nil
	}
	for _, from := range []sqltypes.Type{sqltypes.Text, sqltypes.Unknown, sqltypes.Varchar, sqltypes.Name} {
		expr.RegisterCast(from, sqltypes.Regnamespace, textToRegnamespace)
		expr.RegisterCast(from, sqltypes.Regclass, textToRegclass)
		expr.RegisterCast(from, sqltypes.Regtype, textToRegtype)
		expr.RegisterCast(from, sqltypes.Regproc, textToRegproc)
	}
	for _, to := range []sqltypes.Type{sqltypes.Text, sqltypes.Varchar, sqltypes.Name} {
		expr.RegisterCast(sqltypes.Regclass, to, regclassToText)
		expr.RegisterCast(sqltypes.Regtype, to, regtypeToText)
		expr.RegisterCast(sqltypes.Regproc, to, regprocToText)
		expr.RegisterCast(sqltypes.Regnamespace, to, regnamespaceToText)
	}
	// Text output of the reg* types prints the same names as their casts to text.
	for t, f := range map[sqltypes.Type]func(*expr.Env, any) (any, error){
		sqltypes.Regclass: regclassToText, sqltypes.Regtype: regtypeToText,
		sqltypes.Regproc: regprocToText, sqltypes.Regnamespace: regnamespaceToText,
	} {
		sqltypes.RegisterOIDOutput(t, func(oid uint32) string {
			s, err := f(nil, int64(oid))
			if err != nil {
				return strconv.FormatUint(uint64(oid), 10)
			}
			return s.(string)
		})
	}
}

// pseudoTypes are PostgreSQL's pseudo-types no column or value here has, by name and OID, so a
// regtype literal naming one reads: psql's \df hides trigger functions with
// prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype.
var pseudoTypes = map[string]uint32{
	"trigger": 2279, "event_trigger": 3838, "language_handler": 2280, "fdw_handler": 3115,
	"index_am_handler": 325, "tsm_handler": 3310, "table_am_handler": 269, "internal": 2281,
	"cstring": 2275, "any": 2276, "anyelement": 2283, "anyarray": 2277, "anynonarray": 2776,
	"anyenum": 3500, "anyrange": 3831, "anymultirange": 4537, "anycompatible": 5077,
	"anycompatiblearray": 5078, "anycompatiblenonarray": 5079, "anycompatiblerange": 5080,
	"anycompatiblemultirange": 4538, "pg_ddl_command": 32,
}

// arrayInFunc names PostgreSQL's array input function, the typinput of every array type in
// pg_type: pgjdbc tells arrays apart with typinput = 'pg_catalog.array_in'::regproc. It is not
// callable; it only gives pg_type.typinput a value that casts to and from regproc.
const arrayInFunc = "array_in"
