package expr

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestKeywordsFresh runs the generator and fails when keywords_gen.go differs from what it writes.
func TestKeywordsFresh(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("skipping: no go command to run the generator")
	}
	out := filepath.Join(t.TempDir(), "keywords_gen.go")
	if msg, err := exec.Command("go", "run", "./internal/kwgen", "-out", out).CombinedOutput(); err != nil {
		t.Fatalf("kwgen: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("keywords_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("keywords_gen.go is stale; run go generate ./internal/expr:\n%s", cmp.Diff(string(want), string(got)))
	}
}

// TestGetKeywords spot-checks pg_get_keywords(): PostgreSQL 15 has 460 keywords (a real server's
// list is compared in server's TestKeywordsMatchPostgres), JSON became one only in 16.
func TestGetKeywords(t *testing.T) {
	f, err := SetCall("pg_get_keywords", nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.Rows(nil)
	if err != nil {
		t.Fatal(err)
	}
	byWord := map[string][]any{}
	for _, r := range rows {
		byWord[r[0].(string)] = r
	}
	got := []any{len(rows), byWord["select"], byWord["analyse"], byWord["between"], byWord["json"] == nil}
	want := []any{460, []any{"select", "R", true, "reserved", "can be bare label"},
		[]any{"analyse", "R", true, "reserved", "can be bare label"},
		[]any{"between", "C", true, "unreserved (cannot be function or type name)", "can be bare label"}, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := SetCall("pg_get_keywords", []Expr{NewConst(int64(1), sqltypes.Int4)}); err == nil {
		t.Errorf("pg_get_keywords(1) bound; want 42883")
	}
}

// TestQuoteIdent checks quote_ident's rule: keywords other than unreserved ones are quoted.
func TestQuoteIdent(t *testing.T) {
	var got []string
	for _, s := range []string{"customers", "authorization", "between", "type", "select", "Mixed", "a b", `q"x`, "json", "_x$1"} {
		got = append(got, QuoteIdent(s))
	}
	want := []string{"customers", `"authorization"`, `"between"`, "type", `"select"`, `"Mixed"`, `"a b"`, `"q""x"`, "json", "_x$1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
