package emulator

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAppendJSON compares the reflection-free encoder with encoding/json on the shapes the
// emulator renders, including strings that need escaping.
func TestAppendJSON(t *testing.T) {
	tests := []any{
		nil, "plain", "quote \" backslash \\ newline \n tab \t ctrl \x01 html <&> unicode é 日本 \u2028", "bad \xff utf8",
		true, int64(-42), 3.5, float64(1e21), 0.1,
		map[string]any{"b": int64(1), "a": []any{"x", nil, false}, "c": map[string]any{"z": 2.25}},
		[]map[string]any{{"id": "x"}, {}},
		[]any{},
		map[string]any{},
		[]string{"fallback"},
	}
	for _, v := range tests {
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		var gotV, wantV any
		if err := json.Unmarshal(got, &gotV); err != nil {
			t.Fatalf("%q is not JSON: %v", got, err)
		}
		want, _ := json.Marshal(v)
		_ = json.Unmarshal(want, &wantV)
		if diff := cmp.Diff(wantV, gotV); diff != "" {
			t.Errorf("%#v (-want +got):\n%s", v, diff)
		}
	}
}
