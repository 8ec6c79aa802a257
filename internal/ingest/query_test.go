package ingest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
)

func TestMappingQueryRule(t *testing.T) {
	cat := catalog.Default()
	tests := []struct {
		sql string
		why string // "" when incremental
	}{
		{"SELECT * FROM charges", ""},
		{"SELECT c.* FROM charges c WHERE c.amount > 100", ""},
		{"SELECT id, amount / 100.0 AS dollars, metadata->>'order' AS order_id FROM charges", ""},
		{"SELECT c.id, c.email FROM public.customers AS c", ""},
		{"SELECT id AS charge_id, amount FROM charges", "its output has no column id"},
		{"SELECT customer AS id FROM charges", "its output has no column id"},
		{"SELECT currency, count(*) FROM charges GROUP BY currency", "it groups rows"},
		{"SELECT DISTINCT id FROM charges", "it has DISTINCT"},
		{"SELECT id FROM charges LIMIT 5", "it has LIMIT or OFFSET"},
		{"SELECT c.id FROM charges c JOIN customers u ON u.id = c.customer", "it does not read exactly one table"},
		{"SELECT id FROM charges WHERE customer IN (SELECT id FROM customers)", "it has a subquery"},
		{"SELECT id, row_number() OVER (ORDER BY created) FROM charges", "it has a window function"},
		{"WITH x AS (SELECT * FROM charges) SELECT * FROM x", "it has a WITH clause"},
		{"SELECT id FROM charges UNION SELECT id FROM refunds", "it is a set operation"},
		{"SELECT id FROM balance_transactions", "balance_transactions is not a table Stripe sends events for"},
		{"SELECT id FROM invoice_line_items WHERE invoice = 'in_1'", "invoice_line_items is not a table Stripe sends events for"},
		{"SELECT oid AS id FROM pg_class", "it does not read a Stripe table"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			m, err := analyse(cat, tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if tt.why == "" && !m.incremental || tt.why != "" && !strings.HasPrefix(m.why, tt.why) {
				t.Errorf("incremental %v, why %q; want why %q", m.incremental, m.why, tt.why)
			}
		})
	}
	if _, err := analyse(cat, "DELETE FROM charges"); err == nil {
		t.Errorf("a DELETE was accepted as a mapping query")
	}
}

func TestMappingQueryRewrite(t *testing.T) {
	m, err := analyse(catalog.Default(), "SELECT c.id, c.amount FROM charges c WHERE c.amount > 100 OR c.currency = 'eur'")
	if err != nil {
		t.Fatal(err)
	}
	since, err := m.sinceSQL(1700000000)
	if err != nil {
		t.Fatal(err)
	}
	byID, err := m.byIDSQL()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`SELECT c.id, c.amount FROM charges c WHERE (c.amount > 100 OR c.currency = 'eur') AND c.created >= to_timestamp(1700000000)`,
		`SELECT c.id, c.amount FROM charges c WHERE (c.amount > 100 OR c.currency = 'eur') AND c.id = ANY($1::text[])`,
	}
	if diff := cmp.Diff(want, []string{since, byID}); diff != "" {
		t.Errorf("rewrites (-want +got):\n%s", diff)
	}
}
