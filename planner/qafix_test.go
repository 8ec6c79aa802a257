package planner

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// TestNowFoldsIntoCreatedRange checks that now(), current_timestamp, statement_timestamp() and
// current_date fold at plan time into created[...] parameters when the statement time has
// microseconds, as it always has outside tests: the whole-second bound is pushed and the exact
// comparison stays as a residual filter.
func TestNowFoldsIntoCreatedRange(t *testing.T) {
	clock := time.Date(2024, 6, 15, 12, 0, 0, 123456000, time.UTC)
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: func() time.Time { return clock }})
	sixty := clock.Add(-60 * 24 * time.Hour).Unix()
	tests := []struct {
		name string
		sql  string
		want string
	}{
		{"now gte", "SELECT id FROM customers WHERE created >= now() - interval '60 days'", "created[gte]=" + unixText(sixty+1)},
		{"now gt", "SELECT id FROM customers WHERE created > now() - interval '60 days'", "created[gte]=" + unixText(sixty+1)},
		{"current_timestamp lte", "SELECT id FROM customers WHERE created <= current_timestamp", "created[lte]=" + unixText(clock.Unix())},
		{"statement_timestamp lt", "SELECT id FROM customers WHERE created < statement_timestamp()", "created[lte]=" + unixText(clock.Unix())},
		{"current_date", "SELECT id FROM customers WHERE created >= current_date - 60", "created[gte]=" + unixText(time.Date(2024, 4, 16, 0, 0, 0, 0, time.UTC).Unix())},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sts, err := Parse(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Plan(sess, sts[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			var call string
			for _, l := range ExplainLines(sess, p, nil) {
				if s := strings.TrimSpace(l); strings.HasPrefix(s, "Stripe call: ") {
					call = s
				}
			}
			want := "Stripe call: GET /v1/customers?" + tc.want + "&limit=100"
			if diff := cmp.Diff(want, call); diff != "" {
				t.Errorf("call (-want +got):\n%s", diff)
			}
		})
	}
}

func unixText(n int64) string { return strconv.FormatInt(n, 10) }

// TestSuggestBudget checks the max_requests value a 54000 HINT proposes: never below what the
// statement needs, always above the current budget, rounded to a readable figure.
func TestSuggestBudget(t *testing.T) {
	tests := []struct {
		need, current, want int64
	}{
		{5, 3, 5},
		{4, 3, 4},
		{3, 3, 4},
		{0, 0, 1},
		{11, 10, 20},
		{37, 10, 40},
		{200, 10, 200},
		{201, 100, 300},
		{1000, 999, 1000},
		{1001, 1000, 2000},
		{2500, 1000, 3000},
		{500, 2000, 3000},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("need %d budget %d", tc.need, tc.current), func(t *testing.T) {
			got := SuggestBudget(tc.need, tc.current)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("SuggestBudget (-want +got):\n%s", diff)
			}
			if got < tc.need || got <= tc.current {
				t.Errorf("SuggestBudget(%d, %d) = %d: below the need or not above the budget", tc.need, tc.current, got)
			}
		})
	}
}

// TestUnsupportedMessagesNameWhatTheUserWrote checks that statements and operators stripesql does
// not run are refused with 0A000 and a message in the user's terms (the statement or operator as
// written, the EXPLAIN format asked for), never a parser-internal name, and with a hint.
func TestUnsupportedMessagesNameWhatTheUserWrote(t *testing.T) {
	tests := []struct {
		sql, message string
	}{
		{"SELECT id FROM customers WHERE email SIMILAR TO '%@example.com'", "SIMILAR TO is not supported"},
		{"TRUNCATE customers", "TRUNCATE is not supported: stripe objects are deleted one by one with DELETE"},
		{"PREPARE q AS SELECT 1", "PREPARE is not supported"},
		{"EXECUTE q", "EXECUTE is not supported"},
		{"DROP TABLE customers", "DROP is not supported: the tables are stripe's resources and cannot be changed"},
		{"CREATE TABLE t (a int)", "CREATE TABLE is not supported: the tables are stripe's resources and cannot be changed"},
		{"ALTER TABLE customers ADD COLUMN x int", "ALTER is not supported: the tables are stripe's resources and cannot be changed"},
		{"COPY customers TO STDOUT", "COPY is not supported"},
		{"VACUUM", "VACUUM and ANALYZE are not supported"},
		{"EXPLAIN (FORMAT JSON) SELECT id FROM customers", "EXPLAIN format json is not supported"},
		{"EXPLAIN (FORMAT 'yaml') SELECT id FROM customers", "EXPLAIN format yaml is not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			sts, err := Parse(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Plan(NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock}), sts[0], nil)
			e := sqlstate.Wrap(err)
			if err == nil || e.Code != sqlstate.FeatureNotSupported {
				t.Fatalf("err = %v, want 0A000", err)
			}
			if diff := cmp.Diff(tc.message, e.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if e.Hint == "" {
				t.Error("no hint")
			}
			for _, leak := range []string{"AEXPR", "unknown", "query planner", "Stmt", "  "} {
				if strings.Contains(e.Message+e.Hint, leak) {
					t.Errorf("message or hint %q contains %q", e.Message+" / "+e.Hint, leak)
				}
			}
		})
	}
}
