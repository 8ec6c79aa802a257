package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

const syncUsage = `Copy Stripe tables into a Parquet lake, incrementally after the first run.

Usage:
  stripesql sync --to DIR --tables charges,customers,…|all [--query NAME=SQL]...
                 [--parallel N] [--progress] [--api-base URL] [--rate N] [--account acct_…]
                 [--verbosity 0-5] [--proxy URL] [--api-key KEY]
  stripesql sync --list

Each table is read through the same engine as a query (pushdown, the node's --rate budget) and
written to DIR/TABLE/ as Parquet files that hold exactly its current rows, hive-partitioned by
created month where the table has created (DIR/charges/created_month=2026-11/part-….parquet):

  duckdb -c "SELECT * FROM read_parquet('DIR/charges/**/*.parquet', hive_partitioning=true)"

The first run of a table copies it; later runs read only what changed. Tables Stripe sends
events for take new objects by a created cursor and updates and deletes from the Events API; a
cancel is an update. Child lists (invoice_line_items, subscription_items, …) are read again for
each parent that changed. Tables without events are copied in full while small, else read by a
created cursor only. "stripesql sync --list" prints every table's strategy. A table whose events
were last read more than 30 days ago (the Events API keeps 30 days) is copied again, and the run
says so.

DIR/_history/TABLE/ keeps every version seen (_op insert, update or delete; _event_id; _synced_at;
then the table's columns). DIR/_stripesql/manifest.json lists each table's committed files and
cursors. A run commits atomically: files are written under DIR/_stripesql/tmp/, renamed into
place, then the manifest is replaced; a killed run leaves the last committed state, and the next
run resumes it, with nothing duplicated and nothing lost. A reader that globs DIR/TABLE never
sees a file being written; one that reads the manifest's file list sees exactly one commit.

--query NAME=SQL writes the result of a SELECT over the Stripe tables as table NAME (projected,
renamed, computed columns, metadata keys unpacked with ->>).
` + ingest.QueryRule + `

Progress goes to stderr (a bar per table on a terminal, plain lines otherwise), the summary to
stdout. The exit status is 1 if any table failed; the others still commit.

Examples:
  stripesql sync --to ./lake --tables charges,customers,invoices,invoice_line_items
  stripesql sync --to ./lake --tables all --rate 25
  stripesql sync --to ./lake --tables customers \
      --query customer_dim="SELECT id, name, email, metadata->>'plan' AS plan, created FROM customers"
  STRIPE_API_KEY=sk_test_… stripesql sync --to /data/stripe --tables subscriptions,subscription_items
`

// queryFlag collects repeated --query NAME=SQL flags.
type queryFlag []ingest.Query

func (q *queryFlag) String() string { return "" }

func (q *queryFlag) Set(v string) error {
	name, sql, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(sql) == "" {
		return fmt.Errorf("want NAME=SQL, e.g. --query big_charges=\"SELECT id, amount FROM charges WHERE amount > 10000\"")
	}
	*q = append(*q, ingest.Query{Name: name, SQL: sql})
	return nil
}

func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	var cf connFlags
	to := fs.String("to", "", "the lake directory, created if missing, e.g. --to ./lake")
	tables := fs.String("tables", "", "Stripe tables to copy, comma-separated, or all, e.g. --tables charges,customers")
	var queries queryFlag
	fs.Var(&queries, "query", "a mapping query written as its own table; repeatable, e.g.\n--query charges_eur=\"SELECT id, amount, created FROM charges WHERE currency = 'eur'\"")
	parallel := fs.Int("parallel", 4, "tables read at once (every request still waits for the --rate budget), e.g. --parallel 2")
	list := fs.Bool("list", false, "print every Stripe table's sync strategy and exit")
	progressFlag := fs.Bool("progress", false, "show progress on stderr as plain lines even when stderr is not a terminal\n(on a terminal it is always shown, as bars)")
	cf.register(fs)
	pos, err := parseFlags(fs, args, syncUsage, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, "\nStrategies:")
		for _, s := range []ingest.Strategy{ingest.StrategyEvents, ingest.StrategyChildren, ingest.StrategyAppend, ingest.StrategySmall, ingest.StrategyFull, ingest.StrategyQuery, ingest.StrategyQueryFull} {
			fmt.Fprintf(stdout, "  %-10s  %s\n", s, s.Describe())
		}
		return nil
	}
	if err != nil {
		return err
	}
	cat := catalog.Default()
	if *list {
		return printStrategies(stdout, cat)
	}
	bad := func(msg string) error { return usageFailure(stderr, "sync", syncUsage, msg) }
	switch {
	case len(pos) > 0:
		return bad(fmt.Sprintf("unexpected argument %q", pos[0]))
	case *to == "":
		return bad("--to DIR is required")
	case *tables == "" && len(queries) == 0:
		return bad("name --tables (or all) or at least one --query")
	case *parallel < 1 || *parallel > 64:
		return bad(fmt.Sprintf("--parallel must be between 1 and 64, not %d", *parallel))
	}
	if err := cf.validate(); err != nil {
		return bad(err.Error())
	}
	var names []string
	if strings.TrimSpace(*tables) == "all" {
		names = ingest.AllTables(cat)
	} else if *tables != "" {
		names = strings.Split(*tables, ",")
	}
	backend, stats, stop, err := cf.backend(stderr)
	if err != nil {
		return err
	}
	defer stop()
	prog := newSyncProgress(stderr, isTerminal(stderr), *progressFlag || isTerminal(stderr))
	prog.start()
	rep, err := ingest.Run(ctx, ingest.Config{
		Dir: *to, Backend: backend, Catalog: cat, Stats: stats, Rate: cf.rate,
		Tables: names, Queries: queries, Parallel: *parallel, Progress: prog.event,
	})
	prog.stop()
	if err != nil {
		return err
	}
	printSyncReport(stdout, stderr, rep)
	if rep.CommitErr != nil {
		return rep.CommitErr
	}
	if rep.Failed() {
		n := 0
		for _, t := range rep.Tables {
			if t.Err != nil {
				n++
			}
		}
		return fmt.Errorf("%d of %d tables failed; the others were committed", n, len(rep.Tables))
	}
	return nil
}

func printStrategies(w io.Writer, cat *catalog.Catalog) error {
	var rows [][]string
	for _, s := range ingest.Strategies(cat) {
		st := string(s.Strategy)
		if st == "" {
			st = "(not synced)"
		}
		rows = append(rows, []string{s.Table, st, s.Detail})
	}
	printAligned(w, []string{"table", "strategy", "detail"}, rows, nil)
	fmt.Fprintln(w)
	for _, s := range []ingest.Strategy{ingest.StrategyEvents, ingest.StrategyChildren, ingest.StrategyAppend, ingest.StrategySmall, ingest.StrategyFull} {
		fmt.Fprintf(w, "%-9s %s\n", s, s.Describe())
	}
	return nil
}

// printAligned prints rows under a header, psql style; right lists the right-aligned columns.
func printAligned(w io.Writer, header []string, rows [][]string, right map[int]bool) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = len(h)
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" | ")
			}
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if right[i] {
				b.WriteString(pad + c)
			} else if i < len(cells)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		fmt.Fprintln(w, " "+strings.TrimRight(b.String(), " "))
	}
	line(header)
	seps := make([]string, len(header))
	for i := range header {
		seps[i] = strings.Repeat("-", width[i])
	}
	fmt.Fprintln(w, "-"+strings.Join(seps, "-+-")+"-")
	for _, r := range rows {
		line(r)
	}
}

// printSyncReport prints the run's summary table on stdout, and its notes and errors on stderr.
func printSyncReport(stdout, stderr io.Writer, rep *ingest.Report) {
	if rep.Recovered > 0 {
		fmt.Fprintf(stderr, "NOTICE:  removed %d files left by an interrupted run; the lake resumed from its last commit\n", rep.Recovered)
	}
	var rows [][]string
	for _, t := range rep.Tables {
		status := "ok"
		if t.Err != nil {
			status = "failed"
		}
		rows = append(rows, []string{t.Table, string(t.Strategy), t.Mode, fmt.Sprint(t.Inserted), fmt.Sprint(t.Updated),
			fmt.Sprint(t.Deleted), fmt.Sprint(t.Rows), fmt.Sprint(t.Requests), fmt.Sprintf("%.1f s", t.Elapsed.Seconds()), status})
	}
	if rep.EventRequests > 0 {
		rows = append(rows, []string{"(events)", "", "read", fmt.Sprint(rep.Events), "", "", "", fmt.Sprint(rep.EventRequests), "", "ok"})
	}
	printAligned(stdout, []string{"table", "strategy", "mode", "inserted", "updated", "deleted", "rows", "requests", "time", "status"},
		rows, map[int]bool{3: true, 4: true, 5: true, 6: true, 7: true, 8: true})
	committed := "committed"
	if rep.CommitErr != nil {
		committed = "NOT committed"
	}
	fmt.Fprintf(stdout, "run %s %s to %s: %d stripe requests in %.1f s\n", rep.Run, committed, rep.Dir, rep.Requests(), rep.Elapsed.Seconds())
	for _, t := range rep.Tables {
		if t.Note != "" {
			fmt.Fprintf(stderr, "NOTICE:  %s: %s\n", t.Table, t.Note)
		}
	}
	for _, t := range rep.Tables {
		if t.Err != nil {
			fmt.Fprintf(stderr, "ERROR:  table %s: ", t.Table)
			printError(prefixless{stderr}, t.Err)
		}
	}
}

// prefixless drops printError's leading "ERROR:  " when the line already has one.
type prefixless struct{ w io.Writer }

func (p prefixless) Write(b []byte) (int, error) {
	s := strings.TrimPrefix(string(b), "ERROR:  ")
	_, err := io.WriteString(p.w, s)
	return len(b), err
}

// syncProgress draws each table's progress on stderr: on a terminal a block of bars redrawn in
// place, otherwise a plain line per table every few seconds, and a line when a table ends.
type syncProgress struct {
	w       io.Writer
	tty     bool
	enabled bool

	mu      sync.Mutex
	tables  map[string]*tableLine
	order   []string
	drawn   int // lines of the block on screen
	done    chan struct{}
	wg      sync.WaitGroup
	stopped sync.Once
}

type tableLine struct {
	p       ingest.Progress
	at      time.Time
	printed time.Time
	final   bool
}

func newSyncProgress(w io.Writer, tty, enabled bool) *syncProgress {
	return &syncProgress{w: w, tty: tty, enabled: enabled, tables: map[string]*tableLine{}, done: make(chan struct{})}
}

// event receives ingest's reports (from several goroutines).
func (s *syncProgress) event(p ingest.Progress) {
	if !s.enabled {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.tables[p.Table]
	if l == nil {
		l = &tableLine{}
		s.tables[p.Table] = l
		s.order = append(s.order, p.Table)
	}
	l.p, l.at = p, time.Now()
	if p.Report != nil {
		l.final = true
		if !s.tty {
			fmt.Fprintln(s.w, progressText(p))
		}
	}
}

func (s *syncProgress) start() {
	if !s.enabled {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		interval := 250 * time.Millisecond
		if !s.tty {
			interval = time.Second
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.draw()
			}
		}
	}()
}

// draw redraws the block (terminal) or prints the tables whose last line is 5 s old (plain).
func (s *syncProgress) draw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tty {
		for _, name := range s.order {
			l := s.tables[name]
			if !l.final && time.Since(l.printed) >= 5*time.Second && l.p.Phase != "" {
				l.printed = time.Now()
				fmt.Fprintln(s.w, progressText(l.p.After(time.Since(l.at))))
			}
		}
		return
	}
	var b strings.Builder
	if s.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dF", s.drawn)
	}
	names := append([]string(nil), s.order...)
	sort.SliceStable(names, func(i, j int) bool { return s.tables[names[i]].final && !s.tables[names[j]].final })
	for _, name := range names {
		l := s.tables[name]
		p := l.p
		if !l.final {
			p = p.After(time.Since(l.at))
		}
		b.WriteString("\x1b[2K" + progressBar(p) + "\n")
	}
	s.drawn = len(names)
	io.WriteString(s.w, b.String())
}

func (s *syncProgress) stop() {
	s.stopped.Do(func() {
		close(s.done)
		s.wg.Wait()
		if s.enabled && s.tty {
			s.draw()
		}
	})
}

// progressText is a table's progress as one plain line.
func progressText(p ingest.Progress) string {
	if r := p.Report; r != nil {
		if r.Err != nil {
			return fmt.Sprintf("%s: failed after %d requests: %s", p.Table, r.Requests, errText(r.Err))
		}
		return fmt.Sprintf("%s: %s done: %d inserted, %d updated, %d deleted, %d rows, %d requests, %.1f s", p.Table, r.Mode,
			r.Inserted, r.Updated, r.Deleted, r.Rows, r.Requests, r.Elapsed.Seconds())
	}
	s := fmt.Sprintf("%s: %s: %d rows read, %d requests", p.Table, p.Phase, p.Rows, p.Requests)
	if left := math.Ceil(p.RequestsLeft); left > 0 {
		s += fmt.Sprintf(" of about %.0f, about %.0f s left", float64(p.Requests)+left, math.Ceil(p.SecondsLeft))
	}
	return s
}

// progressBar is a table's progress as a bar line for a terminal.
func progressBar(p ingest.Progress) string {
	const width = 24
	frac := 0.0
	switch {
	case p.Report != nil:
		frac = 1
	case p.Requests > 0 || p.RequestsLeft > 0:
		frac = float64(p.Requests) / (float64(p.Requests) + math.Max(p.RequestsLeft, 0))
	}
	if p.Report == nil && frac >= 1 {
		frac = 0.99
	}
	n := int(frac * width)
	bar := "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
	tail := fmt.Sprintf("%-12s %8d rows %6d requests", p.Phase, p.Rows, p.Requests)
	switch {
	case p.Report != nil && p.Report.Err != nil:
		tail = "failed: " + errText(p.Report.Err)
	case p.Report != nil:
		r := p.Report
		tail = fmt.Sprintf("%-12s %8d rows %6d requests  +%d ~%d -%d  %.1f s", r.Mode, r.Rows, r.Requests, r.Inserted, r.Updated, r.Deleted, r.Elapsed.Seconds())
	case p.SecondsLeft >= 1:
		tail += fmt.Sprintf("  about %.0f s left", math.Ceil(p.SecondsLeft))
	}
	return fmt.Sprintf("%-24s %s %3.0f%%  %s", p.Table, bar, frac*100, tail)
}

// errText is an error's message, as printError shows it.
func errText(err error) string { return sqlstate.Wrap(err).Message }
