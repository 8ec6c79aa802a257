package server

import (
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/flows"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// startFlowsServer starts the engine over the emulator as stripesql serve does with a state
// store: the store and a flow service (not running due flows in the background) handed to the
// engine as flows.SQL, and users writer and reader (read-only).
func startFlowsServer(t *testing.T) (addr string, store *state.Store) {
	t.Helper()
	_, url, stop, err := emulator.Start(emulator.Config{Seed: 12, Scale: emulator.ScaleN(30)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_server", BaseURL: url, Rate: testRate, Scheduler: stripeapi.NewScheduler(testRate)})
	if err != nil {
		t.Fatal(err)
	}
	if store, err = state.Open(t.Context(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc, err := flows.New(flows.Options{Store: store, Node: "psql-node", Sync: ingest.Config{Backend: client, Rate: testRate}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Backend: client, Rate: testRate, Flows: flows.NewSQL(store, svc, nil),
		Users: []User{{Name: "writer", Password: "w"}, {Name: "reader", Password: "r", ReadOnly: true}}}
	eng, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine = eng
	addr, _ = startServer(t, cfg)
	return addr, store
}

// psqlAs is psql connected to addr as user with password, stopping at the first error, with
// errors printed with their SQLSTATE.
func psqlAs(addr, user, password string, stdin string) *exec.Cmd {
	host, port, _ := strings.Cut(addr, ":")
	cmd := psqlAt(host, port, user, "stripe", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose") // corpus_test.go
	cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// TestPsqlFlows creates, runs, changes and deletes a flow through psql, as an analyst would, and
// checks that a read-only user may look but not change.
func TestPsqlFlows(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr, store := startFlowsServer(t)
	lake := t.TempDir()
	script := `\pset format unaligned
\pset tuples_only on
CALL CreateFlow(name => 'billing', tables => 'customers,charges', target => '` + lake + `', frequency => 'hour', "interval" => 1, start_time => '2026-12-07T10:00:00Z');
CALL RunFlow('billing');
SELECT 'runs', flow, node, status, inserted > 0, requests > 0, (tables->'charges'->>'inserted')::int > 0, error IS NULL FROM stripesql.flow_runs WHERE flow = 'billing';
UPDATE stripesql.flows SET frequency = 'day', enabled = false WHERE name = 'billing';
SELECT 'flows', name, tables, frequency, "interval", enabled, last_status FROM stripesql.flows ORDER BY name;
\dt stripesql.*
SELECT 'columns', count(*) FROM information_schema.columns WHERE table_schema = 'stripesql' AND table_name = 'flow_runs';
`
	out, err := psqlAs(addr, "writer", "w", script).CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		for _, p := range []string{"runs|", "flows|", "columns|", "UPDATE", "stripesql|"} {
			if strings.HasPrefix(l, p) {
				got = append(got, l)
			}
		}
	}
	want := []string{
		"runs|billing|psql-node|succeeded|t|t|t|t",
		"UPDATE 1",
		"flows|billing|customers,charges|day|1|f|succeeded",
		"stripesql|flow_runs|table|stripesql",
		"stripesql|flows|table|stripesql",
		"columns|13",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("psql flows (-want +got):\n%s\nfull output:\n%s", diff, out)
	}
	var parquet int
	filepath.WalkDir(lake, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".parquet") {
			parquet++
		}
		return nil
	})
	if parquet == 0 {
		t.Errorf("RunFlow wrote no Parquet file under %s", lake)
	}

	// The read-only user sees the flow and its run, and every change is refused with 42501.
	out, err = psqlAs(addr, "reader", "r", `\pset tuples_only on
\pset format unaligned
SELECT 'seen', name, last_status FROM stripesql.flows;
SELECT 'seen runs', count(*) FROM stripesql.flow_runs;`).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "seen|billing|succeeded") || !strings.Contains(string(out), "seen runs|1") {
		t.Errorf("read-only SELECT: %v\n%s", err, out)
	}
	for _, sql := range []string{
		`CALL CreateFlow(name => 'other', tables => 'charges', target => '` + lake + `')`,
		`CALL RunFlow('billing')`,
		`UPDATE stripesql.flows SET enabled = true WHERE name = 'billing'`,
		`DELETE FROM stripesql.flows WHERE name = 'billing'`,
	} {
		out, err := psqlAs(addr, "reader", "r", sql+";\n").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "ERROR:  42501: permission denied") {
			t.Errorf("reader: %s: %v\n%s", sql, err, out)
		}
	}
	fs, err := store.Flows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	runs, err := store.Runs(t.Context(), "billing", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Enabled || len(runs) != 1 {
		t.Errorf("the read-only user changed the store: flows %+v, %d runs", fs, len(runs))
	}

	out, err = psqlAs(addr, "writer", "w", `\pset tuples_only on
\pset format unaligned
DELETE FROM stripesql.flows WHERE name = 'billing';
SELECT 'left', count(*) FROM stripesql.flows;
SELECT 'runs left', count(*) FROM stripesql.flow_runs;`).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "DELETE 1") || !strings.Contains(string(out), "left|0") || !strings.Contains(string(out), "runs left|0") {
		t.Errorf("DELETE: %v\n%s", err, out)
	}
}

// TestPgxFlows runs the flows' SQL over the extended protocol with parameters, as a Go or JDBC
// client would: $n take the types of CreateFlow's parameters and of the tables' columns.
func TestPgxFlows(t *testing.T) {
	addr, _ := startFlowsServer(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, "postgres://writer:w@"+addr+"/stripe?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var name, freq string
	var interval int32
	if err := conn.QueryRow(ctx, `CALL CreateFlow(name => $1, tables => $2, target => $3, frequency => $4, "interval" => $5)`,
		"p", "customers", t.TempDir(), "week", 2).Scan(nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil); err != nil {
		t.Fatalf("CreateFlow with parameters: %v", err)
	}
	if _, err := conn.Exec(ctx, `UPDATE stripesql.flows SET "interval" = $1 WHERE name = $2`, 3, "p"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT name, frequency, "interval" FROM stripesql.flows WHERE name = $1`, "p").Scan(&name, &freq, &interval); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("p week 3", fmt.Sprint(name, " ", freq, " ", interval)); diff != "" {
		t.Errorf("flow over pgx -want +got:\n%s", diff)
	}
	var status string
	var inserted int64
	if err := conn.QueryRow(ctx, `SELECT status, inserted FROM RunFlow($1)`, "p").Scan(&status, &inserted); err == nil {
		t.Errorf("SELECT status, inserted FROM RunFlow(…) ran; want the SELECT * only error")
	}
	rows, err := conn.Query(ctx, `SELECT * FROM RunFlow($1)`, "p")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(vals[1], " ", vals[5]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"p succeeded"}, got); diff != "" {
		t.Errorf("SELECT * FROM RunFlow -want +got:\n%s", diff)
	}
}
