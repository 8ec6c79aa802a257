package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/internal/emulator"
)

// testRate keeps the request budget out of the way of protocol tests.
const testRate = 1000

// startReal runs the server with the real planner and executor over a seeded emulator.
func startReal(t testing.TB) string {
	t.Helper()
	return startRealWith(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(20)})
}

func startRealWith(t testing.TB, ecfg emulator.Config) string {
	t.Helper()
	return startRealConfig(t, ecfg, Config{})
}

// startRealConfig is startRealWith with server settings (users, read-only…).
func startRealConfig(t testing.TB, ecfg emulator.Config, cfg Config) string {
	t.Helper()
	addr, _ := startRealEmulator(t, ecfg, cfg) // audit_test.go
	return addr
}

func TestRealEnginePgx(t *testing.T) {
	addr := startReal(t)
	ctx := context.Background()
	conn := connectPgx(t, pgxURL(addr, ""))
	tests := []struct {
		name string
		sql  string
		args []any
		want []string
	}{
		{"version", "SELECT version()", nil, []string{"PostgreSQL 15.4 (stripesql) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"}},
		{"current_database", "SELECT current_database()", nil, []string{"stripe"}},
		{"current_user", "SELECT current_user", nil, []string{"alice"}},
		{"regclass", "SELECT 'customers'::regclass::oid = c.oid FROM pg_catalog.pg_class c WHERE c.relname = 'customers'", nil, []string{"true"}},
		{"format_type", "SELECT format_type(20, -1)", nil, []string{"bigint"}},
		{"parameter", "SELECT count(*) FROM customers WHERE id = $1", []any{"cus_none"}, []string{"0"}},
		{"column comment", "SELECT col_description('customers'::regclass, a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'customers'::regclass AND a.attname = 'address'", nil, []string{"The customer's address."}},
		{"table comment", "SELECT obj_description('customers'::regclass, 'pg_class') LIKE 'This object represents a customer%'", nil, []string{"true"}},
		{"schemas", "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY nspname", nil, []string{"information_schema", "pg_catalog", "pg_toast", "public", "stripesql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, tt.sql, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, strings.TrimSpace(strings.Trim(fmtValues(vals), "[]")))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func fmtValues(vals []any) string {
	var parts []string
	for _, v := range vals {
		parts = append(parts, strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtAny(v), "\n", " "), "  ", " ")))
	}
	return strings.Join(parts, "|")
}

func fmtAny(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return strings.TrimSpace(strings.Trim(strings.ReplaceAll(strings.TrimSpace(sprint(v)), "\t", " "), "[]"))
}

func sprint(v any) string { return strings.TrimSpace(strings.ReplaceAll(fmtSprint(v), "\n", " ")) }

// psql runs psql's command against addr and returns its output.
func psql(t *testing.T, addr string, args ...string) (string, error) {
	t.Helper()
	out, err := psqlCommand(addr, args...).CombinedOutput()
	return string(out), err
}

// psqlCommand is psql connected to addr as alice, stopping at the first error.
func psqlCommand(addr string, args ...string) *exec.Cmd {
	host, port, _ := strings.Cut(addr, ":")
	return psqlAt(host, port, "alice", "stripe", append([]string{"-v", "ON_ERROR_STOP=1"}, args...)...) // corpus_test.go
}

func TestPsql(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr := startReal(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "customers.csv")
	tests := []struct {
		name     string
		args     []string
		contains []string
	}{
		{"select", []string{"-c", "SELECT 1 AS one"}, []string{"one", "1", "(1 row)"}},
		{"\\dn", []string{"-c", `\dn`}, []string{"public", "stripesql"}},
		{"\\dt", []string{"-c", `\dt`}, []string{"customers", "table", "payment_intents"}},
		{"\\d", []string{"-c", `\d`}, []string{"customers"}},
		{"\\d customers", []string{"-c", `\d customers`}, []string{`Table "public.customers"`, "id", "text", "email", "customers_pkey"}},
		{"\\d+ customers", []string{"-c", `\d+ customers`}, []string{`Table "public.customers"`, "Description"}},
		{"\\d charges", []string{"-c", `\d charges`}, []string{`Table "public.charges"`, "Indexes:", `"charges_pkey" PRIMARY KEY, btree (id)`,
			"Foreign-key constraints:", `"charges_customer_fkey" FOREIGN KEY (customer) REFERENCES customers(id)`,
			"Referenced by:", `TABLE "refunds" CONSTRAINT "refunds_charge_fkey" FOREIGN KEY (charge) REFERENCES charges(id)`}},
		{"\\l", []string{"-c", `\l`}, []string{"stripe"}},
		{"\\df", []string{"-c", `\df`}, []string{"proc"}},
		{"\\dv", []string{"-c", `\dv`}, []string{"Did not find any relations"}},
		{"\\du", []string{"-c", `\du`}, []string{"stripesql"}},
		{"\\x", []string{"-c", `\x`, "-c", "SELECT 1 AS one, 2 AS two"}, []string{"one | 1", "two | 2"}},
		{"discard all resets settings", []string{"-c", "SET TimeZone = 'Asia/Tokyo'", "-c", "DISCARD ALL", "-c", "SHOW TimeZone"}, []string{"DISCARD ALL", " UTC\n"}},
		{"\\timing", []string{"-c", `\timing`, "-c", "SELECT 1"}, []string{"Time:"}},
		{"\\copy", []string{"-c", `\copy (SELECT id, email FROM customers ORDER BY id LIMIT 3) TO '` + out + `' WITH CSV HEADER`}, []string{"COPY 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := psql(t, addr, tt.args...)
			if err != nil && (strings.Contains(got, "joins are not supported") || strings.Contains(got, "subqueries are not supported")) {
				// psql's catalog queries join pg_class, pg_namespace, pg_attribute…; they run once
				// the planner supports joins and subqueries.
				t.Skipf("the planner cannot run psql's catalog query yet:\n%s", got)
			}
			if err != nil {
				t.Fatalf("psql %v: %v\n%s", tt.args, err, got)
			}
			for _, want := range tt.contains {
				if !strings.Contains(got, want) {
					t.Errorf("psql %v output lacks %q:\n%s", tt.args, want, got)
				}
			}
		})
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || lines[0] != "id,email" {
		t.Errorf("\\copy file:\n%s", b)
	}
}

func fmtSprint(v any) string { return fmt.Sprint(v) }

func TestRealEngineCancel(t *testing.T) {
	addr := startRealWith(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(20), Latency: 3 * time.Second})
	ctx := context.Background()
	conn := connectPgx(t, pgxURL(addr, ""))
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = conn.PgConn().CancelRequest(ctx)
	}()
	start := time.Now()
	_, err := conn.Exec(ctx, "SELECT * FROM customers")
	elapsed := time.Since(start)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("err = %v, want 57014", err)
	}
	// The Stripe request was in flight for 3 s; the cancel must not wait for it.
	if elapsed > 1300*time.Millisecond {
		t.Errorf("cancel took %v after the request, want under 1 s", elapsed-300*time.Millisecond)
	}
}

func TestReadOnlyUserCannotWrite(t *testing.T) {
	users := []User{{Name: "reader", Password: "r", ReadOnly: true}, {Name: "writer", Password: "w"}}
	addr := startRealConfig(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(5)}, Config{Users: users})
	ctx := context.Background()
	insert := "INSERT INTO customers (email) VALUES ('ro@example.com')"
	tests := []struct{ user, pass, want string }{
		{"reader", "r", "25006"},
		{"writer", "w", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, "postgres://"+tt.user+":"+tt.pass+"@"+addr+"/stripe?sslmode=disable")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, insert)
			got := "ok"
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				got = pe.Code
			} else if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("%s: %s = %v, want %s", tt.user, insert, err, tt.want)
			}
		})
	}
}
