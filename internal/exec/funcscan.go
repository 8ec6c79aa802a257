package exec

import (
	"context"
	"io"

	"github.com/stripesql/stripesql/planner"
)

// funcScanIter runs a planner.FuncScan: it computes the function's rows once (a JSON document's
// members, an array's elements) and returns them, numbered when WITH ORDINALITY asks.
type funcScanIter struct {
	r       *runner
	n       *planner.FuncScan
	started bool
	rows    [][]any
	pos     int
}

func (f *funcScanIter) next(ctx context.Context) ([]any, error) {
	if !f.started {
		f.started = true
		env := *f.r.env
		rows, err := f.n.Call.Rows(&env)
		if err != nil {
			return nil, err
		}
		f.rows = rows
	}
	if f.pos >= len(f.rows) {
		return nil, io.EOF
	}
	if f.pos%1024 == 1023 {
		if err := ctx.Err(); err != nil {
			return nil, canceled(err)
		}
	}
	row := f.rows[f.pos]
	f.pos++
	if f.n.Ordinality {
		return append(append(make([]any, 0, len(row)+1), row...), int64(f.pos)), nil
	}
	return row, nil
}

func (f *funcScanIter) close() {}

// rowsFromIter runs a planner.RowsFrom: it reads its functions in lockstep, each row being the
// next row of every function, NULLs for a function already exhausted, until all are.
type rowsFromIter struct {
	n     *planner.RowsFrom
	funcs []iterator
	done  []bool
	count int64
}

func (z *rowsFromIter) next(ctx context.Context) ([]any, error) {
	row := make([]any, 0, len(z.funcs)+1)
	live := false
	for i, it := range z.funcs {
		var part []any
		if !z.done[i] {
			p, err := it.next(ctx)
			switch {
			case err == io.EOF:
				z.done[i] = true
			case err != nil:
				return nil, err
			default:
				part, live = p, true
			}
		}
		if part == nil {
			part = make([]any, z.n.Widths[i])
		}
		row = append(row, part...)
	}
	if !live {
		return nil, io.EOF
	}
	z.count++
	if z.n.Ordinality {
		row = append(row, z.count)
	}
	return row, nil
}

func (z *rowsFromIter) close() {
	for _, it := range z.funcs {
		it.close()
	}
}

// newRowsFrom builds the iterators of a RowsFrom's functions.
func (r *runner) newRowsFrom(n *planner.RowsFrom) (iterator, error) {
	z := &rowsFromIter{n: n, done: make([]bool, len(n.Funcs))}
	for _, f := range n.Funcs {
		it, err := r.build(f)
		if err != nil {
			z.close()
			return nil, err
		}
		z.funcs = append(z.funcs, it)
	}
	return z, nil
}
