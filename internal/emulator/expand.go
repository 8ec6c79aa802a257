package emulator

import "strings"

// maxExpandDepth is Stripe's limit on expansion paths.
const maxExpandDepth = 4

// byPrefix finds the collection an id belongs to from its prefix ("ch_…" → charges).
func (e *Emulator) byPrefix(id string) *collection {
	if strings.HasPrefix(id, "cs_test_") {
		return e.colls["checkout_sessions"]
	}
	p, _, ok := strings.Cut(id, "_")
	if !ok {
		return e.colls["coupons"]
	}
	for _, c := range e.colls {
		if c.res.prefix == p && c.res.name != "plans" {
			return c
		}
	}
	return nil
}

// expandAnswer applies expand[] to an answer: for lists and search results the paths start with
// "data."; ids that name a stored object are replaced by that object, rendered. Paths that do not
// lead to an id are ignored, as Stripe ignores expanding a field that is already an object.
func (e *Emulator) expandAnswer(v any, params map[string]any) *apiError {
	raw, ok := params["expand"].([]any)
	if !ok || len(raw) == 0 {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	isList := m["object"] == "list" || m["object"] == "search_result"
	for _, x := range raw {
		p, _ := x.(string)
		segs := strings.Split(p, ".")
		if p == "" || len(segs) > maxExpandDepth {
			return invalid("expand", "You cannot expand more than %d levels of a property: %s", maxExpandDepth, p)
		}
		if isList {
			if segs[0] != "data" || len(segs) < 2 {
				continue // total_count and friends
			}
			data, _ := m["data"].([]map[string]any)
			for _, obj := range data {
				e.expandPath(obj, segs[1:])
			}
			continue
		}
		e.expandPath(m, segs)
	}
	return nil
}

// expandPath expands one path inside a freshly rendered object. Nested maps may be shared with
// stored objects, so every map on the way down is copied before it is changed.
func (e *Emulator) expandPath(m map[string]any, segs []string) {
	key := segs[0]
	v, ok := m[key]
	if !ok || v == nil {
		return
	}
	if id, isID := v.(string); isID {
		c := e.byPrefix(id)
		if c == nil {
			return
		}
		en := c.get(id)
		if en == nil {
			return
		}
		r := e.render(c, en)
		m[key] = r
		if len(segs) > 1 {
			e.expandPath(r, segs[1:])
		}
		return
	}
	if len(segs) == 1 {
		return
	}
	if sub, isMap := v.(map[string]any); isMap {
		cp := copyMap(sub)
		m[key] = cp
		e.expandPath(cp, segs[1:])
	}
}
