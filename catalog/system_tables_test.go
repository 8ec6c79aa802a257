package catalog

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// checkValue reports whether v has package sqltypes' representation of type t.
func checkValue(v any, t sqltypes.Type) error {
	if v == nil {
		return nil
	}
	ok := false
	switch t {
	case sqltypes.OID, sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Regproc, sqltypes.Regclass, sqltypes.Regtype:
		_, ok = v.(int64)
	case sqltypes.Name, sqltypes.Text, sqltypes.Varchar:
		_, ok = v.(string)
	case sqltypes.Char:
		s, isString := v.(string)
		ok = isString && len(s) <= 1
	case sqltypes.Bool:
		_, ok = v.(bool)
	case sqltypes.Float4, sqltypes.Float8:
		_, ok = v.(float64)
	case sqltypes.Timestamptz:
		_, ok = v.(time.Time)
	default:
		if e := sqltypes.Elem(t); e != 0 {
			a, isArray := v.(sqltypes.Array)
			if !isArray {
				break
			}
			for _, it := range a.Items {
				if err := checkValue(it, e); err != nil {
					return err
				}
			}
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("%T %v is not a %s", v, v, sqltypes.FormatType(t))
	}
	return nil
}

func TestSystemTableRowsMatchColumns(t *testing.T) {
	RegisterRoutines(func() []Routine {
		return []Routine{{Name: "CancelSubscription", Description: "cancels a subscription", Params: []RoutineParam{
			{Name: "SubscriptionId", Type: sqltypes.Text, Required: true}, {Name: "invoice_now", Type: sqltypes.Bool}}}}
	})
	defer RegisterRoutines(nil)
	c := Default()
	for _, tbl := range c.Tables() {
		if tbl.Rows == nil {
			continue
		}
		t.Run(tbl.Schema+"."+tbl.Name, func(t *testing.T) {
			for i, row := range tbl.Rows(c) {
				if len(row) != len(tbl.Columns) {
					t.Fatalf("row %d has %d values, table has %d columns", i, len(row), len(tbl.Columns))
				}
				for j, v := range row {
					if err := checkValue(v, tbl.Columns[j].Type); err != nil {
						t.Fatalf("row %d column %s: %v", i, tbl.Columns[j].Name, err)
					}
				}
			}
		})
	}
}

func TestDefaultCatalog(t *testing.T) {
	c := Default()
	seen := map[uint32]string{}
	for _, tbl := range c.Tables() {
		name := tbl.Schema + "." + tbl.Name
		if other, dup := seen[tbl.OID]; dup {
			t.Errorf("%s and %s share OID %d", name, other, tbl.OID)
		}
		seen[tbl.OID] = name
	}
	for _, want := range [][2]string{{"", "pg_class"}, {"pg_catalog", "pg_attribute"}, {"information_schema", "columns"}, {"public", "customers"}, {"", "customers"}} {
		if _, ok := c.Lookup(want[0], want[1]); !ok {
			t.Errorf("Lookup(%q, %q) found nothing", want[0], want[1])
		}
	}
	if _, ok := c.Lookup("", "columns"); ok {
		t.Errorf("information_schema.columns must need its schema name")
	}
}

// rowsWhere returns the rows of a system table whose column col equals v.
func rowsWhere(t *testing.T, c *Catalog, table, col string, v any) [][]any {
	t.Helper()
	tbl, ok := c.Lookup("", table)
	if !ok {
		tbl, ok = c.Lookup("information_schema", table)
	}
	if !ok {
		t.Fatalf("no table %s", table)
	}
	_, idx, ok := tbl.Column(col)
	if !ok {
		t.Fatalf("%s has no column %s", table, col)
	}
	var out [][]any
	for _, r := range tbl.Rows(c) {
		if r[idx] == v {
			out = append(out, r)
		}
	}
	return out
}

func pick(t *testing.T, c *Catalog, table string, row []any, cols ...string) []any {
	t.Helper()
	tbl, ok := c.Lookup("", table)
	if !ok {
		tbl, _ = c.Lookup("information_schema", table)
	}
	var out []any
	for _, name := range cols {
		_, i, ok := tbl.Column(name)
		if !ok {
			t.Fatalf("%s has no column %s", table, name)
		}
		out = append(out, row[i])
	}
	return out
}

func TestIntrospectionRows(t *testing.T) {
	widgets := &Table{Name: "widgets", Description: "widgets of the shop", Columns: []Column{
		{Name: "id", Type: sqltypes.Text, Description: "unique identifier"},
		{Name: "amount", Type: sqltypes.Int8, Description: "amount in cents"},
		{Name: "tags", Type: sqltypes.TextArray},
	}, List: &ListSpec{Path: "/v1/widgets"}}
	c := New(append([]*Table{widgets}, SystemTables()...)...)
	oid := int64(widgets.OID)
	tests := []struct {
		name string
		got  func() [][]any
		want [][]any
	}{
		{"pg_class", func() [][]any {
			var out [][]any
			for _, r := range rowsWhere(t, c, "pg_class", "relnamespace", int64(NamespacePublic)) {
				out = append(out, pick(t, c, "pg_class", r, "relname", "relkind", "relnatts", "relhasindex"))
			}
			return out
		}, [][]any{{"widgets", "r", int64(3), true}, {"widgets_pkey", "i", int64(1), false}}},
		{"pg_attribute", func() [][]any {
			var out [][]any
			for _, r := range rowsWhere(t, c, "pg_attribute", "attrelid", oid) {
				out = append(out, pick(t, c, "pg_attribute", r, "attname", "atttypid", "attnum", "attnotnull"))
			}
			return out
		}, [][]any{{"id", int64(25), int64(1), true}, {"amount", int64(20), int64(2), false}, {"tags", int64(1009), int64(3), false}}},
		{"pg_description", func() [][]any {
			var out [][]any
			for _, r := range rowsWhere(t, c, "pg_description", "objoid", oid) {
				out = append(out, pick(t, c, "pg_description", r, "objsubid", "description"))
			}
			return out
		}, [][]any{{int64(0), "widgets of the shop"}, {int64(1), "unique identifier"}, {int64(2), "amount in cents"}}},
		{"pg_index", func() [][]any {
			var out [][]any
			for _, r := range rowsWhere(t, c, "pg_index", "indrelid", oid) {
				out = append(out, pick(t, c, "pg_index", r, "indisprimary", "indkey"))
			}
			return out
		}, [][]any{{true, sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(1)}}}}},
		{"information_schema.columns", func() [][]any {
			var out [][]any
			for _, r := range rowsWhere(t, c, "columns", "table_name", "widgets") {
				out = append(out, pick(t, c, "columns", r, "column_name", "data_type", "udt_name", "is_nullable"))
			}
			return out
		}, [][]any{{"id", "text", "text", "NO"}, {"amount", "bigint", "int8", "YES"}, {"tags", "ARRAY", "_text", "YES"}}},
		{"information_schema.tables", func() [][]any {
			var out [][]any
			for _, r := range rowsWhere(t, c, "tables", "table_schema", "public") {
				out = append(out, pick(t, c, "tables", r, "table_name", "table_type"))
			}
			return out
		}, [][]any{{"widgets", "BASE TABLE"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoutinesInPgProc(t *testing.T) {
	RegisterRoutines(func() []Routine {
		return []Routine{{Name: "CancelSubscription", Description: "cancels a subscription", Params: []RoutineParam{
			{Name: "SubscriptionId", Type: sqltypes.Text, Required: true}, {Name: "invoice_now", Type: sqltypes.Bool}}}}
	})
	defer RegisterRoutines(nil)
	c := New(SystemTables()...)
	// Listed folded to lower case, as PostgreSQL stores an unquoted name (psql's \df folds too).
	rows := rowsWhere(t, c, "pg_proc", "proname", "cancelsubscription")
	if len(rows) != 1 {
		t.Fatalf("pg_proc has %d rows for cancelsubscription", len(rows))
	}
	if r := rowsWhere(t, c, "routines", "routine_name", "cancelsubscription"); len(r) != 1 {
		t.Errorf("information_schema.routines has %d rows for cancelsubscription", len(r))
	}
	got := pick(t, c, "pg_proc", rows[0], "prokind", "pronamespace", "pronargs", "pronargdefaults", "proargnames")
	want := []any{"p", int64(NamespacePublic), int64(2), int64(1), sqltypes.Array{Elem: sqltypes.Text, Items: []any{"SubscriptionId", "invoice_now"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	params := rowsWhere(t, c, "parameters", "parameter_name", "invoice_now")
	if len(params) != 1 {
		t.Fatalf("information_schema.parameters: %v", params)
	}
	if diff := cmp.Diff([]any{int64(2), "boolean", "NULL::boolean"}, pick(t, c, "parameters", params[0], "ordinal_position", "data_type", "parameter_default")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestForeignKeys(t *testing.T) {
	customers := &Table{Name: "customers", Columns: []Column{{Name: "id", Type: sqltypes.Text}}}
	charges := &Table{Name: "charges", Columns: []Column{{Name: "id", Type: sqltypes.Text},
		{Name: "customer", Type: sqltypes.Text, Expandable: true},
		{Name: "invoice", Type: sqltypes.Text, Expandable: true}, // no invoices table here
		{Name: "currency", Type: sqltypes.Text}}}
	c := New(append([]*Table{customers, charges}, SystemTables()...)...)
	var got []string
	for _, fk := range c.ForeignKeys() {
		got = append(got, fk.Name()+": "+fk.Def())
	}
	if diff := cmp.Diff([]string{"charges_customer_fkey: FOREIGN KEY (customer) REFERENCES customers(id)"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rows := rowsWhere(t, c, "pg_constraint", "contype", "f")
	if len(rows) != 1 {
		t.Fatalf("pg_constraint foreign keys: %v", rows)
	}
	if diff := cmp.Diff([]any{int64(charges.OID), int64(customers.OID), sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(2)}}},
		pick(t, c, "pg_constraint", rows[0], "conrelid", "confrelid", "conkey")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// psql's \d lists foreign keys and "referenced by" only for tables with relhastriggers.
	for _, tt := range []struct {
		name string
		want bool
	}{{"charges", true}, {"customers", true}, {"pg_class", false}} {
		r := rowsWhere(t, c, "pg_class", "relname", tt.name)
		if len(r) != 1 {
			t.Fatalf("pg_class rows for %s: %v", tt.name, r)
		}
		if diff := cmp.Diff([]any{tt.want}, pick(t, c, "pg_class", r[0], "relhastriggers")); diff != "" {
			t.Errorf("%s relhastriggers (-want +got):\n%s", tt.name, diff)
		}
	}
}
