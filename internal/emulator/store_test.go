package emulator

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIDIndex drives the open-addressing id index with random puts, replacements and deletions
// (backward-shift deletion is the delicate part) and compares it with a map after every step.
func TestIDIndex(t *testing.T) {
	for _, keys := range []int{3, 50, 5000} {
		t.Run(fmt.Sprint(keys), func(t *testing.T) {
			var x idIndex
			want := map[string]*entry{}
			r := rand.New(rand.NewPCG(uint64(keys), 2))
			for step := 0; step < 20_000; step++ {
				id := fmt.Sprintf("cus_%d", r.IntN(keys))
				if r.IntN(3) == 2 {
					x.del(id)
					delete(want, id)
				} else {
					en := &entry{rec: idRecord(id)}
					x.put(en)
					want[id] = en
				}
				if step%500 != 0 && step != 19_999 {
					continue
				}
				got := map[string]*entry{}
				for k := 0; k < keys; k++ {
					id := fmt.Sprintf("cus_%d", k)
					if en := x.get(id); en != nil {
						got[id] = en
					}
				}
				if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b *entry) bool { return a == b })); diff != "" || x.n != len(want) {
					t.Fatalf("step %d: %d entries, want %d (-want +got):\n%s", step, x.n, len(want), diff)
				}
			}
		})
	}
}
