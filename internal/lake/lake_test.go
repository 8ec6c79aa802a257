package lake

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/duckdbtest"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

var testCols = []Column{
	{"id", sqltypes.Text},
	{"amount", sqltypes.Int8},
	{"created", sqltypes.Timestamptz},
	{"metadata", sqltypes.JSONB},
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func jsonv(v any) sqltypes.JSONValue { return sqltypes.JSONValue{V: sqltypes.NormalizeJSON(v)} }

func row(id string, amount int64, created time.Time, meta map[string]any) []any {
	if meta == nil {
		return []any{id, amount, created, nil}
	}
	return []any{id, amount, created, jsonv(meta)}
}

func open(t *testing.T, dir string, opts Options) *Lake {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// write runs one transaction over table "charges" and commits it.
func write(t *testing.T, l *Lake, spec Spec, fn func(w *TableWriter)) Counts {
	t.Helper()
	tx, err := l.Begin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := tx.Table("charges", spec)
	if err != nil {
		t.Fatal(err)
	}
	fn(w)
	c, err := w.Finish([]byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return c
}

// rowsOf reads the committed rows of charges, sorted by id, as text.
func rowsOf(t *testing.T, l *Lake) [][]string {
	t.Helper()
	ts := l.Manifest().Tables["charges"]
	var out [][]string
	err := ReadRows(l.Dir(), ts, func(r []any) error {
		out = append(out, textRow(r, ts.LakeColumns()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func textRow(r []any, cols []Column) []string {
	s := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			s[i] = "NULL"
		} else {
			s[i] = sqltypes.FormatText(v, cols[i].Type)
		}
	}
	return s
}

func history(t *testing.T, l *Lake) []string {
	t.Helper()
	ts := l.Manifest().Tables["charges"]
	var out []string
	err := ReadHistory(l.Dir(), ts, func(r []any) error {
		ev := "-"
		if r[1] != nil {
			ev = r[1].(string)
		}
		out = append(out, r[0].(string)+" "+r[3].(string)+" "+ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestTypesRoundTrip(t *testing.T) {
	cols := []Column{
		{"id", sqltypes.Text}, {"b", sqltypes.Bool}, {"i2", sqltypes.Int2}, {"i4", sqltypes.Int4}, {"i8", sqltypes.Int8},
		{"f4", sqltypes.Float4}, {"f8", sqltypes.Float8}, {"num", sqltypes.Numeric}, {"by", sqltypes.Bytea},
		{"d", sqltypes.Date}, {"ts", sqltypes.Timestamp}, {"tstz", sqltypes.Timestamptz}, {"j", sqltypes.JSONB},
		{"arr", sqltypes.TextArray}, {"iarr", sqltypes.Int8Array}, {"iv", sqltypes.Interval},
	}
	dec, _ := sqltypes.ParseDecimal("-12.50")
	at := time.Date(2026, 11, 7, 3, 15, 0, 123456000, time.UTC)
	rows := [][]any{
		{"a", true, int64(-2), int64(40000), int64(1) << 40, float64(float32(1.5)), 2.25, dec, []byte{0, 1, 2},
			time.Date(2026, 11, 7, 0, 0, 0, 0, time.UTC), at, at, jsonv(map[string]any{"k": "v", "n": []any{int64(1), nil}}),
			sqltypes.Array{Elem: sqltypes.Text, Items: []any{"x", nil, "y"}}, sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(7)}},
			sqltypes.IntervalValue{Months: 1, Days: 2, Micros: 3_000_000}},
		make([]any, len(cols)),
		{"c", false, int64(0), int64(0), int64(0), 0.0, -0.5, sqltypes.DecimalFromInt(0), []byte{}, time.Unix(0, 0).UTC(), time.Unix(0, 0).UTC(),
			time.Unix(0, 0).UTC(), jsonv([]any{}), sqltypes.Array{Elem: sqltypes.Text, Items: []any{}}, sqltypes.Array{Elem: sqltypes.Int8, Items: []any{}},
			sqltypes.IntervalValue{}},
	}
	rows[1][0] = "b"
	p := filepath.Join(t.TempDir(), "part-x.parquet")
	w, err := newFileWriter(p, cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got [][]any
	if err := scanFile(p, cols, func(r []any) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got, cmp.Comparer(func(a, b sqltypes.Decimal) bool { return a.Cmp(b) == 0 && a.Scale == b.Scale })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	t.Run("duckdb", func(t *testing.T) {
		desc := duckdbtest.Query(t, "DESCRIBE SELECT * FROM read_parquet('"+p+"')")
		var types []string
		for _, r := range desc.Rows {
			types = append(types, r[0].(string)+" "+r[1].(string))
		}
		want := []string{"id VARCHAR", "b BOOLEAN", "i2 SMALLINT", "i4 INTEGER", "i8 BIGINT", "f4 FLOAT", "f8 DOUBLE", "num VARCHAR",
			"by BLOB", "d DATE", "ts TIMESTAMP", "tstz TIMESTAMP WITH TIME ZONE", "j JSON", "arr VARCHAR[]", "iarr BIGINT[]", "iv VARCHAR"}
		if diff := cmp.Diff(want, types); diff != "" {
			t.Errorf("duckdb types (-want +got):\n%s", diff)
		}
		res := duckdbtest.Query(t, "SET TimeZone='UTC'",
			"SELECT id, i8, num, tstz::VARCHAR, j->>'k', arr, len(iarr), iv FROM read_parquet('"+p+"') ORDER BY id")
		wantRows := [][]any{
			{"a", "1099511627776", "-12.50", "2026-11-07 03:15:00.123456+00", "v", []any{"x", nil, "y"}, "1", "1 mon 2 days 00:00:03"},
			{"b", nil, nil, nil, nil, nil, nil, nil},
			{"c", "0", "0", "1970-01-01 00:00:00+00", nil, []any{}, "0", "00:00:00"},
		}
		if diff := cmp.Diff(wantRows, normalize(res.Rows)); diff != "" {
			t.Errorf("duckdb values (-want +got):\n%s", diff)
		}
	})
}

// normalize turns DuckDB's JSON numbers into their text so rows compare with cmp.
func normalize(rows [][]any) [][]any {
	var conv func(v any) any
	conv = func(v any) any {
		switch x := v.(type) {
		case interface{ String() string }:
			return x.String()
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = conv(e)
			}
			return out
		}
		return v
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = conv(r).([]any)
	}
	return out
}

func TestBackfillThenMerge(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{})
	spec := Spec{Columns: testCols, Key: "id", Partition: "created", Replace: true}
	got := write(t, l, spec, func(w *TableWriter) {
		for _, r := range [][]any{
			row("ch_1", 100, day(2026, 9, 1), nil),
			row("ch_2", 200, day(2026, 10, 1), map[string]any{"a": "1"}),
			row("ch_3", 300, day(2026, 11, 1), nil),
			row("ch_2", 999, day(2026, 10, 1), nil), // a duplicate: the first read wins
		} {
			if err := w.Put(r, ""); err != nil {
				t.Fatal(err)
			}
		}
	})
	if diff := cmp.Diff(Counts{Inserted: 3, Rows: 3}, got); diff != "" {
		t.Errorf("backfill counts (-want +got):\n%s", diff)
	}
	parts := func() map[string]string {
		m := map[string]string{}
		for _, f := range l.Manifest().Tables["charges"].Files {
			m[f.Partition] = f.Path
		}
		return m
	}
	before := parts()
	if diff := cmp.Diff([]string{"created_month=2026-09", "created_month=2026-10", "created_month=2026-11"}, keys(before)); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}

	spec.Replace = false
	got = write(t, l, spec, func(w *TableWriter) {
		must(t, w.Put(row("ch_2", 250, day(2026, 10, 1), map[string]any{"a": "2"}), "evt_upd"))
		must(t, w.Put(row("ch_3", 300, day(2026, 11, 1), nil), "evt_same")) // unchanged: no history
		must(t, w.Put(row("ch_4", 400, day(2026, 11, 2), nil), ""))
		must(t, w.Delete(row("ch_1", 100, day(2026, 9, 1), nil), "evt_del"))
		must(t, w.Delete(row("ch_9", 1, day(2026, 11, 1), nil), "evt_unknown")) // never had it
	})
	if diff := cmp.Diff(Counts{Inserted: 1, Updated: 1, Deleted: 1, Unchanged: 1, Rows: 3}, got); diff != "" {
		t.Errorf("merge counts (-want +got):\n%s", diff)
	}
	want := [][]string{
		{"ch_2", "250", "2026-10-01 12:00:00+00", `{"a": "2"}`},
		{"ch_3", "300", "2026-11-01 12:00:00+00", "NULL"},
		{"ch_4", "400", "2026-11-02 12:00:00+00", "NULL"},
	}
	if diff := cmp.Diff(want, rowsOf(t, l)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	after := parts()
	if _, ok := after["created_month=2026-09"]; ok {
		t.Errorf("the emptied partition still has a file: %v", after)
	}
	if after["created_month=2026-10"] == before["created_month=2026-10"] {
		t.Errorf("the updated partition was not rewritten")
	}
	for _, p := range []string{before["created_month=2026-09"], before["created_month=2026-10"], before["created_month=2026-11"]} {
		if _, err := os.Stat(filepath.Join(dir, p)); !errNotExist(err) {
			t.Errorf("old file %s was not removed after the commit", p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "charges", "created_month=2026-09")); !errNotExist(err) {
		t.Errorf("the emptied partition directory is still there")
	}
	wantHist := []string{"delete ch_1 evt_del", "insert ch_1 -", "insert ch_2 -", "insert ch_3 -", "insert ch_4 -", "update ch_2 evt_upd"}
	if diff := cmp.Diff(wantHist, history(t, l)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	t.Run("a merge that changes nothing keeps every file", func(t *testing.T) {
		prev := parts()
		write(t, l, spec, func(w *TableWriter) {
			must(t, w.Put(row("ch_3", 300, day(2026, 11, 1), nil), "evt_again"))
		})
		if diff := cmp.Diff(prev, parts()); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
	})

	t.Run("duckdb reads every current row once", func(t *testing.T) {
		res := duckdbtest.Query(t, "SELECT id, amount, created_month FROM read_parquet('"+filepath.ToSlash(dir)+"/charges/**/*.parquet', hive_partitioning=true) ORDER BY id")
		want := [][]any{{"ch_2", "250", "2026-10"}, {"ch_3", "300", "2026-11"}, {"ch_4", "400", "2026-11"}}
		if diff := cmp.Diff(want, normalize(res.Rows)); diff != "" {
			t.Errorf("duckdb (-want +got):\n%s", diff)
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReplaceDiffsIntoHistory(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	spec := Spec{Columns: testCols, Key: "id", Replace: true}
	write(t, l, spec, func(w *TableWriter) {
		must(t, w.Put(row("a", 1, day(2026, 1, 1), nil), ""))
		must(t, w.Put(row("b", 2, day(2026, 1, 1), nil), ""))
	})
	got := write(t, l, spec, func(w *TableWriter) {
		must(t, w.Put(row("b", 3, day(2026, 1, 1), nil), ""))
		must(t, w.Put(row("c", 4, day(2026, 1, 1), nil), ""))
	})
	if diff := cmp.Diff(Counts{Inserted: 1, Updated: 1, Deleted: 1, Rows: 2}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	want := []string{"delete a -", "insert a -", "insert b -", "insert c -", "update b -"}
	if diff := cmp.Diff(want, history(t, l)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	t.Run("keyless rows are a multiset", func(t *testing.T) {
		cols := []Column{{"status", sqltypes.Text}}
		spec := Spec{Columns: cols, Replace: true}
		put := func(vals ...string) Counts {
			return write(t, l, spec, func(w *TableWriter) {
				for _, v := range vals {
					must(t, w.Put([]any{v}, ""))
				}
			})
		}
		put("paid", "paid", "open")
		got := put("paid", "open", "open", "void")
		if diff := cmp.Diff(Counts{Inserted: 2, Deleted: 1, Unchanged: 2, Rows: 4}, got); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}

func TestInterruptedCommitKeepsLastState(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("killed")
	fail := false
	l := open(t, dir, Options{BeforeManifest: func() error {
		if fail {
			return boom
		}
		return nil
	}})
	spec := Spec{Columns: testCols, Key: "id", Partition: "created", Replace: true}
	write(t, l, spec, func(w *TableWriter) { must(t, w.Put(row("a", 1, day(2026, 1, 1), nil), "")) })
	committed := rowsOf(t, l)

	fail = true
	tx, err := l.Begin()
	if err != nil {
		t.Fatal(err)
	}
	spec.Replace = false
	w, err := tx.Table("charges", spec)
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Put(row("a", 2, day(2026, 1, 1), nil), ""))
	must(t, w.Put(row("b", 3, day(2026, 2, 1), nil), ""))
	if _, err := w.Finish(nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, boom) {
		t.Fatalf("commit: %v, want the injected failure", err)
	}
	// The new files are in place, the manifest is the old one: a reader of the manifest sees
	// the last committed state.
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(committed, rowsOf(t, l)); diff != "" {
		t.Errorf("manifest readers see (-want +got):\n%s", diff)
	}
	l.Close()

	l2 := open(t, dir, Options{})
	if l2.Recovered() == 0 {
		t.Errorf("Open removed no files of the interrupted run")
	}
	m2 := l2.Manifest()
	if diff := cmp.Diff(m.Run, m2.Run); diff != "" {
		t.Errorf("manifest changed (-want +got):\n%s", diff)
	}
	var onDisk []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isPart(d.Name()) {
			rel, _ := filepath.Rel(dir, p)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return nil
	})
	var listed []string
	for _, f := range m2.Tables["charges"].Files {
		listed = append(listed, f.Path)
	}
	listed = append(listed, m2.Tables["charges"].History...)
	sort.Strings(onDisk)
	sort.Strings(listed)
	if diff := cmp.Diff(listed, onDisk); diff != "" {
		t.Errorf("files on disk after recovery are not those the manifest lists (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(dir, metaDir, tmpDir)); !errNotExist(err) {
		t.Errorf("the temporary directory survived recovery")
	}
}

func TestOneWriterAtATime(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, Options{})
	_, err := Open(dir, Options{})
	e, ok := sqlstate.As(err)
	if !ok || e.Code != codeLockNotAvailable || !strings.Contains(e.Message, "another stripesql sync") {
		t.Fatalf("second Open: %v, want 55P03", err)
	}
}

func TestTableNames(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	tx, err := l.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, name := range []string{"_history", "_stripesql", "../x", "Charges", ""} {
		if _, err := tx.Table(name, Spec{Columns: testCols, Replace: true}); err == nil {
			t.Errorf("table name %q accepted", name)
		}
	}
}
