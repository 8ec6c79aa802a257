package planner

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
)

// maxCallsShown is how many Stripe calls of one scan EXPLAIN lists before summarising the rest.
const maxCallsShown = 5

// ExplainLines renders a plan as PostgreSQL-style EXPLAIN text, one line per row: the node tree
// with each Stripe call (method, endpoint and parameters) and the estimated requests and seconds.
// actual, when not nil, returns the EXPLAIN ANALYZE figures of a node (appended to its line).
func ExplainLines(sess *Session, p *Planned, actual func(Node) string) []string {
	var lines []string
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		indent := ""
		detail := "  "
		if depth > 0 {
			indent = strings.Repeat("      ", depth-1) + "  ->  "
			detail = strings.Repeat("      ", depth-1) + "        "
		}
		head, details := describeNode(n, sess, p.Verbose)
		if actual != nil {
			if a := actual(n); a != "" {
				head += " " + a
			}
		}
		lines = append(lines, indent+head)
		for _, d := range details {
			lines = append(lines, detail+d)
		}
		lines = append(lines, subqueryLines(p, n, sess, detail)...) // subquery.go
		for _, c := range n.Inputs() {
			walk(c, depth+1)
		}
	}
	walk(p.Root, 0)
	est := p.Root.Est()
	var total float64
	var sources []string
	seen := map[string]bool{}
	Walk(p.Root, func(n Node) {
		if s, ok := n.(*Scan); ok {
			total += s.Requests
			if s.SizeNote != "" && !seen[s.Table.Name] {
				seen[s.Table.Name] = true
				sources = append(sources, s.Table.Name+": "+s.SizeNote)
			}
		}
	})
	_ = est
	total += subqueryCost(p) // subquery.go
	rate := sess.Rate()
	summary := fmt.Sprintf("Estimated Stripe requests: %s (%s at %g requests/s)", fmtReq(total), fmtSec(total/rate), rate)
	if len(sources) > 0 {
		summary += "; table size " + strings.Join(sources, ", ")
	}
	lines = append(lines, summary)
	return lines
}

func fmtReq(r float64) string { return fmt.Sprintf("%d", int64(math.Ceil(r))) }

func fmtSec(s float64) string { return fmt.Sprintf("%.2f s", s) }

func estText(e Estimate, rate float64, withRequests bool) string {
	if withRequests {
		return fmt.Sprintf("(est. requests=%s seconds=%.2f rows=%d)", fmtReq(e.Requests), e.Requests/rate, int64(math.Ceil(e.Rows)))
	}
	return fmt.Sprintf("(est. rows=%d)", int64(math.Ceil(e.Rows)))
}

// describeNode is a node's EXPLAIN line and detail lines; verbose (EXPLAIN VERBOSE) adds what
// PostgreSQL prints only then: a Project's Output list.
func describeNode(n Node, sess *Session, verbose bool) (string, []string) {
	rate := sess.Rate()
	switch x := n.(type) {
	case *Scan:
		var d []string
		head := fmt.Sprintf("Stripe %s on %s", x.Access, x.Table.Name)
		if x.Access == AccessSystem {
			head = "System Scan on " + x.Table.Schema + "." + x.Table.Name
		}
		head += "  " + estText(x.Estimate, rate, x.Access != AccessSystem)
		if x.Access == AccessRetrieve && len(x.Calls) == 0 && x.Table.Retrieve != nil {
			if x.Requests > 0 { // the template of a lookup join
				d = append(d, "Stripe call: GET "+strings.Replace(x.Table.Retrieve.Path, "%s", "{key}", 1)+" per distinct join key")
			} else { // WHERE id = '' and other ids no object can have
				d = append(d, "Stripe call: none (no object has such an id)")
			}
		}
		for i, c := range x.Calls {
			if i == maxCallsShown {
				d = append(d, fmt.Sprintf("... and %d more calls", len(x.Calls)-maxCallsShown))
				break
			}
			d = append(d, "Stripe call: "+callText(c, x))
		}
		if len(x.Accounts) > 1 || len(x.Accounts) == 1 && x.Accounts[0] != "" {
			d = append(d, "Accounts: "+accountsText(x.Accounts))
		}
		if len(x.Pushed) > 0 {
			d = append(d, "Pushed: "+strings.Join(x.Pushed, ", "))
		}
		if x.Ordered && x.Access == AccessList {
			d = append(d, "Order: created DESC (stripe list order)")
		}
		if x.Limit > 0 {
			d = append(d, fmt.Sprintf("Stop after: %d rows", x.Limit))
		}
		if x.Filter != nil {
			d = append(d, "Filter: "+x.Filter.String())
		}
		return head, d
	case *Values:
		return "Result  " + estText(x.Estimate, rate, false), nil
	case *Filter:
		return "Filter  " + estText(x.Estimate, rate, false), []string{"Filter: " + x.Cond.String()}
	case *Project:
		if !verbose {
			return "Project  " + estText(x.Estimate, rate, false), nil
		}
		outs := make([]string, len(x.Exprs))
		for i, e := range x.Exprs {
			outs[i] = e.String()
		}
		return "Project  " + estText(x.Estimate, rate, false), []string{"Output: " + strings.Join(outs, ", ")}
	case *Aggregate:
		var d []string
		head := "Aggregate"
		if len(x.Groups) > 0 {
			head = "HashAggregate"
			keys := make([]string, len(x.Groups))
			for i, g := range x.Groups {
				keys[i] = g.String()
			}
			d = append(d, "Group Key: "+strings.Join(keys, ", "))
		}
		if len(x.Aggs) > 0 {
			as := make([]string, len(x.Aggs))
			for i, a := range x.Aggs {
				as[i] = a.String()
			}
			d = append(d, "Aggregates: "+strings.Join(as, ", "))
		}
		if len(x.Sets) > 0 {
			head = "MixedAggregate"
			d = append(d, groupingSetsText(x)) // grouping.go
		}
		return head + "  " + estText(x.Estimate, rate, false), d
	case *Sort:
		keys := make([]string, len(x.Keys))
		for i, k := range x.Keys {
			keys[i] = sortKeyText(k)
		}
		return "Sort  " + estText(x.Estimate, rate, false), []string{"Sort Key: " + strings.Join(keys, ", ")}
	case *Distinct:
		head := "Unique"
		if x.On {
			head = "Unique (DISTINCT ON)"
		}
		return head + "  " + estText(x.Estimate, rate, false), nil
	case *Join:
		head := "Nested Loop"
		if len(x.LeftKeys) > 0 {
			head = "Hash Join"
		}
		if x.Lookup {
			head = "Lookup Join"
		}
		switch {
		case x.LeftJoin && x.RightJoin:
			head += " Full"
		case x.LeftJoin:
			head += " Left"
		case x.RightJoin:
			head += " Right"
		}
		head += lookupVia(x) // lookup.go
		var d []string
		if len(x.LeftKeys) > 0 {
			keys := make([]string, len(x.LeftKeys))
			for i := range x.LeftKeys {
				keys[i] = x.LeftKeys[i].String() + " = " + x.RightKeys[i].String()
			}
			d = append(d, "Hash Cond: "+strings.Join(keys, " AND "))
		}
		if l := lookupDetail(x); l != "" {
			d = append(d, l)
		}
		if x.Cond != nil {
			d = append(d, "Join Filter: "+x.Cond.String())
		}
		return head + "  " + estText(x.Estimate, rate, true), d
	case *Limit:
		d := []string{}
		if x.Count >= 0 {
			d = append(d, fmt.Sprintf("Count: %d", x.Count))
		}
		if x.Offset > 0 {
			d = append(d, fmt.Sprintf("Offset: %d", x.Offset))
		}
		return "Limit  " + estText(x.Estimate, rate, false), d
	}
	if d, ok := n.(describer); ok {
		return d.describe(sess) // nodes defined in other files (window.go, setop.go, srf.go)
	}
	return fmt.Sprintf("%T", n), nil
}

func sortKeyText(k SortKey) string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
		if !k.NullsFirst {
			s += " NULLS LAST"
		}
	} else if k.NullsFirst {
		s += " NULLS FIRST"
	}
	return s
}

// callText renders a Stripe call as GET path?params, parameters sorted and unescaped for reading.
func callText(c Call, s *Scan) string {
	params := cloneValues(c.Params)
	if params == nil {
		params = url.Values{}
	}
	if c.Method != "retrieve" && s.PageSize > 0 {
		params.Set("limit", fmt.Sprint(s.PageSize))
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range params[k] {
			parts = append(parts, k+"="+v)
		}
	}
	// A parent id known only at run time (a LATERAL or correlated value) reads as {outer}.
	out := "GET " + strings.ReplaceAll(c.Path, url.PathEscape(deferredValue), "{outer}")
	if len(parts) > 0 {
		out += "?" + strings.Join(parts, "&")
	}
	if c.Account != "" {
		out += " as " + c.Account
	}
	return out
}
