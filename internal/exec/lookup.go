package exec

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// lookupRows retrieves the right table's row for one key (an id), or lists its rows when the key
// fills a required list filter (LookupParam), through a scan that applies the right table's
// conditions and counts its requests against the statement's budget.
func (j *joinIter) lookupRows(ctx context.Context, v any) ([][]any, error) {
	id, ok := v.(string)
	if !ok || id == "" {
		return nil, nil
	}
	if rows, ok := j.cache[id]; ok {
		return rows, nil
	}
	tmpl := j.n.Right.(*planner.Scan)
	s := *tmpl
	if j.n.LookupParam != "" {
		// A list per key: the template's calls with the required filter set to the key.
		s.Calls = make([]planner.Call, len(tmpl.Calls))
		for i, c := range tmpl.Calls {
			params := url.Values{}
			for k, vs := range c.Params {
				params[k] = append([]string(nil), vs...)
			}
			params.Set(j.n.LookupParam, id)
			fill := map[int]any{j.n.LookupColumn: id}
			for k, x := range c.Fill {
				if k != j.n.LookupColumn {
					fill[k] = x
				}
			}
			s.Calls[i] = planner.Call{Method: c.Method, Path: c.Path, Params: params, Fill: fill}
		}
	} else {
		if !stripeapi.PlausibleID(id) {
			return nil, nil // a join key like "" or "x/y" names no object: no request
		}
		s.Calls = []planner.Call{{Method: "retrieve", Path: fmt.Sprintf(tmpl.Table.Retrieve.Path, url.PathEscape(id)), ID: id}}
	}
	it := newScan(j.r, &s, j.st)
	var rows [][]any
	for {
		row, err := it.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		j.st.rows++
		rows = append(rows, row)
	}
	j.cache[id] = rows
	return rows, nil
}

// nextLookup is next for a lookup join.
func (j *joinIter) nextLookup(ctx context.Context) ([]any, error) {
	for {
		if j.cur == nil {
			row, err := j.left.next(ctx)
			if err != nil {
				return nil, err
			}
			j.cur, j.pos, j.found, j.looked = row, 0, false, nil
			j.env.Row = row
			v, err := j.n.LeftKeys[0].Eval(&j.env)
			if err != nil {
				return nil, err
			}
			if j.looked, err = j.lookupRows(ctx, v); err != nil {
				return nil, err
			}
		}
		for j.pos < len(j.looked) {
			right := j.looked[j.pos]
			j.pos++
			lk, lok, err := j.key(j.n.LeftKeys, j.cur)
			if err != nil {
				return nil, err
			}
			rk, rok, err := j.key(j.n.RightKeys, j.pad(right))
			if err != nil {
				return nil, err
			}
			if !lok || !rok || lk != rk {
				continue
			}
			out, ok, err := j.joined(right)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			j.found = true
			return out, nil
		}
		if out := j.endLeft(); out != nil {
			return out, nil
		}
	}
}
