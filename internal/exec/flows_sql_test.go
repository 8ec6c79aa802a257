package exec_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/flows"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// flowsEnv is an emulator, a SQLite state store and the SQL side of flows over them.
type flowsEnv struct {
	client *stripeapi.Client
	store  *state.Store
	flows  *flows.SQL
}

func newFlowsEnv(t *testing.T) *flowsEnv {
	t.Helper()
	_, base, stop, err := emulator.Start(emulator.Config{Seed: 5, Scale: emulator.ScaleN(40)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	e := &flowsEnv{}
	if e.client, err = stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_flowsql", BaseURL: base, Scheduler: stripeapi.NewScheduler(10000)}); err != nil {
		t.Fatal(err)
	}
	if e.store, err = state.Open(t.Context(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	svc, err := flows.New(flows.Options{Store: e.store, Node: "node-a", Sync: ingest.Config{Backend: e.client, Rate: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	e.flows = flows.NewSQL(e.store, svc, nil)
	return e
}

func (e *flowsEnv) session(readOnly bool) *planner.Session {
	return planner.NewSession(planner.SessionConfig{Catalog: catalog.Default(), Flows: e.flows, ReadOnly: readOnly})
}

// run runs one statement and returns its rows as text (NULL for nil, times in RFC 3339) and its tag.
func runFlowSQL(t *testing.T, b stripeapi.Backend, sess *planner.Session, sql string) ([]string, string, error) {
	t.Helper()
	sts, err := planner.Parse(sql)
	if err != nil {
		return nil, "", err
	}
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		return nil, "", err
	}
	rows, err := exec.Run(t.Context(), b, sess, p)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []string
	for {
		r, err := rows.Next(context.Background())
		if err == io.EOF {
			return out, rows.Tag(), nil
		}
		if err != nil {
			return out, "", err
		}
		cells := make([]string, len(r))
		for i, v := range r {
			switch x := v.(type) {
			case nil:
				cells[i] = "NULL"
			case time.Time:
				cells[i] = x.UTC().Format(time.RFC3339)
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
}

func mustRun(t *testing.T, b stripeapi.Backend, sess *planner.Session, sql string) ([]string, string) {
	t.Helper()
	rows, tag, err := runFlowSQL(t, b, sess, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows, tag
}

func TestFlowsSQLCreateSelectUpdateDelete(t *testing.T) {
	e := newFlowsEnv(t)
	sess := e.session(false)
	got, tag := mustRun(t, e.client, sess, `CALL CreateFlow(name => 'f', tables => 'charges, customers', target => '/lake/f',
		frequency => 'HOUR', "interval" => 2, start_time => '2026-12-07T10:00:00Z')`)
	want := []string{"f|charges,customers|NULL|/lake/f|hour|2|2026-12-07T10:00:00Z|true"}
	if diff := cmp.Diff(want, cut(got, 8)); diff != "" || tag != "CALL" {
		t.Errorf("CreateFlow -want +got:\n%s (tag %q)", diff, tag)
	}
	// Positional arguments, and a mapping query.
	mustRun(t, e.client, sess, `CALL CreateFlow('g', NULL, '/lake/g', 'day', 1, '2026-12-08T00:00:00Z', false,
		'{"customer_dim": "SELECT id, email FROM customers"}')`)

	got, _ = mustRun(t, e.client, sess, `SELECT name, tables, queries->>'customer_dim', frequency, "interval", enabled, next_run, last_run
		FROM stripesql.flows ORDER BY name`)
	want = []string{
		"f|charges,customers|NULL|hour|2|true|2026-12-07T10:00:00Z|NULL",
		"g|NULL|SELECT id, email FROM customers|day|1|false|NULL|NULL",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SELECT stripesql.flows -want +got:\n%s", diff)
	}

	_, tag = mustRun(t, e.client, sess, `UPDATE stripesql.flows SET frequency = 'day', enabled = false, "interval" = "interval" + 1 WHERE name = 'f'`)
	if tag != "UPDATE 1" {
		t.Errorf("UPDATE tag %q", tag)
	}
	f, err := e.store.Flow(t.Context(), "f")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state.Schedule{Start: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), Frequency: state.Day, Interval: 3}, f.Schedule); diff != "" || f.Enabled {
		t.Errorf("store after UPDATE -want +got:\n%s (enabled %v)", diff, f.Enabled)
	}
	_, tag = mustRun(t, e.client, sess, `UPDATE stripesql.flows SET target = '/lake/all' WHERE true`)
	if tag != "UPDATE 2" {
		t.Errorf("UPDATE WHERE true tag %q", tag)
	}

	_, tag = mustRun(t, e.client, sess, `DELETE FROM stripesql.flows WHERE name LIKE 'g%'`)
	if tag != "DELETE 1" {
		t.Errorf("DELETE tag %q", tag)
	}
	fs, err := e.store.Flows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Name != "f" || fs[0].Target != "/lake/all" {
		t.Errorf("store after DELETE: %+v", fs)
	}
	got, tag = mustRun(t, e.client, sess, `DELETE FROM stripesql.flows WHERE name = 'nope'`)
	if tag != "DELETE 0" || len(got) != 0 {
		t.Errorf("DELETE of nothing: %v %q", got, tag)
	}
}

// cut keeps the first n cells of each row.
func cut(rows []string, n int) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := strings.Split(r, "|")
		out[i] = strings.Join(cells[:min(n, len(cells))], "|")
	}
	return out
}

func TestFlowsSQLRunFlow(t *testing.T) {
	e := newFlowsEnv(t)
	sess := e.session(false)
	dir := t.TempDir()
	mustRun(t, e.client, sess, `CALL CreateFlow(name => 'billing', tables => 'customers,charges', target => '`+dir+`', frequency => 'once')`)
	got, _ := mustRun(t, e.client, sess, `CALL RunFlow('billing')`)
	if len(got) != 1 {
		t.Fatalf("RunFlow returned %v", got)
	}
	cells := strings.Split(got[0], "|")
	if cells[1] != "billing" || cells[2] != "node-a" || cells[5] != "succeeded" || cells[8] == "0" || cells[11] == "0" {
		t.Errorf("RunFlow row %v: want billing on node-a, succeeded, rows inserted and requests", cells)
	}
	got, _ = mustRun(t, e.client, sess, `SELECT flow, status, inserted > 0, requests > 0, (tables->'customers'->>'inserted')::int > 0, ended >= started, error
		FROM stripesql.flow_runs WHERE flow = 'billing' ORDER BY id`)
	if diff := cmp.Diff([]string{"billing|succeeded|true|true|true|true|NULL"}, got); diff != "" {
		t.Errorf("flow_runs -want +got:\n%s", diff)
	}
	got, _ = mustRun(t, e.client, sess, `SELECT last_status, next_run FROM stripesql.flows WHERE name = 'billing'`)
	if diff := cmp.Diff([]string{"succeeded|NULL"}, got); diff != "" {
		t.Errorf("flows after the run -want +got:\n%s", diff)
	}
	// The lake's manifest committed what the run says it inserted.
	m, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = mustRun(t, e.client, sess, `SELECT tables->'customers'->>'inserted' FROM stripesql.flow_runs WHERE flow = 'billing'`)
	var committed int64
	if ts := m.Tables["customers"]; ts != nil {
		for _, f := range ts.Files {
			committed += f.Rows
		}
	}
	if diff := cmp.Diff(got, []string{fmt.Sprint(committed)}); diff != "" || committed == 0 {
		t.Errorf("customers inserted by the run -flow_runs +lake manifest:\n%s", diff)
	}

	// A flow whose run holds its lease cannot be deleted; the refusal changes nothing.
	r, err := e.store.StartRun(t.Context(), "billing", "node-b", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = runFlowSQL(t, e.client, sess, `DELETE FROM stripesql.flows WHERE name = 'billing'`)
	wantSQLState(t, "DELETE of a running flow", err, sqlstate.ObjectInUse)
	_, _, err = runFlowSQL(t, e.client, sess, `CALL RunFlow('billing')`)
	wantSQLState(t, "RunFlow of a running flow", err, sqlstate.LockNotAvailable)
	if _, err := e.store.FinishRun(t.Context(), r.ID, "node-b", state.Outcome{Status: state.Failed, Error: "test"}); err != nil {
		t.Fatal(err)
	}
	mustRun(t, e.client, sess, `DELETE FROM stripesql.flows WHERE name = 'billing'`)
	got, _ = mustRun(t, e.client, sess, `SELECT count(*) FROM stripesql.flow_runs`)
	if diff := cmp.Diff([]string{"0"}, got); diff != "" {
		t.Errorf("runs after the flow's DELETE -want +got:\n%s", diff)
	}
}

func wantSQLState(t *testing.T, what string, err error, code string) *sqlstate.Error {
	t.Helper()
	e, ok := sqlstate.As(err)
	if !ok || e.Code != code {
		t.Errorf("%s: error %v; want SQLSTATE %s", what, err, code)
		return &sqlstate.Error{}
	}
	return e
}

func TestFlowsSQLErrors(t *testing.T) {
	e := newFlowsEnv(t)
	sess := e.session(false)
	mustRun(t, e.client, sess, `CALL CreateFlow(name => 'f', tables => 'charges', target => '/lake')`)
	for _, tc := range []struct {
		name, sql, code, hint string
	}{
		{"duplicate", `CALL CreateFlow(name => 'f', tables => 'charges', target => '/lake')`, sqlstate.DuplicateObject, ""},
		{"bad frequency", `CALL CreateFlow(name => 'x', tables => 'charges', target => '/lake', frequency => 'month')`, sqlstate.InvalidParameterValue, "once, minute, hour, day or week"},
		{"unknown table", `CALL CreateFlow(name => 'x', tables => 'charges,custmers', target => '/lake')`, sqlstate.UndefinedTable, `"customers"`},
		{"no target", `CALL CreateFlow(name => 'x', tables => 'charges')`, sqlstate.InvalidParameterValue, ""},
		{"nothing to copy", `CALL CreateFlow(name => 'x', target => '/lake')`, sqlstate.InvalidParameterValue, ""},
		{"zero interval", `CALL CreateFlow('x', 'charges', '/lake', 'hour', 0)`, sqlstate.InvalidParameterValue, ""},
		{"unknown parameter", `CALL CreateFlow(name => 'x', tables => 'charges', target => '/lake', every => 2)`, sqlstate.UndefinedFunction, ""},
		{"run unknown flow", `CALL RunFlow('nope')`, sqlstate.UndefinedObject, ""},
		{"update name", `UPDATE stripesql.flows SET name = 'g' WHERE name = 'f'`, sqlstate.FeatureNotSupported, "updatable columns of flows"},
		{"update created", `UPDATE stripesql.flows SET created = now() WHERE name = 'f'`, sqlstate.FeatureNotSupported, ""},
		{"update bad frequency", `UPDATE stripesql.flows SET frequency = 'fortnight' WHERE name = 'f'`, sqlstate.InvalidParameterValue, "once, minute, hour, day or week"},
		{"update unknown table", `UPDATE stripesql.flows SET tables = 'nope' WHERE name = 'f'`, sqlstate.UndefinedTable, ""},
		{"update enabled null", `UPDATE stripesql.flows SET enabled = NULL WHERE name = 'f'`, sqlstate.NotNullViolation, ""},
		{"update without where", `UPDATE stripesql.flows SET enabled = false`, sqlstate.FeatureNotSupported, ""},
		{"update runs", `UPDATE stripesql.flow_runs SET status = 'failed' WHERE id = 1`, sqlstate.FeatureNotSupported, ""},
		{"delete runs", `DELETE FROM stripesql.flow_runs WHERE id = 1`, sqlstate.FeatureNotSupported, ""},
		{"insert", `INSERT INTO stripesql.flows (name) VALUES ('x')`, sqlstate.FeatureNotSupported, "CreateFlow"},
		{"returning", `DELETE FROM stripesql.flows WHERE name = 'f' RETURNING name`, sqlstate.FeatureNotSupported, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runFlowSQL(t, e.client, sess, tc.sql)
			se := wantSQLState(t, tc.sql, err, tc.code)
			if !strings.Contains(se.Hint, tc.hint) {
				t.Errorf("hint %q does not contain %q", se.Hint, tc.hint)
			}
		})
	}
	got, _ := mustRun(t, e.client, sess, `SELECT name, tables, frequency, enabled FROM stripesql.flows`)
	if diff := cmp.Diff([]string{"f|charges|hour|true"}, got); diff != "" {
		t.Errorf("the failed statements changed the flows -want +got:\n%s", diff)
	}
}

func TestFlowsSQLReadOnly(t *testing.T) {
	e := newFlowsEnv(t)
	mustRun(t, e.client, e.session(false), `CALL CreateFlow(name => 'f', tables => 'charges', target => '/lake')`)
	ro := e.session(true)
	got, _ := mustRun(t, e.client, ro, `SELECT name, enabled FROM stripesql.flows`)
	if diff := cmp.Diff([]string{"f|true"}, got); diff != "" {
		t.Errorf("read-only SELECT -want +got:\n%s", diff)
	}
	mustRun(t, e.client, ro, `SELECT * FROM stripesql.flow_runs`)
	for _, sql := range []string{
		`CALL CreateFlow(name => 'g', tables => 'charges', target => '/lake')`,
		`CALL RunFlow('f')`,
		`SELECT * FROM RunFlow('f')`,
		`UPDATE stripesql.flows SET enabled = false WHERE name = 'f'`,
		`DELETE FROM stripesql.flows WHERE name = 'f'`,
	} {
		_, _, err := runFlowSQL(t, e.client, ro, sql)
		wantSQLState(t, sql, err, sqlstate.InsufficientPrivilege)
	}
	got, _ = mustRun(t, e.client, ro, `SELECT name, enabled, last_run FROM stripesql.flows`)
	if diff := cmp.Diff([]string{"f|true|NULL"}, got); diff != "" {
		t.Errorf("read-only statements changed the flows -want +got:\n%s", diff)
	}
}

func TestFlowsSQLWithoutStateStore(t *testing.T) {
	sess := planner.NewSession(planner.SessionConfig{Catalog: catalog.Default()})
	for _, sql := range []string{
		`SELECT * FROM stripesql.flows`,
		`SELECT count(*) FROM stripesql.flow_runs`,
		`CALL CreateFlow(name => 'f', tables => 'charges', target => '/lake')`,
		`CALL RunFlow('f')`,
		`UPDATE stripesql.flows SET enabled = false WHERE name = 'f'`,
		`DELETE FROM stripesql.flows WHERE name = 'f'`,
	} {
		_, _, err := runFlowSQL(t, nil, sess, sql)
		se := wantSQLState(t, sql, err, sqlstate.ObjectNotInPrerequisiteState)
		if !strings.Contains(se.Hint, "--data-dir") {
			t.Errorf("%s: hint %q does not say how to configure a state store", sql, se.Hint)
		}
	}
}
