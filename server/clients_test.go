package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	_ "github.com/lib/pq"
)

func pgxURL(addr, extra string) string {
	return fmt.Sprintf("postgres://alice@%s/stripe?sslmode=disable%s", addr, extra)
}

func TestPgxTypes(t *testing.T) {
	addr, _ := startServer(t, Config{})
	ctx := context.Background()
	// pgx uses the binary format for the types it knows under QueryExecModeCacheStatement and the
	// text format under QueryExecModeSimpleProtocol; both must read the same values.
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeDescribeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			conn := connectPgxMode(t, addr, mode)
			var (
				b         bool
				i2        int16
				i4        int32
				i8        int64
				f4        float32
				f8        float64
				num       pgtype.Numeric
				txt, vc   string
				nm        string
				by        []byte
				d, ts, tz time.Time
				iv        pgtype.Interval
				js, jb    any
				o         uint32
				rc        uint32
				ta        []*string
				ia        []int64
				nul       *string
			)
			err := conn.QueryRow(ctx, "SELECT types").Scan(&b, &i2, &i4, &i8, &f4, &f8, &num, &txt, &vc, &nm, &by, &d, &ts, &tz, &iv, &js, &jb, &o, &rc, &ta, &ia, &nul)
			if err != nil {
				t.Fatal(err)
			}
			sp := func(s string) *string { return &s }
			got := []any{b, i2, i4, i8, f4, f8, num.Int.String(), num.Exp, txt, vc, nm, by, d.Format(time.RFC3339Nano), ts.Format(time.RFC3339Nano), tz.UTC().Format(time.RFC3339Nano),
				[3]int64{int64(iv.Months), int64(iv.Days), iv.Microseconds}, js, jb, o, rc, ta, ia, nul}
			want := []any{true, int16(-2), int32(40000), int64(9007199254740993), float32(1.5), 2.25, "12345600", int32(-4), "héllo", "vc", "nm", []byte{0xde, 0xad},
				"2024-02-29T00:00:00Z", "2024-01-02T03:04:05.000006Z", "2024-01-02T03:04:05Z", [3]int64{14, 3, 4 * 3600 * 1e6},
				map[string]any{"a": "x"}, []any{"y", true, nil}, uint32(16385), uint32(16386), []*string{sp("a"), nil, sp("b c")}, []int64{1, 2}, (*string)(nil)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("types (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPgxQueries(t *testing.T) {
	addr, _ := startServer(t, Config{})
	ctx := context.Background()
	conn := connectPgx(t, pgxURL(addr, ""))

	t.Run("rows", func(t *testing.T) {
		rows, err := conn.Query(ctx, "SELECT numbers(3)")
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowToMap)
		if err != nil {
			t.Fatal(err)
		}
		want := []map[string]any{{"n": int64(1), "label": "n1"}, {"n": int64(2), "label": "n2"}, {"n": int64(3), "label": "n3"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("parameters", func(t *testing.T) {
		var a, b string
		if err := conn.QueryRow(ctx, "SELECT $1, $2", "x", "y").Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"x", "y"}, []string{a, b}); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("error", func(t *testing.T) {
		_, err := conn.Exec(ctx, "SELECT fail")
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("want a PgError, got %v", err)
		}
		got := []any{pe.Code, pe.Message, pe.Hint, pe.Position}
		want := []any{"42P01", `relation "nope" does not exist`, `did you mean "notes"?`, int32(8)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("transaction", func(t *testing.T) {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := conn.PgConn().TxStatus(); got != 'T' {
			t.Errorf("status in transaction = %c, want T", got)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if got := conn.PgConn().TxStatus(); got != 'I' {
			t.Errorf("status after rollback = %c, want I", got)
		}
	})
	t.Run("parameter status after set", func(t *testing.T) {
		if _, err := conn.Exec(ctx, "SET application_name = 'report'"); err != nil {
			t.Fatal(err)
		}
		if got := conn.PgConn().ParameterStatus("application_name"); got != "report" {
			t.Errorf("application_name = %q, want report", got)
		}
	})
}

func TestLibPQ(t *testing.T) {
	addr, _ := startServer(t, Config{})
	db, err := sql.Open("postgres", pgxURL(addr, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT numbers(2)")
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]any
	for rows.Next() {
		var n int64
		var l string
		if err := rows.Scan(&n, &l); err != nil {
			t.Fatal(err)
		}
		got = append(got, [2]any{n, l})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]any{{int64(1), "n1"}, {int64(2), "n2"}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var a, b string
	if err := db.QueryRow("SELECT $1, $2", "p", "q").Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != "p" || b != "q" {
		t.Errorf("params = %q %q, want p q", a, b)
	}
	var num string
	var ts time.Time
	var iv string
	row := db.QueryRow("SELECT types")
	cols := make([]any, 22)
	for i := range cols {
		cols[i] = new(any)
	}
	cols[6], cols[13], cols[14] = &num, &ts, &iv
	if err := row.Scan(cols...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1234.5600", "2024-01-02T03:04:05Z", "1 year 2 mons 3 days 04:00:00"}, []string{num, ts.UTC().Format(time.RFC3339), iv}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = db.Exec("SELECT fail")
	if err == nil || err.Error() != `pq: relation "nope" does not exist at column 8 (42P01)` {
		t.Errorf("error = %v", err)
	}
}
