package planner

import (
	"math"
	"slices"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// joinStep is one table of the FROM clause in join order: how it joins the tables before it.
type joinStep struct {
	item int
	kind joinKind
	// on is the ON condition's parts (ANDed), none for the first table, comma joins and CROSS JOIN;
	// an inner join nested on the right of another inner join adds the outer ON to its last step.
	on []onCond
}

// onCond is one JOIN's ON condition and the FROM items it may read: only the two sides of its
// own JOIN (scope items lo up to hi), as in PostgreSQL, where a table joined later in the FROM
// clause is not visible to an earlier ON. psqlODBC's SQLForeignKeys joins pg_constraint twice,
// the second time after an ON that reads the first one's conkey unqualified.
type onCond struct {
	node   *pg.Node
	lo, hi int
}

// joinKind is how a step joins the tables before it (the left side) with its table (the right).
type joinKind int

const (
	innerJoin joinKind = iota
	leftJoin           // the step's table is nullable
	rightJoin          // the tables before are nullable
	fullJoin           // both sides are nullable
)

// preservesLeft and preservesRight say which side keeps its unmatched rows, padded with NULLs.
func (k joinKind) preservesLeft() bool  { return k == leftJoin || k == fullJoin }
func (k joinKind) preservesRight() bool { return k == rightJoin || k == fullJoin }

// Join joins its left input (the tables before) with one more table. Rows are the left row
// followed by the right row; a LEFT join emits unmatched left rows with NULLs on the right.
// LeftKeys and RightKeys are equality keys for a hash join (evaluated on the left row and on the
// right row placed at RightOffset of a combined row); Cond is the rest of the ON condition.
type Join struct {
	Left, Right Node
	LeftJoin    bool
	// RightJoin emits right rows that matched no left row, with NULLs on the left (with LeftJoin,
	// a FULL join). Such a join reads its right side whole, so it is never a lookup.
	RightJoin   bool
	LeftKeys    []expr.Expr
	RightKeys   []expr.Expr
	Cond        expr.Expr
	RightOffset int
	Width       int
	// Lookup is set when the right table is read per distinct left key (LeftKeys[0]) instead of
	// listed whole (lookup.go chooses by estimated requests): Right is then a Scan template
	// without calls whose Filter is every condition on the right table alone.
	Lookup bool
	// LookupParam, when set, makes the lookup a list instead of a retrieve by id: the executor
	// sends Right's calls with LookupParam set to each key — any list filter taking = on the
	// join column (customer on charges, subscription on subscription_items), or an array
	// parameter taking several keys per call (see LookupBatch) — and fills the right table's
	// column LookupColumn with it.
	LookupParam  string
	LookupColumn int
	Estimate
}

// Inputs implements Node.
func (n *Join) Inputs() []Node { return []Node{n.Left, n.Right} }

// addFrom adds one FROM item (a table or a left-deep join tree) to the scope.
func (pl *planCtx) addFrom(b *binder, n *pg.Node, steps *[]joinStep) error {
	switch x := n.Node.(type) {
	case *pg.Node_RangeVar:
		rv := x.RangeVar
		if c := b.findCTE(rv.Relname); c != nil && rv.Schemaname == "" {
			return pl.addCTERef(b, c, rv, steps) // cte.go
		}
		t, err := pl.lookupTable(rv)
		if err != nil {
			return b.errAt(asCoded(err), rv.Location)
		}
		alias := ""
		if rv.Alias != nil {
			alias = rv.Alias.Aliasname
		}
		if err := b.scope.add(t, alias); err != nil {
			return b.errAt(asCoded(err), rv.Location)
		}
		*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
		return nil
	case *pg.Node_JoinExpr:
		return pl.addJoinExpr(b, x.JoinExpr, steps)
	case *pg.Node_RangeSubselect:
		rs := x.RangeSubselect
		sel := rs.Subquery.GetSelectStmt()
		if sel != nil && rs.Lateral {
			return pl.addLateral(b, rs, sel, steps) // lateral.go
		}
		if sel == nil || rs.Lateral {
			return sqlstate.New(sqlstate.FeatureNotSupported, "only plain SELECT subqueries are supported in FROM")
		}
		ip, err := pl.planDerived(b, sel)
		if err != nil {
			return err
		}
		alias := ""
		cols := ip.Columns
		if rs.Alias != nil {
			alias = rs.Alias.Aliasname
			var err error
			if cols, err = aliasColumns(rs.Alias, cols); err != nil {
				return err
			}
		}
		if err := b.scope.addDerived(alias, cols, ip.Root); err != nil {
			return err
		}
		*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
		return nil
	case *pg.Node_RangeFunction:
		return pl.addFunctionFrom(b, x.RangeFunction, steps) // srf.go
	}
	return sqlstate.New(sqlstate.FeatureNotSupported, "only table names and joins are supported in FROM")
}

// addJoinExpr adds a JOIN to the scope as steps of the left-deep join order: its left side's
// steps, then its right side's. A RIGHT JOIN of the first two tables is planned as a LEFT JOIN with
// the sides swapped, so that the preserved table is the one listed and the other can be read by
// key. A join nested on the right is flattened when it and the join around it are inner joins
// (their conditions then apply at its last step); other nested joins are planned on their own.
func (pl *planCtx) addJoinExpr(b *binder, j *pg.JoinExpr, steps *[]joinStep) error {
	single := func(n *pg.Node) bool {
		return n.GetRangeVar() != nil || n.GetRangeSubselect() != nil || n.GetRangeFunction() != nil
	}
	kind, swapped := innerJoin, false
	first, second := j.Larg, j.Rarg
	switch j.Jointype {
	case pg.JoinType_JOIN_INNER:
	case pg.JoinType_JOIN_LEFT:
		kind = leftJoin
	case pg.JoinType_JOIN_RIGHT:
		kind = rightJoin
		if len(*steps) == 0 && single(j.Larg) && single(j.Rarg) {
			kind, swapped, first, second = leftJoin, true, j.Rarg, j.Larg
		}
	case pg.JoinType_JOIN_FULL:
		kind = fullJoin
	default:
		return sqlstate.New(sqlstate.FeatureNotSupported, "only inner, cross, left, right and full joins are supported")
	}
	if kind == fullJoin && (j.IsNatural || len(j.UsingClause) > 0) {
		// The merged column of a FULL JOIN USING is coalesce(left, right), which a scope column
		// cannot express.
		return sqlstate.New(sqlstate.FeatureNotSupported, "FULL JOIN with USING or NATURAL is not supported").
			WithHint("write ON left.col = right.col and select coalesce(left.col, right.col)")
	}
	lo, loItem := len(b.scope.cols), len(b.scope.items)
	if err := pl.addFrom(b, first, steps); err != nil {
		return err
	}
	mid := len(b.scope.cols)
	n0 := len(*steps)
	switch {
	case single(second):
		if err := pl.addFrom(b, second, steps); err != nil {
			return err
		}
	case kind == innerJoin && innerJoinsOnly(second):
		if err := pl.addFrom(b, second, steps); err != nil {
			return err
		}
		// The nested join's first table joins the tables before it with no condition of its own.
		(*steps)[n0].kind, (*steps)[n0].on = innerJoin, nil
	default:
		if err := pl.addNestedJoin(b, second, steps); err != nil { // nested.go
			return err
		}
	}
	if swapped {
		// The written left side (added second) is listed first by SELECT *.
		for i := mid; i < len(b.scope.cols); i++ {
			b.scope.starOrder = append(b.scope.starOrder, i)
		}
		for i := lo; i < mid; i++ {
			b.scope.starOrder = append(b.scope.starOrder, i)
		}
	}
	quals := j.Quals
	if j.IsNatural || len(j.UsingClause) > 0 {
		// The visible copy of a USING column is the preserved side's: the written right side
		// of a RIGHT JOIN that was not swapped, the first-added side otherwise.
		on, err := usingCondition(b, j, lo, mid, swapped, kind == rightJoin)
		if err != nil {
			return err
		}
		quals = on
	}
	last := &(*steps)[len(*steps)-1]
	last.kind = kind
	if quals != nil {
		last.on = append(last.on, onCond{node: quals, lo: loItem, hi: len(b.scope.items)})
	}
	return nil
}

// innerJoinsOnly reports whether a FROM item is a tree of inner and cross joins.
func innerJoinsOnly(n *pg.Node) bool {
	j := n.GetJoinExpr()
	if j == nil {
		return true
	}
	return j.Jointype == pg.JoinType_JOIN_INNER && innerJoinsOnly(j.Larg) && innerJoinsOnly(j.Rarg)
}

// astConjuncts splits a condition at its top-level ANDs, before binding.
func astConjuncts(n *pg.Node) []*pg.Node {
	if n == nil {
		return nil
	}
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
		var out []*pg.Node
		for _, a := range be.Args {
			out = append(out, astConjuncts(a)...)
		}
		return out
	}
	return []*pg.Node{n}
}

// bound is a conjunct bound over the whole FROM clause, with the tables it reads.
type boundConj struct {
	node  *pg.Node
	e     expr.Expr
	items map[int]bool
}

func (pl *planCtx) bindConjuncts(b *binder, n *pg.Node, clause string) ([]boundConj, error) {
	var out []boundConj
	for _, c := range astConjuncts(n) {
		saved := b.clause
		b.clause = clause
		e, err := b.bind(c)
		b.clause = saved
		if err != nil {
			return nil, err
		}
		if e, err = expr.CheckBool(e, clause); err != nil {
			return nil, asCoded(err)
		}
		items := map[int]bool{}
		expr.Walk(e, func(x expr.Expr) bool {
			if cr, ok := x.(*expr.ColumnRef); ok {
				items[b.scope.itemOf(cr.Index)] = true
			}
			return true
		})
		out = append(out, boundConj{node: c, e: e, items: items})
	}
	return out, nil
}

// planJoins plans each table's scan with the conjuncts that read only that table (WHERE
// conjuncts for tables that are not the nullable side of a LEFT JOIN, and a LEFT JOIN's own ON
// conjuncts for its right table), then joins the scans left to right: a hash join on the
// equalities between the tables so far and the next one, the rest of ON as the join filter, and
// what is left of WHERE as a filter over the joined rows.
func (pl *planCtx) planJoins(b *binder, steps []joinStep, where *pg.Node) (Node, error) {
	savedAgg := b.agg
	b.agg = nil
	defer func() { b.agg = savedAgg }()
	whereConj, err := pl.bindConjuncts(b, where, "WHERE")
	if err != nil {
		return nil, err
	}
	nullable := map[int]bool{} // items an outer join may pad with NULLs
	for si, s := range steps {
		if s.kind.preservesLeft() {
			nullable[s.item] = true
		}
		if s.kind.preservesRight() {
			for _, before := range steps[:si] {
				nullable[before.item] = true
			}
		}
	}
	// Bind every ON clause first, so each scan knows all the columns the joins read.
	ons := make([][]boundConj, len(steps))
	for si, s := range steps {
		for _, on := range s.on {
			b.visible = &itemRange{lo: on.lo, hi: on.hi}
			bc, err := pl.bindConjuncts(b, on.node, "JOIN/ON")
			b.visible = nil
			if err != nil {
				return nil, err
			}
			ons[si] = append(ons[si], bc...)
		}
	}
	// An inner join's ON conjunct over tables that no outer join pads with NULLs means what it
	// would in WHERE, so it is planned as WHERE: pushed into a scan or applied at the step where
	// its tables meet, wherever they are in FROM.
	for si, s := range steps {
		if s.kind != innerJoin {
			continue
		}
		kept := ons[si][:0]
		for _, c := range ons[si] {
			movable := len(c.items) > 0
			for it := range c.items {
				movable = movable && !nullable[it]
			}
			if movable {
				whereConj = append(whereConj, c)
			} else {
				kept = append(kept, c)
			}
		}
		ons[si] = kept
	}
	derived := pl.deriveEqualities(b, steps, whereConj, ons, nullable)
	pushed := map[int]bool{} // whereConj indexes applied by a scan
	var root Node
	var firstWhere expr.Expr // the first table's own conditions
	width := 0
	for si, s := range steps {
		it := b.scope.items[s.item]
		onConj := ons[si]
		// The table's own conjuncts, bound again over the table alone.
		local := &binder{sess: b.sess, sql: b.sql, full: b.full, scope: b.scope.itemScope(s.item), params: b.params, pl: b.pl, corr: b.corr, ctes: b.ctes}
		var own []expr.Expr
		onlyThis := func(c boundConj) bool { return len(c.items) == 1 && c.items[s.item] || len(c.items) == 0 && si == 0 }
		if !nullable[s.item] {
			for i, c := range whereConj {
				if onlyThis(c) {
					// A conjunct that binds over the whole FROM but not over this table alone
					// (it reads another table's tableoid, a constant) stays a filter above.
					if e, err := local.bind(c.node); err == nil {
						own = append(own, e)
						pushed[i] = true
					}
				}
			}
		}
		var rest []expr.Expr
		// WHERE conjuncts that relate this table to the ones before it join them (inner joins
		// only: there, filtering after the join and joining on the condition are the same).
		if si > 0 && s.kind == innerJoin {
			for i, c := range whereConj {
				if pushed[i] || !c.items[s.item] {
					continue
				}
				ok := true
				for it := range c.items {
					if it > s.item || nullable[it] {
						ok = false
					}
				}
				if ok && len(c.items) > 1 {
					rest = append(rest, c.e)
					pushed[i] = true
				}
			}
		}
		for _, c := range onConj {
			// The ON conjuncts of this table alone filter its scan, unless its unmatched rows
			// are kept (RIGHT and FULL joins): then they only decide what matches.
			if len(c.items) == 1 && c.items[s.item] && !s.kind.preservesRight() {
				if e, err := local.bind(c.node); err == nil {
					own = append(own, e)
					continue
				}
			}
			rest = append(rest, c.e)
		}
		b.params = local.params
		var localWhere expr.Expr
		for _, d := range derived[s.item] {
			dup := false
			for _, o := range own {
				dup = dup || o.String() == d.String()
			}
			if !dup {
				own = append(own, d)
			}
		}
		if len(own) > 0 {
			localWhere = expr.And(own...)
		}
		var side Node
		var scan *Scan
		var lookupErr error
		if it.table == nil {
			side = it.node
			if localWhere != nil {
				side = &Filter{Input: it.node, Cond: localWhere, Estimate: withRows(it.node.Est(), math.Max(1, it.node.Est().Rows*selResidual))}
			}
		} else {
			var listErr error
			scan, listErr = pl.chooseAccess(it.table, localWhere)
			switch {
			case listErr == nil:
			case root != nil && it.table.List != nil && len(it.table.List.Required) > 0:
				// A required list filter may come from the join: listed per left key below.
				lookupErr, scan = listErr, &Scan{Table: it.table, Access: AccessList}
			default:
				// A child table without its parent is listed under every parent (fanout.go).
				if side, err = pl.fanOut(it.table, localWhere, listErr); err != nil {
					return nil, err
				}
				scan = nil
			}
		}
		if scan != nil {
			scan.Needed = make([]bool, len(it.table.Columns))
			for c := range b.usedCols {
				if c >= it.offset && c < it.offset+it.ncols {
					scan.Needed[c-it.offset] = true
				}
			}
			for c := range local.usedCols {
				scan.Needed[c] = true
			}
			if scan.Filter != nil {
				// The residual reads its own columns.
				expr.Walk(scan.Filter, func(x expr.Expr) bool {
					if cr, ok := x.(*expr.ColumnRef); ok {
						scan.Needed[cr.Index] = true
					}
					return true
				})
			}
			side = scan
		}
		if root == nil {
			root, width, firstWhere = side, it.ncols, localWhere
			continue
		}
		if lat, ok := it.node.(*Lateral); ok { // lateral.go
			if s.kind.preservesRight() {
				return nil, sqlstate.New(sqlstate.InvalidColumnReference, "invalid reference to FROM-clause entry in a LATERAL subquery").
					WithHint("The combining JOIN type must be INNER or LEFT for a LATERAL reference.")
			}
			root, width = pl.lateralJoin(root, lat, localWhere, rest, s.kind == leftJoin, it.offset, it.offset+it.ncols), it.offset+it.ncols
			continue
		}
		j := &Join{Left: root, Right: side, LeftJoin: s.kind.preservesLeft(), RightJoin: s.kind.preservesRight(), RightOffset: it.offset, Width: it.offset + it.ncols}
		var cond []expr.Expr
		for _, c := range rest {
			if l, r, ok := equiKey(c, it.offset, j.Width); ok {
				j.LeftKeys = append(j.LeftKeys, l)
				j.RightKeys = append(j.RightKeys, r)
				continue
			}
			cond = append(cond, c)
		}
		if len(cond) > 0 {
			j.Cond = expr.And(cond...)
		}
		if sw := pl.accountsOnRight(root, scan, j, firstWhere); sw != nil { // connect.go
			root, width = sw, j.Width
			continue
		}
		le := root.Est()
		switch {
		case scan == nil: // a subquery is joined by hash or loop
		case j.RightJoin: // every right row is needed, matched or not: no lookup
			if lookupErr != nil {
				if j.Right, err = pl.fanOut(it.table, localWhere, lookupErr); err != nil {
					return nil, err
				}
			}
		default:
			if err := pl.chooseLookup(it.table, scan, localWhere, j, lookupErr); err != nil { // lookup.go
				// No join key fills the required filter: list under every parent instead.
				if j.Right, err = pl.fanOut(it.table, localWhere, err); err != nil {
					return nil, err
				}
			}
		}
		re := j.Right.Est()
		rows := le.Rows * re.Rows
		if len(j.LeftKeys) > 0 {
			rows = math.Max(le.Rows, re.Rows)
		}
		if j.LeftJoin {
			rows = math.Max(rows, le.Rows)
		}
		if j.RightJoin {
			rows = math.Max(rows, re.Rows)
		}
		j.Estimate = Estimate{Requests: le.Requests + re.Requests, Seconds: le.Seconds + re.Seconds, Rows: rows}
		root, width = j, j.Width
	}
	_ = width
	var rest []expr.Expr
	for i, c := range whereConj {
		if !pushed[i] {
			rest = append(rest, c.e)
		}
	}
	if len(rest) > 0 {
		root = &Filter{Input: root, Cond: expr.And(rest...), Estimate: withRows(root.Est(), math.Max(1, root.Est().Rows*selResidual))}
	}
	return root, nil
}

// deriveEqualities carries constants across join equalities: from WHERE a.x = 'v' (a not the
// nullable side of a LEFT JOIN) and a join condition b.y = a.x, it derives b.y = 'v' for b's scan,
// so that customers c JOIN charges ch ON ch.customer = c.id WHERE c.id = 'cus_1' lists only that
// customer's charges. The derived predicate only removes right rows that could match no left row,
// so it is safe for inner joins and for the nullable side of a left join; it is also kept where it
// came from, so nothing is lost if Stripe applies it inexactly. Results are by item, in the
// item's own column numbering.
func (pl *planCtx) deriveEqualities(b *binder, steps []joinStep, where []boundConj, ons [][]boundConj, nullable map[int]bool) map[int][]expr.Expr {
	type constEq struct {
		col int
		val expr.Expr
	}
	var consts []constEq
	for _, c := range where {
		op, ok := c.e.(*expr.OpExpr)
		if !ok || op.Op != "=" || len(op.Args) != 2 {
			continue
		}
		cr, ok := op.Args[0].(*expr.ColumnRef)
		val := op.Args[1]
		if !ok {
			cr, ok = op.Args[1].(*expr.ColumnRef)
			val = op.Args[0]
		}
		if !ok || !expr.IsConstant(val) || nullable[b.scope.itemOf(cr.Index)] {
			continue
		}
		consts = append(consts, constEq{col: cr.Index, val: val})
	}
	// Column equalities usable for the transfer: inner WHERE conjuncts and every ON clause.
	// onlyTo, when not nil, limits an outer join's ON equality to deriving onto that join's
	// nullable side: the ON of an outer join filters nothing on a preserved side (so a FULL
	// JOIN's ON derives nothing).
	type colEq struct {
		a, b   int
		onlyTo map[int]bool
	}
	var eqs []colEq
	addEq := func(c boundConj, onlyTo map[int]bool) {
		op, ok := c.e.(*expr.OpExpr)
		if !ok || op.Op != "=" || len(op.Args) != 2 {
			return
		}
		l, lok := op.Args[0].(*expr.ColumnRef)
		r, rok := op.Args[1].(*expr.ColumnRef)
		if lok && rok && l.T == r.T && b.scope.itemOf(l.Index) != b.scope.itemOf(r.Index) {
			eqs = append(eqs, colEq{l.Index, r.Index, onlyTo})
		}
	}
	for _, c := range where {
		addEq(c, nil)
	}
	for si, on := range ons {
		var onlyTo map[int]bool
		switch steps[si].kind {
		case leftJoin:
			onlyTo = map[int]bool{steps[si].item: true}
		case rightJoin:
			onlyTo = map[int]bool{}
			for _, before := range steps[:si] {
				onlyTo[before.item] = true
			}
		case fullJoin:
			onlyTo = map[int]bool{}
		}
		for _, c := range on {
			addEq(c, onlyTo)
		}
	}
	out := map[int][]expr.Expr{}
	for _, k := range consts {
		for _, e := range eqs {
			other := -1
			switch k.col {
			case e.a:
				other = e.b
			case e.b:
				other = e.a
			}
			if other < 0 {
				continue
			}
			item := b.scope.itemOf(other)
			if e.onlyTo != nil && !e.onlyTo[item] {
				continue
			}
			local := other - b.scope.items[item].offset
			col := b.scope.cols[other]
			d, err := expr.Operator("=", &expr.ColumnRef{Index: local, T: col.typ, Name: col.name}, k.val)
			if err != nil {
				continue
			}
			out[item] = append(out[item], d)
		}
	}
	return out
}

// equiKey recognises left = right where one side reads only columns before offset and the other
// only the table at [offset, end): the keys of a hash join.
func equiKey(c expr.Expr, offset, end int) (expr.Expr, expr.Expr, bool) {
	op, ok := c.(*expr.OpExpr)
	if !ok || op.Op != "=" || len(op.Args) != 2 {
		return nil, nil, false
	}
	side := func(e expr.Expr) int { // -1 left, 1 right, 0 none or both
		l, r := false, false
		expr.Walk(e, func(x expr.Expr) bool {
			if cr, ok := x.(*expr.ColumnRef); ok {
				if cr.Index < offset {
					l = true
				} else if cr.Index < end {
					r = true
				}
			}
			return true
		})
		switch {
		case l && !r:
			return -1
		case r && !l:
			return 1
		}
		return 0
	}
	a, b := side(op.Args[0]), side(op.Args[1])
	switch {
	case a == -1 && b == 1:
		return op.Args[0], op.Args[1], true
	case a == 1 && b == -1:
		return op.Args[1], op.Args[0], true
	}
	return nil, nil, false
}

// usingCondition desugars JOIN ... USING (cols) and NATURAL JOIN into the ON condition
// left.col = right.col AND ..., where the left side's columns are scope.cols[lo:mid] and the right
// side's follow (for a RIGHT JOIN, swapped, the other way round). The copies on one side are
// marked merged, so that each USING column is seen once by an unqualified name and by SELECT *, as
// in PostgreSQL: the first-added side's copy is the joined value (the preserved side of a left
// join, either side of an inner join), or the second side's with keepSecond (a RIGHT JOIN planned
// in written order, whose right side is preserved).
func usingCondition(b *binder, j *pg.JoinExpr, lo, mid int, swapped, keepSecond bool) (*pg.Node, error) {
	cols := b.scope.cols
	firstSide, secondSide := "left", "right"
	if swapped { // a RIGHT JOIN added its right side first
		firstSide, secondSide = secondSide, firstSide
	}
	var names []string
	if j.IsNatural {
		for _, c := range cols[mid:] {
			if c.merged || c.filterOnly {
				continue
			}
			for _, l := range cols[lo:mid] {
				if !l.merged && l.name == c.name && !slices.Contains(names, c.name) {
					names = append(names, c.name)
				}
			}
		}
	} else {
		for _, n := range j.UsingClause {
			name := n.GetString_().GetSval()
			if slices.Contains(names, name) {
				return nil, sqlstate.New("42701", "column name %q appears more than once in USING clause", name)
			}
			names = append(names, name)
		}
	}
	find := func(from, to int, name, side string) (int, error) {
		found := -1
		for i := from; i < to; i++ {
			if cols[i].name == name && !cols[i].merged {
				if found >= 0 {
					return -1, sqlstate.New(sqlstate.AmbiguousColumn, "common column name %q appears more than once in %s table", name, side)
				}
				found = i
			}
		}
		if found < 0 {
			return -1, sqlstate.New(sqlstate.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
		}
		if cols[found].table == "" {
			return -1, sqlstate.New(sqlstate.FeatureNotSupported, "JOIN ... USING needs an alias on a subquery in FROM")
		}
		return found, nil
	}
	var eqs []*pg.Node
	var kept []int // the visible copy of each USING column
	for _, name := range names {
		l, err := find(lo, mid, name, firstSide)
		if err != nil {
			return nil, err
		}
		r, err := find(mid, len(cols), name, secondSide)
		if err != nil {
			return nil, err
		}
		ref := func(c scopeCol) *pg.Node {
			return pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(c.table), pg.MakeStrNode(c.name)}, -1)
		}
		eqs = append(eqs, pg.MakeAExprNode(pg.A_Expr_Kind_AEXPR_OP, []*pg.Node{pg.MakeStrNode("=")}, ref(cols[l]), ref(cols[r]), -1))
		if keepSecond {
			l, r = r, l
		}
		cols[r].merged = true
		kept = append(kept, l)
	}
	// SELECT * lists the USING columns first, then the join's other columns in order.
	order := b.scope.starCols()
	b.scope.starOrder = b.scope.starOrder[:0]
	for _, i := range order {
		if i < lo {
			b.scope.starOrder = append(b.scope.starOrder, i)
		}
	}
	b.scope.starOrder = append(b.scope.starOrder, kept...)
	for _, i := range order {
		if i >= lo && !slices.Contains(kept, i) {
			b.scope.starOrder = append(b.scope.starOrder, i)
		}
	}
	switch len(eqs) {
	case 0:
		return nil, nil // NATURAL JOIN without common columns is a cross join
	case 1:
		return eqs[0], nil
	}
	return pg.MakeBoolExprNode(pg.BoolExprType_AND_EXPR, eqs, -1), nil
}
