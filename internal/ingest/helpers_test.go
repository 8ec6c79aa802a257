package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/duckdbtest"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// env is an emulator with an injectable clock, a client of it and a lake directory.
type env struct {
	t      *testing.T
	emu    *emulator.Emulator
	client *stripeapi.Client
	base   string
	now    atomic.Int64 // unix nanoseconds
	dir    string
	cat    *catalog.Catalog
	stats  *planner.Stats
}

var start = time.Date(2026, 11, 7, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, scale emulator.Scale) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), cat: catalog.Default(), stats: planner.NewStats()}
	e.now.Store(start.UnixNano())
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 5, Scale: scale, Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	e.emu, e.base = emu, base
	e.client, err = stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_sync", BaseURL: base, Scheduler: stripeapi.NewScheduler(10000)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) clock() time.Time { return time.Unix(0, e.now.Load()).UTC() }

// tick moves the shared clock on, so events and objects get distinct created times.
func (e *env) tick(d time.Duration) { e.now.Add(int64(d)) }

func key() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// post sends a create, update or action to the emulator, as a user of Stripe would.
func (e *env) post(path string, kv ...string) stripeapi.Object {
	e.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	obj, err := e.client.Post(context.Background(), path, v, key())
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	e.tick(2 * time.Second)
	return obj
}

func (e *env) del(path string) {
	e.t.Helper()
	if _, err := e.client.Delete(context.Background(), path, nil, key()); err != nil {
		e.t.Fatalf("DELETE %s: %v", path, err)
	}
	e.tick(2 * time.Second)
}

// config is a run of tables and queries into the env's lake.
func (e *env) config(tables []string, queries ...Query) Config {
	return Config{Dir: e.dir, Backend: e.client, Stats: e.stats, Rate: 10000, Now: e.clock, Tables: tables, Queries: queries}
}

// sync runs cfg and fails the test if any table failed; it returns the report and the requests
// the emulator received.
func (e *env) sync(cfg Config) (*Report, int) {
	e.t.Helper()
	e.emu.ResetRequests()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tr := range rep.Tables {
		if tr.Err != nil {
			e.t.Fatalf("table %s failed: %v", tr.Table, tr.Err)
		}
	}
	if rep.CommitErr != nil {
		e.t.Fatalf("commit: %v", rep.CommitErr)
	}
	e.tick(time.Minute)
	return rep, len(e.emu.Requests())
}

// query runs SQL through the engine, as the live truth the lake is compared with.
func (e *env) query(sql string) ([]planner.Column, [][]any) {
	e.t.Helper()
	eng := &engine{backend: e.client, cat: e.cat, stats: e.stats, rate: 10000, maxReq: MaxRequests}
	var rows [][]any
	cols, err := eng.query(context.Background(), sql, nil, func(r []any) error { rows = append(rows, r); return nil })
	if err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return cols, rows
}

// liveSQL reads a Stripe table's current objects with the lake's columns.
func (e *env) liveSQL(name string) string {
	t, _ := e.cat.Lookup("public", name)
	p, why := tablePlan(e.cat, t)
	if p == nil {
		e.t.Fatal(why)
	}
	sql := "SELECT " + selectList(p) + " FROM " + quoteIdent(name)
	if p.parent != nil {
		sql += " WHERE " + quoteIdent(p.parent.column) + " IN (SELECT id FROM " + quoteIdent(p.parent.table.Name) + ")"
	}
	return sql
}

// duckType is the DuckDB type a reader sees for each SQL type the lake writes.
func duckType(t sqltypes.Type) string {
	switch t {
	case sqltypes.Text:
		return "VARCHAR"
	case sqltypes.Int8:
		return "BIGINT"
	case sqltypes.Int4:
		return "INTEGER"
	case sqltypes.Bool:
		return "BOOLEAN"
	case sqltypes.Float8:
		return "DOUBLE"
	case sqltypes.Timestamptz:
		return "TIMESTAMP WITH TIME ZONE"
	case sqltypes.JSONB, sqltypes.JSON:
		return "JSON"
	case sqltypes.Numeric:
		return "VARCHAR"
	}
	return "?" + sqltypes.FormatType(t)
}

// norm is a live value in the form the DuckDB result is compared in.
func norm(v any, t sqltypes.Type) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case time.Time:
		return x.UnixMicro()
	case sqltypes.JSONValue:
		return decodeJSON(sqltypes.FormatJSON(x.V))
	case sqltypes.Decimal:
		return x.String()
	}
	return v
}

// normDuck is a DuckDB JSON value in the same form.
func normDuck(v any, t sqltypes.Type) any {
	if v == nil {
		return nil
	}
	switch t {
	case sqltypes.Int8, sqltypes.Int4, sqltypes.Int2, sqltypes.Timestamptz:
		n, _ := json.Number(toString(v)).Int64()
		return n
	case sqltypes.Float8:
		f, _ := json.Number(toString(v)).Float64()
		return f
	case sqltypes.JSONB, sqltypes.JSON:
		return decodeJSON(v.(string))
	}
	return v
}

func toString(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	s, _ := v.(string)
	return s
}

func decodeJSON(s string) any {
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "invalid JSON: " + s
	}
	return v
}

// duckSelect is DuckDB SQL reading columns of a lake table the way a user would: every file under
// DIR/TABLE with hive partitioning. Timestamps come back as microseconds since the epoch and
// JSON as its text.
func duckSelect(dir, table string, cols []lake.Column) string {
	var sel []string
	for _, c := range cols {
		q := expr.QuoteIdent(c.Name)
		switch c.Type {
		case sqltypes.Timestamptz:
			sel = append(sel, "epoch_us("+q+")")
		case sqltypes.JSONB, sqltypes.JSON:
			sel = append(sel, q+"::VARCHAR")
		default:
			sel = append(sel, q)
		}
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM read_parquet('" + filepath.ToSlash(dir) + "/" + table + "/**/*.parquet', hive_partitioning=true)"
}

// sameAsLive checks, with DuckDB, that lake table name holds exactly the rows of live (sorted
// by the first column), with the column types a reader expects.
func (e *env) sameAsLive(name string, cols []planner.Column, live [][]any) {
	e.t.Helper()
	lc := make([]lake.Column, len(cols))
	for i, c := range cols {
		lc[i] = lake.Column{Name: c.Name, Type: c.Type}
	}
	e.t.Run(name, func(t *testing.T) {
		from := " FROM read_parquet('" + filepath.ToSlash(e.dir) + "/" + name + "/**/*.parquet', hive_partitioning=true)"
		desc := duckdbtest.Query(t, "DESCRIBE SELECT *"+from)
		gotTypes := map[string]string{}
		for _, r := range desc.Rows {
			gotTypes[r[0].(string)] = r[1].(string)
		}
		for _, c := range lc {
			if gotTypes[c.Name] != duckType(c.Type) {
				t.Errorf("column %s: duckdb reads %q, want %q", c.Name, gotTypes[c.Name], duckType(c.Type))
			}
		}
		res := duckdbtest.Query(t, duckSelect(e.dir, name, lc))
		var got, want [][]any
		for _, r := range res.Rows {
			row := make([]any, len(lc))
			for i, c := range lc {
				row[i] = normDuck(r[i], c.Type)
			}
			got = append(got, row)
		}
		for _, r := range live {
			row := make([]any, len(lc))
			for i, c := range lc {
				row[i] = norm(r[i], c.Type)
			}
			want = append(want, row)
		}
		byFirst := func(rows [][]any) {
			sort.Slice(rows, func(i, j int) bool { return toString(rows[i][0]) < toString(rows[j][0]) })
		}
		byFirst(got)
		byFirst(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("lake table %s differs from live (-live +lake):\n%s", name, diff)
		}
	})
}

// historyOf reads DIR/_history/TABLE with DuckDB: op, id and event id, sorted.
func (e *env) historyOf(t *testing.T, table string, ids ...string) []string {
	t.Helper()
	res := duckdbtest.Query(t, "SELECT _op || ' ' || id || ' ' || CASE WHEN _event_id IS NULL THEN '-' ELSE 'evt' END FROM read_parquet('"+
		filepath.ToSlash(e.dir)+"/_history/"+table+"/**/*.parquet', hive_partitioning=true) WHERE id IN ('"+strings.Join(ids, "','")+"') ORDER BY 1")
	var out []string
	for _, r := range res.Rows {
		out = append(out, r[0].(string))
	}
	return out
}
