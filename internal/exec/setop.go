package exec

import (
	"context"
	"io"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/planner"
)

// setOpIter runs a planner.SetOp. UNION ALL streams the left rows, then the right. UNION streams
// too, remembering the rows it has emitted. INTERSECT and EXCEPT first count the right side's
// distinct rows, then stream the left side against those counts. Every remembered row counts
// against stripesql.work_mem_rows.
type setOpIter struct {
	r           *runner
	n           *planner.SetOp
	left, right iterator
	limit       int64
	// onRight is set once UNION has finished its left input.
	onRight bool
	// seen holds the rows emitted (UNION, INTERSECT, EXCEPT without ALL); counts holds the right
	// side's rows and their multiplicity (INTERSECT, EXCEPT).
	seen   map[string]bool
	counts map[string]int64
	loaded bool
}

func newSetOpIter(r *runner, n *planner.SetOp, left, right iterator) *setOpIter {
	return &setOpIter{r: r, n: n, left: left, right: right, limit: r.sess.WorkMemRows(), seen: map[string]bool{}}
}

// rowKey is a row's identity for set operations: NULLs equal each other, values compare by the
// hash key of their type.
func rowKey(row []any) string {
	return string(appendRowKey(nil, row)) // hashkey.go
}

// remember records a row key, failing past the row limit.
func (s *setOpIter) remember(k string) error {
	if int64(len(s.seen)) >= s.limit {
		return planner.ErrWorkMem(map[string]string{"UNION": "union", "INTERSECT": "intersect", "EXCEPT": "except"}[s.n.Op], s.limit)
	}
	s.seen[k] = true
	return nil
}

func (s *setOpIter) next(ctx context.Context) ([]any, error) {
	if s.n.Op == "UNION" {
		return s.nextUnion(ctx)
	}
	if !s.loaded {
		s.counts = map[string]int64{}
		var n int64
		for {
			row, err := s.right.next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			k := rowKey(row)
			if s.counts[k] == 0 {
				if n++; n > s.limit {
					return nil, planner.ErrWorkMem(map[string]string{"INTERSECT": "intersect", "EXCEPT": "except"}[s.n.Op], s.limit)
				}
			}
			s.counts[k]++
		}
		s.loaded = true
	}
	for {
		row, err := s.left.next(ctx)
		if err != nil {
			return nil, err
		}
		k := rowKey(row)
		c := s.counts[k]
		switch {
		case s.n.Op == "INTERSECT" && s.n.All:
			if c > 0 {
				s.counts[k] = c - 1
				return row, nil
			}
		case s.n.Op == "INTERSECT":
			if c > 0 && !s.seen[k] {
				if err := s.remember(k); err != nil {
					return nil, err
				}
				return row, nil
			}
		case s.n.All: // EXCEPT ALL
			if c > 0 {
				s.counts[k] = c - 1
				continue
			}
			return row, nil
		default: // EXCEPT
			if c == 0 && !s.seen[k] {
				if err := s.remember(k); err != nil {
					return nil, err
				}
				return row, nil
			}
		}
	}
}

func (s *setOpIter) nextUnion(ctx context.Context) ([]any, error) {
	for {
		in := s.left
		if s.onRight {
			in = s.right
		}
		row, err := in.next(ctx)
		if err == io.EOF && !s.onRight {
			s.onRight = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if s.n.All {
			return row, nil
		}
		k := rowKey(row)
		if s.seen[k] {
			continue
		}
		if err := s.remember(k); err != nil {
			return nil, err
		}
		return row, nil
	}
}

func (s *setOpIter) close() {
	s.left.close()
	s.right.close()
}

// seriesIter runs a planner.SeriesScan (generate_series): it evaluates the bounds and the step
// once, then computes one value per row, so a long series streams in constant memory.
type seriesIter struct {
	r       *runner
	n       *planner.SeriesScan
	started bool
	done    bool
	cur     any
	stop    any
	dir     int
	count   int64
}

func (s *seriesIter) next(ctx context.Context) ([]any, error) {
	if s.done {
		return nil, io.EOF
	}
	env := *s.r.env
	if !s.started {
		s.started = true
		start, err := s.n.Start.Eval(&env)
		if err != nil {
			return nil, err
		}
		stop, err := s.n.Stop.Eval(&env)
		if err != nil {
			return nil, err
		}
		step, err := s.n.Step.Eval(&env)
		if err != nil {
			return nil, err
		}
		if start == nil || stop == nil || step == nil {
			s.done = true
			return nil, io.EOF
		}
		// The step's direction is where it takes the start.
		env.Row = []any{start}
		second, err := s.n.Next.Eval(&env)
		if err != nil {
			return nil, err
		}
		if s.dir, err = expr.Compare(second, start, s.n.T); err != nil {
			return nil, err
		}
		if s.dir == 0 {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "step size cannot equal zero")
		}
		s.cur, s.stop = start, stop
	} else {
		env.Row = []any{s.cur}
		v, err := s.n.Next.Eval(&env)
		if err != nil {
			// Stepping past the type's range ends the series, as in PostgreSQL.
			s.done = true
			return nil, io.EOF
		}
		s.cur = v
	}
	if s.count++; s.count%1024 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, canceled(err)
		}
	}
	c, err := expr.Compare(s.cur, s.stop, s.n.T)
	if err != nil {
		return nil, err
	}
	if c*s.dir > 0 {
		s.done = true
		return nil, io.EOF
	}
	return []any{s.cur}, nil
}

func (s *seriesIter) close() {}

// unnestIter runs a planner.UnnestScan: it evaluates the array once and returns its elements, each
// with its 1-based position when the scan has WITH ORDINALITY. A NULL array has no rows, nor has
// pg_partition_ancestors' relation.
type unnestIter struct {
	r       *runner
	n       *planner.UnnestScan
	started bool
	items   []any
	pos     int
}

func (u *unnestIter) next(ctx context.Context) ([]any, error) {
	if !u.started {
		u.started = true
		env := *u.r.env
		v, err := u.n.Arg.Eval(&env)
		if err != nil {
			return nil, err
		}
		switch a := v.(type) {
		case nil:
		case int64:
			// pg_partition_ancestors: no stripesql relation is a partition (planner/srf.go)
		case sqltypes.Array:
			u.items = a.Items
		default:
			return nil, sqlstate.New(sqlstate.InternalError, "unnest: %T is not an array", v)
		}
	}
	if u.pos >= len(u.items) {
		return nil, io.EOF
	}
	if u.pos%1024 == 1023 {
		if err := ctx.Err(); err != nil {
			return nil, canceled(err)
		}
	}
	u.pos++
	if u.n.Ordinality {
		return []any{u.items[u.pos-1], int64(u.pos)}, nil
	}
	return []any{u.items[u.pos-1]}, nil
}

func (u *unnestIter) close() {}
