package server

// Tests written while auditing issue 4 requirement by requirement (docs/issue4-audit.md): each
// proves a requirement no other test asserted.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// startRealEmulator is startRealConfig that also returns the emulator, for tests that assert
// which Stripe requests were sent.
func startRealEmulator(t testing.TB, ecfg emulator.Config, cfg Config) (string, *emulator.Emulator) {
	t.Helper()
	emu, url, stop, err := emulator.Start(ecfg)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_server", BaseURL: url, Rate: testRate, Scheduler: stripeapi.NewScheduler(testRate)})
	if err != nil {
		t.Fatalf("stripeapi.NewClient: %v", err)
	}
	cfg.Backend, cfg.Rate = client, testRate
	eng, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine = eng
	addr, _ := startServer(t, cfg)
	return addr, emu
}

// readByte reads the one-byte answer to an SSLRequest or GSSENCRequest.
func (c *client) readByte() string {
	c.t.Helper()
	b := make([]byte, 1)
	if _, err := io.ReadFull(c.nc, b); err != nil {
		return "EOF"
	}
	return string(b)
}

// TestAuditSSLAndGSSENCRequests is the protocol script of the encryption requests: without TLS
// both are declined with 'N' and the startup goes on in plaintext; with TLS an SSLRequest is
// answered 'S', the handshake follows and the startup runs inside TLS, where a GSSENCRequest is
// still declined.
func TestAuditSSLAndGSSENCRequests(t *testing.T) {
	plainAddr, _ := startServer(t, Config{})
	tlsAddr, _ := startServer(t, Config{TLSMode: TLSAuto})
	ready := []string{"AuthenticationOk", "BackendKeyData", "ReadyForQuery I"}

	t.Run("plaintext server declines both", func(t *testing.T) {
		c := dial(t, plainAddr)
		c.send(&pgproto3.SSLRequest{})
		got := []string{c.readByte()}
		c.send(&pgproto3.GSSEncRequest{})
		got = append(got, c.readByte())
		got = append(got, withoutParams(c.startup(nil))...)
		if diff := cmp.Diff(append([]string{"N", "N"}, ready...), got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("gssenc declined then ssl accepted", func(t *testing.T) {
		c := dial(t, tlsAddr)
		c.send(&pgproto3.GSSEncRequest{})
		got := []string{c.readByte()}
		c.send(&pgproto3.SSLRequest{})
		got = append(got, c.readByte())
		tc := tls.Client(c.nc, insecureTLS())
		if err := tc.Handshake(); err != nil {
			t.Fatalf("tls handshake after 'S': %v", err)
		}
		c.nc, c.fe = tc, pgproto3.NewFrontend(tc, tc)
		got = append(got, withoutParams(c.startup(nil))...)
		got = append(got, c.query("SELECT numbers(1)")...)
		want := append(append([]string{"N", "S"}, ready...), "RowDescription n:20/0,label:25/0", "DataRow 1|n1", "CommandComplete SELECT 1", "ReadyForQuery I")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestAuditSessionStatements runs RESET, RESET ALL, DEALLOCATE of a named statement, Close of a
// portal and Describe of a statement without parameters against the real engine, on one
// connection, in order.
func TestAuditSessionStatements(t *testing.T) {
	addr := startReal(t)
	c := dial(t, addr)
	c.startup(nil)
	steps := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		{"set reports the new value", []pgproto3.FrontendMessage{&pgproto3.Query{String: "SET TimeZone = 'Asia/Tokyo'"}},
			[]string{"CommandComplete SET", "ParameterStatus TimeZone=Asia/Tokyo", "ReadyForQuery I"}},
		{"reset reports the default", []pgproto3.FrontendMessage{&pgproto3.Query{String: "RESET TimeZone"}},
			[]string{"CommandComplete RESET", "ParameterStatus TimeZone=UTC", "ReadyForQuery I"}},
		{"set two settings", []pgproto3.FrontendMessage{&pgproto3.Query{String: "SET application_name = 'audit'; SET stripesql.max_requests = 7"}},
			// As in PostgreSQL 15, changed settings are reported once, just before ReadyForQuery.
			[]string{"CommandComplete SET", "CommandComplete SET", "ParameterStatus application_name=audit", "ReadyForQuery I"}},
		{"reset all", []pgproto3.FrontendMessage{&pgproto3.Query{String: "RESET ALL"}},
			[]string{"CommandComplete RESET", "ParameterStatus application_name=", "ReadyForQuery I"}},
		{"reset all restored the budget", []pgproto3.FrontendMessage{&pgproto3.Query{String: "SELECT current_setting('stripesql.max_requests') <> '7'"}},
			[]string{"RowDescription ?column?:16/0", "DataRow t", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"describe a statement without parameters", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "q", Query: "SELECT 1 AS one"},
			&pgproto3.Describe{ObjectType: 'S', Name: "q"},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "ParameterDescription ", "RowDescription one:23/0", "ReadyForQuery I"}},
		{"deallocate a named statement", []pgproto3.FrontendMessage{&pgproto3.Query{String: "DEALLOCATE q"}},
			[]string{"CommandComplete DEALLOCATE", "ReadyForQuery I"}},
		{"the statement is gone", []pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "q"}, &pgproto3.Sync{}},
			[]string{"ErrorResponse ERROR 26000 prepared statement \"q\" does not exist", "ReadyForQuery I"}},
		{"close a suspended portal", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT id FROM customers ORDER BY id"},
			&pgproto3.Bind{DestinationPortal: "p"},
			&pgproto3.Execute{Portal: "p", MaxRows: 1},
			&pgproto3.Close{ObjectType: 'P', Name: "p"},
			&pgproto3.Execute{Portal: "p", MaxRows: 1},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "DataRow *", "PortalSuspended", "CloseComplete",
			"ErrorResponse ERROR 34000 portal \"p\" does not exist", "ReadyForQuery I"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			c.send(s.msgs...)
			got := c.untilReady()
			for i, m := range got {
				if strings.HasPrefix(m, "DataRow cus_") {
					got[i] = "DataRow *"
				}
			}
			if diff := cmp.Diff(s.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// queryStrings runs sql over pgx and returns each row as its values joined by "|".
func queryStrings(ctx context.Context, conn *pgx.Conn, sql string, args ...any) ([]string, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var got []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		got = append(got, fmtValues(vals))
	}
	return got, rows.Err()
}

// TestAuditCatalogOverWire asks every pg_catalog and information_schema table and every system
// function the issue lists for a fact PostgreSQL 15 would answer the same way, over pgx (extended
// protocol, binary results where pgx asks for them), from the real engine.
func TestAuditCatalogOverWire(t *testing.T) {
	addr := startReal(t)
	ctx := context.Background()
	conn := connectPgx(t, "postgres://bob@"+addr+"/analytics?sslmode=disable")
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		// The database and user are the ones the client sent.
		{"any database name", "SELECT current_database()", []string{"analytics"}},
		{"user name as sent", "SELECT current_user, session_user", []string{"bob|bob"}},

		{"pg_namespace", "SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') ORDER BY oid", []string{"11|pg_catalog", "2200|public"}},
		{"pg_class", "SELECT relkind::text, relnamespace FROM pg_catalog.pg_class WHERE relname = 'customers'", []string{"r|2200"}},
		// psql's \dd and \dL join pg_description on tableoid; obj_description compares classoid
		// with 'pg_class'::regclass: both need PostgreSQL's own OID of pg_class.
		{"pg_class has PostgreSQL's oid", "SELECT 'pg_catalog.pg_class'::regclass::oid::int8, 'pg_proc'::regclass::oid::int8", []string{"1259|1255"}},
		{"tableoid", "SELECT tableoid::regclass::text FROM pg_catalog.pg_class c WHERE c.relname = 'customers'", []string{"pg_class"}},
		{"descriptions join on tableoid", "SELECT count(*) > 0 FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_description d ON d.classoid = c.tableoid AND d.objoid = c.oid AND d.objsubid = 0 WHERE c.relname = 'customers' AND d.description IS NOT NULL", []string{"true"}},
		{"pg_attribute", "SELECT attnum, format_type(atttypid, atttypmod), attnotnull FROM pg_catalog.pg_attribute WHERE attrelid = 'customers'::regclass AND attname = 'id'", []string{"1|text|true"}},
		{"pg_type", "SELECT oid, typname, typarray FROM pg_catalog.pg_type WHERE typname IN ('int8', 'text') ORDER BY oid", []string{"20|int8|1016", "25|text|1009"}},
		{"pg_proc function", "SELECT prokind::text, prorettype::regtype::text FROM pg_catalog.pg_proc WHERE proname = 'version'", []string{"f|text"}},
		{"pg_proc procedure", "SELECT prokind::text FROM pg_catalog.pg_proc WHERE proname = 'cancelsubscription'", []string{"p"}},
		{"pg_description", "SELECT count(*) > 0 FROM pg_catalog.pg_description WHERE objoid = 'customers'::regclass AND objsubid = 0", []string{"true"}},
		// pg_database lists the connected database next to stripe, and pg_user the connected user
		// next to the owner role, as PostgreSQL always does (catalog/session_rows.go).
		{"pg_database", "SELECT datname, pg_encoding_to_char(encoding) FROM pg_catalog.pg_database ORDER BY datname", []string{"analytics|UTF8", "stripe|UTF8"}},
		{"pg_roles", "SELECT r.rolname FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_class c ON c.relowner = r.oid WHERE c.relname = 'customers'", []string{"stripesql"}},
		{"pg_user", "SELECT usename FROM pg_catalog.pg_user ORDER BY usename", []string{"bob", "stripesql"}},
		// The JDBC driver's getImportedKeys reads max_index_keys (TestJDBC skips without Java).
		{"pg_settings", "SELECT name, setting FROM pg_catalog.pg_settings WHERE name IN ('max_index_keys', 'server_encoding') ORDER BY name", []string{"max_index_keys|32", "server_encoding|UTF8"}},
		{"pg_index", "SELECT indisprimary, indisunique, indnatts FROM pg_catalog.pg_index WHERE indrelid = 'customers'::regclass", []string{"true|true|1"}},
		{"pg_constraint", "SELECT conname, contype::text FROM pg_catalog.pg_constraint WHERE conrelid = 'charges'::regclass AND conname IN ('charges_pkey', 'charges_customer_fkey') ORDER BY conname", []string{"charges_customer_fkey|f", "charges_pkey|p"}},
		{"pg_am", "SELECT amname FROM pg_catalog.pg_am WHERE oid = 403", []string{"btree"}},
		// PostgreSQL 15 always lists plpgsql, and so does stripesql.
		{"pg_extension", "SELECT extname, extversion FROM pg_catalog.pg_extension", []string{"plpgsql|1.0"}},
		{"information_schema.schemata", "SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'public'", []string{"public"}},
		{"information_schema.tables", "SELECT table_type FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'customers'", []string{"BASE TABLE"}},
		{"information_schema.columns", "SELECT ordinal_position, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'id'", []string{"1|text|NO"}},
		{"information_schema.routines", "SELECT routine_type FROM information_schema.routines WHERE routine_name = 'cancelsubscription'", []string{"PROCEDURE"}},
		{"information_schema.parameters", "SELECT count(*) > 0 FROM information_schema.parameters p JOIN information_schema.routines r ON r.specific_name = p.specific_name WHERE r.routine_name = 'cancelsubscription'", []string{"true"}},

		{"current_schema", "SELECT current_schema(), current_schemas(true), current_schemas(false)", []string{"public|pg_catalog public|public"}},
		{"set_config and current_setting", "SELECT set_config('application_name', 'audit', false), current_setting('application_name')", []string{"audit|audit"}},
		{"pg_table_is_visible", "SELECT pg_table_is_visible('customers'::regclass)", []string{"true"}},
		{"format_type", "SELECT format_type('timestamptz'::regtype, -1), format_type(1043, -1)", []string{"timestamp with time zone|character varying"}},
		{"pg_get_expr", "SELECT pg_get_expr(indpred, indrelid) IS NULL FROM pg_catalog.pg_index WHERE indrelid = 'customers'::regclass", []string{"true"}},
		{"pg_get_userbyid", "SELECT pg_get_userbyid(c.relowner) = r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.relname = 'customers'", []string{"true"}},
		{"has_privilege", "SELECT has_table_privilege('customers', 'SELECT'), has_schema_privilege('public', 'USAGE'), has_database_privilege(current_database(), 'CONNECT')", []string{"true|true|true"}},
		{"pg_encoding_to_char", "SELECT pg_encoding_to_char(6)", []string{"UTF8"}},
		{"array functions", "SELECT array_to_string(current_schemas(true), ','), array_upper(ARRAY[1, 2, 3], 1), array_length(ARRAY['a'], 1)", []string{"pg_catalog,public|3|1"}},
		{"regclass regtype oid casts", "SELECT 'pg_catalog.pg_class'::regclass::oid = c.oid, 'int8'::regtype::oid, 20::regtype::text, 'customers'::regclass::text FROM pg_catalog.pg_class c WHERE c.relname = 'pg_class'", []string{"true|20|bigint|customers"}},
		{"operator syntax", "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(customers)$'", []string{"customers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := queryStrings(ctx, conn, tt.sql)
			if err != nil {
				t.Fatalf("%s: %v", tt.sql, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.sql, diff)
			}
		})
	}
	t.Run("pg_backend_pid", func(t *testing.T) {
		var pid uint32
		if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if pid != conn.PgConn().PID() {
			t.Errorf("pg_backend_pid() = %d, BackendKeyData said %d", pid, conn.PgConn().PID())
		}
	})
	t.Run("pgx type loading", func(t *testing.T) {
		for _, name := range []string{"_int8", "_text"} {
			typ, err := conn.LoadType(ctx, name)
			if err != nil {
				t.Fatalf("LoadType(%s): %v", name, err)
			}
			conn.TypeMap().RegisterType(typ)
		}
		types, err := conn.LoadTypes(ctx, []string{"_int8", "_text"})
		if err != nil {
			t.Fatalf("LoadTypes: %v", err)
		}
		found := map[string]uint32{}
		for _, typ := range types {
			found[typ.Name] = typ.OID
		}
		got := []string{fmt.Sprintf("_int8:%d", found["_int8"]), fmt.Sprintf("_text:%d", found["_text"])}
		if diff := cmp.Diff([]string{"_int8:1016", "_text:1009"}, got); diff != "" {
			t.Errorf("LoadTypes (-want +got):\n%s\nall: %v", diff, found)
		}
	})
}

// TestAuditStableOIDs checks that two independently built engines give a table, a type, a schema
// and a procedure the same OIDs, so a client's cached OIDs stay right across restarts.
func TestAuditStableOIDs(t *testing.T) {
	const sql = "SELECT 'customers'::regclass::oid, 'charges'::regclass::oid, (SELECT oid FROM pg_catalog.pg_proc WHERE proname = 'cancelsubscription'), (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'public')"
	ctx := context.Background()
	var answers []string
	for range 2 {
		conn, err := pgx.Connect(ctx, pgxURL(startReal(t), ""))
		if err != nil {
			t.Fatal(err)
		}
		got, err := queryStrings(ctx, conn, sql)
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, strings.Join(got, ";"))
	}
	if answers[0] == "" || answers[0] != answers[1] {
		t.Errorf("OIDs differ between two engines: %q", answers)
	}
}

// TestAuditStripeRequestsStop checks that a CancelRequest and a client disconnect each stop the
// Stripe requests of a long scan: the emulator answers every page after 300 ms, and no request
// may reach it after the query was stopped (the one in flight is abandoned, not waited for).
func TestAuditStripeRequestsStop(t *testing.T) {
	const latency = 300 * time.Millisecond
	for _, how := range []string{"cancel request", "disconnect"} {
		t.Run(how, func(t *testing.T) {
			stats := planner.NewStats()
			stats.Learn("charges", 600)
			addr, emu := startRealEmulator(t, emulator.Config{Seed: 5, Scale: emulator.ScaleN(600), Latency: latency}, Config{Stats: stats})
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, pgxURL(addr, ""))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "SET stripesql.max_requests = 1000"); err != nil {
				t.Fatal(err)
			}
			emu.ResetRequests()
			stoppedAt := make(chan time.Time, 1)
			go func() {
				time.Sleep(2 * latency) // a page read, the next one in flight
				stoppedAt <- time.Now()
				if how == "disconnect" {
					_ = conn.PgConn().Conn().Close()
					return
				}
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				_ = conn.PgConn().CancelRequest(cctx)
			}()
			start := time.Now()
			_, err = conn.Exec(ctx, "SELECT count(*) FROM charges")
			elapsed := time.Since(start)
			at := <-stoppedAt
			if how == "cancel request" {
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "57014" {
					t.Fatalf("err = %v, want 57014", err)
				}
				if d := start.Add(elapsed).Sub(at); d > time.Second {
					t.Errorf("57014 came %v after the cancel, want under 1 s", d)
				}
			} else if err == nil {
				t.Fatal("the query succeeded on a closed connection")
			}
			// Give a request the server failed to stop time to arrive.
			time.Sleep(3 * latency)
			var late, total int
			for _, r := range emu.Requests() {
				total++
				if r.Time.After(at.Add(50 * time.Millisecond)) {
					late++
				}
			}
			// The scan had started and had not read its six pages when it was stopped.
			if total == 0 || total >= 6 || late != 0 {
				t.Errorf("%d of %d stripe requests were sent after the query was stopped, want none (and 1 to 5 before)", late, total)
			}
		})
	}
}

// resultSet is one statement's answer in raw form: its columns and every row's bytes.
type resultSet struct {
	fields []pgproto3.FieldDescription
	rows   [][][]byte
	err    string
}

// rawResult runs sql through Parse/Bind/Describe/Execute/Sync asking for every column in format
// and returns the columns and the raw values (copied: pgproto3 reuses its buffers).
func (c *client) rawResult(sql string, format int16) resultSet {
	c.t.Helper()
	c.send(&pgproto3.Parse{Query: sql}, &pgproto3.Bind{ResultFormatCodes: []int16{format}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	var rs resultSet
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("%s: %v", sql, err)
		}
		switch m := m.(type) {
		case *pgproto3.RowDescription:
			rs.fields = append([]pgproto3.FieldDescription(nil), m.Fields...)
		case *pgproto3.DataRow:
			row := make([][]byte, len(m.Values))
			for i, v := range m.Values {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			rs.rows = append(rs.rows, row)
		case *pgproto3.ErrorResponse:
			rs.err = m.Code + " " + m.Message
		case *pgproto3.ReadyForQuery:
			return rs
		}
	}
}

// decodeWire decodes one value as a client would, with pgtype's codec for the column's type; the
// vectors (int2vector, oidvector) print as space-separated lists and travel as arrays in binary.
// The reg* types print as names and travel as OIDs, so their text only tells whether the OID is
// zero ("-").
func decodeWire(m *pgtype.Map, oid uint32, format int16, raw []byte) (any, error) {
	if raw == nil {
		return nil, nil
	}
	codecOID := wireOID(sqltypes.Type(oid))
	if codecOID == uint32(sqltypes.OID) && oid != codecOID {
		if format == pgtype.TextFormatCode {
			return string(raw) != "-", nil
		}
		typ, _ := m.TypeForOID(codecOID)
		v, err := typ.Codec.DecodeValue(m, codecOID, format, raw)
		return v != uint32(0), err
	}
	if format == pgtype.TextFormatCode && codecOID != oid && (oid == uint32(sqltypes.OIDVector) || oid == uint32(sqltypes.Int2Vector)) {
		raw = []byte("{" + strings.ReplaceAll(string(raw), " ", ",") + "}")
	}
	typ, ok := m.TypeForOID(codecOID)
	if !ok {
		return nil, fmt.Errorf("no codec for type %d", oid)
	}
	v, err := typ.Codec.DecodeValue(m, codecOID, format, raw)
	return normalizeWire(v), err
}

// normalizeWire makes equal values compare equal: instants in UTC, numerics as exact fractions.
func normalizeWire(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case pgtype.Numeric:
		if !x.Valid || x.Int == nil {
			return fmt.Sprintf("numeric nan=%v inf=%v", x.NaN, x.InfinityModifier)
		}
		r := new(big.Rat).SetInt(x.Int)
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(x.Exp))), nil)
		if x.Exp < 0 {
			r.Quo(r, new(big.Rat).SetInt(scale))
		} else {
			r.Mul(r, new(big.Rat).SetInt(scale))
		}
		return r.RatString()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeWire(e)
		}
		return out
	}
	return v
}

func abs(n int32) int32 {
	if n < 0 {
		return -n
	}
	return n
}

// TestAuditBinaryResults asks the real engine for the same rows in text and in binary result
// format, over Stripe tables, the catalog tables whose columns use the unusual types ("char",
// name, oidvector, int2vector, reg*, arrays) and literals of the remaining types, and checks that
// pgtype decodes both formats of every value to the same value.
func TestAuditBinaryResults(t *testing.T) {
	addr := startReal(t)
	c := dial(t, addr)
	c.startup(nil)
	checkAnswer(t, "SET", c.query("SET stripesql.max_requests = 100000")) // an unmeasured table is estimated large
	queries := []string{
		"SELECT * FROM customers ORDER BY id LIMIT 3",
		"SELECT * FROM charges ORDER BY id LIMIT 3",
		"SELECT * FROM pg_catalog.pg_class WHERE relname IN ('customers', 'charges', 'customers_pkey')",
		"SELECT * FROM pg_catalog.pg_attribute WHERE attrelid = 'customers'::regclass",
		"SELECT * FROM pg_catalog.pg_type WHERE oid IN (16, 20, 25, 1009, 3802)",
		"SELECT * FROM pg_catalog.pg_proc WHERE proname IN ('version', 'cancelsubscription', 'format_type')",
		"SELECT * FROM pg_catalog.pg_index",
		"SELECT * FROM pg_catalog.pg_constraint WHERE conrelid = 'charges'::regclass",
		"SELECT * FROM pg_catalog.pg_namespace",
		"SELECT * FROM information_schema.columns WHERE table_name = 'customers'",
		`SELECT 1.5::float4, 2::int2, 3::int4, 'x'::varchar(5), 'n'::name, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.5',
			INTERVAL '1 day 2 hours', '{"a": [1, 2.5]}'::json, 'pg_class'::regclass, 'int8'::regtype, 12.50::numeric, '\xdead'::bytea,
			ARRAY[1.5, 2]::float8[], ARRAY[true, false], ARRAY[12.5, NULL]::numeric[], 'version'::regproc`,
	}
	m := pgtype.NewMap()
	for _, q := range queries {
		name := "literals"
		if _, from, ok := strings.Cut(q, " FROM "); ok {
			name = strings.Fields(from)[0]
		}
		t.Run(name, func(t *testing.T) {
			text, bin := c.rawResult(q, pgtype.TextFormatCode), c.rawResult(q, pgtype.BinaryFormatCode)
			if text.err != "" || bin.err != "" {
				t.Fatalf("text: %s, binary: %s", text.err, bin.err)
			}
			if len(text.rows) == 0 || len(text.rows) != len(bin.rows) {
				t.Fatalf("%d rows in text, %d in binary; want the same, at least one", len(text.rows), len(bin.rows))
			}
			for r := range text.rows {
				for i, f := range text.fields {
					if f.DataTypeOID == uint32(sqltypes.Record) {
						continue // TestRecordsOverPgx
					}
					tv, terr := decodeWire(m, f.DataTypeOID, pgtype.TextFormatCode, text.rows[r][i])
					bv, berr := decodeWire(m, f.DataTypeOID, pgtype.BinaryFormatCode, bin.rows[r][i])
					if terr != nil || berr != nil {
						t.Errorf("row %d column %s (type %d): text %q: %v; binary %x: %v", r, f.Name, f.DataTypeOID, text.rows[r][i], terr, bin.rows[r][i], berr)
						continue
					}
					if diff := cmp.Diff(tv, bv); diff != "" {
						t.Errorf("row %d column %s (type %d): text %q, binary %x (-text +binary):\n%s", r, f.Name, f.DataTypeOID, text.rows[r][i], bin.rows[r][i], diff)
					}
				}
			}
		})
	}
}

// TestAuditAuthScripts is the protocol script of SCRAM exchanges a client gets wrong: each ends
// the connection with 08P01, as PostgreSQL does, and the offer names only SCRAM-SHA-256.
func TestAuditAuthScripts(t *testing.T) {
	addr, _ := startServer(t, Config{Users: []User{{Name: "alice", Password: "pw"}}})
	tests := []struct {
		name string
		msg  pgproto3.FrontendMessage
		want []string
	}{
		{"unknown mechanism", &pgproto3.SASLInitialResponse{AuthMechanism: "PLAIN", Data: []byte("n,,n=alice,r=abc")},
			[]string{"ErrorResponse FATAL 08P01 client selected an invalid sasl authentication mechanism", "EOF"}},
		{"malformed client-first", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("garbage")},
			[]string{"ErrorResponse FATAL 08P01 malformed scram message", "EOF"}},
		{"query instead of sasl", &pgproto3.Query{String: "SELECT 1"},
			[]string{"ErrorResponse FATAL 08P01 expected a sasl initial response", "EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "alice"}})
			if diff := cmp.Diff([]string{"AuthenticationSASL SCRAM-SHA-256"}, c.receiveN(1)); diff != "" {
				t.Fatalf("offer (-want +got):\n%s", diff)
			}
			c.send(tt.msg)
			if diff := cmp.Diff(tt.want, c.untilReady()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuditPsqlProcedureParameters checks that \df lists a procedure with its parameters (names
// and types, from pg_proc's proargnames and proargtypes), as the issue asks.
func TestAuditPsqlProcedureParameters(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr := startReal(t)
	got, err := psql(t, addr, "-c", `\df cancelsubscription`)
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, got)
	}
	for _, want := range []string{"public | cancelsubscription | ", "| proc", "(1 row)", "| IN id text, IN cancellation_details jsonb DEFAULT NULL::jsonb, IN expand text[] DEFAULT NULL::text[], "} {
		if !strings.Contains(got, want) {
			t.Errorf("\\df output lacks %q:\n%s", want, got)
		}
	}
}
