package driver_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// testRate is high so that tests are not paced by the node budget; the budget itself is tested in
// package stripeapi.
const testRate = 1000

// fixture is an emulator with seeded data and a *sql.DB over the driver.
type fixture struct {
	emu *emulator.Emulator
	url string
	db  *sql.DB
}

func newFixture(t *testing.T, cfg emulator.Config) *fixture {
	t.Helper()
	emu, url, stop, err := emulator.Start(cfg)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_driver", BaseURL: url, Rate: testRate, Scheduler: stripeapi.NewScheduler(testRate)})
	if err != nil {
		t.Fatalf("stripeapi.NewClient: %v", err)
	}
	conn, err := driver.NewConnector(driver.Config{Backend: client, Rate: testRate})
	if err != nil {
		t.Fatalf("NewConnector: %v", err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return &fixture{emu: emu, url: url, db: db}
}

// apiRequests returns the emulator's logged API requests as "METHOD path?query" lines.
func (f *fixture) apiRequests() []string {
	var out []string
	for _, r := range f.emu.Requests() {
		line := r.Method + " " + r.Path
		if q := r.Query.Encode(); q != "" {
			line += "?" + q
		}
		out = append(out, line)
	}
	return out
}

func codeOf(err error) string {
	var e *driver.Error
	if errors.As(err, &e) {
		return e.SQLState()
	}
	return fmt.Sprintf("not coded: %v", err)
}

// querier is what queryStrings reads from: a *sql.DB, *sql.Conn or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryStrings runs q and returns its rows as text, NULL as "NULL".
func queryStrings(t *testing.T, db querier, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("QueryContext(%q): %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("Scan: %v", err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
			if !v.Valid {
				row[i] = "NULL"
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows.Err(%q): %v", q, err)
	}
	return out
}

func TestQueryWithArguments(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(60)})
	customers := f.emu.Objects("customers")
	if len(customers) < 3 {
		t.Fatalf("seed has %d customers, want at least 3", len(customers))
	}
	cus := customers[1]
	id, email := cus["id"].(string), cus["email"].(string)
	var charges []string
	for _, ch := range f.emu.Objects("charges") {
		if ch["customer"] == id {
			charges = append(charges, ch["id"].(string))
		}
	}
	sort.Strings(charges)
	var chargeRows [][]string
	for _, c := range charges {
		chargeRows = append(chargeRows, []string{c})
	}

	tests := []struct {
		name string
		sql  string
		args []any
		want [][]string
	}{
		{"retrieve by id", "SELECT id, email FROM customers WHERE id = $1", []any{id}, [][]string{{id, email}}},
		{"missing id is no rows", "SELECT id FROM customers WHERE id = $1", []any{"cus_doesnotexist"}, nil},
		{"list filter", "SELECT id FROM charges WHERE customer = $1 ORDER BY id", []any{id}, chargeRows},
		{"count", "SELECT count(*) FROM customers", nil, [][]string{{fmt.Sprint(len(customers))}}},
		{"int and text args", "SELECT $1::int8 * 2, $2::text || '!'", []any{int32(21), "hi"}, [][]string{{"42", "hi!"}}},
		{"bool and null args", "SELECT $1::bool, $2::text IS NULL", []any{true, nil}, [][]string{{"true", "true"}}},
		{"float arg", "SELECT $1::float8 / 4", []any{float32(3)}, [][]string{{"0.75"}}},
		{"uint above int8", "SELECT $1::numeric + 1", []any{uint64(1 << 63)}, [][]string{{"9223372036854775809"}}},
		{"time arg", "SELECT $1::timestamptz", []any{time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))}, [][]string{{"2024-01-02T02:04:05Z"}}},
		{"jsonb from map", "SELECT $1::jsonb ->> 'plan'", []any{map[string]any{"plan": "pro"}}, [][]string{{"pro"}}},
		{"jsonb from raw message", "SELECT $1::jsonb -> 'n'", []any{json.RawMessage(`{"n": 1.50}`)}, [][]string{{"1.50"}}},
		{"jsonb from slice", "SELECT jsonb_array_length($1::jsonb)", []any{[]string{"a", "b", "c"}}, [][]string{{"3"}}},
		{"multi statement", "SET stripesql.max_requests = 5; SHOW stripesql.max_requests", nil, [][]string{{"5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := queryStrings(t, f.db, tt.sql, tt.args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tt.sql, diff)
			}
		})
	}
}

// TestRetrieveIsOneRequest proves that the driver passes arguments into planning, so an id
// argument costs one retrieve, not a scan.
func TestRetrieveIsOneRequest(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 3, Scale: emulator.ScaleN(200)})
	id := f.emu.Objects("customers")[0]["id"].(string)
	f.emu.ResetRequests()
	var got string
	if err := f.db.QueryRow("SELECT id FROM customers WHERE id = $1", id).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"GET /v1/customers/" + id}, f.apiRequests()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestPreparedStatement(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 5, Scale: emulator.ScaleN(40)})
	stmt, err := f.db.Prepare("SELECT id, email FROM customers WHERE id = $1")
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	defer stmt.Close()
	// NumInput is 1, so database/sql refuses a wrong argument count before running.
	if _, err := stmt.Query(); err == nil || !strings.Contains(err.Error(), "expected 1 arguments, got 0") {
		t.Errorf("Query with no arguments: err = %v, want database/sql's argument count error", err)
	}
	var want, got [][]string
	for _, c := range f.emu.Objects("customers")[:4] {
		want = append(want, []string{c["id"].(string), c["email"].(string)})
		var id, email string
		if err := stmt.QueryRow(c["id"]).Scan(&id, &email); err != nil {
			t.Fatalf("QueryRow(%v): %v", c["id"], err)
		}
		got = append(got, []string{id, email})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prepared results mismatch (-want +got):\n%s", diff)
	}

	t.Run("two parameters", func(t *testing.T) {
		stmt2, err := f.db.Prepare("SELECT count(*) FROM charges WHERE amount >= $1 AND amount < $2")
		if err != nil {
			t.Fatal(err)
		}
		defer stmt2.Close()
		if _, err := stmt2.Query(1); err == nil || !strings.Contains(err.Error(), "expected 2 arguments, got 1") {
			t.Errorf("err = %v, want argument count error", err)
		}
		wantN := 0
		for _, ch := range f.emu.Objects("charges") {
			a, _ := strconv.ParseFloat(fmt.Sprint(ch["amount"]), 64)
			if a >= 1000 && a < 5000 {
				wantN++
			}
		}
		var n int
		if err := stmt2.QueryRow(1000, 5000).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != wantN {
			t.Errorf("count = %d, want %d", n, wantN)
		}
	})

	t.Run("several statements cannot be prepared", func(t *testing.T) {
		_, err := f.db.Prepare("SELECT 1; SELECT 2")
		if diff := cmp.Diff(sqlstate.SyntaxError, codeOf(err)); diff != "" {
			t.Errorf("code mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestColumnTypes(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 2, Scale: emulator.ScaleN(20)})
	rows, err := f.db.Query("SELECT id, amount, created, metadata, livemode, amount / 100.0 AS major, customer FROM charges LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	type col struct {
		Name, DBType, Scan string
		Nullable, OK       bool
	}
	var got []col
	for _, ct := range cts {
		n, ok := ct.Nullable()
		got = append(got, col{ct.Name(), ct.DatabaseTypeName(), ct.ScanType().String(), n, ok})
	}
	want := []col{
		{"id", "TEXT", "string", false, true},
		{"amount", "INT8", "int64", true, true},
		{"created", "TIMESTAMPTZ", "time.Time", true, true},
		{"metadata", "JSONB", "string", true, true},
		{"livemode", "BOOL", "bool", true, true},
		{"major", "NUMERIC", "string", true, true},
		{"customer", "TEXT", "string", true, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("column types mismatch (-want +got):\n%s", diff)
	}
	// Scanning into the reported scan types works for every column.
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	dest := make([]any, len(cts))
	for i, ct := range cts {
		dest[i] = reflect.New(reflect.PointerTo(ct.ScanType())).Interface() // **T accepts NULL
	}
	if err := rows.Scan(dest...); err != nil {
		t.Fatalf("Scan into scan types: %v", err)
	}
}

func TestErrorCodes(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 4, Scale: emulator.ScaleN(500)})
	tests := []struct {
		name string
		sql  string
		args []any
		code string
	}{
		{"syntax", "SELEC 1", nil, sqlstate.SyntaxError},
		{"unknown table", "SELECT * FROM custmers", nil, sqlstate.UndefinedTable},
		{"unknown column", "SELECT emial FROM customers", nil, sqlstate.UndefinedColumn},
		{"over budget", "SELECT count(*) FROM charges", nil, sqlstate.ProgramLimitExceeded},
		{"bad argument text", "SELECT $1::int", []any{"twelve"}, sqlstate.InvalidTextRepresentation},
		{"unsupported argument type", "SELECT $1::text", []any{struct{ A int }{1}}, sqlstate.InvalidParameterValue},
		{"named argument", "SELECT $1::text", []any{sql.Named("a", "x")}, sqlstate.FeatureNotSupported},
		{"arguments with several statements", "SELECT $1::text; SELECT 2", []any{"x"}, sqlstate.SyntaxError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			conn, err := f.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if tt.code == sqlstate.ProgramLimitExceeded {
				// 500 charges are 5 pages: over a budget of 2, stopped at the budget at the latest
				// (the size is unknown to this node, so the first pages measure it).
				if _, err := conn.ExecContext(ctx, "SET stripesql.max_requests = 2"); err != nil {
					t.Fatal(err)
				}
				f.emu.ResetRequests()
			}
			rows, err := conn.QueryContext(ctx, tt.sql, tt.args...)
			if err == nil {
				rows.Close()
			}
			if diff := cmp.Diff(tt.code, codeOf(err)); diff != "" {
				t.Errorf("%s: code mismatch (-want +got):\n%s\nerror: %v", tt.sql, diff, err)
			}
			if tt.code == sqlstate.ProgramLimitExceeded {
				if reqs := f.apiRequests(); len(reqs) > 2 {
					t.Errorf("over-budget query sent more requests than its budget of 2: %v", reqs)
				}
				var e *driver.Error
				if errors.As(err, &e) && e.Detail == "" {
					t.Errorf("budget error has no DETAIL with the estimate: %+v", e)
				}
			}
		})
	}
}

// TestCancellation shows that a cancelled context stops the Stripe request in flight: with 2 s of
// emulator latency and a 100 ms timeout the query fails with 57014 long before the answer.
func TestCancellation(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1, Scale: emulator.ScaleN(10), Latency: 2 * time.Second})
	tests := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"query", func(ctx context.Context) error {
			rows, err := f.db.QueryContext(ctx, "SELECT id FROM customers")
			if err == nil {
				rows.Close()
			}
			return err
		}},
		{"exec", func(ctx context.Context) error {
			_, err := f.db.ExecContext(ctx, "SELECT id FROM charges LIMIT 5")
			return err
		}},
		{"prepared", func(ctx context.Context) error {
			stmt, err := f.db.Prepare("SELECT id FROM customers WHERE id = $1")
			if err != nil {
				return err
			}
			defer stmt.Close()
			var id string
			return stmt.QueryRowContext(ctx, "cus_x").Scan(&id)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := tt.run(ctx)
			elapsed := time.Since(start)
			if diff := cmp.Diff(sqlstate.QueryCanceled, codeOf(err)); diff != "" {
				t.Errorf("code mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
			if elapsed > time.Second {
				t.Errorf("cancelled query took %v, want well under the 2 s latency", elapsed)
			}
		})
	}
}

func TestExecRowsAffected(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 6, Scale: emulator.ScaleN(30)})
	n := len(f.emu.Objects("customers"))
	tests := []struct {
		sql  string
		want int64
	}{
		{"SET stripesql.max_requests = 900", 0},
		{"SELECT id FROM customers", int64(n)},
		{"SELECT id FROM customers LIMIT 2", 2},
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			res, err := f.db.Exec(tt.sql)
			if err != nil {
				t.Fatalf("Exec: %v", err)
			}
			got, err := res.RowsAffected()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("RowsAffected = %d, want %d", got, tt.want)
			}
			if _, err := res.LastInsertId(); codeOf(err) != sqlstate.FeatureNotSupported {
				t.Errorf("LastInsertId err = %v, want 0A000", err)
			}
		})
	}
}

func TestSessionSettingsStayOnConnection(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1})
	ctx := context.Background()
	c1, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c1.ExecContext(ctx, "SET stripesql.max_requests = 7"); err != nil {
		t.Fatal(err)
	}
	var v1, v2 string
	if err := c1.QueryRowContext(ctx, "SHOW stripesql.max_requests").Scan(&v1); err != nil {
		t.Fatal(err)
	}
	if err := c2.QueryRowContext(ctx, "SHOW stripesql.max_requests").Scan(&v2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"7", "1000"}, []string{v1, v2}); diff != "" {
		t.Errorf("settings mismatch (-want +got):\n%s", diff)
	}
}

func TestTransactions(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1, Scale: emulator.ScaleN(5)})
	ctx := context.Background()

	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := tx.QueryRow("SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Errorf("Rollback of a read-only transaction: %v", err)
	}

	ro, err := f.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ro.Exec("INSERT INTO customers (email) VALUES ('a@b.c')")
	if diff := cmp.Diff(sqlstate.ReadOnlySQLTransaction, codeOf(err)); diff != "" {
		t.Errorf("write in read-only transaction: code mismatch (-want +got):\n%s", diff)
	}
	if err := ro.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.apiRequests() {
		if strings.HasPrefix(r, "POST") {
			t.Errorf("a refused write reached stripe: %s", r)
		}
	}

	_, err = f.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if diff := cmp.Diff(sqlstate.FeatureNotSupported, codeOf(err)); diff != "" {
		t.Errorf("serializable: code mismatch (-want +got):\n%s", diff)
	}
}

func TestOpenDSN(t *testing.T) {
	_, url, stop, err := emulator.Start(emulator.Config{Seed: 9, Scale: emulator.ScaleN(20)})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	t.Run("api_base without key uses a test key", func(t *testing.T) {
		t.Setenv(driver.EnvAPIKey, "")
		db, err := sql.Open("stripe", "stripe:///?rate=500&max_requests=50&api_base="+url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM products").Scan(&n); err != nil {
			t.Fatal(err)
		}
		var budget string
		if err := db.QueryRow("SHOW stripesql.max_requests").Scan(&budget); err != nil {
			t.Fatal(err)
		}
		if budget != "50" {
			t.Errorf("max_requests from the dsn = %q, want 50", budget)
		}
	})
	t.Run("key from the environment", func(t *testing.T) {
		t.Setenv(driver.EnvAPIKey, "sk_test_fromenv")
		db, err := sql.Open("stripe", "api_base="+url+" rate=500")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Ping(); err != nil {
			t.Fatal(err)
		}
		var id string
		err = db.QueryRow("SELECT id FROM customers LIMIT 1").Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("read_only refuses writes", func(t *testing.T) {
		t.Setenv(driver.EnvAPIKey, "")
		db, err := sql.Open("stripe", "stripe:///?read_only=true&rate=500&api_base="+url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = db.Exec("INSERT INTO customers (email) VALUES ('ro@example.com')")
		if diff := cmp.Diff(sqlstate.ReadOnlySQLTransaction, codeOf(err)); diff != "" {
			t.Errorf("code mismatch (-want +got):\n%s\nerror: %v", diff, err)
		}
	})
	t.Run("bad key from the environment", func(t *testing.T) {
		t.Setenv(driver.EnvAPIKey, "pk_test_SECRETpublishable")
		_, err := sql.Open("stripe", "api_base="+url)
		if diff := cmp.Diff(sqlstate.InvalidAuthorization, codeOf(err)); diff != "" {
			t.Errorf("code mismatch (-want +got):\n%s", diff)
		}
		if err != nil && strings.Contains(err.Error(), "SECRETpublishable") {
			t.Errorf("error repeats the key: %v", err)
		}
	})
	t.Run("no key and no api_base", func(t *testing.T) {
		t.Setenv(driver.EnvAPIKey, "")
		_, err := sql.Open("stripe", "rate=6")
		if diff := cmp.Diff(sqlstate.InvalidAuthorization, codeOf(err)); diff != "" {
			t.Errorf("code mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("bad dsn", func(t *testing.T) {
		_, err := sql.Open("stripe", "stripe://sk_test_SECRETdsn@/?rate=fast")
		if diff := cmp.Diff(sqlstate.InvalidParameterValue, codeOf(err)); diff != "" {
			t.Errorf("code mismatch (-want +got):\n%s", diff)
		}
		if err != nil && strings.Contains(err.Error(), "SECRETdsn") {
			t.Errorf("error repeats the key: %v", err)
		}
	})
}

// TestConnectorSharesStats shows that a complete scan on one connection informs the estimates of
// every other connection of the connector.
func TestConnectorSharesStats(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 8, Scale: emulator.ScaleN(30)})
	ctx := context.Background()
	c1, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	var n int64
	if err := c1.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	var learned int64
	var ok bool
	if err := c1.Raw(func(dc any) error {
		learned, ok = dc.(*driver.Conn).Session().Stats().Size("customers")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c2, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	var learned2 int64
	var ok2 bool
	if err := c2.Raw(func(dc any) error {
		learned2, ok2 = dc.(*driver.Conn).Session().Stats().Size("customers")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	type size struct {
		N  int64
		OK bool
	}
	if diff := cmp.Diff([]size{{n, true}, {n, true}}, []size{{learned, ok}, {learned2, ok2}}); diff != "" {
		t.Errorf("learned sizes mismatch (-want +got):\n%s", diff)
	}
}

// TestCancelMidScan cancels a query after its first page: the scan sends no further Stripe
// request, and the rows end with the cancellation.
func TestCancelMidScan(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1, Scale: emulator.ScaleN(400), Latency: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := f.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "SET stripesql.max_requests = 5000"); err != nil {
		t.Fatal(err)
	}
	f.emu.ResetRequests()
	rows, err := conn.QueryContext(ctx, "SELECT id FROM charges")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no first row: %v", rows.Err())
	}
	cancel()
	start := time.Now()
	n := 1
	for rows.Next() {
		n++
	}
	elapsed := time.Since(start)
	err = rows.Err()
	rows.Close()
	if !errors.Is(err, context.Canceled) && codeOf(err) != sqlstate.QueryCanceled {
		t.Errorf("rows.Err() = %v, want the cancellation", err)
	}
	if n > 200 {
		t.Errorf("read %d rows after cancelling on the first page of 100", n)
	}
	if elapsed > time.Second {
		t.Errorf("rows took %v to stop after cancel", elapsed)
	}
	time.Sleep(700 * time.Millisecond) // a request started after the cancel would be logged by now
	if got := len(f.apiRequests()); got > 2 {
		t.Errorf("%d requests logged, want at most 2 (the first page and one cut short): %v", got, f.apiRequests())
	}
}

// TestWrites runs INSERT, UPDATE and a transaction that wrote through the driver, and checks the
// emulator's state and request log.
func TestWrites(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1, Scale: emulator.ScaleN(5)})
	find := func(id string) map[string]any {
		for _, c := range f.emu.Objects("customers") {
			if c["id"] == id {
				return c
			}
		}
		return nil
	}
	f.emu.ResetRequests()
	var id string
	if err := f.db.QueryRow("INSERT INTO customers (email, name) VALUES ($1, $2) RETURNING id", "new@example.com", "New").Scan(&id); err != nil {
		t.Fatalf("INSERT … RETURNING: %v", err)
	}
	res, err := f.db.Exec("UPDATE customers SET name = $1 WHERE id = $2", "Renamed", id)
	if err != nil {
		t.Fatalf("UPDATE: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("UPDATE RowsAffected = %d, want 1", n)
	}
	c := find(id)
	if diff := cmp.Diff([]any{"new@example.com", "Renamed"}, []any{c["email"], c["name"]}); diff != "" {
		t.Errorf("customer in the emulator mismatch (-want +got):\n%s", diff)
	}
	for _, r := range f.emu.Requests() {
		if r.Method == "POST" && r.IdempotencyKey == "" {
			t.Errorf("POST %s without an idempotency key", r.Path)
		}
	}

	tx, err := f.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE customers SET name = 'In tx' WHERE id = $1", id); err != nil {
		t.Fatalf("UPDATE in tx: %v", err)
	}
	err = tx.Rollback()
	if diff := cmp.Diff(sqlstate.InvalidTransactionState, codeOf(err)); diff != "" {
		t.Errorf("Rollback after a write: code mismatch (-want +got):\n%s", diff)
	}
	if got := find(id)["name"]; got != "In tx" {
		t.Errorf("name after the refused rollback = %v, want the write to stay applied", got)
	}
}
