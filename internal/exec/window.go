package exec

import (
	"context"
	"io"
	"sort"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
)

// windowIter runs a planner.Window: it materialises its input (at most the session's
// stripesql.work_mem_rows rows), sorts row positions once per distinct PARTITION BY / ORDER BY,
// computes every function per partition, and emits the rows in input order, each followed by its
// window values.
type windowIter struct {
	r  *runner
	in iterator
	n  *planner.Window
	materialized
}

func (w *windowIter) next(ctx context.Context) ([]any, error) { return w.emit(ctx, w.run) }

func (w *windowIter) close() { w.in.close() }

func (w *windowIter) run(ctx context.Context) error {
	limit := w.r.sess.WorkMemRows()
	nf := len(w.n.Funcs)
	for {
		row, err := w.in.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if int64(len(w.rows)) >= limit {
			return planner.ErrWorkMem("window", limit)
		}
		out := make([]any, len(row), len(row)+nf)
		copy(out, row)
		w.rows = append(w.rows, out[:len(row)+nf])
	}
	width := 0
	if len(w.rows) > 0 {
		width = len(w.rows[0]) - nf
	}
	done := make([]bool, nf)
	for i, f := range w.n.Funcs {
		if done[i] {
			continue
		}
		// Every function with the same partitioning and ordering shares this sort.
		var group []int
		key := f.SpecKey()
		for j := i; j < nf; j++ {
			if !done[j] && w.n.Funcs[j].SpecKey() == key {
				group = append(group, j)
				done[j] = true
			}
		}
		if err := w.runSpec(ctx, f, group, width); err != nil {
			return err
		}
	}
	return nil
}

// windowPart is one partition being computed: row indexes in window order, the ORDER BY key
// values of each, and where each row's peer group starts and ends.
type windowPart struct {
	idx       []int
	order     [][]any
	peerStart []int
	peerEnd   []int
}

// runSpec sorts the rows by f's PARTITION BY and ORDER BY and computes the functions in group.
func (w *windowIter) runSpec(ctx context.Context, f *planner.WindowFunc, group []int, width int) error {
	env := *w.r.env
	np := len(f.Partition)
	keys := make([]planner.SortKey, 0, np+len(f.Order))
	for _, p := range f.Partition {
		keys = append(keys, planner.SortKey{Expr: p})
	}
	keys = append(keys, f.Order...)
	vals := make([][]any, len(w.rows))
	for i, row := range w.rows {
		env.Row = row[:width]
		kv := make([]any, len(keys))
		for k, key := range keys {
			v, err := key.Expr.Eval(&env)
			if err != nil {
				return err
			}
			kv[k] = v
		}
		vals[i] = kv
	}
	idx := make([]int, len(w.rows))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	if len(keys) > 0 {
		sort.SliceStable(idx, func(a, b int) bool {
			c, err := compareKeys(keys, vals[idx[a]], vals[idx[b]])
			if err != nil && cmpErr == nil {
				cmpErr = err
			}
			return c < 0
		})
		if cmpErr != nil {
			return cmpErr
		}
	}
	for start := 0; start < len(idx); {
		if err := ctx.Err(); err != nil {
			return canceled(err)
		}
		end := start + 1
		for end < len(idx) {
			c, err := compareKeys(keys[:np], vals[idx[start]][:np], vals[idx[end]][:np])
			if err != nil {
				return err
			}
			if c != 0 {
				break
			}
			end++
		}
		p := &windowPart{idx: idx[start:end]}
		m := end - start
		p.order = make([][]any, m)
		for j := range p.idx {
			p.order[j] = vals[p.idx[j]][np:]
		}
		p.peerStart, p.peerEnd = make([]int, m), make([]int, m)
		for j := 0; j < m; {
			k := j + 1
			for k < m {
				c, err := compareKeys(f.Order, p.order[j], p.order[k])
				if err != nil {
					return err
				}
				if c != 0 {
					break
				}
				k++
			}
			for x := j; x < k; x++ {
				p.peerStart[x], p.peerEnd[x] = j, k
			}
			j = k
		}
		for _, fi := range group {
			if err := w.compute(&env, w.n.Funcs[fi], width+fi, width, p); err != nil {
				return err
			}
		}
		start = end
	}
	return nil
}

// eval evaluates e over input row i (without its window columns).
func (w *windowIter) eval(env *expr.Env, e expr.Expr, i, width int) (any, error) {
	env.Row = w.rows[i][:width]
	return e.Eval(env)
}

// evalInt evaluates an integer argument; NULL reports ok false.
func (w *windowIter) evalInt(env *expr.Env, e expr.Expr, i, width int) (int64, bool, error) {
	v, err := w.eval(env, e, i, width)
	if err != nil || v == nil {
		return 0, false, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, false, sqlstate.New(sqlstate.InternalError, "window function argument is %T, not an integer", v)
	}
	return n, true, nil
}

// compute fills column col of every row of partition p with f's value.
func (w *windowIter) compute(env *expr.Env, f *planner.WindowFunc, col, width int, p *windowPart) error {
	m := len(p.idx)
	set := func(j int, v any) { w.rows[p.idx[j]][col] = v }
	switch f.Name {
	case "row_number":
		for j := 0; j < m; j++ {
			set(j, int64(j+1))
		}
		return nil
	case "rank":
		for j := 0; j < m; j++ {
			set(j, int64(p.peerStart[j]+1))
		}
		return nil
	case "dense_rank":
		r := int64(0)
		for j := 0; j < m; j++ {
			if p.peerStart[j] == j {
				r++
			}
			set(j, r)
		}
		return nil
	case "percent_rank":
		for j := 0; j < m; j++ {
			v := 0.0
			if m > 1 {
				v = float64(p.peerStart[j]) / float64(m-1)
			}
			set(j, v)
		}
		return nil
	case "cume_dist":
		for j := 0; j < m; j++ {
			set(j, float64(p.peerEnd[j])/float64(m))
		}
		return nil
	case "ntile":
		n, ok, err := w.evalInt(env, f.Args[0], p.idx[0], width)
		if err != nil {
			return err
		}
		if !ok {
			for j := 0; j < m; j++ {
				set(j, nil)
			}
			return nil
		}
		if n <= 0 {
			return sqlstate.New("22014", "argument of ntile must be greater than zero")
		}
		// The first m mod n buckets hold one row more than the others.
		size, extra := int64(m)/n, int64(m)%n
		bucket, left := int64(1), size
		if extra > 0 {
			left++
		}
		for j := 0; j < m; j++ {
			if left == 0 {
				bucket++
				left = size
				if bucket <= extra {
					left++
				}
			}
			set(j, bucket)
			left--
		}
		return nil
	case "lag", "lead":
		for j := 0; j < m; j++ {
			off := int64(1)
			if len(f.Args) >= 2 {
				n, ok, err := w.evalInt(env, f.Args[1], p.idx[j], width)
				if err != nil {
					return err
				}
				if !ok {
					set(j, nil)
					continue
				}
				off = n
			}
			t := int64(j) - off
			if f.Name == "lead" {
				t = int64(j) + off
			}
			var v any
			var err error
			switch {
			case t >= 0 && t < int64(m):
				v, err = w.eval(env, f.Args[0], p.idx[t], width)
			case len(f.Args) == 3:
				v, err = w.eval(env, f.Args[2], p.idx[j], width)
			}
			if err != nil {
				return err
			}
			set(j, v)
		}
		return nil
	}
	return w.computeFramed(env, f, col, width, p)
}

// computeFramed computes the functions that read the frame: first_value, last_value, nth_value
// and aggregates.
func (w *windowIter) computeFramed(env *expr.Env, f *planner.WindowFunc, col, width int, p *windowPart) error {
	m := len(p.idx)
	set := func(j int, v any) { w.rows[p.idx[j]][col] = v }
	// Incremental aggregation when every frame starts at the partition's first row: frame ends
	// never move backwards, so each row is added once.
	var running expr.AggState
	added := 0
	prevS, prevE := -1, -1
	var prev any
	for j := 0; j < m; j++ {
		s, e, err := w.frame(env, f, width, p, j)
		if err != nil {
			return err
		}
		if s >= e {
			s, e = 0, 0 // empty frame
		}
		switch f.Name {
		case "first_value", "last_value", "nth_value":
			var v any
			t := -1
			switch f.Name {
			case "first_value":
				t = s
			case "last_value":
				t = e - 1
			default:
				n, ok, err := w.evalInt(env, f.Args[1], p.idx[j], width)
				if err != nil {
					return err
				}
				if ok && n <= 0 {
					return sqlstate.New("22016", "argument of nth_value must be greater than zero")
				}
				if ok {
					t = s + int(n) - 1
				}
			}
			if t >= s && t < e {
				if v, err = w.eval(env, f.Args[0], p.idx[t], width); err != nil {
					return err
				}
			}
			set(j, v)
			continue
		}
		if f.Agg == nil {
			return sqlstate.New(sqlstate.InternalError, "unknown window function %s", f.Name)
		}
		if s == prevS && e == prevE {
			set(j, prev)
			continue
		}
		var st expr.AggState
		if s == 0 && e >= added && (running != nil || j == 0) {
			if running == nil {
				running = f.Agg.NewState()
			}
			for ; added < e; added++ {
				env.Row = w.rows[p.idx[added]][:width]
				if err := running.Add(env); err != nil {
					return err
				}
			}
			st = running
		} else {
			running = nil
			st = f.Agg.NewState()
			for x := s; x < e; x++ {
				env.Row = w.rows[p.idx[x]][:width]
				if err := st.Add(env); err != nil {
					return err
				}
			}
		}
		v, err := st.Result()
		if err != nil {
			return err
		}
		prevS, prevE, prev = s, e, v
		set(j, v)
	}
	return nil
}

// frame returns the frame of row j of p as positions [s, e) of the partition.
func (w *windowIter) frame(env *expr.Env, f *planner.WindowFunc, width int, p *windowPart, j int) (int, int, error) {
	m := len(p.idx)
	fr := f.Frame
	bound := func(b planner.FrameBound, off, value expr.Expr, start bool) (int, error) {
		switch b {
		case planner.BoundUnboundedPreceding:
			return 0, nil
		case planner.BoundUnboundedFollowing:
			return m, nil
		case planner.BoundCurrentRow:
			if fr.Rows {
				if start {
					return j, nil
				}
				return j + 1, nil
			}
			if start {
				return p.peerStart[j], nil
			}
			return p.peerEnd[j], nil
		}
		n, _, err := w.evalOffset(env, off, p.idx[j], width, start)
		if err != nil {
			return 0, err
		}
		if fr.Rows {
			t := int64(j)
			if b == planner.BoundPreceding {
				t -= n
			} else {
				t += n
			}
			if !start {
				t++
			}
			return int(max(0, min(int64(m), t))), nil
		}
		return w.rangeBound(env, f, value, width, p, j, start)
	}
	s, err := bound(fr.Start, fr.StartOffset, fr.StartValue, true)
	if err != nil {
		return 0, 0, err
	}
	e, err := bound(fr.End, fr.EndOffset, fr.EndValue, false)
	if err != nil {
		return 0, 0, err
	}
	return s, e, nil
}

// evalOffset evaluates the n of n PRECEDING / n FOLLOWING, which must be a non-negative,
// non-NULL value.
func (w *windowIter) evalOffset(env *expr.Env, off expr.Expr, i, width int, start bool) (int64, bool, error) {
	what := "starting"
	if !start {
		what = "ending"
	}
	v, err := w.eval(env, off, i, width)
	if err != nil {
		return 0, false, err
	}
	if v == nil {
		return 0, false, sqlstate.New("22004", "frame %s offset must not be null", what)
	}
	if n, ok := v.(int64); ok {
		if n < 0 {
			return 0, false, sqlstate.New("22013", "frame %s offset must not be negative", what)
		}
		return n, true, nil
	}
	return 0, true, nil
}

// rangeBound finds, in RANGE mode with an offset, the first row whose ORDER BY key reaches the
// boundary value (start) or the first row past it (end). Rows whose key is NULL frame their own
// peer group, as in PostgreSQL.
func (w *windowIter) rangeBound(env *expr.Env, f *planner.WindowFunc, value expr.Expr, width int, p *windowPart, j int, start bool) (int, error) {
	if p.order[j][0] == nil {
		if start {
			return p.peerStart[j], nil
		}
		return p.peerEnd[j], nil
	}
	bv, err := w.eval(env, value, p.idx[j], width)
	if err != nil {
		return 0, err
	}
	key := f.Order[0]
	// The rows with a non-NULL key are contiguous: NULLs sort all first or all last.
	lo, hi := 0, len(p.idx)
	for lo < hi && p.order[lo][0] == nil {
		lo++
	}
	for hi > lo && p.order[hi-1][0] == nil {
		hi--
	}
	var cmpErr error
	pos := lo + sort.Search(hi-lo, func(x int) bool {
		c, err := expr.Compare(p.order[lo+x][0], bv, key.Expr.Type())
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		if key.Desc {
			c = -c
		}
		if start {
			return c >= 0
		}
		return c > 0
	})
	return pos, cmpErr
}
