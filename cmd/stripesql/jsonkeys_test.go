package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONKeys(t *testing.T) {
	tests := []struct {
		name string
		cols []string
		want []string
	}{
		{"distinct names stay", []string{"id", "email"}, []string{"id", "email"}},
		{"a repeated name gets a suffix", []string{"a", "a", "a"}, []string{"a", "a_2", "a_3"}},
		{"two ?column?", []string{"?column?", "?column?"}, []string{"?column?", "?column?_2"}},
		{"a suffix never takes a real column's name", []string{"a", "a", "a_2"}, []string{"a", "a_2", "a_2_2"}},
		{"the first free suffix", []string{"a_2", "a", "a"}, []string{"a_2", "a", "a_3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, jsonKeys(tt.cols)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
