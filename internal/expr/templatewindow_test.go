package expr

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLongTemplates states what a fuzzing sweep of the SQL path found: to_char and to_timestamp
// upper-cased the whole rest of the template at every position, and to_char of a number grew its
// literal text one byte at a time, so a 100,000-byte template kept a CPU busy for minutes. A long
// template must take time in proportion to its length; the answers are PostgreSQL 15's. The byte
// case also shows that to_char keeps non-ASCII template text as it is (it wrote 'é' as mojibake).
func TestLongTemplates(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"length(to_char(1, repeat('x', 100000) || '9'))", `"100002"`},
		{"length(to_char('2024-03-05 14:07:09'::timestamp, repeat('x', 100000)))", `"100000"`},
		{"to_timestamp('2024', repeat('x', 100000))", `"0001-01-01 00:00:00+00 BC"`},
		{"to_timestamp('2024 march', 'YYYY ' || repeat('month', 10000))", `"2024-03-01 00:00:00+00"`},
		{"to_char(1, 'é9é')", `"é 1é"`},
		{"to_char(-5, 'é9')", `"é-5"`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			start := time.Now()
			got := exprOutcome(tc.src, nil)
			// A linear scan takes well under a second; the quadratic one this guards against took
			// minutes. The bound is loose because CI runs every package at once under -race.
			if took := time.Since(start); took > 60*time.Second {
				t.Errorf("took %v; a linear scan of the template takes well under a second", took)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
