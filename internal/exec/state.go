package exec

// The tables and procedures of the node's state store (stripesql.flows, stripesql.flow_runs,
// CALL CreateFlow and RunFlow) run through the session's planner.Flows, not through Stripe: a scan
// of a state table reads its rows once, an UPDATE or DELETE reads the rows its WHERE matches and
// then changes each flow by name, and a state procedure is bound like any other and answered by
// Flows.Call. RunFlow's sync run sends its own Stripe requests as the node's background work
// (package flows); they are not this statement's, and are not counted against its budget.

import (
	"context"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
	"github.com/stripesql/stripesql/procedures"
)

// stateRows returns every row of the state table t.
func stateRows(ctx context.Context, sess *planner.Session, t *catalog.Table) ([][]any, error) {
	f, err := sess.Flows()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	return f.Rows(ctx, t.Name)
}

// runStateWrite runs an UPDATE or DELETE of stripesql.flows, or a CALL of a state procedure. A
// read-only session is refused (42501) here as well as by the planner, so a plan made before a
// session turned read-only still changes nothing.
func (r *runner) runStateWrite(ctx context.Context, p *planner.Planned) (Rows, error) {
	w := p.Write
	if r.sess.ReadOnly() {
		return nil, planner.StateWriteDenied(w.StateAction())
	}
	f, err := r.sess.Flows()
	if err != nil {
		return nil, err
	}
	var out [][]any
	var n int64
	switch w.Op {
	case planner.OpCall:
		row, err := r.stateCall(ctx, f, w)
		if err != nil {
			return nil, err
		}
		out, n = [][]any{row}, 1
	case planner.OpUpdate, planner.OpDelete:
		if n, err = r.changeFlows(ctx, f, p); err != nil {
			return nil, err
		}
	default:
		return nil, sqlstate.New(sqlstate.InternalError, "exec: %s of a state table", w.Op)
	}
	tag := w.Tag(n)
	if p.Kind == "SELECT" {
		tag = "SELECT"
	}
	r.mu.Lock()
	r.rows += int64(len(out))
	r.mu.Unlock()
	return &rowsImpl{r: r, it: &staticIter{rows: out}, cols: p.Columns, tag: tag}, nil
}

// stateCall binds a state procedure's arguments and runs it.
func (r *runner) stateCall(ctx context.Context, f planner.Flows, w *planner.WritePlan) ([]any, error) {
	args := procedures.Args{}
	for i, e := range w.Args {
		v, err := e.Eval(r.env)
		if err != nil {
			return nil, err
		}
		if w.ArgNames[i] == "" {
			args.Positional = append(args.Positional, v)
		} else {
			args.Named = append(args.Named, procedures.NamedArg{Name: w.ArgNames[i], Value: v})
		}
	}
	values, err := w.Proc.Bind(args)
	if err != nil {
		return nil, err
	}
	named := map[string]any{}
	for i, prm := range w.Proc.Params {
		if values[i] != nil {
			named[strings.ToLower(prm.Name)] = values[i]
		}
	}
	return f.Call(ctx, w.Proc.Name, named)
}

// changeFlows updates or deletes every flow the plan's read finds, by name, and returns how many
// it changed. The read ends before the first change. A failure stops the statement; DETAIL says
// how many flows were changed before it, since the state store's changes are not rolled back.
func (r *runner) changeFlows(ctx context.Context, f planner.Flows, p *planner.Planned) (int64, error) {
	w := p.Write
	wr := &writer{r: r, w: w, p: p, st: &nodeStats{loops: 1}}
	rows, err := wr.readAll(ctx, w.Find)
	if err != nil {
		return 0, err
	}
	nameCol := colIdx(w.Table, "name")
	if nameCol < 0 {
		return 0, sqlstate.New(sqlstate.FeatureNotSupported, "cannot change %s.%s", w.Table.Schema, w.Table.Name)
	}
	var n int64
	for _, row := range rows {
		name, _ := row[nameCol].(string)
		if w.Op == planner.OpDelete {
			err = f.Delete(ctx, name)
		} else {
			env := *r.env
			env.Row = row
			set := make(map[string]any, len(w.Sets))
			for _, s := range w.Sets {
				v, err := s.Value.Eval(&env)
				if err != nil {
					return n, changedBefore(err, n)
				}
				set[s.Name] = v
			}
			err = f.Update(ctx, name, set)
		}
		if err != nil {
			return n, changedBefore(err, n)
		}
		n++
	}
	return n, nil
}

// changedBefore adds to err how many flows a statement changed before it failed.
func changedBefore(err error, n int64) error {
	if n == 0 {
		return err
	}
	e := *sqlstate.Wrap(err)
	note := "flows changed before the failure stay changed"
	if e.Detail != "" {
		e.Detail += "; " + note
	} else {
		e.Detail = note
	}
	return &e
}
