package emulator

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"reflect"
	"slices"
	"strings"
	"unsafe"
)

// The seeded data set is the emulator's memory: at 100,000 charges it holds well over a third of a
// million objects, and at 1,000,000 ten times that. A map[string]any per object costs about 900 B
// (the map's groups, a boxed interface per value, a header per string); this file keeps each
// object as one encoded string instead, about a fifth of that, without changing what the API
// answers.
//
// An object's record is its id followed by its fields, each a key number (codec.keys) and a
// tagged value. Values keep their Go types exactly (int64 stays int64, []string stays []string),
// so decoding gives back what was stored. Three kinds of sharing keep records short:
//   - keys are numbers into one dictionary of field names;
//   - a string met for the third time while seeding (a customer id that every one of its charges
//     names, a status, a description) is promoted to a table and later occurrences are a table
//     index;
//   - a nested map or list met for the third time while seeding (a customer's billing details that
//     each of their charges carries, a card's payment_method_details, an embedded price) is
//     promoted likewise, by content, and decodes to one shared value.
//
// Sightings are counted in a hash set that lives only while seeding. Decoded strings are
// substrings of the record, so reading a field allocates only its interface box.
//
// Objects are built as plain maps (entry.m) and sealed into records in batches (codec.flush): at
// the end of every mutating request and every few thousand objects while seeding. Every write goes
// through the entry's methods (set, replaceFields), never through a map obtained from an entry, so
// sealing may happen at any time without losing a change.

// Value tags of the encoding.
const (
	tNil byte = iota
	tFalse
	tTrue
	tInt     // int64, zigzag varint
	tGoInt   // int, zigzag varint
	tFloat   // float64, 8 bytes little endian
	tStr     // varint length, bytes
	tStrRef  // varint index into codec.strs
	tMap     // varint byte length, then (varint key, value)…, keys sorted
	tList    // varint byte length, varint count, values…
	tValRef  // varint index into codec.vals
	tStrList // []string: varint byte length, varint count, (varint length, bytes)…
	tCard    // card: varint byte length, its fields
	tEmptyMap
	tEmptyList
	tShared // varint index into codec.shared
	tID     // an id "prefix_" + 24 base62 characters: the prefix as a key number, then 18 bytes
)

// Promotion thresholds: values shorter than these are cheaper inline than as a table entry.
const (
	minSharedString = 6
	minSharedValue  = 8
	// promoteAt is the sighting that promotes a string or nested value to its table: the first
	// two stay inline, so a value met only twice never pays for a table entry. An id packs to 21
	// bytes inline and a table entry costs about 80, so ids wait for more sightings: a customer's
	// id (named by each of its charges) is promoted, a charge's (named by its intent and balance
	// transaction) is not.
	promoteAt   = 3
	promoteIDAt = 6
	// flushEvery bounds how many unsealed objects seeding keeps before sealing them.
	flushEvery = 4096
	// entryChunk is how many entries are allocated at once (entries are never freed one by one).
	entryChunk = 512
)

// codec encodes and decodes the records of every account of one emulator; it is used under the
// emulator's lock (exclusively for anything that encodes).
type codec struct {
	keys   []string
	keyIdx map[string]uint32

	strs   []any // promoted strings, boxed once so decoding them allocates nothing
	strIdx map[string]uint32
	// shared holds promoted nested values, each its tag and encoded content (decoded on use, so a
	// shared value costs its encoding, not a map); valIdx finds them by content.
	shared []string
	valIdx map[string]uint32
	vals   []any // values of other types (an event's snapshot), kept as they are

	// seen counts sightings of strings and nested values not yet promoted: a count-min sketch
	// (two rows of byte counters indexed by halves of the value's hash, the smaller count wins),
	// a fixed few bytes per seeded object where a map of every distinct value seen would hold
	// millions of entries at a million charges. A collision can only promote a value early. nil
	// when not seeding, so objects created through the API only reuse what seeding promoted.
	seen  []uint8
	hseed maphash.Seed
	// sharedMaps finds a promoted map by identity while seeding, where the same map (a card's
	// details, a customer's billing details) is stored with many objects, so it is not encoded
	// again each time only to be found by content. Maps are never changed once stored.
	sharedMaps map[unsafe.Pointer]uint32

	// keyCache and strCache remember the numbers of field names and promoted strings by the
	// address of their bytes: most keys are literals of this package and most repeated strings
	// are the same string value stored again, so a hit costs a comparison, not a hash. An entry
	// keeps its bytes alive, so an address is never reused for other bytes while cached.
	keyCache [256]strSlot
	strCache [4096]strSlot

	pending []*entry // objects whose fields are still a map
	chunk   []entry
	buf     []byte
}

func newCodec() *codec {
	return &codec{keyIdx: map[string]uint32{}, strIdx: map[string]uint32{}, valIdx: map[string]uint32{}, hseed: maphash.MakeSeed()}
}

// strSlot is one entry of a codec cache keyed by a string's address and length.
type strSlot struct {
	p   *byte
	n   int
	idx uint32
}

func slotOf(s string, mask uintptr) uintptr {
	return (uintptr(unsafe.Pointer(unsafe.StringData(s)))>>3 ^ uintptr(len(s))) & mask
}

// newEntry returns a zeroed entry from the current chunk.
func (cd *codec) newEntry() *entry {
	if len(cd.chunk) == 0 {
		cd.chunk = make([]entry, entryChunk)
	}
	en := &cd.chunk[0]
	cd.chunk = cd.chunk[1:]
	en.cd = cd
	return en
}

// startSeeding turns on sighting counts, sized for about objects objects; stopSeeding drops them.
func (cd *codec) startSeeding(objects int) {
	if cd.seen == nil {
		n := 1 << 12
		for n < 8*objects && n < 1<<26 {
			n <<= 1
		}
		cd.seen = make([]uint8, 2*n)
		cd.sharedMaps = map[unsafe.Pointer]uint32{}
	}
}

func (cd *codec) stopSeeding() {
	cd.flush()
	cd.seen = nil
	cd.sharedMaps = nil
	cd.buf = nil
}

// maybeFlush seals the pending objects once there are many of them.
func (cd *codec) maybeFlush() {
	if len(cd.pending) >= flushEvery {
		cd.flush()
	}
}

// flush seals every pending object into its record.
func (cd *codec) flush() {
	for i, en := range cd.pending {
		if en.m != nil {
			cd.seal(en)
		}
		cd.pending[i] = nil
	}
	cd.pending = cd.pending[:0]
}

// seal encodes en.m into en.rec: the id, then every field.
func (cd *codec) seal(en *entry) {
	b := append(cd.buf[:0], en.rec[:fieldsStart(en.rec)]...)
	for k, v := range en.m {
		b = appendKey(b, cd.key(k))
		b = cd.appendValue(b, v)
	}
	en.rec = string(b)
	en.m = nil
	cd.buf = b
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// key returns the number of a field name, adding it to the dictionary when new.
func (cd *codec) key(k string) uint32 {
	if len(k) == 0 {
		return cd.keyNumber(k)
	}
	sl := &cd.keyCache[slotOf(k, uintptr(len(cd.keyCache)-1))]
	if sl.p == unsafe.StringData(k) && sl.n == len(k) {
		return sl.idx
	}
	i := cd.keyNumber(k)
	*sl = strSlot{p: unsafe.StringData(k), n: len(k), idx: i}
	return i
}

func (cd *codec) keyNumber(k string) uint32 {
	if i, ok := cd.keyIdx[k]; ok {
		return i
	}
	i := uint32(len(cd.keys))
	k = strings.Clone(k)
	cd.keys = append(cd.keys, k)
	cd.keyIdx[k] = i
	return i
}

func zigzag(n int64) uint64   { return uint64(n<<1) ^ uint64(n>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// sighted counts one more sighting of a hash and reports whether it reaches at.
func (cd *codec) sighted(h uint64, at uint8) bool {
	half := uint64(len(cd.seen) / 2)
	a, b := &cd.seen[h&(half-1)], &cd.seen[half+(h>>32)&(half-1)]
	n := min(*a, *b) + 1
	if n >= at {
		return true
	}
	*a, *b = max(*a, n), max(*b, n)
	return false
}

// appendString encodes a string inline or as a reference to the promoted table.
func (cd *codec) appendString(b []byte, s string) []byte {
	if len(s) >= minSharedString {
		sl := &cd.strCache[slotOf(s, uintptr(len(cd.strCache)-1))]
		if sl.p == unsafe.StringData(s) && sl.n == len(s) {
			return binary.AppendUvarint(append(b, tStrRef), uint64(sl.idx))
		}
		if i, ok := cd.strIdx[s]; ok {
			*sl = strSlot{p: unsafe.StringData(s), n: len(s), idx: i}
			return binary.AppendUvarint(append(b, tStrRef), uint64(i))
		}
		at := uint8(promoteAt)
		if _, isid := isID(s); isid {
			at = promoteIDAt
		}
		if cd.seen != nil && cd.sighted(maphash.String(cd.hseed, s), at) {
			s = strings.Clone(s)
			i := uint32(len(cd.strs))
			cd.strs = append(cd.strs, s)
			cd.strIdx[s] = i
			return binary.AppendUvarint(append(b, tStrRef), uint64(i))
		}
	}
	if prefix, ok := isID(s); ok {
		b = appendKey(append(b, tID), cd.key(prefix))
		return appendBase62(b, s[len(s)-idChars:])
	}
	b = binary.AppendUvarint(append(b, tStr), uint64(len(s)))
	return append(b, s...)
}

// Keys are one byte below keyEscape, else keyEscape and a varint.
const keyEscape = 0xff

func appendKey(b []byte, k uint32) []byte {
	if k < keyEscape {
		return append(b, byte(k))
	}
	return binary.AppendUvarint(append(b, keyEscape), uint64(k-keyEscape))
}

func readKey(s string, i int) (uint64, int) {
	if s[i] != keyEscape {
		return uint64(s[i]), i + 1
	}
	u, j := uvarint(s, i+1)
	return u + keyEscape, j
}

// Ids are a prefix, an underscore and idChars characters of idAlphabet (newID makes them so);
// packed, the characters take 18 bytes instead of 24 and the prefix one.
const (
	idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	idChars    = 24
	idPacked   = 18
)

// idDigit maps a character to its value in idAlphabet, or 0xff.
var idDigit = func() (d [256]byte) {
	for i := range d {
		d[i] = 0xff
	}
	for i := 0; i < len(idAlphabet); i++ {
		d[idAlphabet[i]] = byte(i)
	}
	return d
}()

// isID reports whether s has the shape of a generated id, and returns its prefix.
func isID(s string) (string, bool) {
	if len(s) < idChars+2 || s[len(s)-idChars-1] != '_' {
		return "", false
	}
	for i := len(s) - idChars; i < len(s); i++ {
		if idDigit[s[i]] == 0xff {
			return "", false
		}
	}
	return s[:len(s)-idChars-1], true
}

// appendBase62 packs 24 base-62 characters in three groups of 8 (62^8 < 2^48, 6 bytes each).
func appendBase62(b []byte, chars string) []byte {
	for g := 0; g < idChars; g += 8 {
		var n uint64
		for _, c := range []byte(chars[g : g+8]) {
			n = n*62 + uint64(idDigit[c])
		}
		b = append(b, byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return b
}

// unpackID rebuilds an id from its prefix and packed characters.
func unpackID(prefix string, packed string) string {
	out := make([]byte, len(prefix)+1+idChars)
	copy(out, prefix)
	out[len(prefix)] = '_'
	dst := out[len(prefix)+1:]
	for g := 0; g < 3; g++ {
		p := packed[6*g:]
		n := uint64(p[0])<<40 | uint64(p[1])<<32 | uint64(p[2])<<24 | uint64(p[3])<<16 | uint64(p[4])<<8 | uint64(p[5])
		for i := 7; i >= 0; i-- {
			dst[8*g+i] = idAlphabet[n%62]
			n /= 62
		}
	}
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// valueSalt keeps the hashes of nested values apart from those of strings.
const valueSalt = 0x9e3779b97f4a7c15

// appendValue encodes one value.
func (cd *codec) appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, tNil)
	case bool:
		if x {
			return append(b, tTrue)
		}
		return append(b, tFalse)
	case int64:
		return binary.AppendUvarint(append(b, tInt), zigzag(x))
	case int:
		return binary.AppendUvarint(append(b, tGoInt), zigzag(int64(x)))
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tFloat), math.Float64bits(x))
	case string:
		return cd.appendString(b, x)
	case map[string]any:
		if len(x) == 0 {
			return append(b, tEmptyMap)
		}
		var ptr unsafe.Pointer
		if cd.sharedMaps != nil {
			ptr = reflect.ValueOf(x).UnsafePointer()
			if i, ok := cd.sharedMaps[ptr]; ok {
				return binary.AppendUvarint(append(b, tShared), uint64(i))
			}
		}
		start := len(b)
		b = cd.appendNested(b, tMap, func(b []byte) []byte {
			var stack [24]string
			keys := stack[:0]
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				b = appendKey(b, cd.key(k))
				b = cd.appendValue(b, x[k])
			}
			return b
		})
		if ptr != nil && b[start] == tShared {
			i, _ := uvarint(string(b[start+1:]), 0)
			cd.sharedMaps[ptr] = uint32(i)
		}
		return b
	case []any:
		return appendList(cd, b, x)
	case []map[string]any:
		return appendList(cd, b, x) // decodes as []any, which encodes to the same JSON
	case []string:
		return cd.appendNested(b, tStrList, func(b []byte) []byte {
			b = binary.AppendUvarint(b, uint64(len(x)))
			for _, s := range x {
				b = binary.AppendUvarint(b, uint64(len(s)))
				b = append(b, s...)
			}
			return b
		})
	case card:
		return cd.appendNested(b, tCard, func(b []byte) []byte {
			for _, s := range [...]string{x.brand, x.last4, x.funding, x.country, x.fingerprint, x.declineCode} {
				b = cd.appendString(b, s)
			}
			b = binary.AppendUvarint(b, zigzag(x.expMonth))
			return binary.AppendUvarint(b, zigzag(x.expYear))
		})
	}
	// Anything else (an event's snapshot) is kept as it is.
	i := uint32(len(cd.vals))
	cd.vals = append(cd.vals, v)
	return binary.AppendUvarint(append(b, tValRef), uint64(i))
}

// appendList encodes a list: its count, then its values.
func appendList[T any](cd *codec, b []byte, xs []T) []byte {
	if len(xs) == 0 {
		return append(b, tEmptyList)
	}
	return cd.appendNested(b, tList, func(b []byte) []byte {
		b = binary.AppendUvarint(b, uint64(len(xs)))
		for _, el := range xs {
			b = cd.appendValue(b, el)
		}
		return b
	})
}

// appendNested encodes a nested value with its byte length, then replaces it by a reference when
// the same content was promoted before or is promoted now.
func (cd *codec) appendNested(b []byte, tag byte, body func([]byte) []byte) []byte {
	start := len(b)
	b = append(b, tag, 0) // one byte reserved for the length; widened below if needed
	b = body(b)
	content := b[start+2:]
	if len(content) >= minSharedValue {
		if i, ok := cd.valIdx[string(content)]; ok {
			return binary.AppendUvarint(append(b[:start], tShared), uint64(i))
		}
		if cd.seen != nil && cd.sighted(maphash.Bytes(cd.hseed, content)^valueSalt, promoteAt) {
			sh := make([]byte, 0, 1+len(content))
			sh = append(append(sh, tag), content...)
			s := string(sh)
			i := uint32(len(cd.shared))
			cd.shared = append(cd.shared, s)
			cd.valIdx[s[1:]] = i
			return binary.AppendUvarint(append(b[:start], tShared), uint64(i))
		}
	}
	n := len(content)
	if n < 0x80 {
		b[start+1] = byte(n)
		return b
	}
	w := uvarintLen(uint64(n))
	b = append(b, make([]byte, w-1)...)
	copy(b[start+1+w:], b[start+2:start+2+n])
	binary.PutUvarint(b[start+1:], uint64(n))
	return b
}

// uvarint reads a varint at s[i:].
func uvarint(s string, i int) (uint64, int) {
	var x uint64
	var shift uint
	for {
		c := s[i]
		i++
		if c < 0x80 {
			return x | uint64(c)<<shift, i
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
}

// value decodes the value at s[i:] and returns it with the position after it.
func (cd *codec) value(s string, i int) (any, int) {
	tag := s[i]
	i++
	switch tag {
	case tNil:
		return nil, i
	case tFalse:
		return false, i
	case tTrue:
		return true, i
	case tInt:
		u, j := uvarint(s, i)
		return unzigzag(u), j
	case tGoInt:
		u, j := uvarint(s, i)
		return int(unzigzag(u)), j
	case tFloat:
		return math.Float64frombits(binary.LittleEndian.Uint64([]byte(s[i : i+8]))), i + 8
	case tStr:
		n, j := uvarint(s, i)
		return s[j : j+int(n)], j + int(n)
	case tStrRef:
		u, j := uvarint(s, i)
		return cd.strs[u], j
	case tValRef:
		u, j := uvarint(s, i)
		return cd.vals[u], j
	case tShared:
		u, j := uvarint(s, i)
		sh := cd.shared[u]
		return cd.body(sh[0], sh, 1, len(sh)), j
	case tID:
		k, j := readKey(s, i)
		return unpackID(cd.keys[k], s[j:j+idPacked]), j + idPacked
	case tEmptyMap:
		return map[string]any{}, i
	case tEmptyList:
		return []any{}, i
	}
	n, j := uvarint(s, i)
	end := j + int(n)
	return cd.body(tag, s, j, end), end
}

// body decodes the content s[j:end] of a nested value with the given tag.
func (cd *codec) body(tag byte, s string, j, end int) any {
	switch tag {
	case tMap:
		m := make(map[string]any, 8)
		for j < end {
			k, p := readKey(s, j)
			m[cd.keys[k]], j = cd.value(s, p)
		}
		return m
	case tList:
		cnt, p := uvarint(s, j)
		out := make([]any, cnt)
		for k := range out {
			out[k], p = cd.value(s, p)
		}
		return out
	case tStrList:
		cnt, p := uvarint(s, j)
		out := make([]string, cnt)
		for k := range out {
			l, q := uvarint(s, p)
			out[k], p = s[q:q+int(l)], q+int(l)
		}
		return out
	case tCard:
		var c card
		var f [6]any
		p := j
		for k := range f {
			f[k], p = cd.value(s, p)
		}
		c.brand, c.last4, c.funding, c.country, c.fingerprint, c.declineCode = f[0].(string), f[1].(string), f[2].(string), f[3].(string), f[4].(string), f[5].(string)
		em, p := uvarint(s, p)
		ey, _ := uvarint(s, p)
		c.expMonth, c.expYear = unzigzag(em), unzigzag(ey)
		return c
	}
	panic("emulator: corrupt record")
}

// skip returns the position after the value at s[i:].
func skip(s string, i int) int {
	tag := s[i]
	i++
	switch tag {
	case tNil, tFalse, tTrue, tEmptyMap, tEmptyList:
		return i
	case tFloat:
		return i + 8
	case tID:
		_, j := readKey(s, i)
		return j + idPacked
	case tInt, tGoInt, tStrRef, tValRef, tShared:
		_, j := uvarint(s, i)
		return j
	}
	n, j := uvarint(s, i) // tStr and the nested kinds carry their byte length
	return j + int(n)
}

// fieldsStart is where the fields of a record begin (after its id).
func fieldsStart(rec string) int {
	n, i := uvarint(rec, 0)
	return i + int(n)
}

// find returns the position of key k's value among the fields at s[i:end].
func find(s string, i, end int, k uint64) (int, bool) {
	for i < end {
		key, j := readKey(s, i)
		if key == k {
			return j, true
		}
		i = skip(s, j)
	}
	return 0, false
}

// get reads one top-level field of an object (nil when absent).
func (en *entry) get(k string) any {
	if en.m != nil {
		return en.m[k]
	}
	cd := en.cd
	ki, ok := cd.keyIdx[k]
	if !ok {
		return nil
	}
	if p, ok := find(en.rec, fieldsStart(en.rec), len(en.rec), uint64(ki)); ok {
		v, _ := cd.value(en.rec, p)
		return v
	}
	return nil
}

// getPath reads a dot path ("billing_details.address.postal_code"), walking nested records
// without decoding them.
func (en *entry) getPath(path string) any {
	if !strings.Contains(path, ".") {
		return en.get(path)
	}
	if en.m != nil {
		return lookup(en.m, path)
	}
	cd := en.cd
	s := en.rec
	i, end := fieldsStart(s), len(s)
	for path != "" {
		seg, rest, _ := strings.Cut(path, ".")
		ki, ok := cd.keyIdx[seg]
		if !ok {
			return nil
		}
		p, ok := find(s, i, end, uint64(ki))
		if !ok {
			return nil
		}
		if rest == "" {
			v, _ := cd.value(s, p)
			return v
		}
		switch s[p] {
		case tMap:
			n, j := uvarint(s, p+1)
			i, end = j, j+int(n)
		case tShared:
			u, _ := uvarint(s, p+1)
			if s = cd.shared[u]; s[0] != tMap {
				return nil
			}
			i, end = 1, len(s)
		default:
			return nil
		}
		path = rest
	}
	return nil
}

// each calls fn for every stored field of an object.
func (en *entry) each(fn func(k string, v any)) {
	if en.m != nil {
		for k, v := range en.m {
			fn(k, v)
		}
		return
	}
	cd := en.cd
	s := en.rec
	for i := fieldsStart(s); i < len(s); {
		k, j := readKey(s, i)
		var v any
		v, i = cd.value(s, j)
		fn(cd.keys[k], v)
	}
}

// fields returns a fresh map of an object's stored fields, which the caller may change.
func (en *entry) fields() map[string]any {
	if en.m != nil {
		out := make(map[string]any, len(en.m))
		for k, v := range en.m {
			out[k] = v
		}
		return out
	}
	out := make(map[string]any, 16)
	en.each(func(k string, v any) { out[k] = v })
	return out
}

// unseal turns a sealed object back into a map, to be sealed again with the next batch.
func (en *entry) unseal() {
	if en.m != nil {
		return
	}
	en.m = en.fields()
	en.rec = strings.Clone(en.rec[:fieldsStart(en.rec)])
	if en.cd != nil {
		en.cd.pending = append(en.cd.pending, en)
	}
}

// set changes one stored field in place (nil removes it). Seeding and internal flows use it on
// objects no client has seen yet; published objects change through replace, with an event.
func (en *entry) set(k string, v any) {
	en.unseal()
	if v == nil {
		delete(en.m, k)
		return
	}
	en.m[k] = v
}

// replaceFields installs a new set of fields (the map is the entry's own from now on).
func (en *entry) replaceFields(m map[string]any) {
	wasSealed := en.m == nil && en.cd != nil
	if m == nil {
		m = map[string]any{}
	}
	en.m = m
	en.rec = strings.Clone(en.rec[:fieldsStart(en.rec)])
	if wasSealed {
		en.cd.pending = append(en.cd.pending, en)
	}
}

// eventSnapshot is the data.object of a seeded event: the announced object's version at seeding
// time, rendered when the event is. Stored objects are replaced rather than mutated once
// published, so the copied entry keeps that version even after later updates.
type eventSnapshot struct {
	c  *collection
	en entry
}

// snapshotOf records the current version of en as a seeded event's data.
func snapshotOf(c *collection, en *entry) *eventSnapshot {
	if en.m != nil && en.cd != nil {
		en.cd.seal(en)
	}
	return &eventSnapshot{c: c, en: *en}
}

// seedEventRequest is the request of every seeded event (none made it); shared, never mutated.
var seedEventRequest = map[string]any{"id": nil, "idempotency_key": nil}

// deriveEvent renders a seeded event's snapshot as its data.
func deriveEvent(e *Emulator, en *entry, out map[string]any) {
	if s, ok := en.get("data").(*eventSnapshot); ok {
		out["data"] = map[string]any{"object": e.render(s.c, &s.en)}
	}
}
