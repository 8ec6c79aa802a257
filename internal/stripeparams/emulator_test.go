package stripeparams

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestRoundTripThroughEmulatorDecoder checks the encoding against the emulator's form decoder,
// the one that reads our requests in every hermetic test.
func TestRoundTripThroughEmulatorDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 76))
	for i := 0; i < 300; i++ {
		doc := map[string]any{}
		for j := 0; j < 1+r.IntN(3); j++ {
			doc[fmt.Sprintf("p%d", j)] = randomDoc(r, 0)
		}
		params := map[string]any{}
		for k, v := range doc {
			params[k] = sqltypes.JSONValue{V: v}
		}
		form, err := Encode(params, OmitNull)
		if err != nil {
			t.Fatalf("case %d: Encode: %v", i, err)
		}
		got, err := emulator.DecodeForm(form)
		if err != nil {
			t.Fatalf("case %d: DecodeForm: %v", i, err)
		}
		if diff := cmp.Diff(asStrings(doc), any(got)); diff != "" {
			t.Fatalf("case %d: round trip mismatch (-want +got):\n%s", i, diff)
		}
	}
}
