package emulator

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// route dispatches one API request; it runs under the platform's lock (read lock for GET, write
// lock otherwise), on the store of the account the request acts as.
func (e *Emulator) route(method, path string, params map[string]any) (int, any) {
	if !strings.HasPrefix(path, "/v1/") {
		return 0, unrecognized(method, path)
	}
	if status, v, ok := e.routeAccounts(method, path); ok {
		if _, failed := v.(*apiError); !failed {
			if ae := e.expandAnswer(v, params); ae != nil {
				return 0, ae
			}
		}
		return status, v
	}
	segs := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	for n := min(2, len(segs)); n >= 1; n-- {
		if c := e.byPath["/v1/"+strings.Join(segs[:n], "/")]; c != nil {
			status, v := e.routeResource(method, path, c, segs[n:], params)
			if _, failed := v.(*apiError); !failed {
				if ae := e.expandAnswer(v, params); ae != nil {
					return 0, ae
				}
			}
			return status, v
		}
	}
	return e.routeOther(method, path, segs)
}

func (e *Emulator) routeResource(method, path string, c *collection, rest []string, params map[string]any) (int, any) {
	r := c.res
	switch len(rest) {
	case 0:
		switch {
		case method == "GET":
			return e.list(c, path, params, nil)
		case method == "POST" && r.create:
			return e.create(c, params, nil)
		}
	case 1:
		if rest[0] == "search" && method == "GET" && r.search != nil {
			return e.search(c, path, params)
		}
		en := c.get(rest[0])
		if en == nil {
			if old := c.byID.get(rest[0]); old != nil && r.name == "customers" && method == "GET" {
				// Stripe still answers a deleted customer, as a stub marked deleted.
				return 200, map[string]any{"id": old.id(), "object": r.objType, "deleted": true}
			}
			return 0, missing(r.objType, rest[0])
		}
		switch {
		case method == "GET":
			return 200, e.render(c, en)
		case method == "POST" && r.update:
			return e.update(c, en, params)
		case method == "DELETE" && r.name == "subscriptions":
			return e.cancelSubscription(c, en, params)
		case method == "DELETE" && r.del:
			return e.delete(c, en)
		}
	case 2, 3:
		parent := c.get(rest[0])
		if parent == nil && r.name == "payment_methods" && len(rest) == 2 && rest[1] == "attach" && method == "POST" && isTestValue(rest[0]) {
			return e.attachTestPaymentMethod(c, rest[0], params)
		}
		if r.name == "customers" && rest[1] == "sources" && len(rest) == 2 && method == "GET" {
			// Sources are legacy; the emulator's cards are payment methods, so this list is empty.
			if parent == nil {
				return 0, missing(r.objType, rest[0])
			}
			return 200, listBody(path, nil, false)
		}
		if sub := e.subResource(r.name, rest[1]); sub != nil {
			if parent == nil {
				return 0, missing(r.objType, rest[0])
			}
			return e.routeChild(method, path, sub, parent, rest[2:], params)
		}
		if len(rest) == 2 && method == "POST" {
			if parent == nil {
				return 0, missing(r.objType, rest[0])
			}
			if act := actions[r.name+"/"+rest[1]]; act != nil {
				return act(e, c, parent, params)
			}
		}
	}
	if method == "GET" {
		// Stateless sub-lists of core objects (a transfer's reversals, …).
		return e.routeOther(method, path, strings.Split(strings.TrimPrefix(path, "/v1/"), "/"))
	}
	return 0, unrecognized(method, path)
}

// subResource names the collection behind /v1/<parent>/{id}/<seg>.
func (e *Emulator) subResource(parent, seg string) *collection {
	switch parent + "/" + seg {
	case "customers/tax_ids":
		return e.colls["tax_ids"]
	case "customers/balance_transactions":
		return e.colls["customer_balance_transactions"]
	case "invoices/lines":
		return e.colls["invoice_line_items"]
	case "customers/payment_methods":
		return e.colls["payment_methods"]
	case "customers/sources":
		return e.colls["sources"]
	}
	return nil
}

// routeChild serves lists under a parent object (/v1/customers/{id}/tax_ids and friends).
func (e *Emulator) routeChild(method, path string, c *collection, parent *entry, rest []string, params map[string]any) (int, any) {
	r := c.res
	field := r.parentField
	if r.name == "payment_methods" {
		field = "customer"
	}
	if len(rest) == 0 {
		switch {
		case method == "GET":
			return e.list(c, path, params, func(en *entry) bool { return en.get(field) == parent.id() })
		case method == "POST" && r.create && r.parentRes != "":
			return e.create(c, params, map[string]any{field: parent.id()})
		}
		return 0, unrecognized(method, path)
	}
	en := c.get(rest[0])
	if en == nil || en.get(field) != parent.id() {
		return 0, missing(r.objType, rest[0])
	}
	switch {
	case method == "GET":
		return 200, e.render(c, en)
	case method == "POST" && r.update && r.parentRes != "":
		return e.update(c, en, params)
	case method == "DELETE" && r.del && r.parentRes != "":
		return e.delete(c, en)
	}
	return 0, unrecognized(method, path)
}

// routeOther answers the listable resources of stripe-go v76 that hold no state here: an empty
// list, and 404 for any id.
func (e *Emulator) routeOther(method, path string, segs []string) (int, any) {
	if method != "GET" {
		return 0, unrecognized(method, path)
	}
	for _, l := range e.others {
		if len(segs) != len(l.segs) && len(segs) != len(l.segs)+1 {
			continue
		}
		ok := true
		for i, s := range l.segs {
			if s != "%s" && s != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if len(segs) == len(l.segs) {
			return 200, listBody(path, nil, false)
		}
		return 0, missing(l.objType, segs[len(segs)-1])
	}
	return 0, unrecognized(method, path)
}

func listBody(url string, data []map[string]any, hasMore bool) map[string]any {
	if data == nil {
		data = []map[string]any{}
	}
	return map[string]any{"object": "list", "data": data, "has_more": hasMore, "url": url}
}

// parseLimit reads limit (1..100, default 10) the way Stripe validates it.
func parseLimit(params map[string]any) (int, *apiError) {
	v, ok := params["limit"]
	if !ok {
		return 10, nil
	}
	s, _ := v.(string)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalid("limit", "Invalid integer: %s", s)
	}
	if n < 1 {
		return 0, invalid("limit", "This value must be greater than or equal to 1.")
	}
	if n > 100 {
		return 0, invalid("limit", "This value must be less than or equal to 100.")
	}
	return n, nil
}

// list answers a list request: filters, created ranges, cursors, limit, newest first.
func (e *Emulator) list(c *collection, url string, params map[string]any, scope func(*entry) bool) (int, any) {
	r := c.res
	limit, ae := parseLimit(params)
	if ae != nil {
		return 0, ae
	}
	var preds []func(*entry) bool
	within := allTime
	if scope != nil {
		preds = append(preds, scope)
	}
	flat := map[string]any{}
	for k, v := range params {
		// Nested filters (recurring[interval], customer_details[email]) are named with dots.
		if m, isMap := v.(map[string]any); isMap {
			if _, direct := r.filters[k]; !direct {
				for sk, sv := range m {
					flat[k+"."+sk] = sv
				}
				continue
			}
		}
		flat[k] = v
	}
	for k, v := range flat {
		switch k {
		case "limit", "expand", "starting_after", "ending_before":
			continue
		}
		f, ok := r.filters[k]
		if !ok && r.name == "payment_methods" && k == "type" {
			f, ok = filter{kind: filterEq, path: "type"}, true
		}
		if !ok {
			return 0, invalid(k, "Received unknown parameter: %s", k)
		}
		p, ae := compileFilter(k, f, v)
		if ae != nil {
			return 0, ae
		}
		if f.kind == filterRange && f.path == "created" {
			// The order is by created, so a created range bounds the walk instead of being
			// checked on every object (a window of a partitioned scan over a million charges).
			lo, hi, _ := parseRange(k, v)
			within = span{max(within.lo, lo), min(within.hi, hi)}
			continue
		}
		preds = append(preds, p)
	}
	if r.name == "subscription_items" && scope == nil {
		if _, ok := params["subscription"]; !ok {
			return 0, invalid("subscription", "Missing required param: subscription.")
		}
	}
	if r.name == "subscriptions" {
		if st, ok := params["status"]; ok {
			s, _ := st.(string)
			switch s {
			case "active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid":
			default:
				return 0, invalid("status", "Invalid status: must be one of active, all, canceled, ended, incomplete, incomplete_expired, past_due, paused, trialing, or unpaid")
			}
		} else {
			preds = append(preds, func(en *entry) bool {
				s := en.get("status")
				return s != "canceled" && s != "incomplete_expired"
			})
		}
	}
	var after, before *entry
	sa, hasSA := params["starting_after"]
	eb, hasEB := params["ending_before"]
	if hasSA && hasEB {
		return 0, invalid("starting_after", "You may only specify one of these parameters: ending_before, starting_after.")
	}
	if hasSA {
		id, _ := sa.(string)
		if after = c.byID.get(id); after == nil {
			ae := missing(r.objType, id)
			ae.param = "starting_after"
			return 0, ae
		}
	}
	if hasEB {
		id, _ := eb.(string)
		if before = c.byID.get(id); before == nil {
			ae := missing(r.objType, id)
			ae.param = "ending_before"
			return 0, ae
		}
	}
	keep := func(en *entry) bool {
		for _, p := range preds {
			if !p(en) {
				return false
			}
		}
		return true
	}
	page, more := c.page(limit, after, before, within, keep)
	data := make([]map[string]any, len(page))
	for i, en := range page {
		data[i] = e.render(c, en)
	}
	return 200, listBody(url, data, more)
}

// compileFilter turns one list parameter into a predicate, validating its value like Stripe.
func compileFilter(name string, f filter, v any) (func(*entry) bool, *apiError) {
	switch f.kind {
	case filterEq:
		s, ok := v.(string)
		if !ok {
			return nil, invalid(name, "Invalid string: %v", describe(v))
		}
		if s == "" {
			// Stripe reads an empty parameter as not given: customer= lists every object.
			return func(*entry) bool { return true }, nil
		}
		return func(en *entry) bool { return asString(en.getPath(f.path)) == s }, nil
	case filterBool:
		s, _ := v.(string)
		if s != "true" && s != "false" {
			return nil, invalid(name, "Invalid boolean: %s", describe(v))
		}
		want := s == "true"
		return func(en *entry) bool { b, _ := en.getPath(f.path).(bool); return b == want }, nil
	case filterIn:
		var set []string
		switch x := v.(type) {
		case []any:
			for _, el := range x {
				s, ok := el.(string)
				if !ok {
					return nil, invalid(name, "Invalid array")
				}
				set = append(set, s)
			}
		default:
			return nil, invalid(name, "Invalid array")
		}
		return func(en *entry) bool {
			got := asString(en.getPath(f.path))
			if f.path == "id" {
				got = en.id() // the id is kept on the entry, not in obj (render adds it)
			}
			for _, s := range set {
				if s == got {
					return true
				}
			}
			return false
		}, nil
	case filterRange:
		lo, hi, ae := parseRange(name, v)
		if ae != nil {
			return nil, ae
		}
		return func(en *entry) bool {
			var t int64
			if f.path == "created" {
				t = en.created
			} else {
				n, ok := asInt(en.getPath(f.path))
				if !ok {
					return false
				}
				t = n
			}
			return t >= lo && t <= hi
		}, nil
	case filterFunc:
		if _, ok := v.(string); !ok {
			return nil, invalid(name, "Invalid string: %v", describe(v))
		}
		return func(en *entry) bool { return f.match(en, v) }, nil
	}
	return nil, invalid(name, "Received unknown parameter: %s", name)
}

// allTime is the widest range of a range filter.
var allTime = span{-1 << 62, 1 << 62}

// span is an inclusive range of integers (of created, for a list's bounds).
type span struct{ lo, hi int64 }

// parseRange reads a range filter: an integer, or a hash of gt, gte, lt and lte, as an inclusive
// range.
func parseRange(name string, v any) (lo, hi int64, ae *apiError) {
	lo, hi = allTime.lo, allTime.hi
	set := func(op, s string) *apiError {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return invalid(name+"["+op+"]", "Invalid integer: %s", s)
		}
		switch op {
		case "gt":
			lo = max(lo, n+1)
		case "gte":
			lo = max(lo, n)
		case "lt":
			hi = min(hi, n-1)
		case "lte":
			hi = min(hi, n)
		case "":
			lo, hi = max(lo, n), min(hi, n)
		}
		return nil
	}
	switch x := v.(type) {
	case string:
		if ae := set("", x); ae != nil {
			ae.param = name
			return 0, 0, ae
		}
	case map[string]any:
		for op, ov := range x {
			s, ok := ov.(string)
			if !ok || (op != "gt" && op != "gte" && op != "lt" && op != "lte") {
				return 0, 0, invalid(name+"["+op+"]", "Received unknown parameter: %s[%s]", name, op)
			}
			if ae := set(op, s); ae != nil {
				return 0, 0, ae
			}
		}
	default:
		return 0, 0, invalid(name, "Invalid %s: must be an integer or a hash of gt, gte, lt, lte", name)
	}
	return lo, hi, nil
}

func describe(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "an object or array"
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}

// render builds the API shape of an object: every top-level field of stripe-go's struct, null
// where unset, plus the embedded lists Stripe includes by default.
func (e *Emulator) render(c *collection, en *entry) map[string]any {
	r := c.res
	out := make(map[string]any, len(r.fields)+2)
	for _, f := range r.fields {
		out[f] = nil
	}
	en.each(func(k string, v any) {
		if k != "" && k[0] != '_' {
			out[k] = v
		}
	})
	out["id"] = en.id()
	out["object"] = r.objType
	if _, ok := r.fieldKinds["created"]; ok {
		out["created"] = en.created
	}
	if _, ok := r.fieldKinds["livemode"]; ok {
		out["livemode"] = false
	}
	if r.derive != nil {
		r.derive(e, en, out)
	}
	switch r.name {
	case "invoices":
		lines := e.colls["invoice_line_items"]
		out["lines"] = e.childList(lines, e.linesByInvoice[en.id()], 10, "/v1/invoices/"+en.id()+"/lines")
	case "subscriptions":
		items := e.colls["subscription_items"]
		out["items"] = e.childList(items, e.itemsBySub[en.id()], 100, "/v1/subscription_items?subscription="+en.id())
	}
	return out
}

// childList renders an embedded list (an invoice's lines, a subscription's items): the first
// limit live children, newest first, as Stripe embeds them.
func (e *Emulator) childList(c *collection, kids []*entry, limit int, url string) map[string]any {
	data := []map[string]any{}
	more := false
	for i := len(kids) - 1; i >= 0; i-- {
		if kids[i].deleted {
			continue
		}
		if len(data) == limit {
			more = true
			break
		}
		data = append(data, e.render(c, kids[i]))
	}
	return listBody(url, data, more)
}

// convert turns a form value into the Go kind stripe-go declares for the field.
func convert(name string, kind reflect.Kind, v any) (any, *apiError) {
	s, isString := v.(string)
	switch kind {
	case reflect.Int64, reflect.Int:
		if !isString {
			return nil, invalid(name, "Invalid integer: %s", describe(v))
		}
		if s == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, invalid(name, "Invalid integer: %s", s)
		}
		return n, nil
	case reflect.Float64:
		if !isString {
			return nil, invalid(name, "Invalid decimal: %s", describe(v))
		}
		if s == "" {
			return nil, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, invalid(name, "Invalid decimal: %s", s)
		}
		return f, nil
	case reflect.Bool:
		if s != "true" && s != "false" {
			return nil, invalid(name, "Invalid boolean: %s", describe(v))
		}
		return s == "true", nil
	case reflect.String:
		if !isString {
			return nil, invalid(name, "Invalid string: %s", describe(v))
		}
		if s == "" {
			return nil, nil
		}
		return s, nil
	}
	if isString && s == "" {
		return nil, nil
	}
	return v, nil
}

// readOnly fields are never taken from parameters.
var readOnly = map[string]bool{"id": true, "object": true, "created": true, "livemode": true, "expand": true}

// applyParams copies parameters that are top-level fields of the object into obj, converting
// each to its type; metadata merges (an empty value removes a key, an empty metadata clears it).
// Parameters that are not fields are left for the resource's own logic.
func applyParams(r *resource, obj map[string]any, params map[string]any, prev map[string]any) *apiError {
	for k, v := range params {
		if readOnly[k] {
			continue
		}
		if k == "metadata" {
			md, ae := mergeMetadata(obj["metadata"], v)
			if ae != nil {
				return ae
			}
			if prev != nil {
				prev["metadata"] = obj["metadata"]
			}
			obj["metadata"] = md
			continue
		}
		kind, ok := r.fieldKinds[k]
		if !ok {
			continue
		}
		switch kind {
		case reflect.Struct, reflect.Map:
			// Objects take a hash, expandable references an id; a list under the field's name
			// (line_items, items) is the resource's own business.
			if _, isList := v.([]any); isList {
				continue
			}
		case reflect.Slice:
			if _, isList := v.([]any); !isList {
				continue
			}
		}
		val, ae := convert(k, kind, v)
		if ae != nil {
			return ae
		}
		if nv, isMap := val.(map[string]any); isMap && prev != nil {
			// Updates merge nested hashes (address[city] keeps address[line1]).
			val = mergeNested(obj[k], nv)
		}
		if prev != nil {
			if _, seen := prev[k]; !seen {
				prev[k] = obj[k]
			}
		}
		if val == nil {
			delete(obj, k)
		} else {
			obj[k] = val
		}
	}
	return nil
}

// mergeNested returns a new map: old with the keys of upd applied recursively; "" removes a key.
func mergeNested(old any, upd map[string]any) map[string]any {
	out := copyMap(old)
	for k, v := range upd {
		switch x := v.(type) {
		case map[string]any:
			out[k] = mergeNested(out[k], x)
		case string:
			if x == "" {
				out[k] = nil
			} else {
				out[k] = x
			}
		default:
			out[k] = v
		}
	}
	return out
}

// mergeMetadata returns a new metadata map: old plus the given keys; "" removes a key, and
// metadata="" removes every key.
func mergeMetadata(old any, v any) (map[string]any, *apiError) {
	out := map[string]any{}
	if s, ok := v.(string); ok {
		if s == "" {
			return out, nil
		}
		return nil, invalid("metadata", "Invalid object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		if arr, isArr := v.([]any); isArr {
			m = map[string]any{}
			for i, x := range arr {
				m[strconv.Itoa(i)] = x
			}
		} else {
			return nil, invalid("metadata", "Invalid object")
		}
	}
	if om, ok := old.(map[string]any); ok {
		for k, x := range om {
			out[k] = x
		}
	}
	if len(out)+len(m) > 50 && len(m) > 50 {
		return nil, invalid("metadata", "Metadata can have up to 50 keys")
	}
	for k, x := range m {
		s, ok := x.(string)
		if !ok {
			return nil, invalid("metadata["+k+"]", "Invalid string: %s", describe(x))
		}
		if len(k) > 40 {
			return nil, invalid("metadata["+k+"]", "Metadata keys can have up to 40 characters")
		}
		if len(s) > 500 {
			return nil, invalid("metadata["+k+"]", "Metadata values can have up to 500 characters")
		}
		if s == "" {
			delete(out, k)
		} else {
			out[k] = s
		}
	}
	return out, nil
}

// newID makes an id with the resource's prefix from the deterministic generator (under e.mu).
func (e *Emulator) newID(prefix string) string {
	const alphabet = idAlphabet
	n := idChars
	if prefix == "" {
		n = 8
	}
	b := make([]byte, 0, len(prefix)+1+n)
	if prefix != "" {
		b = append(b, prefix...)
		b = append(b, '_')
	}
	for i := 0; i < n; i++ {
		b = append(b, alphabet[e.rng.IntN(len(alphabet))])
	}
	return string(b)
}

// put stores a new object created at the given Unix time and returns its entry.
func (e *Emulator) put(c *collection, id string, created int64, obj map[string]any) *entry {
	if id == "" {
		id = e.newID(c.res.prefix)
	}
	for k, v := range obj {
		if v == nil {
			delete(obj, k) // rendering fills every absent field with null
		}
	}
	e.seq++
	en := e.cd.newEntry()
	en.rec, en.created, en.seq, en.m = idRecord(id), created, uint32(e.seq), obj
	e.cd.pending = append(e.cd.pending, en)
	switch c.res.name {
	case "invoice_line_items":
		inv := asString(obj["_invoice"])
		e.linesByInvoice[inv] = append(e.linesByInvoice[inv], en)
	case "subscription_items":
		sub := asString(obj["subscription"])
		e.itemsBySub[sub] = append(e.itemsBySub[sub], en)
	}
	if e.seeding {
		// Seeding appends and sorts once at the end.
		c.byID.put(en)
		c.order = append(c.order, en)
		return en
	}
	c.insert(en)
	return en
}

// create runs POST /v1/<resource>: parameters, the resource's defaults and rules, an event.
func (e *Emulator) create(c *collection, params map[string]any, fixed map[string]any) (int, any) {
	r := c.res
	obj := map[string]any{}
	if ae := applyParams(r, obj, params, nil); ae != nil {
		return 0, ae
	}
	for k, v := range fixed {
		obj[k] = v
	}
	id := ""
	if r.name == "accounts" {
		id = accountID(e.rng)
	}
	if s, ok := params["id"].(string); ok && (r.name == "products" || r.name == "plans" || r.name == "coupons") {
		if c.byID.get(s) != nil {
			return 0, &apiError{status: 400, typ: "invalid_request_error", code: "resource_already_exists", param: "id",
				message: fmt.Sprintf("%s already exists.", strings.ToUpper(r.objType[:1])+r.objType[1:])}
		}
		id = s
	}
	if _, ok := obj["metadata"]; !ok {
		if _, has := r.fieldKinds["metadata"]; has {
			obj["metadata"] = map[string]any{}
		}
	}
	hook := createHooks[r.name]
	if hook != nil {
		if ae := hook(e, obj, params); ae != nil {
			return 0, ae
		}
	}
	en := e.put(c, id, e.now().Unix(), obj)
	if after := afterCreate[r.name]; after != nil {
		if ae := after(e, en, params); ae != nil {
			return 0, ae
		}
	}
	out := e.render(c, en)
	typ := r.objType + ".created"
	if r.name == "charges" {
		typ = "charge." + asString(en.get("status")) // Stripe has no charge.created
	}
	e.emit(typ, out, nil)
	return 200, out
}

// update runs POST /v1/<resource>/{id}: copy, apply, replace, event with previous_attributes.
func (e *Emulator) update(c *collection, en *entry, params map[string]any) (int, any) {
	r := c.res
	obj := en.fields()
	prev := map[string]any{}
	if ae := applyParams(r, obj, params, prev); ae != nil {
		return 0, ae
	}
	if hook := updateHooks[r.name]; hook != nil {
		if ae := hook(e, en, obj, params); ae != nil {
			return 0, ae
		}
	}
	if _, ok := r.fieldKinds["updated"]; ok {
		obj["updated"] = e.now().Unix()
	}
	e.replace(c, en, obj, prev, "")
	return 200, e.render(c, en)
}

// replace installs a new version of an object and emits an update event listing the changed
// top-level fields' previous values. eventType defaults to "<object>.updated".
func (e *Emulator) replace(c *collection, en *entry, obj map[string]any, prev map[string]any, eventType string) {
	old := en.fields()
	en.replaceFields(obj)
	changed := map[string]any{}
	for k, v := range obj {
		if k[0] == '_' {
			continue
		}
		if !reflect.DeepEqual(old[k], v) {
			changed[k] = old[k]
		}
	}
	for k, v := range old {
		if _, still := obj[k]; !still && k[0] != '_' {
			changed[k] = v
		}
	}
	for k, v := range prev {
		if _, ok := changed[k]; ok {
			changed[k] = v
		}
	}
	if eventType == "" {
		if len(changed) == 0 {
			return
		}
		eventType = c.res.objType + ".updated"
	}
	e.emit(eventType, e.render(c, en), changed)
}

// set is a small helper for actions: a copy of the object's fields with the given ones replaced,
// installed with an event.
func (e *Emulator) set(c *collection, en *entry, eventType string, fields map[string]any) {
	obj := en.fields()
	for k, v := range fields {
		if v == nil {
			delete(obj, k)
		} else {
			obj[k] = v
		}
	}
	e.replace(c, en, obj, nil, eventType)
}

// delete runs DELETE /v1/<resource>/{id}.
func (e *Emulator) delete(c *collection, en *entry) (int, any) {
	r := c.res
	if r.name == "invoices" && en.get("status") != "draft" {
		return 0, invalid("", "You can only delete draft invoices.")
	}
	if r.name == "products" {
		for _, p := range e.colls["prices"].order {
			if p.get("product") == en.id() {
				return 0, invalid("", "This product cannot be deleted because it has one or more user-created prices.")
			}
		}
	}
	snapshot := e.render(c, en)
	c.remove(en)
	if r.name == "accounts" {
		delete(e.accounts, en.id()) // its data goes with it; its header is refused from now on
	}
	e.emit(r.objType+".deleted", snapshot, nil)
	return 200, map[string]any{"id": en.id(), "object": r.objType, "deleted": true}
}
