package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// plannerEngine is the production Engine: planner.Describe and planner.Plan bind and plan each
// statement, exec.Run runs it against the Stripe backend. Sessions share the node's table
// statistics, so one connection's full scan improves every later estimate.
type plannerEngine struct {
	backend  stripeapi.Backend
	catalog  *catalog.Catalog
	rate     float64
	stats    *planner.Stats
	progress time.Duration
	observer Observer      // nil: nobody is told (observe.go)
	flows    planner.Flows // nil: no state store
}

var _ Engine = (*plannerEngine)(nil)

// NewEngine returns the production engine over cfg.Backend and cfg.Catalog (catalog.Default()
// when nil).
func NewEngine(cfg Config) (Engine, error) {
	if cfg.Backend == nil {
		return nil, errors.New("server: Config.Backend is required")
	}
	cat := cfg.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	if cfg.Stats == nil {
		cfg.Stats = planner.NewStats()
	}
	return &plannerEngine{backend: cfg.Backend, catalog: cat, rate: cfg.Rate, stats: cfg.Stats, progress: cfg.progressInterval(), observer: cfg.Observer, flows: cfg.Flows}, nil
}

// NewSession implements Engine.
func (e *plannerEngine) NewSession(p SessionParams) EngineSession {
	s := &plannerSession{backend: e.backend, observer: e.observer}
	if s.observer != nil {
		s.observer.SessionOpened()
	}
	var mu sync.Mutex
	var last time.Time
	notice := p.Notice
	s.sess = planner.NewSession(planner.SessionConfig{
		Catalog:    e.catalog,
		Rate:       e.rate,
		Stats:      e.stats,
		User:       p.User,
		Database:   p.Database,
		ReadOnly:   p.ReadOnly,
		Account:    p.Account,
		Accounts:   p.Accounts,
		BackendPID: p.BackendPID,
		Settings:   p.Settings,
		Flows:      e.flows,
		Notice:     notice,
		Progress: func(ev planner.ProgressEvent) {
			if notice == nil {
				return
			}
			mu.Lock()
			due := ev.Elapsed >= e.progress && time.Since(last) >= e.progress
			if due {
				last = time.Now()
			}
			mu.Unlock()
			if due {
				notice(progressMessage(ev))
			}
		},
	})
	return s
}

// progressMessage is the NOTICE text of a progress report: the same words as the CLI's progress
// line (planner.ProgressEvent.String), after "stripesql: " so psql users see who is talking.
func progressMessage(ev planner.ProgressEvent) string {
	return "stripesql: " + ev.String()
}

type plannerSession struct {
	backend  stripeapi.Backend
	sess     *planner.Session
	observer Observer
}

func (s *plannerSession) Parse(sql string) ([]Statement, error) {
	stmts, err := planner.Parse(sql)
	if err != nil {
		s.failed(time.Now(), err)
		return nil, err
	}
	out := make([]Statement, len(stmts))
	for i, st := range stmts {
		out[i] = st
	}
	return out, nil
}

func plannerStatement(st Statement) (*planner.Statement, error) {
	ps, ok := st.(*planner.Statement)
	if !ok {
		return nil, sqlstate.New(sqlstate.InternalError, "statement %T is not the planner's", st)
	}
	return ps, nil
}

func (s *plannerSession) Describe(st Statement, paramTypes []sqltypes.Type) ([]sqltypes.Type, []Column, error) {
	ps, err := plannerStatement(st)
	if err != nil {
		return nil, nil, err
	}
	d, err := planner.Describe(s.sess, ps, paramTypes)
	if err != nil {
		s.failed(time.Now(), err)
		return nil, nil, err
	}
	return d.Params, columns(d.Columns), nil
}

func (s *plannerSession) Run(ctx context.Context, st Statement, args []any) (Rows, error) {
	start := time.Now()
	ps, err := plannerStatement(st)
	if err != nil {
		return nil, err
	}
	p, err := planner.Plan(s.sess, ps, args)
	if err != nil {
		s.failed(start, queryError(ctx, err))
		return nil, err
	}
	rows, err := exec.Run(ctx, s.backend, s.sess, p)
	if err != nil {
		s.failed(start, queryError(ctx, err))
		return nil, err
	}
	if s.observer != nil {
		return &observedRows{Rows: execRows{rows}, obs: s.observer, start: start}, nil
	}
	return execRows{rows}, nil
}

// failed reports a statement that ended before it returned rows.
func (s *plannerSession) failed(start time.Time, err error) {
	if s.observer != nil {
		s.observer.QueryDone(outcomeCode(err), time.Since(start), 0)
	}
}

func (s *plannerSession) Setting(name string) (string, bool) { return s.sess.Setting(name) }

// BeginTransaction, EndTransaction and StartupError implement engineTx (transaction.go).
func (s *plannerSession) BeginTransaction(readOnly *bool) error {
	return s.sess.BeginTransaction(readOnly)
}
func (s *plannerSession) EndTransaction(commit bool) { s.sess.EndTransaction(commit) }
func (s *plannerSession) StartupError() error        { return s.sess.StartupError() }

var _ engineTx = (*plannerSession)(nil)

// Close ends the session: its cursors close, so their queries send no more requests.
func (s *plannerSession) Close() {
	s.sess.Close()
	if s.observer != nil {
		s.observer.SessionClosed()
	}
}

type execRows struct{ exec.Rows }

func (r execRows) Columns() []Column { return columns(r.Rows.Columns()) }

// Binary implements binaryRows: the rows of a FETCH from a BINARY cursor.
func (r execRows) Binary() bool {
	b, ok := r.Rows.(binaryRows)
	return ok && b.Binary()
}

func columns(cols []planner.Column) []Column {
	if cols == nil {
		return nil
	}
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Name: c.Name, Type: c.Type, TableOID: c.TableOID, AttNum: c.AttNum}
	}
	return out
}
