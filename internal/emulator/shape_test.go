package emulator

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShapesDecodeWithStripeGo renders every seeded object of every stateful resource and decodes
// it into stripe-go v76's own struct for that object, as the SDK does; every top-level field of
// the struct must be present in the JSON (null where unknown).
func TestShapesDecodeWithStripeGo(t *testing.T) {
	e, err := New(Config{Seed: 13, Scale: ScaleN(400), Now: clock, ConnectedAccounts: 3})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(e.colls))
	for n := range e.colls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := e.colls[name]
		t.Run(name, func(t *testing.T) {
			if len(c.order) == 0 {
				t.Fatalf("seed has no %s", name)
			}
			e.rw().RLock()
			defer e.rw().RUnlock()
			for _, en := range c.order {
				out := e.render(c, en)
				b, err := appendJSON(nil, out)
				if err != nil {
					t.Fatal(err)
				}
				v := reflect.New(c.res.goType).Interface()
				if err := json.Unmarshal(b, v); err != nil {
					t.Fatalf("%s %s does not decode into %s: %v", name, en.id(), c.res.goType, err)
				}
				var keys map[string]json.RawMessage
				_ = json.Unmarshal(b, &keys)
				var missing []string
				for _, f := range c.res.fields {
					if _, ok := keys[f]; !ok {
						missing = append(missing, f)
					}
				}
				if diff := cmp.Diff([]string(nil), missing); diff != "" {
					t.Fatalf("%s %s lacks fields:\n%s", name, en.id(), diff)
				}
				id := reflect.ValueOf(v).Elem().FieldByName("ID")
				if id.IsValid() && id.String() != en.id() {
					t.Fatalf("decoded id %q, want %q", id.String(), en.id())
				}
			}
		})
	}
}
