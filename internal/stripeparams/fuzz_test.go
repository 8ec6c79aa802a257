package stripeparams

import (
	"net/url"
	"testing"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// FuzzAppendJSON feeds arbitrary jsonb documents to the encoder: it must never panic, and every
// refusal must be a coded 22023 error.
func FuzzAppendJSON(f *testing.F) {
	for _, seed := range []string{`{"a":{"b":[1,{"c":null}]}}`, `[]`, `{"":1}`, `[[["x"]]]`, `{"k":"v","n":-1.5e3,"t":true}`} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, doc string, unset bool) {
		v, err := sqltypes.ParseJSON(doc, sqltypes.JSONB)
		if err != nil {
			return
		}
		mode := OmitNull
		if unset {
			mode = UnsetNull
		}
		if err := Append(url.Values{}, "p", v, mode); err != nil {
			if se, ok := sqlstate.As(err); !ok || se.Code != sqlstate.InvalidParameterValue {
				t.Fatalf("Append(%s) = %v; want 22023", doc, err)
			}
		}
	})
}
