package emulator

import (
	"sort"
	"strings"
)

// entry is one stored object with its ordering key. obj holds only the fields that have values;
// rendering fills in every other field of the resource as null. Stored objects are replaced, never
// mutated in place once published, so nested maps may be shared between objects.
type entry struct {
	id      string
	created int64
	seq     uint64
	obj     map[string]any
	deleted bool
}

// before reports whether a sorts before b in ascending (oldest first) order.
func (a *entry) before(b *entry) bool {
	if a.created != b.created {
		return a.created < b.created
	}
	return a.seq < b.seq
}

// collection holds the objects of one resource, ordered oldest first so that appending the newest
// object is cheap; lists walk it backwards. Deleted objects leave order but stay in byID so a
// cursor naming them still has a position.
type collection struct {
	res   *resource
	byID  map[string]*entry
	order []*entry
}

func newCollection(r *resource) *collection {
	return &collection{res: r, byID: map[string]*entry{}}
}

// insert adds e at its place in the order.
func (c *collection) insert(e *entry) {
	c.byID[e.id] = e
	n := len(c.order)
	if n == 0 || c.order[n-1].before(e) {
		c.order = append(c.order, e)
		return
	}
	i := sort.Search(n, func(i int) bool { return e.before(c.order[i]) })
	c.order = append(c.order, nil)
	copy(c.order[i+1:], c.order[i:])
	c.order[i] = e
}

// remove takes e out of the order and marks it deleted.
func (c *collection) remove(e *entry) {
	i := c.position(e)
	if i < len(c.order) && c.order[i] == e {
		c.order = append(c.order[:i], c.order[i+1:]...)
	}
	e.deleted = true
}

// position is the index of the first element not before e (e's own index when present).
func (c *collection) position(e *entry) int {
	return sort.Search(len(c.order), func(i int) bool { return !c.order[i].before(e) })
}

// get returns a live object by id.
func (c *collection) get(id string) *entry {
	e := c.byID[id]
	if e == nil || e.deleted {
		return nil
	}
	return e
}

// page walks the collection newest first and returns up to limit entries accepted by keep.
// after (starting_after) returns entries older than it; before (ending_before) returns the entries
// just newer than it, still newest first. hasMore says whether another matching entry lies beyond
// the page in the direction of travel.
func (c *collection) page(limit int, after, before *entry, keep func(*entry) bool) (out []*entry, hasMore bool) {
	if before != nil {
		start := c.position(before)
		if start < len(c.order) && c.order[start] == before {
			start++
		}
		for i := start; i < len(c.order); i++ {
			e := c.order[i]
			if !keep(e) {
				continue
			}
			if len(out) == limit {
				hasMore = true
				break
			}
			out = append(out, e)
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out, hasMore
	}
	end := len(c.order)
	if after != nil {
		end = c.position(after)
	}
	for i := end - 1; i >= 0; i-- {
		e := c.order[i]
		if !keep(e) {
			continue
		}
		if len(out) == limit {
			hasMore = true
			break
		}
		out = append(out, e)
	}
	return out, hasMore
}

// lookup reads a dot path ("billing_details.address.postal_code") from a stored object.
func lookup(obj map[string]any, path string) any {
	if !strings.Contains(path, ".") {
		return obj[path]
	}
	var cur any = obj
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}
