package procedures

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Registry is the set of procedures users can call, looked up by case-insensitive name.
type Registry struct {
	all    []*Procedure
	byName map[string]*Procedure
}

// NewRegistry returns a registry of the given procedures. Two procedures whose names differ only
// in case are an error, because CALL names are case-insensitive.
func NewRegistry(procs ...*Procedure) (*Registry, error) {
	r := &Registry{byName: make(map[string]*Procedure, len(procs))}
	for _, p := range procs {
		key := strings.ToLower(p.Name)
		if prev, ok := r.byName[key]; ok {
			return nil, fmt.Errorf("procedures %s (%s) and %s (%s) have the same name", prev.Name, prev.Origin, p.Name, p.Origin)
		}
		r.byName[key] = p
		r.all = append(r.all, p)
	}
	sort.Slice(r.all, func(i, j int) bool { return r.all[i].Name < r.all[j].Name })
	return r, nil
}

var (
	defaultOnce     sync.Once
	defaultRegistry *Registry
)

// Default returns the registry of every Stripe action: the nine named actions and the hand-written
// ones of named.go, then the generated actions of stripe-go v76 under their (possibly overridden)
// names, where a named action replaces the generated procedure of the same name. It is built once
// and shared; procedures are read-only.
func Default() *Registry {
	defaultOnce.Do(func() {
		r, err := NewRegistry(defaultProcedures()...)
		if err != nil {
			// A name clash is a bug in the hand-written table, caught by the package's tests.
			panic(err)
		}
		defaultRegistry = r
	})
	return defaultRegistry
}

// defaultProcedures merges the hand-written and generated tables. A named action keeps exactly its
// own leading parameters (ConfirmPaymentIntent(PaymentIntentId, ReturnUrl)); Stripe's other
// optional parameters of the same action follow them, reachable by name (payment_method => …),
// so naming an action never hides what Stripe accepts.
func defaultProcedures() []*Procedure {
	hand := append(handWritten(), stateProcedures()...)
	byName := map[string]*Procedure{}
	for _, p := range hand {
		byName[strings.ToLower(p.Name)] = p
	}
	out := append([]*Procedure(nil), hand...)
	for _, g := range generatedActions {
		p := g
		if name, ok := nameOverrides[p.Origin]; ok {
			c := *p
			c.Name = name
			p = &c
		}
		named, ok := byName[strings.ToLower(p.Name)]
		if !ok {
			out = append(out, p)
			continue
		}
		have := map[string]bool{}
		for _, prm := range named.Params {
			have[prm.StripeName] = true
		}
		for _, prm := range p.Params {
			if prm.InPath || have[prm.StripeName] {
				continue
			}
			prm.Required = false
			named.Params = append(named.Params, prm)
		}
	}
	for i, p := range out {
		if p.Local != nil || p.State {
			continue
		}
		c := *p
		c.Params = append(append([]Param(nil), p.Params...), extraParam())
		out[i] = &c
	}
	return out
}

// All returns every procedure, sorted by name.
func (r *Registry) All() []*Procedure { return r.all }

// Lookup finds a procedure by name, ignoring case. An unknown name is SQLSTATE 42883 with the
// closest names in HINT, so a typo such as ConfirmPaymentIntnet points at the right procedure.
func (r *Registry) Lookup(name string) (*Procedure, error) {
	if p, ok := r.byName[strings.ToLower(name)]; ok {
		return p, nil
	}
	err := sqlstate.New(sqlstate.UndefinedFunction, "procedure %s does not exist", name)
	if close := r.closest(name, 3); len(close) > 0 {
		return nil, err.WithHint("did you mean %s?", orList(close))
	}
	return nil, err.WithHint("procedures are listed by \\df; every Stripe action is named verb + resource, such as CancelSubscription")
}

// closest returns up to n procedure names nearest to name: those containing it (or contained in
// it) first, then by edit distance, within a distance that still looks like a typo.
func (r *Registry) closest(name string, n int) []string {
	q := strings.ToLower(name)
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	limit := len(q)/3 + 1
	if limit < 2 {
		limit = 2
	}
	for _, p := range r.all {
		k := strings.ToLower(p.Name)
		d := sqlstate.EditDistance(q, k)
		if len(q) >= 4 && strings.Contains(k, q) {
			d = 0
		}
		if d <= limit {
			cands = append(cands, cand{p.Name, d})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for i := 0; i < len(cands) && i < n; i++ {
		// Past the best match, only names about as close are worth showing.
		if cands[i].dist > cands[0].dist+1 {
			break
		}
		out = append(out, cands[i].name)
	}
	return out
}

// orList joins names as "A, B or C".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
