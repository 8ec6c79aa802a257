package planner

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// invalidRecursion is PostgreSQL's 42P19, which package sqlstate does not name.
const invalidRecursion = "42P19"

// MaxRecursion is how many rounds a WITH RECURSIVE query may iterate before it fails with 54000:
// a recursive term that never runs dry would otherwise spin (and fetch) for ever.
const MaxRecursion = 10000

// CTE is one query of a WITH clause. However often the statement reads it, the executor runs Plan
// once and keeps its rows (a materialised CTE, as PostgreSQL does for a CTE referenced twice), so
// Stripe is asked once. A recursive CTE runs Plan (its non-recursive term) and then Step (the
// recursive term, whose self-reference is a CTEScan with Work set) until a round adds no rows.
type CTE struct {
	Name    string
	Columns []Column
	Plan    *Planned
	// Step is the recursive term of WITH RECURSIVE; nil otherwise.
	Step *Planned
	// Distinct is set for UNION (rows already produced are dropped), clear for UNION ALL.
	Distinct bool
	// refs counts the CTEScans reading the CTE, for EXPLAIN.
	refs int
}

// CTEScan reads the rows of a CTE. With Work set it reads the rows of the current round of a
// recursive CTE instead (the working table of its recursive term).
type CTEScan struct {
	CTE   *CTE
	Alias string
	Work  bool
	// first is set on the scan that shows the CTE's plan in EXPLAIN.
	first bool
	Estimate
}

// Inputs implements Node: the CTE's plan runs outside the tree, once.
func (n *CTEScan) Inputs() []Node { return nil }

// describe renders the node for EXPLAIN (called from describeNode).
func (n *CTEScan) describe(sess *Session) (string, []string) {
	name := n.CTE.Name
	if n.Alias != "" && n.Alias != name {
		name += " " + n.Alias
	}
	if n.Work {
		return "WorkTable Scan on " + name + "  " + estText(n.Estimate, sess.Rate(), false), nil
	}
	head := "CTE Scan on " + name + "  " + estText(n.Estimate, sess.Rate(), false)
	if !n.first {
		return head, []string{"CTE " + n.CTE.Name + ": shared, materialised once"}
	}
	what := "materialised once"
	if n.CTE.Step != nil {
		what = "recursive, materialised once"
	}
	d := []string{"CTE " + n.CTE.Name + " (" + what + ")"}
	add := func(p *Planned) {
		for i, l := range ExplainLines(sess, p, nil) {
			switch {
			case strings.HasPrefix(l, "Estimated Stripe requests"):
			case i == 0:
				d = append(d, "  ->  "+l)
			default:
				d = append(d, "      "+l)
			}
		}
	}
	add(n.CTE.Plan)
	if n.CTE.Step != nil {
		d = append(d, "Recursive term:")
		add(n.CTE.Step)
	}
	return head, d
}

// findCTE returns the visible CTE named name, innermost first, or nil.
func (b *binder) findCTE(name string) *CTE {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if b.ctes[i].Name == name {
			return b.ctes[i]
		}
	}
	return nil
}

// bindWith plans the queries of a WITH clause, each seeing the ones before it, and makes them
// visible to b's FROM clause. It returns sel without its WITH clause.
func (pl *planCtx) bindWith(b *binder, sel *pg.SelectStmt) (*pg.SelectStmt, error) {
	w := sel.WithClause
	for _, n := range w.Ctes {
		ce := n.GetCommonTableExpr()
		if ce == nil {
			continue
		}
		q := ce.Ctequery.GetSelectStmt()
		if q == nil {
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "only SELECT queries are supported in WITH"), ce.Location)
		}
		if b.findCTEHere(ce.Ctename) {
			return nil, b.errAt(sqlstate.New("42712", "WITH query name %q specified more than once", ce.Ctename), ce.Location)
		}
		st := pl.subs()
		if i := len(st.ctes); i < len(st.reuse) && st.reuse[i].Name == ce.Ctename {
			// Planning again after init plans ran: keep the CTE (and what it materialised).
			c := st.reuse[i]
			c.refs = 0
			st.ctes = append(st.ctes, c)
			b.ctes = append(b.ctes, c)
			b.cteHere = append(b.cteHere, c.Name)
			continue
		}
		c := &CTE{Name: ce.Ctename}
		var err error
		if w.Recursive && selfReferences(q, ce.Ctename) {
			err = pl.planRecursive(b, c, ce, q)
		} else {
			c.Plan, err = pl.planCTEQuery(b, q, b.ctes)
			if err == nil {
				c.Columns, err = cteColumns(c.Plan.Columns, ce)
			}
		}
		if err != nil {
			return nil, err
		}
		st.ctes = append(st.ctes, c)
		b.ctes = append(b.ctes, c)
		b.cteHere = append(b.cteHere, c.Name)
	}
	out := proto.Clone(sel).(*pg.SelectStmt)
	out.WithClause = nil
	return out, nil
}

func (b *binder) findCTEHere(name string) bool {
	for _, n := range b.cteHere {
		if n == name {
			return true
		}
	}
	return false
}

// planCTEQuery plans one WITH query (or one term of a recursive one) with ctes visible.
func (pl *planCtx) planCTEQuery(b *binder, q *pg.SelectStmt, ctes []*CTE) (*Planned, error) {
	sub := &planCtx{sess: pl.sess, st: pl.st, args: pl.args, describe: pl.describe, given: pl.given, now: pl.now, explaining: pl.explaining}
	sub.sub = &subState{replannable: true}
	inner := &binder{sess: b.sess, sql: b.sql, full: b.full, params: append([]sqltypes.Type(nil), b.params...), pl: sub, corr: b.corr, ctes: ctes}
	p, err := sub.buildSelect(inner, q)
	if err != nil {
		return nil, err
	}
	if len(sub.sub.initPlans) > 0 {
		sub.attachReplan(p, q, b.corr, ctes)
	}
	b.adoptParamTypes(sub.types)
	if p.Root == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "a WITH query must return rows")
	}
	return p, nil
}

// cteColumns names a CTE's columns by its column list, when it has one.
func cteColumns(cols []Column, ce *pg.CommonTableExpr) ([]Column, error) {
	out := append([]Column(nil), cols...)
	if len(ce.Aliascolnames) > len(out) {
		return nil, sqlstate.New(sqlstate.InvalidColumnReference, "WITH query %q has %d columns available but %d columns specified", ce.Ctename, len(out), len(ce.Aliascolnames))
	}
	for i, n := range ce.Aliascolnames {
		out[i].Name = n.GetString_().GetSval()
	}
	return out, nil
}

// planRecursive plans WITH RECURSIVE name AS (base UNION [ALL] step): the base first, which
// fixes the columns, then the step with name bound to the working table.
func (pl *planCtx) planRecursive(b *binder, c *CTE, ce *pg.CommonTableExpr, q *pg.SelectStmt) error {
	if q.Op != pg.SetOperation_SETOP_UNION || q.Larg == nil || q.Rarg == nil {
		return b.errAt(sqlstate.New(invalidRecursion, "recursive query %q does not have the form non-recursive-term UNION [ALL] recursive-term", c.Name), ce.Location)
	}
	if len(q.SortClause) > 0 || q.LimitCount != nil || q.LimitOffset != nil {
		return sqlstate.New(sqlstate.FeatureNotSupported, "ORDER BY and LIMIT in a recursive query are not supported")
	}
	if selfReferences(q.Larg, c.Name) {
		return b.errAt(sqlstate.New(invalidRecursion, "recursive reference to query %q must not appear within its non-recursive term", c.Name), ce.Location)
	}
	c.Distinct = !q.All
	base, err := pl.planCTEQuery(b, q.Larg, b.ctes)
	if err != nil {
		return err
	}
	c.Plan = base
	if c.Columns, err = cteColumns(base.Columns, ce); err != nil {
		return err
	}
	work := &CTE{Name: c.Name, Columns: c.Columns, Plan: base}
	work.refs = -1 // marks the working table
	step, err := pl.planCTEQuery(b, q.Rarg, append(append([]*CTE(nil), b.ctes...), work))
	if err != nil {
		return err
	}
	if len(step.Columns) != len(c.Columns) {
		return sqlstate.New(sqlstate.SyntaxError, "each UNION query must have the same number of columns")
	}
	for i, col := range step.Columns {
		if col.Type != c.Columns[i].Type && !(isIntType(col.Type) && isIntType(c.Columns[i].Type)) {
			return sqlstate.New(sqlstate.DatatypeMismatch, "recursive query %q column %d has type %s in non-recursive term but type %s overall", c.Name, i+1, sqltypes.FormatType(c.Columns[i].Type), sqltypes.FormatType(col.Type)).
				WithHint("cast the output of the non-recursive term to the correct type")
		}
	}
	c.Step = step
	// The step's working-table scans read this CTE's rounds.
	Walk(step.Root, func(n Node) {
		if s, ok := n.(*CTEScan); ok && s.CTE == work {
			s.CTE = c
		}
	})
	return nil
}

func isIntType(t sqltypes.Type) bool {
	return t == sqltypes.Int2 || t == sqltypes.Int4 || t == sqltypes.Int8
}

// selfReferences reports whether the query reads a relation named name (an unqualified
// RangeVar), anywhere in its tree.
func selfReferences(q *pg.SelectStmt, name string) bool {
	found := false
	var walk func(m proto.Message)
	walk = func(m proto.Message) {
		if found || m == nil {
			return
		}
		if rv, ok := m.(*pg.RangeVar); ok && rv.Schemaname == "" && rv.Relname == name {
			found = true
			return
		}
		r := m.ProtoReflect()
		r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message().Interface())
				}
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message().Interface())
			}
			return !found
		})
	}
	walk(q)
	return found
}

// addCTERef adds a reference to a CTE in FROM as a scope item read by a CTEScan.
func (pl *planCtx) addCTERef(b *binder, c *CTE, rv *pg.RangeVar, steps *[]joinStep) error {
	alias := c.Name
	cols := c.Columns
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
		var err error
		if cols, err = aliasColumns(rv.Alias, cols); err != nil {
			return err
		}
	}
	// Columns of a CTE come from no table a client could look up.
	plain := make([]Column, len(cols))
	for i, col := range cols {
		plain[i] = Column{Name: col.Name, Type: col.Type}
	}
	scan := &CTEScan{CTE: c, Alias: alias, Work: c.refs < 0}
	if scan.Work {
		scan.Estimate = Estimate{Rows: c.Plan.Estimate.Rows}
	} else {
		c.refs++
		scan.first = c.refs == 1
		scan.Estimate = Estimate{Rows: c.Plan.Estimate.Rows}
		if scan.first {
			// The CTE's requests are counted once, on its first reader.
			scan.Requests = c.Plan.Estimate.Requests
			scan.Seconds = c.Plan.Estimate.Seconds
		}
	}
	if err := b.scope.addDerived(alias, plain, scan); err != nil {
		return b.errAt(asCoded(err), rv.Location)
	}
	*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
	return nil
}

// cteTree is a CTE read under some plan tree, with its (base) plan.
type cteTree struct {
	cte  *CTE
	plan *Planned
}

// cteTrees returns the CTEs read under root (each once), for the request budget and EXPLAIN's
// total.
func cteTrees(root Node) []cteTree {
	var out []cteTree
	seen := map[*CTE]bool{}
	Walk(root, func(n Node) {
		if s, ok := n.(*CTEScan); ok && !s.Work && !seen[s.CTE] {
			seen[s.CTE] = true
			out = append(out, cteTree{cte: s.CTE, plan: s.CTE.Plan})
		}
	})
	return out
}

func (c *CTE) String() string { return fmt.Sprintf("CTE %s", c.Name) }
