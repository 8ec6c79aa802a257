package emulator

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeMetadata(t *testing.T) {
	old := map[string]any{"a": "1", "b": "2"}
	tests := []struct {
		name string
		upd  any
		want map[string]any
		err  bool
	}{
		{"add and replace", map[string]any{"b": "3", "c": "4"}, map[string]any{"a": "1", "b": "3", "c": "4"}, false},
		{"empty value removes", map[string]any{"a": ""}, map[string]any{"b": "2"}, false},
		{"empty metadata clears", "", map[string]any{}, false},
		{"non-empty string refused", "x", nil, true},
		{"nested value refused", map[string]any{"a": map[string]any{"x": "y"}}, nil, true},
		{"long key refused", map[string]any{"k2345678901234567890123456789012345678901": "v"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ae := mergeMetadata(old, tt.upd)
			if (ae != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", ae, tt.err)
			}
			if tt.err {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(map[string]any{"a": "1", "b": "2"}, old); diff != "" {
		t.Errorf("old metadata was modified:\n%s", diff)
	}
}

func TestMergeNested(t *testing.T) {
	old := map[string]any{"line1": "1 Main St", "city": "Paris", "geo": map[string]any{"lat": "1", "lng": "2"}}
	got := mergeNested(old, map[string]any{"city": "Lyon", "line1": "", "geo": map[string]any{"lat": "9"}})
	want := map[string]any{"line1": nil, "city": "Lyon", "geo": map[string]any{"lat": "9", "lng": "2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if old["city"] != "Paris" || old["geo"].(map[string]any)["lat"] != "1" {
		t.Errorf("old map was modified: %v", old)
	}
}
