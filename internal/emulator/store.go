package emulator

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"sort"
	"strings"
)

// entry is one stored object with its ordering key. Its fields (only those that have values;
// rendering fills in every other field of the resource as null) are either a map while the object
// is being built (m) or an encoded record once sealed (rec, see compact.go); read them with get,
// getPath, each and fields, change them with set and replaceFields. Stored objects are replaced,
// never mutated in place once published, so nested values may be shared between objects.
type entry struct {
	rec     string // the id (a varint length, then its bytes), then when sealed the fields
	m       map[string]any
	cd      *codec
	created int64
	seq     uint32
	deleted bool
}

// idRecord is the start of every record: the object's id.
func idRecord(id string) string {
	b := make([]byte, 0, len(id)+2)
	b = binary.AppendUvarint(b, uint64(len(id)))
	return string(append(b, id...))
}

// id is the object's id (kept in its record, so it costs no string of its own).
func (en *entry) id() string {
	if n := int(en.rec[0]); n < 0x80 {
		return en.rec[1 : 1+n]
	}
	n, i := uvarint(en.rec, 0)
	return en.rec[i : i+int(n)]
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
	byID  idIndex
	order []*entry
}

func newCollection(r *resource) *collection {
	return &collection{res: r}
}

// idIndex finds entries by id. It is an open-addressing table of entry pointers (linear probing,
// at most four fifths full, any size rather than a power of two) that hashes the id each entry
// holds: about 10 B per object where a map[string]*entry takes about 40 B, which matters at a
// million objects.
type idIndex struct {
	slots []*entry
	n     int
}

var idSeed = maphash.MakeSeed()

// reserve sizes the table for n entries.
func (x *idIndex) reserve(n int) {
	size := max(8, n*5/4+1)
	if size <= len(x.slots) {
		return
	}
	old := x.slots
	x.slots = make([]*entry, size)
	x.n = 0
	for _, en := range old {
		if en != nil {
			x.put(en)
		}
	}
}

// home is the first slot an id probes: its hash scaled to the table's size.
func (x *idIndex) home(id string) int {
	hi, _ := bits.Mul64(maphash.String(idSeed, id), uint64(len(x.slots)))
	return int(hi)
}

// next is the slot after i, wrapping around.
func (x *idIndex) next(i int) int {
	if i++; i == len(x.slots) {
		return 0
	}
	return i
}

// get returns the entry with this id, deleted or not, or nil.
func (x *idIndex) get(id string) *entry {
	if x.n == 0 {
		return nil
	}
	for i := x.home(id); ; i = x.next(i) {
		en := x.slots[i]
		if en == nil {
			return nil
		}
		if en.id() == id {
			return en
		}
	}
}

// put adds en, replacing an entry with the same id.
func (x *idIndex) put(en *entry) {
	if (x.n+1)*5 > len(x.slots)*4 {
		x.reserve(max(x.n+1, x.n*3/2))
	}
	for i := x.home(en.id()); ; i = x.next(i) {
		cur := x.slots[i]
		if cur == nil {
			x.slots[i] = en
			x.n++
			return
		}
		if cur.id() == en.id() {
			x.slots[i] = en
			return
		}
	}
}

// del removes the entry with this id, shifting later entries of its probe run back so lookups
// never stop early.
func (x *idIndex) del(id string) {
	if x.n == 0 {
		return
	}
	i := x.home(id)
	for ; ; i = x.next(i) {
		en := x.slots[i]
		if en == nil {
			return
		}
		if en.id() == id {
			break
		}
	}
	x.slots[i] = nil
	x.n--
	size := len(x.slots)
	for j := x.next(i); x.slots[j] != nil; j = x.next(j) {
		en := x.slots[j]
		// en may move back into the hole at i when that is no nearer its home than j.
		if (j-x.home(en.id())+size)%size >= (j-i+size)%size {
			x.slots[i], x.slots[j] = en, nil
			i = j
		}
	}
}

// insert adds e at its place in the order.
func (c *collection) insert(e *entry) {
	c.byID.put(e)
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
	e := c.byID.get(id)
	if e == nil || e.deleted {
		return nil
	}
	return e
}

// page walks the collection newest first and returns up to limit entries created within the
// span and accepted by keep. after (starting_after) returns entries older than it; before
// (ending_before) returns the entries just newer than it, still newest first. hasMore says
// whether another matching entry lies beyond the page in the direction of travel.
func (c *collection) page(limit int, after, before *entry, within span, keep func(*entry) bool) (out []*entry, hasMore bool) {
	// [first, last) are the positions created within the span.
	first := sort.Search(len(c.order), func(i int) bool { return c.order[i].created >= within.lo })
	last := sort.Search(len(c.order), func(i int) bool { return c.order[i].created > within.hi })
	if before != nil {
		start := c.position(before)
		if start < len(c.order) && c.order[start] == before {
			start++
		}
		for i := max(start, first); i < last; i++ {
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
	end := last
	if after != nil {
		end = min(end, c.position(after))
	}
	for i := end - 1; i >= first; i-- {
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
