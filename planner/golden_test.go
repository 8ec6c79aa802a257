package planner

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

var update = flag.Bool("update", false, "rewrite planner/testdata/*.golden")

// goldenClock fixes the statement time so plans with now() are reproducible.
var goldenClock = func() time.Time { return time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC) }

func stripeCatalog() *catalog.Catalog { return catalog.New(catalog.StripeTables()...) }

// goldenSession is the session every golden query is planned in: the real Stripe catalog, the
// default rate and budget, no learned sizes, a fixed clock.
func goldenSession() *Session {
	return NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
}

// readCases reads a .sql file: cases are separated by lines "-- name: <name>"; each case's SQL is
// everything up to the next marker. A case may start with "-- args: a|b|c" to give $n values.
type goldenCase struct {
	name string
	sql  string
	args []any
	sets []string
}

func readCases(t *testing.T, path string) []goldenCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenCase
	var cur *goldenCase
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "-- name: "):
			out = append(out, goldenCase{name: strings.TrimSpace(strings.TrimPrefix(line, "-- name: "))})
			cur = &out[len(out)-1]
		case strings.HasPrefix(line, "-- args: ") && cur != nil:
			for _, a := range strings.Split(strings.TrimPrefix(line, "-- args: "), "|") {
				cur.args = append(cur.args, a)
			}
		case strings.HasPrefix(line, "-- set: ") && cur != nil:
			cur.sets = append(cur.sets, strings.TrimPrefix(line, "-- set: "))
		case cur != nil:
			cur.sql += line + "\n"
		}
	}
	for i := range out {
		out[i].sql = strings.TrimSpace(out[i].sql)
	}
	return out
}

// render plans a case and prints its plan (or its error) the way the golden file stores it.
func render(t *testing.T, c goldenCase) string {
	sess := goldenSession()
	for _, s := range c.sets {
		kv := strings.SplitN(s, "=", 2)
		if err := sess.SetSetting(strings.TrimSpace(kv[0]), strings.TrimSpace(kv[1])); err != nil {
			t.Fatalf("%s: set %s: %v", c.name, s, err)
		}
	}
	sts, err := Parse(c.sql)
	if err != nil {
		return errText(err)
	}
	if len(sts) != 1 {
		t.Fatalf("%s: want one statement, got %d", c.name, len(sts))
	}
	p, err := Plan(sess, sts[0], c.args)
	if err != nil {
		return errText(err)
	}
	if p.Root == nil {
		return "utility: " + p.Tag
	}
	var sb strings.Builder
	var cols []string
	for _, col := range p.Columns {
		cols = append(cols, col.Name)
	}
	sb.WriteString("columns: " + strings.Join(cols, ", ") + "\n")
	if v, ok := p.Root.(*Values); ok && p.Kind != "SELECT" {
		// EXPLAIN and SHOW: print the text rows themselves.
		for _, r := range v.Rows {
			var cells []string
			for _, e := range r {
				cells = append(cells, fmt.Sprint(e.(*expr.Const).Value))
			}
			sb.WriteString(strings.Join(cells, " | ") + "\n")
		}
		return strings.TrimRight(sb.String(), "\n")
	}
	for _, l := range ExplainLines(sess, p, nil) {
		sb.WriteString(l + "\n")
	}
	return strings.TrimRight(sb.String(), "\n")
}

func errText(err error) string {
	e := sqlstate.Wrap(err)
	s := "ERROR " + e.Code + ": " + e.Message
	if e.Detail != "" {
		s += "\nDETAIL: " + e.Detail
	}
	if e.Hint != "" {
		s += "\nHINT: " + e.Hint
	}
	return s
}

// TestGoldenPlans plans every query of testdata/*.sql and compares the printed plans with the
// .golden files; `go test ./planner -update` rewrites them.
func TestGoldenPlans(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range files {
		cases := readCases(t, f)
		total += len(cases)
		var sb strings.Builder
		for _, c := range cases {
			sb.WriteString("-- name: " + c.name + "\n" + c.sql + "\n----\n" + render(t, c) + "\n\n")
		}
		got := sb.String()
		golden := strings.TrimSuffix(f, ".sql") + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./planner -update)", err)
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
		}
	}
	if total < 80 {
		t.Errorf("golden suite has %d queries; want at least 80", total)
	}
}
