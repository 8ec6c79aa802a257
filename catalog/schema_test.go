package catalog

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.golden")

// printSchema prints every table the way a reviewer reads a schema change: columns with types
// and paths, list filters with operators, exactness and default parameters, parents, search
// fields and write specs. Descriptions are left out so the file stays reviewable.
func printSchema(tables []*Table) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	sorted := append([]*Table(nil), tables...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	w("%d tables\n", len(sorted))
	for _, t := range sorted {
		w("\ntable %s.%s object=%s resource=%s\n", t.Schema, t.Name, t.Object, t.Resource)
		for _, c := range t.Columns {
			w("  column %s %s", c.Name, sqltypes.Typname(c.Type))
			switch {
			case c.FilterOnly:
				w(" filter-only")
			case c.Account:
				w(" account")
			case c.Path == nil:
				w(" path=<object>")
			default:
				w(" path=%s", strings.Join(c.Path, "."))
			}
			if c.Expandable {
				w(" expandable")
			}
			w("\n")
		}
		if l := t.List; l != nil {
			w("  list GET %s", l.Path)
			if len(l.Parents) > 0 {
				w(" parents=%s", strings.Join(l.Parents, ","))
			}
			if len(l.Required) > 0 {
				w(" required=%s", strings.Join(l.Required, ","))
			}
			if len(l.Params) > 0 {
				var ps []string
				for k, v := range l.Params {
					ps = append(ps, k+"="+v)
				}
				sort.Strings(ps)
				w(" params=%s", strings.Join(ps, "&"))
			}
			w("\n")
			for _, k := range l.Keys {
				ops := make([]string, len(k.Ops))
				for i, o := range k.Ops {
					ops[i] = string(o)
				}
				w("    key %s param=%s ops=%s", k.Column, k.Param, strings.Join(ops, ","))
				if k.Array {
					w(" array")
				}
				if k.Exact {
					w(" exact")
				} else {
					w(" recheck")
				}
				w("\n")
			}
		}
		if r := t.Retrieve; r != nil {
			w("  retrieve GET %s", r.Path)
			if len(r.Parents) > 0 {
				w(" parents=%s", strings.Join(r.Parents, ","))
			}
			w(" id=%s\n", r.IDColumn)
		}
		if s := t.Search; s != nil {
			w("  search GET %s\n", s.Path)
			for _, f := range s.Fields {
				loc := f.Column
				if len(f.Path) > 0 {
					loc += "->" + strings.Join(f.Path, "->")
				}
				w("    field %s at %s kind=%s", f.Field, loc, f.Kind)
				if f.Substring {
					w(" substring")
				}
				w("\n")
			}
		}
		for _, ws := range []struct {
			verb string
			spec *WriteSpec
		}{{"create", t.Create}, {"update", t.Update}} {
			if ws.spec == nil {
				continue
			}
			w("  %s POST %s", ws.verb, ws.spec.Path)
			if len(ws.spec.Parents) > 0 {
				w(" parents=%s", strings.Join(ws.spec.Parents, ","))
			}
			w("\n")
			for _, p := range ws.spec.Params {
				w("    param %s %s", p.Name, sqltypes.Typname(p.Type))
				if p.Required {
					w(" required")
				}
				w("\n")
			}
		}
		if d := t.Delete; d != nil {
			w("  delete %s %s", d.Method, d.Path)
			if len(d.Parents) > 0 {
				w(" parents=%s", strings.Join(d.Parents, ","))
			}
			w(" verb=%s\n", d.Verb)
		}
	}
	return b.String()
}

func TestSchemaGolden(t *testing.T) {
	got := printSchema(StripeTables())
	const file = "testdata/schema.golden"
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./catalog -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("schema differs from %s (-want +got); review and run go test ./catalog -update:\n%s", file, diff)
	}
}

func TestOverridesApply(t *testing.T) {
	if problems := applyOverrides(generatedTables()); len(problems) > 0 {
		t.Errorf("overrides that match nothing in the generated tables:\n%s", strings.Join(problems, "\n"))
	}
}

var snakePlural = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*s$`)

func TestTableNames(t *testing.T) {
	tables := StripeTables()
	if len(tables) < 95 {
		t.Errorf("got %d Stripe tables, want at least 95 (one per listable stripe-go v76 resource)", len(tables))
	}
	seen := map[string]bool{}
	oids := map[uint32]string{}
	for _, tb := range tables {
		if seen[tb.Name] {
			t.Errorf("table %s appears twice", tb.Name)
		}
		seen[tb.Name] = true
		if !snakePlural.MatchString(tb.Name) && tb.Name != "account" { // account is one object (GET /v1/account)
			t.Errorf("table name %q is not snake_case plural", tb.Name)
		}
		if tb.Schema != "public" {
			t.Errorf("table %s: schema %q, want public", tb.Name, tb.Schema)
		}
		if other, ok := oids[tb.OID]; ok {
			t.Errorf("tables %s and %s share OID %d", tb.Name, other, tb.OID)
		}
		oids[tb.OID] = tb.Name
	}
	// Names as Stripe Sigma spells them.
	for _, name := range []string{"customers", "charges", "payment_intents", "invoice_items", "balance_transactions",
		"checkout_sessions", "issuing_cards", "subscription_items", "tax_ids", "invoice_line_items",
		"application_fee_refunds", "transfer_reversals", "customer_balance_transactions", "test_clocks"} {
		if !seen[name] {
			t.Errorf("no table %s", name)
		}
	}
}

// colShape is what the shape tests compare for one column.
type colShape struct {
	Type       sqltypes.Type
	Path       string
	Expandable bool
	FilterOnly bool
}

func shapeOf(t *testing.T, tb *Table, name string) colShape {
	t.Helper()
	c, _, ok := tb.Column(name)
	if !ok {
		t.Errorf("table %s has no column %s", tb.Name, name)
		return colShape{}
	}
	return colShape{Type: c.Type, Path: strings.Join(c.Path, "."), Expandable: c.Expandable, FilterOnly: c.FilterOnly}
}

func keyOps(tb *Table, column, param string) ([]Op, bool, bool) {
	if tb.List == nil {
		return nil, false, false
	}
	for _, k := range tb.List.Keys {
		if k.Column == column && k.Param == param {
			return k.Ops, k.Exact, true
		}
	}
	return nil, false, false
}

func TestCoreShapes(t *testing.T) {
	cat := New(StripeTables()...)
	lookup := func(name string) *Table {
		tb, ok := cat.Lookup("", name)
		if !ok {
			t.Fatalf("catalog has no table %s", name)
		}
		return tb
	}
	columns := []struct {
		table, column string
		want          colShape
	}{
		{"customers", "id", colShape{Type: sqltypes.Text, Path: "id"}},
		{"customers", "created", colShape{Type: sqltypes.Timestamptz, Path: "created"}},
		{"customers", "email", colShape{Type: sqltypes.Text, Path: "email"}},
		{"customers", "metadata", colShape{Type: sqltypes.JSONB, Path: "metadata"}},
		{"customers", "_object", colShape{Type: sqltypes.JSONB}},
		{"customers", "balance", colShape{Type: sqltypes.Int8, Path: "balance"}},
		{"customers", "delinquent", colShape{Type: sqltypes.Bool, Path: "delinquent"}},
		{"customers", "address", colShape{Type: sqltypes.JSONB, Path: "address"}},
		{"customers", "discount", colShape{Type: sqltypes.JSONB, Path: "discount"}},
		{"customers", "tax_exempt", colShape{Type: sqltypes.Text, Path: "tax_exempt"}},
		{"charges", "amount", colShape{Type: sqltypes.Int8, Path: "amount"}},
		{"charges", "customer", colShape{Type: sqltypes.Text, Path: "customer", Expandable: true}},
		{"charges", "refunds", colShape{Type: sqltypes.JSONB, Path: "refunds"}},
		{"payouts", "arrival_date", colShape{Type: sqltypes.Timestamptz, Path: "arrival_date"}},
		{"invoices", "due_date", colShape{Type: sqltypes.Timestamptz, Path: "due_date"}},
		{"invoices", "period_start", colShape{Type: sqltypes.Timestamptz, Path: "period_start"}},
		{"invoices", "next_payment_attempt", colShape{Type: sqltypes.Timestamptz, Path: "next_payment_attempt"}},
		{"invoices", "amount_due", colShape{Type: sqltypes.Int8, Path: "amount_due"}},
		{"subscriptions", "current_period_end", colShape{Type: sqltypes.Timestamptz, Path: "current_period_end"}},
		{"subscriptions", "trial_end", colShape{Type: sqltypes.Timestamptz, Path: "trial_end"}},
		{"subscriptions", "price", colShape{Type: sqltypes.Text, FilterOnly: true}},
		{"checkout_sessions", "customer_details_email", colShape{Type: sqltypes.Text, Path: "customer_details.email"}},
		{"invoice_line_items", "invoice", colShape{Type: sqltypes.Text, Path: "invoice"}},
		{"application_fee_refunds", "fee", colShape{Type: sqltypes.Text, Path: "fee", Expandable: true}},
		{"events", "delivery_success", colShape{Type: sqltypes.Bool, FilterOnly: true}},
		{"prices", "unit_amount", colShape{Type: sqltypes.Int8, Path: "unit_amount"}},
		{"tax_rates", "percentage", colShape{Type: sqltypes.Float8, Path: "percentage"}},
	}
	for _, tc := range columns {
		t.Run(tc.table+"."+tc.column, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, shapeOf(t, lookup(tc.table), tc.column)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}

	all := []Op{OpEq, OpGt, OpGte, OpLt, OpLte}
	keys := []struct {
		table, column, param string
		ops                  []Op
		exact                bool
	}{
		{"charges", "customer", "customer", []Op{OpEq}, true},
		{"charges", "created", "created", all, true},
		{"charges", "payment_intent", "payment_intent", []Op{OpEq}, true},
		{"customers", "email", "email", []Op{OpEq}, true},
		{"invoices", "due_date", "due_date", all, true},
		{"invoice_items", "date", "created", all, true},
		{"payouts", "arrival_date", "arrival_date", all, true},
		{"events", "type", "type", []Op{OpEq}, false},
		{"forwarding_requests", "created", "created", []Op{OpGt, OpGte, OpLt, OpLte}, true},
		{"subscriptions", "status", "status", []Op{OpEq}, false},
		{"invoices", "status", "status", []Op{OpEq}, true},
		{"prices", "recurring_interval", "recurring[interval]", []Op{OpEq}, true},
	}
	for _, tc := range keys {
		t.Run(tc.table+" key "+tc.param, func(t *testing.T) {
			ops, exact, ok := keyOps(lookup(tc.table), tc.column, tc.param)
			if !ok {
				t.Fatalf("no key column %s (param %s)", tc.column, tc.param)
			}
			if diff := cmp.Diff(tc.ops, ops); diff != "" {
				t.Errorf("ops (-want +got)\n%s", diff)
			}
			if exact != tc.exact {
				t.Errorf("exact = %v, want %v", exact, tc.exact)
			}
		})
	}

	specs := []struct {
		table string
		got   func(*Table) any
		want  any
	}{
		{"subscriptions", func(tb *Table) any { return tb.List.Params }, map[string]string{"status": "all"}},
		{"subscriptions", func(tb *Table) any { return *tb.Delete }, DeleteSpec{Path: "/v1/subscriptions/%s", Method: "DELETE", Verb: "cancel"}},
		{"customers", func(tb *Table) any { return *tb.Delete }, DeleteSpec{Path: "/v1/customers/%s", Method: "DELETE", Verb: "delete"}},
		{"subscription_items", func(tb *Table) any { return tb.List.Required }, []string{"subscription"}},
		{"tax_ids", func(tb *Table) any { return [2]any{tb.List.Path, tb.List.Parents} }, [2]any{"/v1/customers/%s/tax_ids", []string{"customer"}}},
		{"invoice_line_items", func(tb *Table) any { return [2]any{tb.List.Path, tb.List.Parents} }, [2]any{"/v1/invoices/%s/lines", []string{"invoice"}}},
		{"application_fee_refunds", func(tb *Table) any { return *tb.Retrieve }, RetrieveSpec{Path: "/v1/application_fees/%s/refunds/%s", Parents: []string{"fee"}, IDColumn: "id"}},
		{"accounts", func(tb *Table) any { return tb.Retrieve.Path }, "/v1/accounts/%s"},
		{"customers", func(tb *Table) any { return tb.Search.Path }, "/v1/customers/search"},
		{"prices", func(tb *Table) any { return requiredNames(tb.Create) }, []string{"currency"}},
		{"charges", func(tb *Table) any { return requiredNames(tb.Create) }, []string{"amount", "currency"}},
		{"customers", func(tb *Table) any { return tb.Update.Path }, "/v1/customers/%s"},
	}
	for _, tc := range specs {
		t.Run(tc.table+" spec", func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got(lookup(tc.table))); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func requiredNames(w *WriteSpec) []string {
	var out []string
	for _, p := range w.Params {
		if p.Required {
			out = append(out, p.Name)
		}
	}
	return out
}

// TestSpecsConsistent checks every table against the rules the planner and executor rely on.
func TestSpecsConsistent(t *testing.T) {
	allowed := map[sqltypes.Type]bool{sqltypes.Text: true, sqltypes.Int8: true, sqltypes.Bool: true,
		sqltypes.Float8: true, sqltypes.Timestamptz: true, sqltypes.JSONB: true}
	for _, tb := range StripeTables() {
		t.Run(tb.Name, func(t *testing.T) {
			has := map[string]bool{}
			for _, c := range tb.Columns {
				if has[c.Name] {
					t.Errorf("column %s appears twice", c.Name)
				}
				has[c.Name] = true
				if !allowed[c.Type] {
					t.Errorf("column %s has type %s", c.Name, sqltypes.FormatType(c.Type))
				}
				if c.FilterOnly != (c.Path == nil && c.Name != "_object" && !c.Account) {
					t.Errorf("column %s: FilterOnly=%v with path %v", c.Name, c.FilterOnly, c.Path)
				}
				if c.Expandable && c.Type != sqltypes.Text {
					t.Errorf("expandable column %s is %s, want text", c.Name, sqltypes.FormatType(c.Type))
				}
			}
			for _, want := range []string{"id", "_object"} {
				if !has[want] {
					t.Errorf("no %s column", want)
				}
			}
			if tb.List == nil && tb.Name == "account" {
				if tb.Retrieve == nil || tb.Retrieve.Path != "/v1/account" {
					t.Errorf("account is not read with GET /v1/account: %+v", tb.Retrieve)
				}
				return
			}
			if tb.List == nil {
				t.Fatal("no list spec")
			}
			if n := strings.Count(tb.List.Path, "%s"); n != len(tb.List.Parents) {
				t.Errorf("list path %s has %d placeholders, %d parents", tb.List.Path, n, len(tb.List.Parents))
			}
			for _, p := range append(append([]string(nil), tb.List.Parents...), tb.List.Required...) {
				if !has[p] {
					t.Errorf("parent or required column %s does not exist", p)
				}
			}
			for _, k := range tb.List.Keys {
				if !has[k.Column] {
					t.Errorf("key column %s (param %s) does not exist", k.Column, k.Param)
				}
				if len(k.Ops) == 0 {
					t.Errorf("key %s has no operators", k.Param)
				}
				if c, _, ok := tb.Column(k.Column); ok && c.FilterOnly && !slices.Equal(k.Ops, []Op{OpEq}) {
					t.Errorf("filter-only column %s accepts %v; it can only read back an = constraint", k.Column, k.Ops)
				}
			}
			if r := tb.Retrieve; r != nil {
				if n := strings.Count(r.Path, "%s"); n != len(r.Parents)+1 {
					t.Errorf("retrieve path %s has %d placeholders, %d parents + id", r.Path, n, len(r.Parents))
				}
				if !has[r.IDColumn] {
					t.Errorf("retrieve id column %s does not exist", r.IDColumn)
				}
			}
			if w := tb.Create; w != nil && strings.Count(w.Path, "%s") != len(w.Parents) {
				t.Errorf("create path %s does not match parents %v", w.Path, w.Parents)
			}
			if w := tb.Update; w != nil && strings.Count(w.Path, "%s") != len(w.Parents)+1 {
				t.Errorf("update path %s does not match parents %v + id", w.Path, w.Parents)
			}
			if d := tb.Delete; d != nil && strings.Count(d.Path, "%s") != len(d.Parents)+1 {
				t.Errorf("delete path %s does not match parents %v + id", d.Path, d.Parents)
			}
			if s := tb.Search; s != nil {
				if len(s.Fields) == 0 {
					t.Errorf("search %s has no fields", s.Path)
				}
				for _, f := range s.Fields {
					if !has[f.Column] {
						t.Errorf("search field %s maps to missing column %s", f.Field, f.Column)
					}
				}
			}
		})
	}
}

func TestSearchableTables(t *testing.T) {
	var got []string
	for _, tb := range StripeTables() {
		if tb.Search != nil {
			got = append(got, tb.Name)
		}
	}
	sort.Strings(got)
	want := []string{"charges", "customers", "invoices", "payment_intents", "prices", "products", "subscriptions"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("searchable tables (-want +got)\n%s", diff)
	}
}

func TestColumnDescriptions(t *testing.T) {
	var total, described int
	for _, tb := range StripeTables() {
		for _, c := range tb.Columns {
			total++
			if c.Description != "" {
				described++
			}
		}
	}
	// stripe-go documents most fields; a drop means the generator lost the doc comments.
	if described*10 < total*8 {
		t.Errorf("%d of %d columns have a description, want at least 80%%", described, total)
	}
	cat := New(StripeTables()...)
	tb, _ := cat.Lookup("public", "customers")
	if c, _, _ := tb.Column("email"); c.Description != "The customer's email address." {
		t.Errorf("customers.email description = %q", c.Description)
	}
}

func TestStripeTablesFresh(t *testing.T) {
	a := StripeTables()
	a[0].Name = "changed"
	a[0].Columns[0].Name = "changed"
	for _, tb := range a {
		if tb.List != nil && tb.List.Params != nil {
			for k := range tb.List.Params {
				tb.List.Params[k] = "changed"
			}
		}
		if tb.Search != nil {
			for i := range tb.Search.Fields {
				tb.Search.Fields[i].Column = "changed"
			}
		}
	}
	if diff := cmp.Diff(printSchema(StripeTables()), printSchema(generatedAndOverridden())); diff != "" {
		t.Errorf("modifying one call's tables changed the next call's (-want +got)\n%s", diff)
	}
	b := StripeTables()
	if b[0].Name == "changed" || b[0].Columns[0].Name == "changed" {
		t.Error("StripeTables returned shared values")
	}
}

func generatedAndOverridden() []*Table {
	ts := generatedTables()
	applyOverrides(ts)
	return connectTables(ts)
}
