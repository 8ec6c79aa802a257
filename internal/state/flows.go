package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Frequency is the unit of a flow's schedule.
type Frequency string

// The frequencies a schedule may have. Once runs at the start time and never again; the others
// repeat every Interval units from the start time.
const (
	Once   Frequency = "once"
	Minute Frequency = "minute"
	Hour   Frequency = "hour"
	Day    Frequency = "day"
	Week   Frequency = "week"
)

var unitOf = map[Frequency]time.Duration{
	Once:   0,
	Minute: time.Minute,
	Hour:   time.Hour,
	Day:    24 * time.Hour,
	Week:   7 * 24 * time.Hour,
}

// Schedule is when a flow runs: at Start, then every Interval × Frequency after it. Days and weeks
// are fixed lengths of time (UTC has no daylight saving).
type Schedule struct {
	Start     time.Time
	Frequency Frequency
	// Interval is the number of Frequency units between runs, at least 1 (ignored for Once).
	Interval int
}

// Validate reports a schedule a flow cannot have, as 22023.
func (sc Schedule) Validate() error {
	if _, ok := unitOf[sc.Frequency]; !ok {
		return sqlstate.New(sqlstate.InvalidParameterValue, "invalid flow frequency %q", sc.Frequency).
			WithHint("use once, minute, hour, day or week")
	}
	if sc.Interval < 1 {
		return sqlstate.New(sqlstate.InvalidParameterValue, "flow interval must be at least 1, not %d", sc.Interval)
	}
	if sc.Start.IsZero() {
		return sqlstate.New(sqlstate.InvalidParameterValue, "a flow schedule needs a start time")
	}
	return nil
}

// Period is the time between two runs, 0 for Once.
func (sc Schedule) Period() time.Duration {
	return unitOf[sc.Frequency] * time.Duration(sc.Interval)
}

// NextRun is the first scheduled time after the last run started: Start when the flow never ran
// (or last ran, by hand, before Start), otherwise Start + k × Period for the smallest k that is
// after lastStart. Runs missed while no node was up are not made up one by one: the next run
// covers them, as an incremental copy does. ok is false when no run is left (a Once schedule that
// ran at or after its start).
func (sc Schedule) NextRun(lastStart time.Time) (next time.Time, ok bool) {
	if lastStart.IsZero() || lastStart.Before(sc.Start) {
		return sc.Start, true
	}
	p := sc.Period()
	if p <= 0 {
		return time.Time{}, false
	}
	k := lastStart.Sub(sc.Start)/p + 1
	return sc.Start.Add(k * p), true
}

// FlowSpec is what a flow copies: whole tables, or mapping queries whose results are written as
// the named tables. It is kept as JSON: {"tables": [...], "queries": {"name": "SELECT …"}}.
type FlowSpec struct {
	Tables  []string          `json:"tables,omitempty"`
	Queries map[string]string `json:"queries,omitempty"`
}

// Flow is a scheduled, incremental copy of Stripe tables into a Parquet lake (issue 12).
type Flow struct {
	// Name identifies the flow; it is unique in the store.
	Name string
	Spec FlowSpec
	// Target is the lake's directory.
	Target   string
	Schedule Schedule
	// Enabled flows are run when due; disabled ones only by hand.
	Enabled bool
	// CreatedAt and UpdatedAt are stamped by the store.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NextRun is when the flow is next due given when its last run started (zero when it never
// ran); ok is false for a disabled flow or a schedule with no run left.
func (f Flow) NextRun(lastStart time.Time) (time.Time, bool) {
	if !f.Enabled {
		return time.Time{}, false
	}
	return f.Schedule.NextRun(lastStart)
}

// validate reports a flow that cannot be stored, as 22023.
func (f Flow) validate() error {
	bad := func(format string, args ...any) *sqlstate.Error {
		return sqlstate.New(sqlstate.InvalidParameterValue, format, args...)
	}
	switch {
	case strings.TrimSpace(f.Name) == "":
		return bad("a flow needs a name")
	case len(f.Spec.Tables) == 0 && len(f.Spec.Queries) == 0:
		return bad("flow %s copies nothing", f.Name).WithHint("give it tables, or mapping queries")
	case strings.TrimSpace(f.Target) == "":
		return bad("flow %s needs a target directory", f.Name)
	}
	for _, t := range f.Spec.Tables {
		if strings.TrimSpace(t) == "" {
			return bad("flow %s names an empty table", f.Name)
		}
	}
	for name, q := range f.Spec.Queries {
		if strings.TrimSpace(name) == "" || strings.TrimSpace(q) == "" {
			return bad("flow %s has a mapping query without a name or SQL", f.Name)
		}
	}
	return f.Schedule.Validate()
}

const flowColumns = `name, spec, target, start_time, frequency, every, enabled, created_at, updated_at`

// CreateFlow stores a new flow and returns it as stored (with its times). A flow of the same
// name is 42710 (duplicate_object, as PostgreSQL answers a CREATE of an object that exists); an
// invalid one is 22023.
func (s *Store) CreateFlow(ctx context.Context, f Flow) (Flow, error) {
	if err := f.validate(); err != nil {
		return Flow{}, err
	}
	spec, err := json.Marshal(f.Spec)
	if err != nil {
		return Flow{}, sqlstate.New(sqlstate.InvalidParameterValue, "flow %s: %v", f.Name, err)
	}
	rows, err := s.query(ctx, s.db, `INSERT INTO flows (`+flowColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, {now}, {now}) RETURNING `+flowColumns,
		f.Name, string(spec), f.Target, f.Schedule.Start.UnixMicro(), string(f.Schedule.Frequency),
		int64(f.Schedule.Interval), f.Enabled)
	if s.isUniqueViolation(err) {
		return Flow{}, sqlstate.New(sqlstate.DuplicateObject, "flow %s already exists", f.Name).
			WithHint("choose another name, or change the flow with an update")
	}
	if err != nil {
		return Flow{}, s.fail(err, "create flow "+f.Name)
	}
	return s.oneFlow(rows, f.Name, "create flow")
}

// Flow returns the flow called name, or 42704 when there is none.
func (s *Store) Flow(ctx context.Context, name string) (Flow, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+flowColumns+` FROM flows WHERE name = $1`, name)
	if err != nil {
		return Flow{}, s.fail(err, "read flow "+name)
	}
	return s.oneFlow(rows, name, "read flow")
}

// Flows returns every flow, ordered by name.
func (s *Store) Flows(ctx context.Context) ([]Flow, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+flowColumns+` FROM flows ORDER BY name`)
	if err != nil {
		return nil, s.fail(err, "read flows")
	}
	defer rows.Close()
	out := []Flow{}
	for rows.Next() {
		f, err := s.scanFlow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, s.fail(rows.Err(), "read flows")
}

// UpdateFlow replaces the spec, target, schedule and enabled flag of the flow called f.Name and
// returns it as stored; its runs stay. An unknown name is 42704.
func (s *Store) UpdateFlow(ctx context.Context, f Flow) (Flow, error) {
	if err := f.validate(); err != nil {
		return Flow{}, err
	}
	spec, err := json.Marshal(f.Spec)
	if err != nil {
		return Flow{}, sqlstate.New(sqlstate.InvalidParameterValue, "flow %s: %v", f.Name, err)
	}
	rows, err := s.query(ctx, s.db, `UPDATE flows SET spec = $2, target = $3, start_time = $4, frequency = $5,
			every = $6, enabled = $7, updated_at = {now}
		WHERE name = $1 RETURNING `+flowColumns,
		f.Name, string(spec), f.Target, f.Schedule.Start.UnixMicro(), string(f.Schedule.Frequency),
		int64(f.Schedule.Interval), f.Enabled)
	if err != nil {
		return Flow{}, s.fail(err, "update flow "+f.Name)
	}
	return s.oneFlow(rows, f.Name, "update flow")
}

// DeleteFlow removes the flow called name and its runs' history. An unknown name is 42704. A flow
// with a run whose lease is still held is refused (55006): the node running it would go on
// writing the lake with no flow and no run to record it in. A running run whose lease expired
// (its node died) does not hold the flow; it is deleted with the others. The check and the
// delete are one statement, so a run that starts meanwhile is never deleted under its node.
func (s *Store) DeleteFlow(ctx context.Context, name string) error {
	res, err := s.exec(ctx, s.db, `DELETE FROM flows WHERE name = $1 AND NOT EXISTS (
			SELECT 1 FROM flow_runs r WHERE r.flow = $1 AND r.status = 'running' AND r.lease_expires > {now})`, name)
	if err != nil {
		return s.fail(err, "delete flow "+name)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		if _, err := s.Flow(ctx, name); err != nil {
			return err
		}
		e := sqlstate.New(sqlstate.ObjectInUse, "flow %s cannot be deleted while it is running", name)
		if runs, err := s.Runs(ctx, name, 1); err == nil && len(runs) == 1 && runs[0].Status == Running {
			e = e.WithDetail("run %d, started at %s by node %s, holds the lease until %s",
				runs[0].ID, stamp(runs[0].StartedAt), runs[0].Node, stamp(runs[0].LeaseExpires))
		}
		return e.WithHint("delete it once the run has finished; disable it first so that no new run starts")
	}
	return nil
}

// DueFlow is a flow that is due, with the scheduled time it is due for.
type DueFlow struct {
	Flow
	// Due is the scheduled time the run is for (at or before the time asked about).
	Due time.Time
	// LastStart is when its last run started; zero when it never ran.
	LastStart time.Time
}

// DueFlows returns the enabled flows due at the time at — those whose next run (Schedule.NextRun
// after their last run's start) is at or before it — ordered by the time they are due, oldest
// first. A flow whose run is still going may be listed; StartRun refuses to start it twice.
func (s *Store) DueFlows(ctx context.Context, at time.Time) ([]DueFlow, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+flowColumns+`,
			(SELECT MAX(r.started_at) FROM flow_runs r WHERE r.flow = flows.name)
		FROM flows WHERE enabled ORDER BY name`)
	if err != nil {
		return nil, s.fail(err, "read due flows")
	}
	defer rows.Close()
	out := []DueFlow{}
	for rows.Next() {
		var last sql.NullInt64
		f, err := s.scanFlow(rows, &last)
		if err != nil {
			return nil, err
		}
		d := DueFlow{Flow: f, LastStart: fromNullMicros(last)}
		next, ok := f.NextRun(d.LastStart)
		if ok && !next.After(at) {
			d.Due = next
			out = append(out, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err, "read due flows")
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, nil
}

// oneFlow reads the single flow rows returns (from a SELECT, or a RETURNING), or 42704.
func (s *Store) oneFlow(rows *sql.Rows, name, action string) (Flow, error) {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Flow{}, s.fail(err, action+" "+name)
		}
		return Flow{}, unknownFlow(name)
	}
	f, err := s.scanFlow(rows)
	if err != nil {
		return Flow{}, err
	}
	// Drain, so that a RETURNING statement's error (SQLite reports some at the end) is seen.
	for rows.Next() {
	}
	return f, s.fail(rows.Err(), action+" "+name)
}

// scanFlow reads one row of flowColumns, then extra columns into extra.
func (s *Store) scanFlow(rows *sql.Rows, extra ...any) (Flow, error) {
	var f Flow
	var spec, freq string
	var start, every, created, updated int64
	dest := append([]any{&f.Name, &spec, &f.Target, &start, &freq, &every, &f.Enabled, &created, &updated}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return Flow{}, s.fail(err, "read flows")
	}
	if err := json.Unmarshal([]byte(spec), &f.Spec); err != nil {
		return Flow{}, sqlstate.New(sqlstate.DataCorrupted, "flow %s in state store %s has an unreadable spec", f.Name, s.where).
			WithDetail("%v", err)
	}
	f.Schedule = Schedule{Start: fromMicros(start), Frequency: Frequency(freq), Interval: int(every)}
	f.CreatedAt, f.UpdatedAt = fromMicros(created), fromMicros(updated)
	return f, nil
}

func unknownFlow(name string) error {
	return sqlstate.New(sqlstate.UndefinedObject, "flow %s does not exist", name)
}
