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
// emits the left row joined with each of its rows.
type lateralIter struct {
	r     *runner
	n     *planner.LateralJoin
	left  iterator
	cur   []any
	rows  [][]any
	i     int
	match bool
}

func (l *lateralIter) next(ctx context.Context) ([]any, error) {
	ss, err := l.r.subSessionOf()
	if err != nil {
		return nil, err
	}
	env := *l.r.env
	for {
		if l.cur == nil {
			row, err := l.left.next(ctx)
			if err != nil {
				return nil, err
			}
			env.Row = row
			if l.rows, err = ss.rowsFor(l.n.Sub, &env); err != nil {
				return nil, err
			}
			l.cur, l.i, l.match = row, 0, false
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
