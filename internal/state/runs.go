package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// RunStatus is where a flow run stands.
type RunStatus string

// The statuses of a run. A run is Running from StartRun until FinishRun; Partial is a run in
// which some tables failed while the others committed.
const (
	Running   RunStatus = "running"
	Succeeded RunStatus = "succeeded"
	Failed    RunStatus = "failed"
	Partial   RunStatus = "partial"
)

// TableRun is what one run did to one table of the lake.
type TableRun struct {
	Inserted int64 `json:"inserted"`
	Updated  int64 `json:"updated"`
	Deleted  int64 `json:"deleted"`
	// Requests is the number of Stripe requests the table cost.
	Requests int64 `json:"requests"`
	// Error is why the table failed; empty when it did not.
	Error string `json:"error,omitempty"`
}

// Run is one run of a flow: who runs it, until when its lease holds, and what it did.
type Run struct {
	ID        int64
	Flow      string
	StartedAt time.Time
	// EndedAt is zero while the run is Running.
	EndedAt time.Time
	Status  RunStatus
	// Node is the node that holds (or last held) the run's lease.
	Node string
	// LeaseExpires is when the lease ends unless renewed; zero once the run finished. A running
	// run whose lease expired belongs to a node that stopped renewing it (it died), and another
	// node may take it over.
	LeaseExpires time.Time
	// Tables holds the figures per lake table, as last recorded.
	Tables map[string]TableRun
	// Error is why the run failed, or what went wrong in a partial run.
	Error string
}

// Outcome is how a run ended, given to FinishRun.
type Outcome struct {
	// Status is Succeeded, Failed or Partial.
	Status RunStatus
	// Tables replaces the run's figures; nil keeps those last recorded with RecordProgress.
	Tables map[string]TableRun
	Error  string
}

const runColumns = `id, flow, started_at, ended_at, status, node, lease_expires, tables, error_text`

// StartRun starts a run of the flow on node, holding its lease for ttl. Exactly one caller
// succeeds while the flow has a running run, however many nodes race: the others get 55P03,
// whose DETAIL names the holder (and, when the holder's lease has expired, a HINT to take it over
// with TakeOverRun instead). An unknown flow is 42704. The lease's times are the database's on
// PostgreSQL.
func (s *Store) StartRun(ctx context.Context, flow, node string, ttl time.Duration) (Run, error) {
	if err := checkLease(node, ttl); err != nil {
		return Run{}, err
	}
	rows, err := s.query(ctx, s.db, `INSERT INTO flow_runs (flow, started_at, status, node, lease_expires, tables, error_text)
		SELECT name, {now}, 'running', $2, {now} + $3, '{}', '' FROM flows WHERE name = $1
		RETURNING `+runColumns, flow, node, ttl.Microseconds())
	if s.isUniqueViolation(err) {
		return Run{}, s.alreadyRunning(ctx, flow)
	}
	if err != nil {
		return Run{}, s.fail(err, "start a run of flow "+flow)
	}
	r, found, err := s.oneRun(rows, "start a run of flow "+flow)
	if s.isUniqueViolation(err) {
		return Run{}, s.alreadyRunning(ctx, flow)
	}
	if err != nil {
		return Run{}, err
	}
	if !found {
		return Run{}, unknownFlow(flow)
	}
	return r, nil
}

// RenewLease extends the lease node holds on run id to ttl from now, and returns the run. A node
// renews well before the lease expires (every ttl/3, say); a lease that expired may still be
// renewed as long as no other node took the run over. When another node did, or the run
// finished, it is 55P03 or 55000, and this node must stop working on the run.
func (s *Store) RenewLease(ctx context.Context, id int64, node string, ttl time.Duration) (Run, error) {
	if err := checkLease(node, ttl); err != nil {
		return Run{}, err
	}
	rows, err := s.query(ctx, s.db, `UPDATE flow_runs SET lease_expires = {now} + $3
		WHERE id = $1 AND node = $2 AND status = 'running' RETURNING `+runColumns, id, node, ttl.Microseconds())
	return s.heldRun(ctx, rows, err, id, node, "renew the lease of")
}

// RecordProgress replaces the per-table figures of run id, which node holds, so that a node that
// takes the run over sees how far it got.
func (s *Store) RecordProgress(ctx context.Context, id int64, node string, tables map[string]TableRun) error {
	js, err := tablesJSON(tables)
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, s.db, `UPDATE flow_runs SET tables = $3
		WHERE id = $1 AND node = $2 AND status = 'running' RETURNING `+runColumns, id, node, js)
	_, err = s.heldRun(ctx, rows, err, id, node, "record the progress of")
	return err
}

// FinishRun ends run id, which node holds, with the outcome, releasing its lease, and returns the
// finished run. A run another node took over, or one already finished, is 55P03 or 55000.
func (s *Store) FinishRun(ctx context.Context, id int64, node string, o Outcome) (Run, error) {
	switch o.Status {
	case Succeeded, Failed, Partial:
	default:
		return Run{}, sqlstate.New(sqlstate.InvalidParameterValue, "a run cannot finish as %q", o.Status).
			WithHint("finish it as succeeded, failed or partial")
	}
	var js any // NULL keeps the recorded figures
	if o.Tables != nil {
		var err error
		if js, err = tablesJSON(o.Tables); err != nil {
			return Run{}, err
		}
	}
	rows, err := s.query(ctx, s.db, `UPDATE flow_runs SET status = $3, tables = COALESCE($4, tables),
			error_text = $5, ended_at = {now}, lease_expires = NULL
		WHERE id = $1 AND node = $2 AND status = 'running' RETURNING `+runColumns,
		id, node, string(o.Status), js, o.Error)
	return s.heldRun(ctx, rows, err, id, node, "finish")
}

// TakeOverRun gives run id, whose lease has expired, to node for ttl, and returns it: node then
// resumes the run where its figures (and the lake's manifest) say it stopped. Exactly one of
// several nodes taking over at once succeeds; a run whose lease has not expired is 55P03, a
// finished one 55000, an unknown one 42704.
func (s *Store) TakeOverRun(ctx context.Context, id int64, node string, ttl time.Duration) (Run, error) {
	if err := checkLease(node, ttl); err != nil {
		return Run{}, err
	}
	rows, err := s.query(ctx, s.db, `UPDATE flow_runs SET node = $2, lease_expires = {now} + $3
		WHERE id = $1 AND status = 'running' AND lease_expires <= {now} RETURNING `+runColumns,
		id, node, ttl.Microseconds())
	return s.heldRun(ctx, rows, err, id, "", "take over")
}

// ExpiredRuns returns the running runs whose lease has expired by the store's time — runs whose
// node died — oldest first, for TakeOverRun.
func (s *Store) ExpiredRuns(ctx context.Context) ([]Run, error) {
	return s.runs(ctx, "read expired runs", `SELECT `+runColumns+` FROM flow_runs
		WHERE status = 'running' AND lease_expires <= {now} ORDER BY id`)
}

// Run returns run id, or 42704 when there is none.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+runColumns+` FROM flow_runs WHERE id = $1`, id)
	if err != nil {
		return Run{}, s.fail(err, "read flow runs")
	}
	r, found, err := s.oneRun(rows, "read flow runs")
	if err == nil && !found {
		err = unknownRun(id)
	}
	return r, err
}

// Runs returns the flow's runs, newest first, at most limit of them (all when limit ≤ 0). An
// unknown flow is 42704.
func (s *Store) Runs(ctx context.Context, flow string, limit int) ([]Run, error) {
	q := `SELECT ` + runColumns + ` FROM flow_runs WHERE flow = $1 ORDER BY id DESC`
	args := []any{flow}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	out, err := s.runs(ctx, "read runs of flow "+flow, q, args...)
	if err == nil && len(out) == 0 {
		if _, err := s.Flow(ctx, flow); err != nil {
			return nil, err
		}
	}
	return out, err
}

func (s *Store) runs(ctx context.Context, action, q string, args ...any) ([]Run, error) {
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, s.fail(err, action)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := s.scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, s.fail(rows.Err(), action)
}

// heldRun finishes a conditional UPDATE … RETURNING on run id: the run when it matched, and
// otherwise the reason it did not (unknown, finished, held by another node, lease not expired).
// node is the caller's node, or "" for a takeover.
func (s *Store) heldRun(ctx context.Context, rows *sql.Rows, err error, id int64, node, action string) (Run, error) {
	what := action + " flow run"
	if err != nil {
		return Run{}, s.fail(err, what)
	}
	r, found, err := s.oneRun(rows, what)
	if err != nil || found {
		return r, err
	}
	// The update matched nothing: say why.
	rows, err = s.query(ctx, s.db, `SELECT `+runColumns+`, lease_expires <= {now} FROM flow_runs WHERE id = $1`, id)
	if err != nil {
		return Run{}, s.fail(err, what)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Run{}, s.fail(err, what)
		}
		return Run{}, unknownRun(id)
	}
	var expired sql.NullBool
	cur, err := s.scanRun(rows, &expired)
	if err != nil {
		return Run{}, err
	}
	switch {
	case cur.Status != Running:
		return Run{}, sqlstate.New(sqlstate.ObjectNotInPrerequisiteState,
			"cannot %s: run %d of flow %s has already finished (%s)", what, id, cur.Flow, cur.Status)
	case node != "":
		return Run{}, sqlstate.New(sqlstate.LockNotAvailable,
			"node %s no longer holds the lease of run %d of flow %s", node, id, cur.Flow).
			WithDetail("node %s took it over; its lease runs until %s", cur.Node, stamp(cur.LeaseExpires)).
			WithHint("stop working on this run: the other node resumes it")
	default:
		return Run{}, sqlstate.New(sqlstate.LockNotAvailable,
			"run %d of flow %s is held by node %s until %s", id, cur.Flow, cur.Node, stamp(cur.LeaseExpires)).
			WithHint("a run can be taken over only after its lease expires")
	}
}

// alreadyRunning explains why StartRun lost: another run of flow holds (or held) the lease.
func (s *Store) alreadyRunning(ctx context.Context, flow string) error {
	e := sqlstate.New(sqlstate.LockNotAvailable, "flow %s is already running", flow)
	rows, err := s.query(ctx, s.db, `SELECT `+runColumns+`, lease_expires <= {now} FROM flow_runs
		WHERE flow = $1 AND status = 'running'`, flow)
	if err != nil {
		return e
	}
	defer rows.Close()
	if !rows.Next() {
		return e // finished meanwhile; the caller may try again
	}
	var expired sql.NullBool
	cur, err := s.scanRun(rows, &expired)
	if err != nil {
		return e
	}
	e = e.WithDetail("run %d, started at %s by node %s, holds the lease until %s",
		cur.ID, stamp(cur.StartedAt), cur.Node, stamp(cur.LeaseExpires))
	if expired.Bool {
		e = e.WithHint("its lease has expired (its node stopped): take run %d over to resume it", cur.ID)
	}
	return e
}

// oneRun reads the single run rows returns, if any, and closes rows.
func (s *Store) oneRun(rows *sql.Rows, action string) (r Run, found bool, err error) {
	defer rows.Close()
	if rows.Next() {
		if r, err = s.scanRun(rows); err != nil {
			return Run{}, false, err
		}
		found = true
		for rows.Next() {
		}
	}
	if err := rows.Err(); err != nil {
		if s.isUniqueViolation(err) {
			return Run{}, false, err
		}
		return Run{}, false, s.fail(err, action)
	}
	return r, found, nil
}

// scanRun reads one row of runColumns, then extra columns into extra.
func (s *Store) scanRun(rows *sql.Rows, extra ...any) (Run, error) {
	var r Run
	var started int64
	var ended, lease sql.NullInt64
	var status, tables string
	dest := append([]any{&r.ID, &r.Flow, &started, &ended, &status, &r.Node, &lease, &tables, &r.Error}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return Run{}, s.fail(err, "read flow runs")
	}
	r.StartedAt, r.EndedAt, r.LeaseExpires = fromMicros(started), fromNullMicros(ended), fromNullMicros(lease)
	r.Status = RunStatus(status)
	if err := json.Unmarshal([]byte(tables), &r.Tables); err != nil {
		return Run{}, sqlstate.New(sqlstate.DataCorrupted, "run %d in state store %s has unreadable table figures", r.ID, s.where).
			WithDetail("%v", err)
	}
	if r.Tables == nil {
		r.Tables = map[string]TableRun{}
	}
	return r, nil
}

func checkLease(node string, ttl time.Duration) error {
	if node == "" {
		return sqlstate.New(sqlstate.InvalidParameterValue, "a lease needs a node id")
	}
	if ttl < time.Millisecond {
		return sqlstate.New(sqlstate.InvalidParameterValue, "a lease must last at least 1ms, not %s", ttl)
	}
	return nil
}

func tablesJSON(tables map[string]TableRun) (string, error) {
	if tables == nil {
		tables = map[string]TableRun{}
	}
	b, err := json.Marshal(tables)
	if err != nil {
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "run figures: %v", err)
	}
	return string(b), nil
}

func unknownRun(id int64) error {
	return sqlstate.New(sqlstate.UndefinedObject, "flow run %d does not exist", id)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000Z07:00")
}
