package difftest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
)

// cursorScripts are the cursor sessions TestCursorsDifferential runs on PostgreSQL and on
// stripesql's wire server. Each element is one Query message (psql sends one per statement; a
// message of several statements runs in PostgreSQL's implicit transaction block). Cursors over
// Stripe tables name SCROLL or NO SCROLL: PostgreSQL scans the loaded copies as heap tables, which
// scroll by default, while stripesql's tables are foreign tables to PostgreSQL, which do not
// (TestCursorDefaultScrollOfForeignTables shows PostgreSQL deciding so). {customers} is the
// customers table in stripesql, read in Stripe's order (newest first) as it streams, and on
// PostgreSQL a copy stored in that order, so that a cursor without ORDER BY sees the same rows in
// the same order on both sides.
var cursorScripts = []struct {
	name  string
	steps []string
}{
	{"errors", []string{
		"DECLARE c CURSOR FOR SELECT 1",
		"DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1",
		"FETCH c", "MOVE c", "CLOSE c", "CLOSE ALL",
		"BEGIN",
		"DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"DECLARE c CURSOR FOR SELECT 1",
		"FETCH c",
		"ROLLBACK",
		"BEGIN",
		"DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"FETCH 2 FROM c",
		"FETCH PRIOR FROM c",
		"FETCH c",
		"ROLLBACK",
		"FETCH c",
		"BEGIN",
		"FETCH nope",
		"ROLLBACK",
		"BEGIN", "CLOSE nope", "ROLLBACK",
		"BEGIN", "MOVE BACKWARD 1 IN nope", "ROLLBACK",
		"BEGIN",
		"DECLARE z CURSOR FOR SELECT 10 / (3 - g) FROM generate_series(1, 5) g",
		"FETCH 2 FROM z",
		"FETCH 2 FROM z",
		"FETCH z",
		"ROLLBACK",
		"FETCH z",
	}},
	{"scroll moves", []string{
		"BEGIN",
		"DECLARE c SCROLL CURSOR FOR SELECT g, g * 10 AS t FROM generate_series(1, 5) g",
		"FETCH 2 FROM c", "FETCH PRIOR FROM c", "FETCH BACKWARD 5 FROM c", "FETCH NEXT FROM c", "FETCH ALL FROM c",
		"FETCH c", "FETCH BACKWARD ALL FROM c", "FETCH ABSOLUTE 3 FROM c", "FETCH RELATIVE -1 FROM c",
		"FETCH RELATIVE 2 FROM c", "FETCH LAST FROM c", "FETCH FIRST FROM c", "FETCH ABSOLUTE -2 FROM c",
		"FETCH ABSOLUTE 9 FROM c", "FETCH RELATIVE 0 FROM c", "FETCH PRIOR FROM c", "FETCH ABSOLUTE 0 FROM c",
		"FETCH 0 FROM c", "FETCH -2 FROM c", "FETCH 3 IN c", "FETCH 0 FROM c", "FETCH FORWARD 0 FROM c",
		"FETCH BACKWARD 0 FROM c", "FETCH BACKWARD -2 FROM c", "FETCH ABSOLUTE -9 FROM c", "FETCH RELATIVE 9 FROM c",
		"FETCH RELATIVE -9 FROM c", "FETCH FORWARD ALL FROM c", "FETCH FORWARD -1 FROM c", "FETCH c",
		"MOVE 2 IN c", "MOVE 0 IN c", "MOVE ALL IN c", "MOVE 0 IN c", "MOVE BACKWARD ALL IN c", "FETCH c",
		"MOVE BACKWARD 9 IN c", "MOVE LAST IN c", "FETCH c", "MOVE BACKWARD ALL IN c", "MOVE ABSOLUTE 4 IN c",
		"FETCH c", "MOVE RELATIVE -3 IN c", "FETCH c", "MOVE FORWARD 9 IN c", "MOVE BACKWARD 2 IN c", "FETCH PRIOR FROM c",
		"CLOSE c",
		"COMMIT",
	}},
	{"no scroll moves", []string{
		"BEGIN",
		"DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"MOVE 0 IN c", "FETCH 0 FROM c", "FETCH FIRST FROM c", "FETCH ABSOLUTE 3 FROM c", "FETCH RELATIVE 2 FROM c",
		"FETCH FORWARD ALL FROM c", "FETCH c", "FETCH ALL FROM c", "MOVE 5 IN c",
		"COMMIT",
		"BEGIN",
		"DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"FETCH 2 FROM c", "FETCH 0 FROM c",
		"ROLLBACK",
		"BEGIN",
		"DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"MOVE ALL IN c", "FETCH FIRST FROM c",
		"ROLLBACK",
		"BEGIN",
		"DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"FETCH LAST FROM c", "FETCH c",
		"ROLLBACK",
		"BEGIN",
		"DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g",
		"FETCH 2 FROM c", "MOVE BACKWARD ALL IN c",
		"ROLLBACK",
	}},
	{"pg_cursors and default scroll", []string{
		"BEGIN",
		"DECLARE series CURSOR FOR SELECT g FROM generate_series(1, 3) g",
		"DECLARE filtered CURSOR FOR SELECT g + 1 AS h FROM generate_series(1, 9) g WHERE g % 2 = 0 LIMIT 3",
		"DECLARE one CURSOR FOR SELECT 1",
		"DECLARE onevalue CURSOR FOR VALUES (1)",
		"DECLARE twovalues CURSOR FOR VALUES (1), (2)",
		"DECLARE counted CURSOR FOR SELECT count(*) FROM generate_series(1, 3) g",
		"DECLARE sorted CURSOR FOR SELECT g FROM generate_series(1, 3) g ORDER BY g DESC",
		"DECLARE joined CURSOR FOR SELECT a.g FROM generate_series(1, 3) a(g) JOIN generate_series(1, 3) b(g) ON a.g = b.g",
		"DECLARE distinctg CURSOR FOR SELECT DISTINCT g FROM generate_series(1, 3) g",
		"DECLARE unionall CURSOR FOR SELECT g FROM generate_series(1, 2) g UNION ALL SELECT g FROM generate_series(5, 6) g",
		"DECLARE unioned CURSOR FOR SELECT g FROM generate_series(1, 2) g UNION SELECT g FROM generate_series(5, 6) g",
		"DECLARE windowed CURSOR FOR SELECT g, row_number() OVER () FROM generate_series(1, 3) g",
		"DECLARE withq CURSOR FOR WITH w AS (SELECT g FROM generate_series(1, 3) g) SELECT g FROM w",
		"DECLARE sortedcustomers CURSOR FOR SELECT id FROM customers ORDER BY id",
		"DECLARE b BINARY INSENSITIVE NO SCROLL CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g",
		"DECLARE \"Quoted Name\" ASENSITIVE SCROLL CURSOR WITHOUT HOLD FOR SELECT 1",
		"SELECT name, statement, is_holdable, is_binary, is_scrollable, now() - creation_time < interval '1 minute' AS recent FROM pg_cursors ORDER BY name",
		"FETCH ALL FROM b",
		"FETCH 2 FROM \"Quoted Name\"",
		"CLOSE ALL",
		"SELECT count(*) FROM pg_cursors",
		"COMMIT",
	}},
	{"with hold", []string{
		"DECLARE h1 CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 4) g",
		"FETCH h1",
		"BEGIN",
		"DECLARE h2 CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 4) g",
		"DECLARE t CURSOR FOR SELECT g FROM generate_series(1, 4) g",
		"FETCH h1", "FETCH h2", "FETCH t",
		"ROLLBACK",
		"SELECT name FROM pg_cursors ORDER BY name",
		"FETCH h1",
		"BEGIN",
		"DECLARE h2 CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 4) g",
		"DECLARE t CURSOR FOR SELECT g FROM generate_series(1, 4) g",
		"FETCH 2 FROM h2",
		"COMMIT",
		"SELECT name FROM pg_cursors ORDER BY name",
		"FETCH ALL FROM h2",
		"FETCH t",
		"BEGIN",
		"SELECT 1/0",
		"FETCH h1",
		"ROLLBACK",
		"FETCH ALL FROM h1",
		"CLOSE h1", "CLOSE h2",
		"DISCARD ALL",
	}},
	{"implicit transaction block", []string{
		"DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 3) g; FETCH 2 FROM c; FETCH c",
		"FETCH c",
		"SELECT 1; DECLARE c CURSOR FOR SELECT 1; COMMIT; FETCH c",
		"DECLARE c CURSOR FOR SELECT 1; SELECT 1/0",
		"BEGIN; DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 3) g",
		"FETCH 2 FROM c; COMMIT; DECLARE d CURSOR FOR SELECT 2; FETCH d",
		"FETCH c",
	}},
	{"stripe table streaming", []string{
		"BEGIN",
		"DECLARE _psql_cursor NO SCROLL CURSOR FOR SELECT id, email, created FROM {customers}",
		"FETCH FORWARD 7 FROM _psql_cursor", "FETCH FORWARD 7 FROM _psql_cursor", "MOVE FORWARD 20 IN _psql_cursor",
		"FETCH FORWARD 7 FROM _psql_cursor", "FETCH ABSOLUTE 40 FROM _psql_cursor", "FETCH RELATIVE 3 FROM _psql_cursor",
		"CLOSE _psql_cursor",
		"DECLARE s SCROLL CURSOR FOR SELECT id, name FROM {customers} WHERE email IS NOT NULL",
		"FETCH 3 FROM s", "FETCH ABSOLUTE 30 FROM s", "FETCH BACKWARD 2 FROM s", "FETCH LAST FROM s", "FETCH FIRST FROM s",
		"MOVE ALL IN s", "FETCH BACKWARD 2 FROM s", "FETCH ABSOLUTE -3 FROM s",
		"COMMIT",
	}},
	{"stripe table sorted and joined", []string{
		"BEGIN",
		"DECLARE o CURSOR FOR SELECT id, amount FROM charges ORDER BY amount DESC, id",
		"FETCH 4 FROM o", "FETCH PRIOR FROM o", "FETCH ABSOLUTE 10 FROM o", "MOVE LAST IN o", "FETCH BACKWARD 2 FROM o",
		"DECLARE j NO SCROLL CURSOR FOR SELECT ch.id, cu.email FROM charges ch JOIN customers cu ON cu.id = ch.customer ORDER BY ch.id",
		"FETCH 3 FROM j", "MOVE 10 IN j", "FETCH 3 FROM j", "FETCH PRIOR FROM j",
		"ROLLBACK",
		"BEGIN",
		"DECLARE a NO SCROLL CURSOR FOR SELECT currency, count(*) FROM charges GROUP BY currency ORDER BY currency",
		"FETCH ALL FROM a", "FETCH a",
		"COMMIT",
	}},
}

// TestCursorsDifferential runs each cursor script on PostgreSQL 15 and on stripesql's wire server
// and compares every statement's answer: columns, rows, command tag, or SQLSTATE with message and
// hint.
func TestCursorsDifferential(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	if _, err := f.pg.Exec(ctx, "CREATE TABLE customers_newest_first AS SELECT * FROM customers ORDER BY created DESC, id DESC"); err != nil {
		t.Fatal(err)
	}
	for _, s := range cursorScripts {
		t.Run(s.name, func(t *testing.T) {
			pg, wire := f.connect(t, false), f.connect(t, true)
			want := runScript(ctx, pg, withTable(s.steps, "customers_newest_first"))
			got := runScript(ctx, wire, withTable(s.steps, "customers"))
			want = sameTableName(want, "customers_newest_first", "customers")
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("stripesql answers differently from postgresql (-postgresql +stripesql):\n%s", d)
			}
		})
	}
}

// TestCursorDefaultScrollOfForeignTables shows why a cursor over a Stripe table is NO SCROLL by
// default: PostgreSQL 15 decides the same for a foreign table (here one of postgres_fdw over the
// loaded customers), whose scan it cannot run backward.
func TestCursorDefaultScrollOfForeignTables(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	pg := f.connect(t, false)
	cfg := f.pg.Config()
	setup := []string{
		"CREATE EXTENSION IF NOT EXISTS postgres_fdw",
		fmt.Sprintf("CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '%d', dbname '%s')", cfg.Port, cfg.Database),
		fmt.Sprintf("CREATE USER MAPPING FOR CURRENT_USER SERVER loopback OPTIONS (user '%s')", cfg.User),
		"CREATE SCHEMA stripe",
		"CREATE FOREIGN TABLE stripe.customers (id text, email text) SERVER loopback OPTIONS (schema_name 'public', table_name 'customers')",
		"SET search_path = stripe, public",
	}
	for _, s := range setup {
		if err := pg.Exec(ctx, s).Close(); err != nil {
			t.Skipf("cannot set up a postgres_fdw foreign table (%s): %v", s, err)
		}
	}
	// Not compared: ORDER BY, which postgres_fdw sends to the remote server, so no Sort is left
	// to scroll over; stripesql sorts itself, and a Sort scrolls (the "pg_cursors and default
	// scroll" script compares that on a loaded table).
	script := []string{
		"BEGIN",
		"DECLARE f CURSOR FOR SELECT id FROM customers WHERE email IS NOT NULL LIMIT 5",
		"DECLARE u CURSOR FOR SELECT id FROM customers",
		"SELECT name, is_scrollable FROM pg_cursors ORDER BY name",
		"FETCH 2 FROM f",
		"FETCH PRIOR FROM f",
		"ROLLBACK",
	}
	wire := f.connect(t, true)
	want, got := runScript(ctx, pg, script), runScript(ctx, wire, script)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cursors over a foreign table in postgresql and a stripe table in stripesql differ (-postgresql +stripesql):\n%s", d)
	}
}

// withTable puts table in place of {customers} in steps.
func withTable(steps []string, table string) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = strings.ReplaceAll(s, "{customers}", table)
	}
	return out
}

// sameTableName renames table from in PostgreSQL's answers to to, so they read as stripesql's.
func sameTableName(lines []string, from, to string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.ReplaceAll(l, from, to)
	}
	return out
}

// connect opens a fresh connection to PostgreSQL, or with wire to stripesql's wire server, so
// each script starts with no cursors; on the wire side it carries the raised request budget
// startWire sets.
func (f *fixture) connect(t *testing.T, wire bool) *pgconn.PgConn {
	t.Helper()
	cfg := f.pg.Config().Config.Copy()
	if wire {
		cfg = f.wire.Config().Config.Copy()
		cfg.RuntimeParams["stripesql.max_requests"] = "100000"
	}
	conn, err := pgconn.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// runScript sends each step as one Query message and renders every statement's answer on a line
// of its own: "tag | columns | rows", or "ERROR code: message (hint)".
func runScript(ctx context.Context, conn *pgconn.PgConn, steps []string) []string {
	var out []string
	for _, step := range steps {
		ctx, cancel := context.WithTimeout(ctx, queryTimeout)
		results, err := conn.Exec(ctx, step).ReadAll()
		cancel()
		for _, r := range results {
			out = append(out, renderResult(step, r.CommandTag.String(), r.FieldDescriptions, r.Rows, r.Err))
		}
		if err != nil && (len(results) == 0 || results[len(results)-1].Err == nil) {
			out = append(out, renderResult(step, "", nil, nil, err))
		}
	}
	return out
}

func renderResult(step, tag string, fields []pgconn.FieldDescription, rows [][][]byte, err error) string {
	if err != nil {
		if pe, ok := err.(*pgconn.PgError); ok {
			s := fmt.Sprintf("%s => ERROR %s: %s", step, pe.Code, pe.Message)
			if pe.Hint != "" {
				s += " (" + pe.Hint + ")"
			}
			return s
		}
		return fmt.Sprintf("%s => ERROR %v", step, err)
	}
	var cols []string
	for _, fd := range fields {
		cols = append(cols, fmt.Sprintf("%s:%d/%d", fd.Name, fd.DataTypeOID, fd.Format))
	}
	var cells []string
	for _, row := range rows {
		var vals []string
		for _, v := range row {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, fmt.Sprintf("%q", v))
			}
		}
		cells = append(cells, strings.Join(vals, ","))
	}
	return fmt.Sprintf("%s => %s | %s | %s", step, tag, strings.Join(cols, " "), strings.Join(cells, "; "))
}
