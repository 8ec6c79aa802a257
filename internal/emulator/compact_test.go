package emulator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCodecRoundTrip seals objects holding every kind of value the emulator stores and checks
// that reading them back (fields, get, getPath) gives exactly what was stored, Go types included,
// both the first time (inline) and once repeats have been promoted to the shared tables.
func TestCodecRoundTrip(t *testing.T) {
	long := strings.Repeat("x", 300) // a nested value longer than 127 bytes widens its length
	objects := []map[string]any{
		{"amount": int64(302350), "neg": int64(-7), "big": int64(1) << 62, "n": 12, "pct": 12.5, "yes": true, "no": false,
			"currency": "usd", "empty": "", "unicode": "Zürich ✓", "id_shaped": "ch_3Lmjo22eZvKYlo2C1kuO4yZM", "almost_id": "ch_3Lmjo22eZvKYlo2C1kuO4yZ!"},
		{"nested": map[string]any{"a": map[string]any{"b": map[string]any{"c": "deep", "nil": nil}}, "list": []any{int64(1), "two", nil, map[string]any{"k": "v"}}},
			"empty_map": map[string]any{}, "empty_list": []any{}, "strs": []string{"price_1", "price_2"}, "no_strs": []string{}, "long": map[string]any{"text": long}},
		{"_card": card{brand: "visa", last4: "4242", funding: "credit", country: "US", expMonth: 12, expYear: 2034, fingerprint: "Xt5EWLLDS7FJjR1c", declineCode: "lost_card"},
			"customer": "cus_5iIP6dLJCHIqRTDcjAjDrsi8", "billing": map[string]any{"address": map[string]any{"city": "San Francisco", "postal_code": "94107"}, "email": "ada@example.com"}},
	}
	cd := newCodec()
	cd.startSeeding(100)
	for round := 0; round < 5; round++ {
		for i, obj := range objects {
			t.Run(fmt.Sprintf("round %d object %d", round, i), func(t *testing.T) {
				en := cd.newEntry()
				en.rec, en.m = idRecord(fmt.Sprintf("obj_%d_%d", round, i)), copyMap(obj)
				cd.seal(en)
				if en.m != nil || en.id() != fmt.Sprintf("obj_%d_%d", round, i) {
					t.Fatalf("sealed entry: m %v id %q", en.m, en.id())
				}
				if diff := cmp.Diff(obj, en.fields(), cmp.AllowUnexported(card{})); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
				for k, v := range obj {
					if diff := cmp.Diff(v, en.get(k), cmp.AllowUnexported(card{})); diff != "" {
						t.Errorf("get %s (-want +got):\n%s", k, diff)
					}
				}
				if got := en.get("missing"); got != nil {
					t.Errorf("get missing = %v", got)
				}
				for path, want := range map[string]any{"nested.a.b.c": "deep", "billing.address.postal_code": "94107", "nested.list.x": nil, "currency.x": nil} {
					if _, has := obj[strings.Split(path, ".")[0]]; has {
						if got := en.getPath(path); got != want {
							t.Errorf("getPath %s = %v, want %v", path, got, want)
						}
					}
				}
			})
		}
	}
	if len(cd.strs) == 0 || len(cd.shared) == 0 {
		t.Errorf("after five rounds %d strings and %d nested values were promoted, want some of each", len(cd.strs), len(cd.shared))
	}
	// []map[string]any decodes as []any with the same JSON.
	en := cd.newEntry()
	en.rec, en.m = idRecord("lines"), map[string]any{"data": []map[string]any{{"a": int64(1)}}}
	cd.seal(en)
	got, _ := appendJSON(nil, en.get("data"))
	if string(got) != `[{"a":1}]` {
		t.Errorf("list of maps = %s", got)
	}
}

// TestPackedIDs checks that every generated id survives packing.
func TestPackedIDs(t *testing.T) {
	e, err := New(Config{Seed: 1, Scale: ScaleNone, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"ch", "cus", "txn", "price", "cs_test", "card"} {
		for i := 0; i < 200; i++ {
			id := e.newID(prefix)
			p, ok := isID(id)
			if !ok || p != prefix {
				t.Fatalf("%s: not an id (%q, %v)", id, p, ok)
			}
			b := appendBase62(nil, id[len(id)-idChars:])
			if got := unpackID(prefix, string(b)); got != id {
				t.Fatalf("%s packs back as %s", id, got)
			}
		}
	}
}
