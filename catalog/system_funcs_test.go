package catalog

import (
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
		{"pg_get_function_arguments", "pg_get_function_arguments", []expr.Expr{oid(RoutineOID("CancelSubscription"))}, `"SubscriptionId" text, invoice_now boolean DEFAULT NULL::boolean`},
		{"pg_get_function_identity_arguments", "pg_get_function_identity_arguments", []expr.Expr{oid(RoutineOID("CancelSubscription"))}, `"SubscriptionId" text, invoice_now boolean`},
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
