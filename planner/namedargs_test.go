package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// TestNamedArguments checks calls with name => value: the declared names bind in any order with
// defaults for the rest, and an unknown, repeated or undeclared name is 42883 as in PostgreSQL.
// (The values are compared with PostgreSQL in internal/difftest/testdata/corpus_hardening.sql.)
func TestNamedArguments(t *testing.T) {
	tests := []struct {
		sql  string
		want string // "ok" or "code: message"
	}{
		{"SELECT make_interval(days => 3)", "ok"},
		{"SELECT make_interval(secs => 1.5, years => 1)", "ok"},
		{"SELECT make_date(2024, day => 1, month => 3)", "ok"},
		{"SELECT make_interval(dayz => 3)", `42883: function make_interval(dayz => integer) does not exist`},
		{"SELECT make_date(year => 2024, month => 1)", `42883: function make_date(year => integer, month => integer) does not exist`},
		{"SELECT make_date(2024, year => 2024, month => 1, day => 1)", `42883: function make_date(integer, year => integer, month => integer, day => integer) does not exist`},
		{"SELECT lower(string => 'A')", `42883: function lower(string => unknown) does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			sess := NewSession(SessionConfig{Catalog: stripeCatalog()})
			got := "ok"
			if _, err := planOne(t, sess, tt.sql); err != nil {
				e, _ := sqlstate.As(err)
				got = e.Code + ": " + e.Message
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
