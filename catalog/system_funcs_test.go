package catalog

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// testSession is an expr.Session with a catalog, as planner.Session is.
type testSession struct {
	cat      *Catalog
	settings map[string]string
}

func (s *testSession) Setting(name string) (string, bool) { v, ok := s.settings[name]; return v, ok }
func (s *testSession) SetSetting(name, value string) error {
	s.settings[name] = value
	return nil
}
func (s *testSession) User() string             { return "alice" }
func (s *testSession) Database() string         { return "mydb" }
func (s *testSession) BackendPID() int32        { return 4242 }
func (s *testSession) Location() *time.Location { return time.UTC }
func (s *testSession) Catalog() *Catalog        { return s.cat }

func TestSystemFunctions(t *testing.T) {
	RegisterRoutines(func() []Routine {
		return []Routine{{Name: "CancelSubscription", Params: []RoutineParam{
			{Name: "SubscriptionId", Type: sqltypes.Text, Required: true}, {Name: "invoice_now", Type: sqltypes.Bool}}}}
	})
	defer RegisterRoutines(nil)
	widgets := &Table{Name: "widgets", Description: "widgets", Columns: []Column{{Name: "id", Type: sqltypes.Text, Description: "the id"}}}
	info := &Table{Schema: "information_schema", Name: "things", Columns: []Column{{Name: "x", Type: sqltypes.Text}}, Rows: empty}
	cat := New(widgets, info)
	env := &expr.Env{Session: &testSession{cat: cat, settings: map[string]string{"timezone": "UTC"}}}
	c := func(v any, t sqltypes.Type) expr.Expr { return expr.NewConst(v, t) }
	oid := func(o uint32) expr.Expr { return c(int64(o), sqltypes.OID) }
	tests := []struct {
		name string
		fn   string
		args []expr.Expr
		want any
	}{
		{"version", "version", nil, VersionString},
		{"current_database", "current_database", nil, "mydb"},
		{"current_user", "current_user", nil, "alice"},
		{"current_schema", "current_schema", nil, "public"},
		{"current_schemas", "current_schemas", []expr.Expr{c(true, sqltypes.Bool)}, sqltypes.Array{Elem: sqltypes.Name, Items: []any{"pg_catalog", "public"}}},
		{"pg_backend_pid", "pg_backend_pid", nil, int64(4242)},
		{"current_setting", "current_setting", []expr.Expr{c("timezone", sqltypes.Text)}, "UTC"},
		{"current_setting missing ok", "current_setting", []expr.Expr{c("nope.x", sqltypes.Text), c(true, sqltypes.Bool)}, nil},
		{"set_config", "set_config", []expr.Expr{c("myapp.x", sqltypes.Text), c("7", sqltypes.Text), c(false, sqltypes.Bool)}, "7"},
		{"format_type", "format_type", []expr.Expr{oid(1184), c(int64(-1), sqltypes.Int4)}, "timestamp with time zone"},
		{"format_type null", "format_type", []expr.Expr{c(nil, sqltypes.OID), c(nil, sqltypes.Int4)}, nil},
		{"pg_get_userbyid", "pg_get_userbyid", []expr.Expr{oid(OwnerRole)}, OwnerName},
		{"obj_description", "obj_description", []expr.Expr{oid(widgets.OID), c("pg_class", sqltypes.Name)}, "widgets"},
		{"col_description", "col_description", []expr.Expr{oid(widgets.OID), c(int64(1), sqltypes.Int4)}, "the id"},
		{"col_description out of range", "col_description", []expr.Expr{oid(widgets.OID), c(int64(5), sqltypes.Int4)}, nil},
		{"table visible", "pg_table_is_visible", []expr.Expr{oid(widgets.OID)}, true},
		{"information_schema not visible", "pg_table_is_visible", []expr.Expr{oid(info.OID)}, false},
		{"pg_encoding_to_char", "pg_encoding_to_char", []expr.Expr{c(int64(6), sqltypes.Int4)}, "UTF8"},
		{"pg_get_indexdef", "pg_get_indexdef", []expr.Expr{oid(PrimaryKeyOID(widgets))}, "CREATE UNIQUE INDEX widgets_pkey ON public.widgets USING btree (id)"},
		{"pg_get_constraintdef", "pg_get_constraintdef", []expr.Expr{oid(PrimaryKeyOID(widgets)), c(true, sqltypes.Bool)}, "PRIMARY KEY (id)"},
		{"pg_get_function_arguments", "pg_get_function_arguments", []expr.Expr{oid(RoutineOID("CancelSubscription"))}, `IN "SubscriptionId" text, IN invoice_now boolean DEFAULT NULL::boolean`},
		{"pg_get_function_identity_arguments", "pg_get_function_identity_arguments", []expr.Expr{oid(RoutineOID("CancelSubscription"))}, `IN "SubscriptionId" text, IN invoice_now boolean`},
		{"pg_get_function_result of a procedure", "pg_get_function_result", []expr.Expr{oid(RoutineOID("CancelSubscription"))}, nil},
		{"has_table_privilege", "has_table_privilege", []expr.Expr{oid(widgets.OID), c("SELECT", sqltypes.Text)}, true},
		{"pg_is_in_recovery", "pg_is_in_recovery", nil, false},
		{"pg_size_pretty", "pg_size_pretty", []expr.Expr{c(int64(123456789), sqltypes.Int8)}, "118 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := expr.Call(tt.fn, tt.args)
			if err != nil {
				t.Fatalf("Call: %v", err)
			}
			got, err := e.Eval(env)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegCasts(t *testing.T) {
	widgets := &Table{Name: "widgets", Columns: []Column{{Name: "id", Type: sqltypes.Text}}}
	info := &Table{Schema: "information_schema", Name: "things", Rows: empty}
	cat := New(widgets, info)
	env := &expr.Env{Session: &testSession{cat: cat, settings: map[string]string{}}}
	tests := []struct {
		name string
		in   any
		from sqltypes.Type
		to   []sqltypes.Type
		want any
	}{
		{"name to regclass", "widgets", sqltypes.Text, []sqltypes.Type{sqltypes.Regclass, sqltypes.OID}, int64(widgets.OID)},
		{"quoted qualified", `"public"."widgets"`, sqltypes.Unknown, []sqltypes.Type{sqltypes.Regclass, sqltypes.OID}, int64(widgets.OID)},
		{"mixed case folds", "Widgets", sqltypes.Text, []sqltypes.Type{sqltypes.Regclass, sqltypes.OID}, int64(widgets.OID)},
		{"regclass round trip", "widgets", sqltypes.Text, []sqltypes.Type{sqltypes.Regclass, sqltypes.Text}, "widgets"},
		{"other schema is qualified", "information_schema.things", sqltypes.Text, []sqltypes.Type{sqltypes.Regclass, sqltypes.Text}, "information_schema.things"},
		{"pg_class", "pg_class", sqltypes.Text, []sqltypes.Type{sqltypes.Regclass, sqltypes.OID}, int64(ClassPgClass)},
		{"regtype", "bigint", sqltypes.Text, []sqltypes.Type{sqltypes.Regtype, sqltypes.OID}, int64(20)},
		{"regtype to text", int64(1184), sqltypes.OID, []sqltypes.Type{sqltypes.Regtype, sqltypes.Text}, "timestamp with time zone"},
		{"regnamespace", "pg_catalog", sqltypes.Unknown, []sqltypes.Type{sqltypes.Regnamespace, sqltypes.OID}, int64(NamespacePgCatalog)},
		{"quoted regnamespace", `"public"`, sqltypes.Text, []sqltypes.Type{sqltypes.Regnamespace, sqltypes.OID}, int64(NamespacePublic)},
		{"regnamespace round trip", "information_schema", sqltypes.Text, []sqltypes.Type{sqltypes.Regnamespace, sqltypes.Text}, "information_schema"},
		{"oid to regnamespace to text", int64(NamespacePublic), sqltypes.OID, []sqltypes.Type{sqltypes.Regnamespace, sqltypes.Text}, "public"},
		{"unknown namespace oid prints as a number", int64(4242), sqltypes.OID, []sqltypes.Type{sqltypes.Regnamespace, sqltypes.Text}, "4242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e expr.Expr = expr.NewConst(tt.in, tt.from)
			for _, to := range tt.to {
				var err error
				if e, err = expr.Cast(e, to); err != nil {
					t.Fatalf("Cast to %s: %v", sqltypes.FormatType(to), err)
				}
			}
			got, err := e.Eval(env)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("unknown schema", func(t *testing.T) {
		e, err := expr.Cast(expr.NewConst("nope", sqltypes.Text), sqltypes.Regnamespace)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Eval(env)
		if err == nil || err.Error() != `ERROR: schema "nope" does not exist (SQLSTATE 3F000)` {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unknown relation", func(t *testing.T) {
		e, err := expr.Cast(expr.NewConst("nope", sqltypes.Text), sqltypes.Regclass)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Eval(env)
		if err == nil || err.Error() != `ERROR: relation "nope" does not exist (SQLSTATE 42P01)` {
			t.Errorf("err = %v", err)
		}
	})
}

// TestRegTextOutput checks that reg* values print names in text format, as PostgreSQL's output
// functions do (psql's \d prints "referenced by" tables from conrelid::regclass).
func TestRegTextOutput(t *testing.T) {
	customers, ok := Default().Lookup("public", "customers")
	if !ok {
		t.Fatal("no customers table in the default catalog")
	}
	tests := []struct {
		name string
		v    int64
		t    sqltypes.Type
		want string
	}{
		{"regclass", int64(customers.OID), sqltypes.Regclass, "customers"},
		{"system regclass", int64(ClassPgClass), sqltypes.Regclass, "pg_class"},
		{"unknown regclass", 4242, sqltypes.Regclass, "4242"},
		{"regtype", 20, sqltypes.Regtype, "bigint"},
		{"regnamespace", int64(NamespacePgCatalog), sqltypes.Regnamespace, "pg_catalog"},
		{"regproc zero", 0, sqltypes.Regproc, "-"},
		{"oid stays a number", int64(customers.OID), sqltypes.OID, strconv.FormatUint(uint64(customers.OID), 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, sqltypes.FormatText(tt.v, tt.t)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
