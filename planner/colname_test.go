package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestColumnNames checks the names of unnamed select-list items against what PostgreSQL 15 names
// them (FigureColname): the outermost cast's type unless something stronger names the value,
// CASE after its ELSE, keyword expressions after their keyword, operators "?column?". The
// differential corpus (corpus_polish.sql) checks the same against a real PostgreSQL.
func TestColumnNames(t *testing.T) {
	tests := []struct {
		sql  string
		want []string
	}{
		{"SELECT 0::regclass::oid, 1::int::text, (1)::int", []string{"oid", "text", "int4"}},
		{"SELECT amount::text, amount::bigint::text FROM charges WHERE id = 'ch_1'", []string{"amount", "amount"}},
		{"SELECT currency, grouping(currency) FROM charges WHERE id = 'ch_1' GROUP BY ROLLUP(currency)", []string{"currency", "grouping"}},
		{"SELECT CASE WHEN amount > 1 THEN 'a' ELSE currency END, CASE WHEN true THEN 1 ELSE 2::int END, (CASE WHEN true THEN 1 END)::text FROM charges WHERE id = 'ch_1'",
			[]string{"currency", "case", "text"}},
		{"SELECT ARRAY[1], EXISTS (SELECT 1), COALESCE(NULL, 1), NULLIF(1, 2), GREATEST(1, 2), LEAST(1, 2), ROW(1, 2), ARRAY(SELECT 1)",
			[]string{"array", "exists", "coalesce", "nullif", "greatest", "least", "row", "array"}},
		{"SELECT (SELECT 1 AS x), (SELECT 1)::int, COALESCE(NULL, 1)::text, (ARRAY[1])[1]", []string{"x", "?column?", "coalesce", "array"}},
		{"SELECT 1 + 1, 1 IN (1), -1, 'x' COLLATE \"C\"", []string{"?column?", "?column?", "?column?", "?column?"}},
		{"SELECT current_date, current_timestamp(3), localtimestamp, current_user, session_user, current_catalog, current_schema",
			[]string{"current_date", "current_timestamp", "localtimestamp", "current_user", "session_user", "current_catalog", "current_schema"}},
	}
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			p, err := planOne(t, sess, tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range p.Columns {
				got = append(got, c.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("column names (-want +got):\n%s", diff)
			}
		})
	}
}
