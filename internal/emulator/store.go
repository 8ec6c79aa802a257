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
// at most four fifths full, any size rather than a power of two) with a byte of each id's hash
// beside every slot, so a probe compares that byte and only a likely match reads the entry: about
// 11 B per object where a map[string]*entry takes about 40 B, which matters at a million objects.
type idIndex struct {
	slots []*entry
	tags  []uint8 // 0 for an empty slot, else tagOf the id's hash
	n     int
}

var idSeed = maphash.MakeSeed()

func tagOf(h uint64) uint8 { return uint8(h) | 0x80 }

// reserve sizes the table for n entries.
func (x *idIndex) reserve(n int) {
	size := max(8, n*5/4+1)
	if size <= len(x.slots) {
		return
	}
	old := x.slots
	x.slots, x.tags = make([]*entry, size), make([]uint8, size)
	x.n = 0
	for _, en := range old {
		if en != nil {
			x.put(en)
		}
	}
}

// home is the first slot a hash probes: the hash scaled to the table's size.
func (x *idIndex) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(x.slots)))
	return int(hi)
}

// next is the slot after i, wrapping around.
func (x *idIndex) next(i int) int {
	if i++; i == len(x.slots) {
		return 0
	}
	return i
}

// find returns the slot holding id, or the empty slot where it would go (found false).
func (x *idIndex) find(id string) (int, bool) {
	h := maphash.String(idSeed, id)
	tag := tagOf(h)
	for i := x.home(h); ; i = x.next(i) {
		switch x.tags[i] {
		case 0:
			return i, false
		case tag:
			if x.slots[i].id() == id {
				return i, true
			}
		}
	}
}

// get returns the entry with this id, deleted or not, or nil.
func (x *idIndex) get(id string) *entry {
	if x.n == 0 {
		return nil
	}
	if i, ok := x.find(id); ok {
		return x.slots[i]
	}
	return nil
}

// put adds en, replacing an entry with the same id.
func (x *idIndex) put(en *entry) {
	if (x.n+1)*5 > len(x.slots)*4 {
		x.reserve(max(x.n+1, x.n*3/2))
	}
	id := en.id()
	i, ok := x.find(id)
	if !ok {
		x.tags[i] = tagOf(maphash.String(idSeed, id))
		x.n++
	}
	x.slots[i] = en
}

// del removes the entry with this id, shifting later entries of its probe run back so lookups
// never stop early.
func (x *idIndex) del(id string) {
	if x.n == 0 {
		return
	}
	i, ok := x.find(id)
	if !ok {
		return
	}
	x.slots[i], x.tags[i] = nil, 0
	x.n--
	size := len(x.slots)
	for j := x.next(i); x.tags[j] != 0; j = x.next(j) {
		// The entry at j may move back into the hole at i when that is no nearer its home.
		if (j-x.home(maphash.String(idSeed, x.slots[j].id()))+size)%size >= (j-i+size)%size {
			x.slots[i], x.tags[i], x.slots[j], x.tags[j] = x.slots[j], x.tags[j], nil, 0
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
