package expr

import (
	"os"
	"strings"
	"testing"
)

// FuzzExpr binds and evaluates arbitrary SQL expressions: binding or evaluation may fail with an
// error, never panic. The corpus expressions are the seeds.
func FuzzExpr(f *testing.F) {
	for _, path := range []string{"testdata/corpus.sql", "testdata/corpus_tz.sql", "testdata/corpus_functions.sql"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
				f.Add(l)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, ";") || len(src) > 300 {
			return
		}
		if out := exprOutcome(src, nil); strings.HasPrefix(out, "ERROR XX000") {
			t.Fatalf("SELECT %s: internal error %s", src, out)
		}
	})
}
