package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFormatTemplateIsText states what a fuzzing sweep of the SQL path found: format() accepted
// a number as its format string and then failed with an internal error (a recovered panic)
// when it read it. PostgreSQL has only format(text, …), so a number there is an unknown function
// (42883), while the values after it may be of any type. The answers are PostgreSQL 15's.
func TestFormatTemplateIsText(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"format(0, 'a')", "ERROR 42883 function format(integer, unknown) does not exist"},
		{"format(1e308, 'a')", "ERROR 42883 function format(numeric, unknown) does not exist"},
		{"format('%s and %s', 1, 2.5)", `"1 and 2.5"`},
		{"format(NULL, 'a')", "NULL"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, exprOutcome(tc.src, nil)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestGCDOfNaN states what the SQL fuzz sweep found: gcd and lcm of a numeric NaN dereferenced
// the NaN's missing coefficient and failed with an internal error. PostgreSQL 15 answers NaN.
func TestGCDOfNaN(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"gcd('NaN'::numeric, 18)", `"NaN"`},
		{"gcd(12, 'NaN'::numeric)", `"NaN"`},
		{"lcm(4, 'NaN'::numeric)", `"NaN"`},
		{"lcm('NaN'::numeric, 'NaN'::numeric)", `"NaN"`},
		{"gcd(12.0, 18)", `"6.0"`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, exprOutcome(tc.src, nil)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRegexpReplaceValueLimit states what a memory sweep of the SQL path found:
// regexp_replace(repeat('x', 100000), 'x', repeat('y', 100000), 'g') built a 10 GB string and
// the Go runtime killed the whole process ("fatal error: out of memory"). Like replace, it must
// stop at the value limit with 54000 before allocating past it.
func TestRegexpReplaceValueLimit(t *testing.T) {
	withValueLimit(t, 1000)
	tests := []struct {
		src  string
		want string
	}{
		{"length(regexp_replace(repeat('x', 100), 'x', 'yyyyyyyyyyyy', 'g'))", "ERROR 54000 out of memory"},
		{"length(regexp_replace(repeat('x', 100), 'x', 'yyyyy', 'g'))", `"500"`},
		{"length(regexp_replace(repeat('x', 100), 'x', 'yyyyyyyyyyyy'))", `"111"`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, exprOutcome(tc.src, nil)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
