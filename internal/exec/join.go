package exec

import (
	"context"
	"io"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/planner"
)

// joinIter joins the left stream with the right input, which it reads whole first (the right
// side is one table's scan). With equality keys it hashes the right rows; otherwise it loops.
// Left rows stream, so a join keeps one copy of the right table in memory. A RIGHT or FULL join
// marks the right rows that matched and, once the left side ends, emits the others padded.
type joinIter struct {
	r      *runner
	n      *planner.Join
	left   iterator
	right  iterator
	built  bool
	rows   [][]any          // right rows
	hash   map[string][]int // key → right rows, when there are keys
	cur    []any            // current left row
	cand   []int            // candidate right rows for cur
	pos    int
	found  bool
	env    expr.Env
	padded []any
	keyBuf []byte // the hash join's current key, reused from row to row
	// lookup mode: right rows fetched per distinct key, cached.
	cache  map[string][][]any
	looked [][]any
	st     *nodeStats
	// RIGHT and FULL joins: which right rows matched, and the next one to check for emitting
	// once the left side is done.
	matched      []bool
	leftDone     bool
	unmatchedPos int
}

func (j *joinIter) build(ctx context.Context) error {
	j.env = *j.r.env
	if len(j.n.RightKeys) > 0 {
		j.hash = map[string][]int{}
	}
	for {
		row, err := j.right.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := j.r.holdRows("hash join", len(j.rows)); err != nil { // workmem.go
			return err
		}
		j.rows = append(j.rows, row)
		if j.hash != nil {
			var ok bool
			j.keyBuf, ok, err = j.appendKey(j.keyBuf, j.n.RightKeys, j.pad(row))
			if err != nil {
				return err
			}
			if ok {
				j.hash[string(j.keyBuf)] = append(j.hash[string(j.keyBuf)], len(j.rows)-1)
			}
		}
	}
	if j.n.RightJoin {
		j.matched = make([]bool, len(j.rows))
	}
	j.built = true
	return nil
}

// pad places a right row at its offset in a combined row, so right keys (bound over the whole
// FROM clause) can read it.
func (j *joinIter) pad(right []any) []any {
	if j.padded == nil {
		j.padded = make([]any, j.n.Width)
	}
	copy(j.padded[j.n.RightOffset:], right)
	return j.padded
}

// key evaluates key expressions; ok is false when one is NULL (NULL never equals anything).
func (j *joinIter) key(keys []expr.Expr, row []any) (string, bool, error) {
	buf, ok, err := j.appendKey(nil, keys, row)
	return string(buf), ok, err
}

// appendKey is key into buf (emptied first). The hash join passes one buffer it reuses and
// looks its table up with string(key), which allocates nothing: only the build side copies keys.
func (j *joinIter) appendKey(buf []byte, keys []expr.Expr, row []any) ([]byte, bool, error) {
	j.env.Row = row
	buf = buf[:0]
	for _, k := range keys {
		v, err := k.Eval(&j.env)
		if err != nil {
			return buf, false, err
		}
		if v == nil {
			return buf, false, nil
		}
		buf = append(expr.AppendHashKey(buf, v, k.Type()), 0xff)
	}
	return buf, true, nil
}

// endLeft is done with the current left row: it forgets it and, for a left join's row that
// matched nothing, returns it padded with NULLs (nil otherwise).
func (j *joinIter) endLeft() []any {
	cur := j.cur
	j.cur = nil
	if !j.n.LeftJoin || j.found {
		return nil
	}
	out := make([]any, j.n.Width)
	copy(out, cur)
	return out
}

// joined concatenates the current left row with right and reports whether the pair passes the
// join condition (a NULL condition, as in SQL, does not).
func (j *joinIter) joined(right []any) ([]any, bool, error) {
	out := make([]any, 0, j.n.Width)
	out = append(out, j.cur...)
	out = append(out, right...)
	if j.n.Cond == nil {
		return out, true, nil
	}
	j.env.Row = out
	ok, err := truth(j.n.Cond, &j.env)
	return out, ok, err
}

func (j *joinIter) next(ctx context.Context) ([]any, error) {
	if j.n.Lookup {
		if j.cache == nil {
			j.cache, j.env = map[string][][]any{}, *j.r.env
		}
		return j.nextLookup(ctx)
	}
	if !j.built {
		if err := j.build(ctx); err != nil {
			return nil, err
		}
	}
	for {
		if j.cur == nil {
			if j.leftDone {
				return j.nextUnmatchedRight()
			}
			row, err := j.left.next(ctx)
			if err == io.EOF && j.n.RightJoin {
				j.leftDone = true
				continue
			}
			if err != nil {
				return nil, err
			}
			j.cur, j.pos, j.found = row, 0, false
			if j.hash != nil {
				var ok bool
				j.keyBuf, ok, err = j.appendKey(j.keyBuf, j.n.LeftKeys, row)
				if err != nil {
					return nil, err
				}
				j.cand = nil
				if ok {
					j.cand = j.hash[string(j.keyBuf)]
				}
			}
		}
		n := len(j.rows)
		if j.hash != nil {
			n = len(j.cand)
		}
		for j.pos < n {
			idx := j.pos
			if j.hash != nil {
				idx = j.cand[j.pos]
			}
			j.pos++
			out, ok, err := j.joined(j.rows[idx])
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			j.found = true
			if j.matched != nil {
				j.matched[idx] = true
			}
			return out, nil
		}
		if out := j.endLeft(); out != nil {
			return out, nil
		}
	}
}

// nextUnmatchedRight returns the next right row that matched no left row, with NULLs for the
// left side's columns, and io.EOF after the last.
func (j *joinIter) nextUnmatchedRight() ([]any, error) {
	for j.unmatchedPos < len(j.rows) {
		i := j.unmatchedPos
		j.unmatchedPos++
		if !j.matched[i] {
			out := make([]any, j.n.Width)
			copy(out[j.n.RightOffset:], j.rows[i])
			return out, nil
		}
	}
	return nil, io.EOF
}

func (j *joinIter) close() {
	j.left.close()
	if j.right != nil {
		j.right.close()
	}
}
