package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRangeOffsetMustCompareWithKey states what a fuzzing sweep of the SQL path found: a RANGE
// frame offset whose sum with the ORDER BY key is of another type (amount + a date is a date)
// was planned, and the executor then failed with an internal error comparing a bigint with a
// time. As in PostgreSQL 15, such a frame is refused at plan time (0A000), while an offset of the
// key's kind plans.
func TestRangeOffsetMustCompareWithKey(t *testing.T) {
	tests := []struct {
		sql  string
		want string // "" when the statement plans
	}{
		{"SELECT sum(amount) OVER (ORDER BY amount RANGE BETWEEN 1000 PRECEDING AND '4714-11-24 BC'::date FOLLOWING) FROM refunds",
			"ERROR 0A000: RANGE with offset PRECEDING/FOLLOWING is not supported for column type bigint and offset type date"},
		{"SELECT sum(amount) OVER (ORDER BY amount RANGE BETWEEN 1000 PRECEDING AND 10 FOLLOWING) FROM refunds", ""},
		{"SELECT count(*) OVER (ORDER BY created RANGE BETWEEN '1 day' PRECEDING AND CURRENT ROW) FROM refunds", ""},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			var got string
			if _, err := planOne(t, goldenSession(), tc.sql); err != nil {
				got = errText(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLimitOfOuterColumn states what the SQL fuzz sweep found: a LATERAL subquery whose LIMIT
// reads a column of the outer query failed with an internal error (the outer column has no value
// when the LIMIT is computed, at plan time). PostgreSQL runs it; stripesql refuses it plainly as
// not supported (0A000) until LIMIT is computed per outer row.
func TestLimitOfOuterColumn(t *testing.T) {
	tests := []struct {
		sql  string
		want string // "" when the statement plans
	}{
		{"SELECT c.id, l.id FROM customers c CROSS JOIN LATERAL (SELECT id FROM charges ch WHERE ch.customer = c.id ORDER BY id LIMIT c.balance) l",
			"ERROR 0A000: LIMIT referring to a column of an outer query is not supported"},
		{"SELECT c.id, l.id FROM customers c CROSS JOIN LATERAL (SELECT id FROM charges ch WHERE ch.customer = c.id ORDER BY id OFFSET c.balance) l",
			"ERROR 0A000: OFFSET referring to a column of an outer query is not supported"},
		{"SELECT c.id, l.id FROM customers c CROSS JOIN LATERAL (SELECT id FROM charges ch WHERE ch.customer = c.id ORDER BY id LIMIT 1) l WHERE c.id = 'cus_1'", ""},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			var got string
			if _, err := planOne(t, goldenSession(), tc.sql); err != nil {
				got = errText(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
