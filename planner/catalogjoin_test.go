package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
)

// TestCatalogJoinOrder checks which FROM lists of system tables are reordered so that each table
// joins the ones before it on a condition, and that SELECT * keeps the written order.
func TestCatalogJoinOrder(t *testing.T) {
	sess := NewSession(SessionConfig{Catalog: catalog.Default(), Clock: goldenClock})
	tests := []struct {
		name, sql string
		order     []int
	}{
		{"psqlODBC's SQLPrimaryKeys", `select ta.attname from pg_catalog.pg_attribute ta, pg_catalog.pg_attribute ia, pg_catalog.pg_class tc,
			pg_catalog.pg_index i, pg_catalog.pg_namespace n, pg_catalog.pg_class ic where tc.relname = 'customers' AND n.nspname = 'public'
			AND tc.oid = i.indrelid AND n.oid = tc.relnamespace AND i.indisprimary = 't' AND ia.attrelid = i.indexrelid
			AND ta.attrelid = i.indrelid AND ta.attnum = i.indkey[ia.attnum-1] AND ic.oid = i.indexrelid`, []int{0, 3, 1, 2, 4, 5}},
		{"already joined in order", `SELECT 1 FROM pg_class c, pg_namespace n, pg_attribute a WHERE n.oid = c.relnamespace AND a.attrelid = c.oid`, nil},
		{"Stripe tables keep their order", `SELECT 1 FROM charges c, customers d, refunds r WHERE r.charge = c.id AND c.customer = d.id`, nil},
		{"an unqualified column says nothing", `SELECT 1 FROM pg_class c, pg_namespace n, pg_attribute a WHERE attrelid = c.oid AND n.oid = c.relnamespace`, nil},
		{"two tables", `SELECT 1 FROM pg_attribute a, pg_class c WHERE a.attrelid = c.oid`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			pl := &planCtx{sess: sess}
			got := pl.catalogJoinOrder(sts[0].node.GetSelectStmt())
			if diff := cmp.Diff(tt.order, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("SELECT * lists the tables as written", func(t *testing.T) {
		sts, err := Parse(`SELECT * FROM pg_am x, pg_tablespace y, pg_am z WHERE z.oid = x.oid`)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Plan(sess, sts[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range p.Columns {
			names = append(names, c.Name)
		}
		want := "oid amname amhandler amtype oid spcname spcowner spcacl spcoptions oid amname amhandler amtype"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("columns = %s, want %s", got, want)
		}
	})
}
