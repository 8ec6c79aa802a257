package emulator

// The seeded data set is the emulator's memory: at 100,000 charges it holds well over half a
// million objects. This file keeps that data compact without changing what the API answers:
// seeded events point at the object version they announce instead of holding a rendered copy, and
// repeated scalar values (currencies, statuses, customer ids, common amounts) share one boxed value.

// eventSnapshot is the data.object of a seeded event: the announced object's version at seeding
// time, rendered when the event is. Stored objects are replaced rather than mutated once
// published, so the copied entry keeps that version even after later updates.
type eventSnapshot struct {
	c  *collection
	en entry
}

// snapshotOf records the current version of en as a seeded event's data.
func snapshotOf(c *collection, en *entry) *eventSnapshot {
	return &eventSnapshot{c: c, en: *en}
}

// seedEventRequest is the request of every seeded event (none made it); shared, never mutated.
var seedEventRequest = map[string]any{"id": nil, "idempotency_key": nil}

// deriveEvent renders a seeded event's snapshot as its data.
func deriveEvent(e *Emulator, en *entry, out map[string]any) {
	if s, ok := en.obj["data"].(*eventSnapshot); ok {
		out["data"] = map[string]any{"object": e.render(s.c, &s.en)}
	}
}

// interner shares one boxed copy of each repeated top-level string or integer value. Boxing a
// string or an int64 into an interface allocates; hundreds of thousands of objects repeating the
// same currency, status or customer id then each pay for their own copy. It lives only while
// seeding, so its own table is garbage afterwards.
type interner struct {
	strs map[string]any
	ints map[int64]any
}

// compactValues replaces each top-level string and integer of every stored object by its shared
// boxed copy, and rebuilds each payment intent's map at its final size. The values are equal, so
// nothing an object renders or matches changes; replacing a map is how every published change is
// made. Only payment intents are rebuilt because only theirs were measured to keep slack (about
// 280 B each, a tenth of the heap); rebuilding every map gained little more and doubled the CPU
// time of a 100,000-charge seed.
func (e *Emulator) compactValues() {
	in := interner{strs: map[string]any{}, ints: map[int64]any{}}
	for name, c := range e.colls {
		rebuild := name == "payment_intents"
		for _, en := range c.order {
			if rebuild {
				m := make(map[string]any, len(en.obj))
				for k, v := range en.obj {
					m[k] = in.box(v)
				}
				en.obj = m
				continue
			}
			for k, v := range en.obj {
				en.obj[k] = in.box(v)
			}
		}
	}
}

// box returns the shared boxed copy of a string or integer, and any other value unchanged.
func (in interner) box(v any) any {
	switch x := v.(type) {
	case string:
		if b, ok := in.strs[x]; ok {
			return b
		}
		in.strs[x] = v
	case int64:
		if b, ok := in.ints[x]; ok {
			return b
		}
		in.ints[x] = v
	}
	return v
}
