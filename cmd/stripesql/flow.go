package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/flows"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/metrics"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

const flowUsage = `Create, list, change, delete and run flows: scheduled, incremental copies of Stripe tables
into a Parquet lake (what "stripesql sync" does once, a flow does on a schedule).

Usage:
  stripesql flow create NAME --target DIR (--tables charges,…|all | --query NAME=SQL...)
                        [--frequency once|minute|hour|day|week] [--interval N]
                        [--start now|2026-12-01T00:00:00Z] [--enabled=false]
  stripesql flow list
  stripesql flow update NAME [--target DIR] [--tables …] [--query NAME=SQL]... [--frequency F]
                        [--interval N] [--start T] [--enabled=true|false]
  stripesql flow delete NAME
  stripesql flow run NAME [--node NAME]
  stripesql flow runs NAME [--limit N]
  (every subcommand takes the state flags, --data-dir DIR or --state postgres://…; run takes the
  connection flags of serve too)

A flow runs at --start, then every --interval × --frequency after it (once: only at the start).
"stripesql serve" runs due flows in the background; several nodes sharing one --state PostgreSQL
store run each due flow once (a lease), and a node that dies mid-run loses its lease after 30 s:
another node resumes the run, and the lake's manifest keeps it exactly once. "flow run" runs a
flow now, whatever its schedule, and prints what it did. update replaces only the flags given
(--tables or --query replace what the flow copies); runs lists a flow's runs, newest first.

` + stateUsage + `
Examples:
  stripesql flow create billing --target ./lake --tables charges,invoices,invoice_line_items --frequency hour
  stripesql flow create dims --target ./lake --frequency day \
      --query customer_dim="SELECT id, name, email, metadata->>'plan' AS plan, created FROM customers"
  stripesql flow list
  stripesql flow update billing --interval 6 --enabled=false
  stripesql flow run billing
  stripesql flow runs billing --limit 5
  stripesql flow delete billing
`

// flowFlags are the flags of a flow subcommand: the flow's fields, and what was given.
type flowFlags struct {
	cf        connFlags
	target    string
	tables    string
	queries   queryFlag
	frequency string
	interval  int
	start     string
	enabled   bool
	node      string
	limit     int
	set       map[string]bool
}

func runFlow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	bad := func(msg string) error { return usageFailure(stderr, "flow", flowUsage, msg) }
	if len(args) == 0 {
		return bad("name a subcommand: create, list, update, delete, run or runs")
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, flowUsage)
		return nil
	case "create", "list", "update", "delete", "run", "runs":
	default:
		return bad(fmt.Sprintf("unknown subcommand %q: want create, list, update, delete, run or runs", sub))
	}
	fs := flag.NewFlagSet("flow "+sub, flag.ContinueOnError)
	var ff flowFlags
	ff.cf.register(fs)
	if sub == "create" || sub == "update" {
		fs.StringVar(&ff.target, "target", "", "the lake directory, e.g. --target ./lake")
		fs.StringVar(&ff.tables, "tables", "", "Stripe tables to copy, comma-separated, or all, e.g. --tables charges,customers")
		fs.Var(&ff.queries, "query", "a mapping query written as its own table; repeatable, e.g.\n--query charges_eur=\"SELECT id, amount, created FROM charges WHERE currency = 'eur'\"")
		fs.StringVar(&ff.frequency, "frequency", "hour", "once, minute, hour, day or week, e.g. --frequency day")
		fs.IntVar(&ff.interval, "interval", 1, "frequency units between runs, at least 1, e.g. --interval 6")
		fs.StringVar(&ff.start, "start", "now", "the first run: now, or an RFC 3339 time, e.g. --start 2026-12-01T02:00:00Z")
		fs.BoolVar(&ff.enabled, "enabled", true, "run when due (a disabled flow runs only by hand), e.g. --enabled=false")
	}
	if sub == "run" {
		fs.StringVar(&ff.node, "node", defaultNode(), "this node's name in the run's lease, e.g. --node worker-1")
	}
	if sub == "runs" {
		fs.IntVar(&ff.limit, "limit", 20, "the newest N runs (0 for all), e.g. --limit 5")
	}
	pos, err := parseFlags(fs, args[1:], flowUsage, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ff.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { ff.set[f.Name] = true })
	if err := ff.cf.validate(); err != nil {
		return bad(err.Error())
	}
	wantNames := 1
	if sub == "list" {
		wantNames = 0
	}
	if len(pos) != wantNames {
		if wantNames == 0 {
			return bad(fmt.Sprintf("unexpected argument %q", pos[0]))
		}
		return bad(fmt.Sprintf("flow %s takes one flow name", sub))
	}
	store, err := ff.cf.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		f := state.Flow{Name: pos[0]}
		if err := ff.apply(&f, time.Now()); err != nil {
			return bad(err.Error())
		}
		if err := flows.CheckSpec(catalog.Default(), f.Spec); err != nil { // as CALL CreateFlow does
			return err
		}
		if f, err = store.CreateFlow(ctx, f); err != nil {
			return err
		}
		printFlows(stdout, []state.Flow{f}, nil)
	case "update":
		f, err := store.Flow(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := ff.apply(&f, time.Now()); err != nil {
			return bad(err.Error())
		}
		if err := flows.CheckSpec(catalog.Default(), f.Spec); err != nil { // as CALL CreateFlow does
			return err
		}
		if f, err = store.UpdateFlow(ctx, f); err != nil {
			return err
		}
		printFlows(stdout, []state.Flow{f}, nil)
	case "delete":
		if err := store.DeleteFlow(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "flow %s deleted\n", pos[0])
	case "list":
		fs, err := store.Flows(ctx)
		if err != nil {
			return err
		}
		last := map[string]state.Run{}
		for _, f := range fs {
			if runs, err := store.Runs(ctx, f.Name, 1); err == nil && len(runs) == 1 {
				last[f.Name] = runs[0]
			}
		}
		printFlows(stdout, fs, last)
	case "runs":
		runs, err := store.Runs(ctx, pos[0], ff.limit)
		if err != nil {
			return err
		}
		printRuns(stdout, runs)
	case "run":
		backend, stats, stop, err := ff.cf.backend(stderr)
		if err != nil {
			return err
		}
		defer stop()
		svc, err := flows.New(flows.Options{Store: store, Node: ff.node,
			Sync: ingest.Config{Backend: backend, Stats: stats, Rate: ff.cf.rate}})
		if err != nil {
			return err
		}
		r, err := svc.Run(ctx, pos[0])
		if err != nil {
			return err
		}
		printRuns(stdout, []state.Run{r})
		if r.Status != state.Succeeded {
			return fmt.Errorf("run %d of flow %s %s: %s", r.ID, r.Flow, r.Status, r.Error)
		}
	}
	return nil
}

// apply sets the fields of f that the flags give (all of them for a new flow).
func (ff *flowFlags) apply(f *state.Flow, now time.Time) error {
	isNew := f.CreatedAt.IsZero()
	if ff.set["target"] || isNew {
		f.Target = ff.target
	}
	if ff.set["tables"] || ff.set["query"] || isNew {
		f.Spec = flowSpec(ff.tables, ff.queries)
	}
	if ff.set["frequency"] || isNew {
		f.Schedule.Frequency = flows.ParseFrequency(ff.frequency)
	}
	if ff.set["interval"] || isNew {
		f.Schedule.Interval = ff.interval
	}
	if ff.set["start"] || isNew {
		t, err := parseStart(ff.start, now)
		if err != nil {
			return err
		}
		f.Schedule.Start = t
	}
	if ff.set["enabled"] || isNew {
		f.Enabled = ff.enabled
	}
	return nil
}

// flowSpec is what a flow copies, from --tables and --query.
func flowSpec(tables string, queries []ingest.Query) state.FlowSpec {
	byName := map[string]string{}
	for _, q := range queries {
		byName[q.Name] = q.SQL
	}
	return flows.Spec(tables, byName)
}

// parseStart reads --start: now, or an RFC 3339 time.
func parseStart(s string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "now" {
		return now.UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("--start must be now or an RFC 3339 time such as 2026-12-01T02:00:00Z, not %q", s)
	}
	return t.UTC(), nil
}

// defaultNode names this process in leases: the host name and the process id.
func defaultNode() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "stripesql"
	}
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}

func specText(s state.FlowSpec) string {
	parts := append([]string(nil), s.Tables...)
	names := make([]string, 0, len(s.Queries))
	for n := range s.Queries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		parts = append(parts, n+"=(query)")
	}
	return strings.Join(parts, ",")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// printFlows prints flows, with their last run when last has one.
func printFlows(w io.Writer, fs []state.Flow, last map[string]state.Run) {
	var rows [][]string
	for _, f := range fs {
		next := ""
		lr := last[f.Name]
		if t, ok := f.NextRun(lr.StartedAt); ok {
			next = timeText(t)
		}
		lastText := ""
		if lr.ID != 0 {
			lastText = fmt.Sprintf("%d %s", lr.ID, lr.Status)
		}
		rows = append(rows, []string{f.Name, specText(f.Spec), f.Target, string(f.Schedule.Frequency), fmt.Sprint(f.Schedule.Interval),
			timeText(f.Schedule.Start), fmt.Sprint(f.Enabled), next, lastText})
	}
	printAligned(w, []string{"name", "copies", "target", "frequency", "interval", "start", "enabled", "next run", "last run"}, rows, map[int]bool{4: true})
}

// printRuns prints runs, one line per table of each.
func printRuns(w io.Writer, runs []state.Run) {
	var rows [][]string
	for _, r := range runs {
		tables := make([]string, 0, len(r.Tables))
		for t := range r.Tables {
			tables = append(tables, t)
		}
		sort.Strings(tables)
		if len(tables) == 0 {
			tables = []string{""}
		}
		for i, t := range tables {
			tr := r.Tables[t]
			row := []string{"", "", "", "", "", "", t, fmt.Sprint(tr.Inserted), fmt.Sprint(tr.Updated), fmt.Sprint(tr.Deleted), fmt.Sprint(tr.Requests), tr.Error}
			if i == 0 {
				copy(row, []string{fmt.Sprint(r.ID), r.Flow, r.Node, timeText(r.StartedAt), timeText(r.EndedAt), string(r.Status)})
				if tr.Error == "" {
					row[11] = r.Error
				}
			}
			rows = append(rows, row)
		}
	}
	printAligned(w, []string{"run", "flow", "node", "started", "ended", "status", "table", "inserted", "updated", "deleted", "requests", "error"},
		rows, map[int]bool{0: true, 7: true, 8: true, 9: true, 10: true})
}

// newFlowService is the node's flow service over store (what --flows runs in the background and
// CALL RunFlow runs by hand). With metrics on, finished runs are counted by status.
func newFlowService(store *state.Store, backend stripeapi.Backend, stats *planner.Stats, rate float64,
	node string, obs *metrics.Metrics, stderr io.Writer) (*flows.Service, error) {
	var onFinish func(state.Run)
	if obs != nil {
		runs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stripesql_flow_runs_total",
			Help: "Flow runs this node finished, by status (succeeded, partial, failed)."}, []string{"status"})
		if err := obs.Register(runs); err != nil {
			return nil, err
		}
		onFinish = func(r state.Run) { runs.WithLabelValues(string(r.Status)).Inc() }
	}
	var mu sync.Mutex
	return flows.New(flows.Options{Store: store, Node: node,
		Sync:     ingest.Config{Backend: backend, Stats: stats, Rate: rate},
		OnFinish: onFinish,
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stderr, "stripesql: "+format+"\n", args...)
		}})
}

// startFlows runs the due flows of svc in the background until stop is called (or ctx ends);
// stop waits for the running run to end.
func startFlows(ctx context.Context, svc *flows.Service) (stop func()) {
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Loop(fctx)
	}()
	return func() { cancel(); <-done }
}
