package sqlstate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"customers", "customer", 1},
		{"lenght", "length", 2},
		{"same", "same", 0},
		{"flaw", "lawn", 2},
		{"café", "cafe", 1}, // runes, not bytes: é is one edit though it is two bytes
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, EditDistance(tt.a, tt.b)); diff != "" {
				t.Errorf("EditDistance(%q, %q) mismatch (-want +got):\n%s", tt.a, tt.b, diff)
			}
			if diff := cmp.Diff(tt.want, EditDistance(tt.b, tt.a)); diff != "" {
				t.Errorf("EditDistance(%q, %q) not symmetric (-want +got):\n%s", tt.b, tt.a, diff)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		candidates []string
		max        int
		want       []string
	}{
		{"nearest first", "custmer", []string{"invoices", "customers", "customer"}, 2, []string{"customer", "customers"}},
		{"ties keep candidate order", "ab", []string{"ac", "xb", "ab"}, 1, []string{"ab", "ac", "xb"}},
		{"beyond max dropped", "charges", []string{"invoices", "products"}, 2, []string{}},
		{"no candidates", "x", nil, 5, []string{}},
		{"max zero keeps only exact", "upper", []string{"uper", "upper"}, 0, []string{"upper"}},
		{"case is significant", "Lower", []string{"lower"}, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Closest(tt.query, tt.candidates, tt.max)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Closest(%q, %v, %d) mismatch (-want +got):\n%s", tt.query, tt.candidates, tt.max, diff)
			}
		})
	}
}
