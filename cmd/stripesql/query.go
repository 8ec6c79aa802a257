package main

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/flows"
	"github.com/stripesql/stripesql/planner"
)

const queryUsage = `Run SQL against Stripe through the database/sql driver and print the result.

The key comes from STRIPE_API_KEY (or --api-key). With neither a key nor --api-base, query runs
against the built-in emulator's demo data and says so on stderr. While a scan takes longer than a
second, a progress line is shown on stderr when stderr is a terminal, or always with --progress:
rows read from Stripe and rows returned, requests sent of the re-estimated total, seconds left
(the same text the server sends as a NOTICE).

Usage:
  stripesql query [--format table|csv|json] [--max-requests N] [--progress]
                  [--api-base URL] [--rate N] [--account acct_…] [--read-only]
                  [--verbosity 0-5] [--proxy URL] [--api-key KEY]
                  [--data-dir DIR | --state postgres://…] "SQL"

` + stateUsage + `
Examples:
  stripesql query "SELECT id, email FROM customers ORDER BY created DESC LIMIT 5"
  stripesql query --format csv "SELECT * FROM charges WHERE created >= '2024-01-01'" > charges.csv
  stripesql query --format json --max-requests 5000 "SELECT status, count(*) FROM charges GROUP BY status"
  stripesql query "EXPLAIN SELECT * FROM customers WHERE email = 'a@b.c'"
`

// maxMaxRequests is the largest --max-requests, the upper bound of the stripesql.max_requests
// setting.
const maxMaxRequests = 1 << 30

// queryOptions are the flags of one query run.
type queryOptions struct {
	format      string
	progress    bool
	maxRequests int
}

func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	var cf connFlags
	var opt queryOptions
	fs.StringVar(&opt.format, "format", "table", "output format: table (psql's aligned output); csv as COPY (FORMAT csv, HEADER)\nwrites it (NULL is an empty field, '' is \"\"); or json, an array of objects: numbers\nare JSON numbers with every digit (bigint and numeric too: JavaScript's JSON.parse\nrounds integers beyond 2^53, jq and Python do not), arrays are JSON arrays, json\nand jsonb are embedded, timestamptz is an RFC 3339 string, NULL is null, and a\nrepeated column name gets a suffix (SELECT 1 AS a, 2 AS a gives {\"a\": 1, \"a_2\": 2});\ne.g. --format csv")
	fs.BoolVar(&opt.progress, "progress", false, "show the progress line on stderr even when stderr is not a terminal (one\nline a second instead of one line redrawn)")
	fs.IntVar(&opt.maxRequests, "max-requests", planner.DefaultMaxRequests, fmt.Sprintf("the query's Stripe request budget (stripesql.max_requests), 1 to %d;\nplans that need more are refused before any request, e.g. --max-requests 5000", maxMaxRequests))
	cf.register(fs)
	pos, err := parseFlags(fs, args, queryUsage, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	bad := func(msg string) error { return usageFailure(stderr, "query", queryUsage, msg) }
	switch {
	case len(pos) == 0:
		return bad("no SQL given")
	case len(pos) > 1:
		return bad(fmt.Sprintf("expected one SQL argument, got %d (quote the query)", len(pos)))
	}
	out, err := newFormatter(opt.format, stdout)
	if err != nil {
		return bad(err.Error())
	}
	if opt.maxRequests < 1 || opt.maxRequests > maxMaxRequests {
		return bad(fmt.Sprintf("--max-requests must be between 1 and %d, not %d (the default is %d; there is no unlimited budget)", maxMaxRequests, opt.maxRequests, planner.DefaultMaxRequests))
	}
	if err := cf.validate(); err != nil {
		return bad(err.Error())
	}

	store, err := cf.openStore(ctx) // flags.go
	if err != nil {
		return err
	}
	defer store.Close()
	backend, stats, stop, err := cf.backend(stderr)
	if err != nil {
		return err
	}
	defer stop()
	if err := keepLearned(ctx, store, stats, backend, cf.effectiveKey(), stderr); err != nil { // learned.go
		return err
	}
	prog := newProgress(stderr, opt.progress || isTerminal(stderr))
	flowSvc, err := newFlowService(store, backend, stats, cf.rate, defaultNode(), nil, stderr) // flow.go
	if err != nil {
		return err
	}
	conn, err := driver.NewConnector(driver.Config{
		Backend:     backend,
		Stats:       stats,
		Rate:        cf.rate,
		ReadOnly:    cf.readOnly,
		MaxRequests: opt.maxRequests,
		Progress:    prog.event,
		Flows:       flows.NewSQL(store, flowSvc, nil),
		Notice:      func(m string) { fmt.Fprintln(stderr, m) },
	})
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	prog.start()
	defer prog.stop()
	// Raw gives the driver's own rows, which carry the command tag ("SELECT 5", "SET") that
	// psql prints for statements without a result set.
	return cliHint(c.Raw(func(dc any) error { // clihint.go
		qc := dc.(sqldriver.QueryerContext)
		rows, err := qc.QueryContext(ctx, pos[0], nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols := rows.Columns()
		types := make([]string, len(cols))
		if ct, ok := rows.(sqldriver.RowsColumnTypeDatabaseTypeName); ok {
			for i := range cols {
				types[i] = ct.ColumnTypeDatabaseTypeName(i)
			}
		}
		if err := out.begin(cols, types); err != nil {
			return err
		}
		dest := make([]sqldriver.Value, len(cols))
		for {
			if err := rows.Next(dest); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				prog.stop()
				return err
			}
			prog.row()
			if err := out.row(dest); err != nil {
				return err
			}
		}
		prog.stop()
		tag := ""
		if t, ok := rows.(interface{ Tag() string }); ok {
			tag = t.Tag()
		}
		return out.end(tag)
	}))
}

// progress draws the progress line of a long query on stderr. Its words and figures are the
// executor's latest report (planner.ProgressEvent.String, the text the server sends as a NOTICE):
// rows read from Stripe and returned, requests sent of the re-estimated total, and the seconds
// left, counted down between reports. Nothing is drawn before the first report, which comes once
// the query has run for exec.ProgressInterval.
type progress struct {
	w       io.Writer
	enabled bool
	tty     bool

	rows     atomic.Int64
	mu       sync.Mutex
	last     planner.ProgressEvent
	lastAt   time.Time
	haveLast bool
	shown    bool
	done     chan struct{}
	stopped  sync.Once
	wg       sync.WaitGroup
}

func newProgress(w io.Writer, enabled bool) *progress {
	return &progress{w: w, enabled: enabled, tty: isTerminal(w), done: make(chan struct{})}
}

// event receives the executor's progress reports (driver.Config.Progress).
func (p *progress) event(e planner.ProgressEvent) {
	p.mu.Lock()
	p.last, p.lastAt, p.haveLast = e, time.Now(), true
	p.mu.Unlock()
}

// row counts a row printed, which may be ahead of the last report.
func (p *progress) row() { p.rows.Add(1) }

func (p *progress) start() {
	if !p.enabled {
		return
	}
	interval := 250 * time.Millisecond
	if !p.tty {
		interval = time.Second
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
}

// line is the progress line now, or "" before the executor's first report.
func (p *progress) line() string {
	p.mu.Lock()
	ev, at, have := p.last, p.lastAt, p.haveLast
	p.mu.Unlock()
	if !have {
		return ""
	}
	ev = ev.After(time.Since(at))
	ev.Rows = max(ev.Rows, p.rows.Load())
	return ev.String()
}

func (p *progress) draw() {
	l := p.line()
	if l == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = true
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", l)
	} else {
		fmt.Fprintln(p.w, l)
	}
}

// stop ends the progress line, erasing it on a terminal so the result starts on a clean line.
func (p *progress) stop() {
	p.stopped.Do(func() {
		close(p.done)
		p.wg.Wait()
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.shown && p.tty {
			fmt.Fprint(p.w, "\r\x1b[K")
		}
	})
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
