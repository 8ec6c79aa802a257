package exec

import (
	"context"
	"io"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
)

// subSessionOf returns the subquery runner of r's statement.
func (r *runner) subSessionOf() (*subSession, error) {
	ss, ok := r.env.Session.(*subSession)
	if !ok {
		return nil, sqlstate.New(sqlstate.InternalError, "subquery cannot be run here")
	}
	return ss, nil
}

// rowsFor runs the LATERAL subquery sub with its outer values evaluated in env (the current left
// row, or none when nothing precedes the subquery in FROM).
func (ss *subSession) rowsFor(sub *planner.Subquery, env *expr.Env) ([][]any, error) {
	outer := make([]any, len(sub.Outer))
	for i, o := range sub.Outer {
		var err error
		if outer[i], err = o.Eval(env); err != nil {
			return nil, err
		}
	}
	return ss.SubqueryRows(sub, outer)
}

// lateralIter runs a LATERAL subquery per left row (remembered per distinct outer values) and
// emits the left row joined with each of its rows. A child table listed under every parent
// (fan-out, planner/fanout.go) is such a subquery, one list per parent: so that its requests keep
// the node's request slots busy when Stripe is slow, the subqueries of the next left rows run
// ahead, concurrently, as a lookup join's keys do, and their rows are handed on in left order.
type lateralIter struct {
	r     *runner
	n     *planner.LateralJoin
	left  iterator
	cur   []any
	rows  [][]any
	i     int
	match bool
	// ahead holds the left rows read ahead with their subqueries running; eof is set once left
	// has ended (leftErr is its error, returned after the rows before it).
	ahead   []*lateralAhead
	eof     bool
	leftErr error
}

// lateralAhead is one left row whose subquery runs on its own goroutine.
type lateralAhead struct {
	row   []any
	outer []any // the outer values its subquery runs with; nil when it shares another's
	rows  [][]any
	err   error
	done  chan struct{}
}

// lateralWorkers is how many subqueries run ahead: as many as a lookup join's workers, or one
// when the subquery itself runs subqueries (they share the statement's subquery cache).
func (l *lateralIter) lateralWorkers() int {
	sub := l.n.Sub.Plan
	if sub == nil || len(sub.InitPlans) > 0 {
		return 1
	}
	nested := false
	planner.Walk(sub.Root, func(n planner.Node) {
		if len(planner.NodeSubqueries(n)) > 0 {
			nested = true
		}
	})
	if nested {
		return 1
	}
	return lookupWorkersFor(l.r.sess.Rate())
}

// fill reads left rows until workers subqueries are running ahead, starting each.
func (l *lateralIter) fill(ctx context.Context, ss *subSession, workers int) {
	for !l.eof && len(l.ahead) < workers {
		row, err := l.left.next(ctx)
		if err != nil {
			l.eof, l.leftErr = true, err
			return
		}
		env := *l.r.env
		env.Row = row
		outer := make([]any, len(l.n.Sub.Outer))
		a := &lateralAhead{row: row, done: make(chan struct{})}
		for i, o := range l.n.Sub.Outer {
			if outer[i], a.err = o.Eval(&env); a.err != nil {
				break
			}
		}
		l.ahead = append(l.ahead, a)
		if a.err != nil {
			close(a.done)
			continue
		}
		// The same outer values as a row still running ahead: share its answer rather than
		// run the subquery twice at once (its cache only knows finished answers).
		if same := l.running(outer); same != nil {
			go func() {
				defer close(a.done)
				<-same.done
				a.rows, a.err = same.rows, same.err
			}()
			continue
		}
		a.outer = outer
		go func() {
			defer close(a.done)
			a.rows, a.err = ss.SubqueryRows(l.n.Sub, outer)
		}()
	}
}

// running returns the row read ahead whose subquery runs with the same outer values, or nil.
func (l *lateralIter) running(outer []any) *lateralAhead {
	for _, a := range l.ahead {
		if a.outer == nil || len(a.outer) != len(outer) {
			continue
		}
		same := true
		for i := range outer {
			t := l.n.Sub.Outer[i].Type()
			if expr.HashKey(a.outer[i], t) != expr.HashKey(outer[i], t) {
				same = false
				break
			}
		}
		if same {
			return a
		}
	}
	return nil
}

func (l *lateralIter) next(ctx context.Context) ([]any, error) {
	ss, err := l.r.subSessionOf()
	if err != nil {
		return nil, err
	}
	env := *l.r.env
	for {
		if l.cur == nil {
			l.fill(ctx, ss, l.lateralWorkers())
			if len(l.ahead) == 0 {
				return nil, l.leftErr
			}
			a := l.ahead[0]
			select {
			case <-a.done:
			case <-ctx.Done():
				return nil, canceled(ctx.Err())
			}
			l.ahead = l.ahead[1:]
			if a.err != nil {
				return nil, a.err
			}
			l.rows = a.rows
			l.cur, l.i, l.match = a.row, 0, false
		}
		for l.i < len(l.rows) {
			right := l.rows[l.i]
			l.i++
			if l.n.RightFilter != nil {
				env.Row = right
				ok, err := truth(l.n.RightFilter, &env)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			out := make([]any, l.n.Width)
			copy(out, l.cur)
			copy(out[l.n.RightOffset:], right)
			if l.n.Cond != nil {
				env.Row = out
				ok, err := truth(l.n.Cond, &env)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			l.match = true
			return out, nil
		}
		cur := l.cur
		l.cur = nil
		if l.n.LeftJoin && !l.match {
			out := make([]any, l.n.Width)
			copy(out, cur)
			return out, nil
		}
	}
}

// close stops reading; subqueries still running ahead end on their own (each is one statement's
// subquery within its budget) and their rows are dropped.
func (l *lateralIter) close() { l.left.close() }

func truth(e expr.Expr, env *expr.Env) (bool, error) {
	v, err := e.Eval(env)
	if err != nil {
		return false, err
	}
	b, known := expr.Truth(v)
	return b && known, nil
}

// lateralScanIter emits a LATERAL subquery's rows when nothing precedes it in FROM (its outer
// values then come from an enclosing query and are constants).
type lateralScanIter struct {
	r    *runner
	n    *planner.Lateral
	rows [][]any
	i    int
	done bool
}

func (l *lateralScanIter) next(ctx context.Context) ([]any, error) {
	if !l.done {
		ss, err := l.r.subSessionOf()
		if err != nil {
			return nil, err
		}
		env := *l.r.env
		env.Row = nil
		if l.rows, err = ss.rowsFor(l.n.Sub, &env); err != nil {
			return nil, err
		}
		l.done = true
	}
	if l.i >= len(l.rows) {
		return nil, io.EOF
	}
	l.i++
	return l.rows[l.i-1], nil
}

func (l *lateralScanIter) close() {}
