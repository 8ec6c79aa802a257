package flows

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/planner"
	"github.com/stripesql/stripesql/procedures"
)

// SQL is the node's flows as SQL sees them (planner.Flows): the rows of stripesql.flows and
// stripesql.flow_runs read from the state store, CALL CreateFlow and RunFlow, and the UPDATE and
// DELETE of stripesql.flows. A front end (serve) builds one over the store and the Service it runs
// flows with, and hands it to every session; RunFlow then runs exactly as `stripesql flow run` and
// the background scheduler do (Service.Run: a lease, the Scheduler's background class).
type SQL struct {
	store *state.Store
	svc   *Service
	cat   *catalog.Catalog
	now   func() time.Time
}

var _ planner.Flows = (*SQL)(nil)

// NewSQL returns the SQL side of the flows in store. svc runs them (RunFlow); nil refuses RunFlow
// with a hint. cat names the tables a flow may copy (nil: catalog.Default()).
func NewSQL(store *state.Store, svc *Service, cat *catalog.Catalog) *SQL {
	if cat == nil {
		cat = catalog.Default()
	}
	return &SQL{store: store, svc: svc, cat: cat, now: time.Now}
}

// Rows implements planner.Flows.
func (q *SQL) Rows(ctx context.Context, table string) ([][]any, error) {
	fs, err := q.store.Flows(ctx)
	if err != nil {
		return nil, err
	}
	out := [][]any{}
	for _, f := range fs {
		switch table {
		case catalog.FlowsTable:
			runs, err := q.store.Runs(ctx, f.Name, 1)
			if err != nil && !isUnknown(err) { // deleted meanwhile: no runs
				return nil, err
			}
			var last state.Run
			if len(runs) == 1 {
				last = runs[0]
			}
			out = append(out, flowRow(f, last))
		case catalog.FlowRunsTable:
			runs, err := q.store.Runs(ctx, f.Name, 0)
			if err != nil && !isUnknown(err) {
				return nil, err
			}
			for _, r := range runs {
				row, err := runRow(r)
				if err != nil {
					return nil, err
				}
				out = append(out, row)
			}
		default:
			return nil, sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", catalog.StateSchema+"."+table)
		}
	}
	return out, nil
}

// Call implements planner.Flows: CreateFlow and RunFlow.
func (q *SQL) Call(ctx context.Context, procedure string, args map[string]any) ([]any, error) {
	switch procedure {
	case procedures.CreateFlowName:
		return q.create(ctx, args)
	case procedures.RunFlowName:
		if q.svc == nil {
			return nil, sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "this node cannot run flows").
				WithDetail("it has the state store, but no Stripe connection to run flows with").
				WithHint("run the flow with stripesql flow run, or through stripesql serve")
		}
		name, _ := args["name"].(string)
		r, err := q.svc.Run(ctx, name)
		if err != nil {
			return nil, err
		}
		return runRow(r)
	}
	return nil, sqlstate.New(sqlstate.UndefinedFunction, "procedure %s does not exist", procedure)
}

func (q *SQL) create(ctx context.Context, args map[string]any) ([]any, error) {
	name, _ := args["name"].(string)
	f := state.Flow{Name: strings.TrimSpace(name), Enabled: true,
		Schedule: state.Schedule{Frequency: state.Hour, Interval: 1, Start: q.now().UTC().Truncate(time.Second)}}
	set := map[string]any{}
	for k, v := range args {
		if k != "name" {
			set[k] = v
		}
	}
	if err := q.apply(&f, set); err != nil {
		return nil, err
	}
	created, err := q.store.CreateFlow(ctx, f)
	if err != nil {
		return nil, err
	}
	return flowRow(created, state.Run{}), nil
}

// Update implements planner.Flows.
func (q *SQL) Update(ctx context.Context, name string, set map[string]any) error {
	f, err := q.store.Flow(ctx, name)
	if err != nil {
		return err
	}
	if err := q.apply(&f, set); err != nil {
		return err
	}
	_, err = q.store.UpdateFlow(ctx, f)
	return err
}

// Delete implements planner.Flows.
func (q *SQL) Delete(ctx context.Context, name string) error {
	return q.store.DeleteFlow(ctx, name)
}

// apply sets the columns of set (catalog.FlowUpdatable names, or CreateFlow's parameters) on f,
// then checks what the flow copies against the catalog. The store validates the rest (22023).
func (q *SQL) apply(f *state.Flow, set map[string]any) error {
	for k, v := range set {
		if v == nil && k != "tables" && k != "queries" {
			return sqlstate.New(sqlstate.NotNullViolation, "%s of flow %s cannot be null", k, f.Name)
		}
		switch k {
		case "tables":
			s, _ := v.(string)
			f.Spec.Tables = Spec(s, nil).Tables
		case "queries":
			qs, err := mappingQueries(v)
			if err != nil {
				return err
			}
			f.Spec.Queries = qs
		case "target":
			f.Target, _ = v.(string)
		case "frequency":
			s, _ := v.(string)
			f.Schedule.Frequency = ParseFrequency(s)
		case "interval":
			n, _ := v.(int64)
			f.Schedule.Interval = int(n)
		case "start_time":
			t, _ := v.(time.Time)
			f.Schedule.Start = t.UTC()
		case "enabled":
			f.Enabled, _ = v.(bool)
		default:
			return sqlstate.New(sqlstate.FeatureNotSupported, "column %q of flows cannot be set", k)
		}
	}
	return CheckSpec(q.cat, f.Spec)
}

// mappingQueries reads a queries jsonb value: an object of lake table name → SELECT.
func mappingQueries(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	doc, _ := v.(sqltypes.JSONValue)
	obj, ok := doc.V.(map[string]any)
	if !ok {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "queries must be a jsonb object of lake table names and their SELECT").
			WithHint(`for example queries => '{"customer_dim": "SELECT id, email FROM customers"}'`)
	}
	out := map[string]string{}
	for name, sql := range obj {
		s, ok := sql.(string)
		if !ok {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "mapping query %s must be a SELECT as a json string", name)
		}
		out[name] = s
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Spec is what a flow copies: the comma-separated tables (blank entries dropped) and the mapping
// queries by lake table name. `stripesql flow create --tables … --query …` and CALL CreateFlow
// both build it here.
func Spec(tables string, queries map[string]string) state.FlowSpec {
	var spec state.FlowSpec
	for _, t := range strings.Split(tables, ",") {
		if t = strings.TrimSpace(t); t != "" {
			spec.Tables = append(spec.Tables, t)
		}
	}
	if len(queries) > 0 {
		spec.Queries = queries
	}
	return spec
}

// ParseFrequency reads a frequency as users write it (any case, spaces around); the store
// refuses one that is not once, minute, hour, day or week (22023, with the list in HINT).
func ParseFrequency(s string) state.Frequency {
	return state.Frequency(strings.ToLower(strings.TrimSpace(s)))
}

// CheckSpec refuses a flow that copies a table sync cannot copy (42P01, with the nearest name):
// every table must be one of ingest.AllTables, or the spec the single word all.
func CheckSpec(cat *catalog.Catalog, spec state.FlowSpec) error {
	if len(spec.Tables) == 1 && spec.Tables[0] == "all" {
		return nil
	}
	known := ingest.AllTables(cat)
	for _, t := range spec.Tables {
		if slices.Contains(known, t) {
			continue
		}
		e := sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", t)
		if near := sqlstate.Closest(t, known, len(t)/3+1); len(near) > 0 {
			return e.WithHint("Perhaps you meant %q? A flow copies Stripe tables, comma-separated, or all.", near[0])
		}
		return e.WithHint("a flow copies Stripe tables (%s, …), comma-separated, or all", strings.Join(known[:min(4, len(known))], ", "))
	}
	return nil
}

// flowRow is f as a row of stripesql.flows, with last its newest run (zero when none).
func flowRow(f state.Flow, last state.Run) []any {
	var tables, queries any
	if len(f.Spec.Tables) > 0 {
		tables = strings.Join(f.Spec.Tables, ",")
	}
	if len(f.Spec.Queries) > 0 {
		obj := map[string]any{}
		for k, v := range f.Spec.Queries {
			obj[k] = v
		}
		queries = sqltypes.JSONValue{V: obj}
	}
	var next, lastID, lastStatus, lastStarted, lastEnded any
	if t, ok := f.NextRun(last.StartedAt); ok {
		next = t
	}
	if last.ID != 0 {
		lastID, lastStatus, lastStarted = last.ID, string(last.Status), last.StartedAt
		lastEnded = timeOrNull(last.EndedAt)
	}
	return []any{f.Name, tables, queries, f.Target, string(f.Schedule.Frequency), int64(f.Schedule.Interval),
		f.Schedule.Start, f.Enabled, f.CreatedAt, f.UpdatedAt, next, lastID, lastStatus, lastStarted, lastEnded}
}

// runRow is r as a row of stripesql.flow_runs: its figures per table as jsonb, and their totals.
func runRow(r state.Run) ([]any, error) {
	names := make([]string, 0, len(r.Tables))
	for t := range r.Tables {
		names = append(names, t)
	}
	sort.Strings(names)
	var ins, upd, del, req int64
	for _, t := range names {
		tr := r.Tables[t]
		ins, upd, del, req = ins+tr.Inserted, upd+tr.Updated, del+tr.Deleted, req+tr.Requests
	}
	b, err := json.Marshal(r.Tables)
	if err != nil {
		return nil, sqlstate.New(sqlstate.InternalError, "run %d: %v", r.ID, err)
	}
	tables, err := sqltypes.ParseJSON(string(b), sqltypes.JSONB)
	if err != nil {
		return nil, err
	}
	var errText any
	if r.Error != "" {
		errText = r.Error
	}
	return []any{r.ID, r.Flow, r.Node, r.StartedAt, timeOrNull(r.EndedAt), string(r.Status), timeOrNull(r.LeaseExpires),
		tables, ins, upd, del, req, errText}, nil
}

func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func isUnknown(err error) bool {
	e, ok := sqlstate.As(err)
	return ok && e.Code == sqlstate.UndefinedObject
}
