package emulator

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// maxFormDepth bounds how deeply bracketed keys may nest; Stripe's own parameters stay far below it.
const maxFormDepth = 16

// formList collects the elements of one array parameter while a form is decoded: indexed elements
// (a[0]=x) by index and appended elements (a[]=x) in order. It becomes a []any when decoding ends.
type formList struct {
	byIndex  map[int]any
	appended []any
}

// formError is a malformed form parameter; the server answers it with a 400.
type formError struct {
	param string
	msg   string
}

func (e *formError) Error() string { return e.msg }

// splitFormKey splits "a[b][0][]" into "a" and ["b", "0", ""]. A key whose brackets do not close
// properly is taken literally as one plain name, which is what Stripe does with odd keys.
func splitFormKey(key string) (string, []string) {
	open := strings.IndexByte(key, '[')
	if open <= 0 {
		return key, nil
	}
	name := key[:open]
	var segs []string
	rest := key[open:]
	for rest != "" {
		if rest[0] != '[' {
			return key, nil
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return key, nil
		}
		seg := rest[1:end]
		if strings.IndexByte(seg, '[') >= 0 {
			return key, nil
		}
		segs = append(segs, seg)
		rest = rest[end+1:]
	}
	return name, segs
}

// isIndex reports whether seg is an array index such as "0" or "12".
func isIndex(seg string) (int, bool) {
	if seg == "" || len(seg) > 6 {
		return 0, false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(seg)
	return n, err == nil
}

// DecodeForm turns Stripe's bracketed form parameters into nested values: "a[b][c]=v" becomes
// {"a":{"b":{"c":"v"}}}, "a[]=v" and "a[0]=v" become arrays ([]any, in index order, then appended
// order), and plain keys are strings. Every leaf is a string; a key given twice with no brackets
// keeps its last value. Keys are processed in sorted order so the result never depends on map order.
// It fails when one key is used both as a value and as a container, or as an array and an object.
func DecodeForm(values url.Values) (map[string]any, error) {
	root := map[string]any{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name, segs := splitFormKey(k)
		if len(segs) > maxFormDepth {
			return nil, &formError{param: k, msg: fmt.Sprintf("invalid parameter %s: nested too deeply", k)}
		}
		vs := values[k]
		if len(segs) == 0 {
			if _, isContainer := root[name].(map[string]any); isContainer {
				return nil, &formError{param: k, msg: fmt.Sprintf("invalid parameter %s: used both as a value and as an object", name)}
			}
			if _, isContainer := root[name].(*formList); isContainer {
				return nil, &formError{param: k, msg: fmt.Sprintf("invalid parameter %s: used both as a value and as an array", name)}
			}
			if len(vs) > 0 {
				root[name] = vs[len(vs)-1]
			}
			continue
		}
		for _, v := range vs {
			if err := formSet(root, name, segs, v, k); err != nil {
				return nil, err
			}
		}
	}
	out := map[string]any{}
	for k, v := range root {
		out[k] = finishForm(v)
	}
	return out, nil
}

// formSet stores value v under name inside the container parent, following the segments segs.
// parent is either a map[string]any (name is a key) or a *formList (name is an index or "").
func formSet(parent map[string]any, name string, segs []string, v, full string) error {
	// Walk with a generic "slot": get and put closures over the current container.
	var cur any = parent
	key := name
	for i := 0; i <= len(segs); i++ {
		last := i == len(segs)
		var next string
		if !last {
			next = segs[i]
		}
		existing, err := slotGet(cur, key)
		if err != nil {
			return &formError{param: full, msg: fmt.Sprintf("invalid parameter %s: %v", full, err)}
		}
		if last {
			if existing != nil {
				if _, ok := existing.(string); !ok {
					return &formError{param: full, msg: fmt.Sprintf("invalid parameter %s: used both as a value and as a container", full)}
				}
			}
			return slotPut(cur, key, v)
		}
		_, nextIsIndex := isIndex(next)
		wantList := next == "" || nextIsIndex
		switch ex := existing.(type) {
		case nil:
			var child any
			if wantList {
				child = &formList{}
			} else {
				child = map[string]any{}
			}
			if err := slotPut(cur, key, child); err != nil {
				return &formError{param: full, msg: fmt.Sprintf("invalid parameter %s: %v", full, err)}
			}
			cur = child
		case map[string]any:
			if next == "" {
				return &formError{param: full, msg: fmt.Sprintf("invalid parameter %s: used both as an object and as an array", full)}
			}
			// An index segment under an object is an ordinary key ("metadata[0]").
			cur = ex
		case *formList:
			if !wantList {
				return &formError{param: full, msg: fmt.Sprintf("invalid parameter %s: used both as an array and as an object", full)}
			}
			cur = ex
		default:
			return &formError{param: full, msg: fmt.Sprintf("invalid parameter %s: used both as a value and as a container", full)}
		}
		key = next
	}
	return nil
}

// slotGet reads key from a container; "" on a list always names a fresh element, so it reads nil.
func slotGet(container any, key string) (any, error) {
	switch c := container.(type) {
	case map[string]any:
		return c[key], nil
	case *formList:
		if key == "" {
			return nil, nil
		}
		n, ok := isIndex(key)
		if !ok {
			return nil, fmt.Errorf("bad array index %q", key)
		}
		return c.byIndex[n], nil
	}
	return nil, fmt.Errorf("not a container")
}

// slotPut writes key in a container; "" appends to a list.
func slotPut(container any, key string, v any) error {
	switch c := container.(type) {
	case map[string]any:
		c[key] = v
		return nil
	case *formList:
		if key == "" {
			c.appended = append(c.appended, v)
			return nil
		}
		n, ok := isIndex(key)
		if !ok {
			return fmt.Errorf("bad array index %q", key)
		}
		if c.byIndex == nil {
			c.byIndex = map[int]any{}
		}
		c.byIndex[n] = v
		return nil
	}
	return fmt.Errorf("not a container")
}

// finishForm replaces every *formList by a []any, indexed elements first in index order.
func finishForm(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = finishForm(c)
		}
		return x
	case *formList:
		idx := make([]int, 0, len(x.byIndex))
		for i := range x.byIndex {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx)+len(x.appended))
		for _, i := range idx {
			out = append(out, finishForm(x.byIndex[i]))
		}
		for _, a := range x.appended {
			out = append(out, finishForm(a))
		}
		return out
	}
	return v
}
