package planner

import (
	"math"
	"strconv"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Describe binds a statement without argument values and reports its parameter and result types.
// paramTypes may fix the types of some parameters (zero entries are inferred from context, and
// parameters no context types become text). It performs no I/O and checks no budget.
func Describe(sess *Session, st *Statement, paramTypes []sqltypes.Type) (*Description, error) {
	pl := &planCtx{sess: sess, st: st, describe: true, given: paramTypes, now: sess.now()}
	p, err := pl.plan()
	if err != nil {
		return nil, err
	}
	return &Description{Params: pl.paramTypes(), Columns: publicColumns(p.Columns)}, nil // record.go
}

// Plan binds a statement with its argument values and chooses the access paths. A query whose
// estimate exceeds the session's stripesql.max_requests is refused with 54000 before any request
// is sent (EXPLAIN without ANALYZE is never refused: it only shows the estimate).
func Plan(sess *Session, st *Statement, args []any) (*Planned, error) {
	pl := &planCtx{sess: sess, st: st, args: args, now: sess.now()}
	p, err := pl.plan()
	if err != nil {
		return nil, err
	}
	p.Text = st.text
	p.Columns = publicColumns(p.Columns) // record.go
	budgeted := p
	if p.Kind == "EXPLAIN" || p.Cursor != nil {
		budgeted = p.Inner // the query EXPLAIN ANALYZE runs, or the one DECLARE opens a cursor on
	}
	if budgeted != nil && budgeted.Root != nil && (p.Kind != "EXPLAIN" || p.Analyze) {
		if err := checkBudget(sess, budgeted); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// planCtx carries one statement's planning: the session, the arguments and the statement time.
type planCtx struct {
	sess     *Session
	st       *Statement
	args     []any
	params   []any // converted args
	describe bool
	given    []sqltypes.Type
	types    []sqltypes.Type
	now      time.Time
	// explaining is set while planning the statement under EXPLAIN (writes are then only shown).
	explaining bool
	// sub tracks subqueries (subquery.go).
	sub *subState
}

func (pl *planCtx) paramTypes() []sqltypes.Type {
	out := make([]sqltypes.Type, len(pl.types))
	for i, t := range pl.types {
		if t == sqltypes.Unknown || t == 0 {
			t = sqltypes.Text
		}
		out[i] = t
	}
	return out
}

func (pl *planCtx) env() *expr.Env {
	return &expr.Env{Params: pl.params, Now: pl.now, Session: pl.sess}
}

func (pl *planCtx) plan() (*Planned, error) {
	n := pl.st.node
	switch x := n.Node.(type) {
	case *pg.Node_SelectStmt:
		return pl.planQuery(x.SelectStmt)
	case *pg.Node_ExplainStmt:
		return pl.planExplain(x.ExplainStmt)
	case *pg.Node_InsertStmt, *pg.Node_UpdateStmt, *pg.Node_DeleteStmt, *pg.Node_CallStmt:
		return pl.planWrite(n) // write.go
	case *pg.Node_VariableSetStmt:
		return pl.planSet(x.VariableSetStmt)
	case *pg.Node_VariableShowStmt:
		return pl.planShow(x.VariableShowStmt)
	case *pg.Node_TransactionStmt:
		k := pl.st.kind
		if k == "PREPARE TRANSACTION" {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "prepared transactions are not supported")
		}
		tag := k
		if k == "START TRANSACTION" {
			tag = "START TRANSACTION"
		}
		return &Planned{Kind: k, Tag: tag, Now: pl.now}, nil
	case *pg.Node_DiscardStmt:
		return &Planned{Kind: "DISCARD", Tag: "DISCARD ALL", Set: &SetAction{Reset: true, All: true}, Now: pl.now}, nil
	case *pg.Node_ListenStmt, *pg.Node_UnlistenStmt:
		return &Planned{Kind: pl.st.kind, Tag: pl.st.kind, Now: pl.now}, nil
	case *pg.Node_DeclareCursorStmt:
		return pl.planDeclare(x.DeclareCursorStmt) // cursor.go
	case *pg.Node_FetchStmt:
		return pl.planFetch(x.FetchStmt)
	case *pg.Node_ClosePortalStmt:
		return pl.planClose(x.ClosePortalStmt), nil
	}
	return nil, unsupportedStatement(n)
}

// unsupportedStatement is the 0A000 error for a statement stripesql does not run. It names the
// statement as the user wrote it and says what to do instead, rather than an internal kind.
func unsupportedStatement(n *pg.Node) *sqlstate.Error {
	const runs = "stripesql runs SELECT, INSERT, UPDATE, DELETE, CALL, EXPLAIN, SET, SHOW and transaction statements"
	ddl := func(name string) *sqlstate.Error {
		return sqlstate.New(sqlstate.FeatureNotSupported, "%s is not supported: the tables are stripe's resources and cannot be changed", name).
			WithHint("the catalog is fixed by the stripe api version; list the tables with \\dt")
	}
	switch x := n.Node.(type) {
	case *pg.Node_TruncateStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "TRUNCATE is not supported: stripe objects are deleted one by one with DELETE").
			WithHint("DELETE FROM table WHERE ... deletes the matching objects, one stripe request each")
	case *pg.Node_PrepareStmt, *pg.Node_ExecuteStmt:
		name := "PREPARE"
		if _, ok := x.(*pg.Node_ExecuteStmt); ok {
			name = "EXECUTE"
		}
		return sqlstate.New(sqlstate.FeatureNotSupported, "%s is not supported", name).
			WithHint("use your driver's prepared statements (the extended query protocol with $1 parameters)")
	case *pg.Node_DropStmt:
		return ddl("DROP")
	case *pg.Node_CreateStmt, *pg.Node_CreateTableAsStmt:
		return ddl("CREATE TABLE")
	case *pg.Node_AlterTableStmt, *pg.Node_RenameStmt:
		return ddl("ALTER")
	case *pg.Node_IndexStmt:
		return ddl("CREATE INDEX")
	case *pg.Node_ViewStmt:
		return ddl("CREATE VIEW")
	case *pg.Node_CopyStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "COPY is not supported").
			WithHint("read with SELECT and write with INSERT")
	case *pg.Node_MergeStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "MERGE is not supported").
			WithHint("use INSERT for new objects and UPDATE for existing ones")
	case *pg.Node_VacuumStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "VACUUM and ANALYZE are not supported").
			WithHint("stripesql keeps no storage; table sizes are learned from complete scans")
	case *pg.Node_GrantStmt, *pg.Node_GrantRoleStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "GRANT and REVOKE are not supported").
			WithHint("access follows the stripe api key's permissions")
	case *pg.Node_LockStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "LOCK is not supported").WithHint(runs)
	case *pg.Node_DoStmt, *pg.Node_CreateFunctionStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "procedural code is not supported").WithHint(runs)
	case *pg.Node_NotifyStmt:
		return sqlstate.New(sqlstate.FeatureNotSupported, "NOTIFY is not supported").WithHint(runs)
	case *pg.Node_CommentStmt:
		return ddl("COMMENT")
	}
	return sqlstate.New(sqlstate.FeatureNotSupported, "this statement is not supported").WithHint(runs)
}

// planQuery plans a SELECT (or VALUES) with bound parameters.
func (pl *planCtx) planQuery(sel *pg.SelectStmt) (*Planned, error) {
	if p, ok, err := pl.planSelectCall(sel); ok { // SELECT * FROM procedure(...), write.go
		return p, err
	}
	b := &binder{sess: pl.sess, sql: pl.st.text, full: pl.st.full, params: append([]sqltypes.Type(nil), pl.given...), pl: pl}
	pl.subs().replannable = true
	q, err := pl.buildSelect(b, sel)
	if err != nil {
		return nil, err
	}
	if len(pl.sub.initPlans) > 0 { // subquery.go
		pl.attachReplan(q, sel, nil, nil)
	}
	return q, nil
}

// resolveParams records the parameter types found in the bound trees and converts the arguments.
func (pl *planCtx) resolveParams(b *binder, exprs []expr.Expr) error {
	types := append([]sqltypes.Type(nil), b.params...)
	for _, e := range exprs {
		expr.Walk(e, func(x expr.Expr) bool {
			if p, ok := x.(*expr.ParamRef); ok {
				for len(types) < p.N {
					types = append(types, sqltypes.Unknown)
				}
				if types[p.N-1] == sqltypes.Unknown || types[p.N-1] == 0 {
					types[p.N-1] = p.T
				}
			}
			return true
		})
	}
	pl.types = types
	if pl.describe {
		return nil
	}
	if len(pl.args) < len(types) {
		return sqlstate.New(sqlstate.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(pl.args), len(types))
	}
	pl.params = make([]any, len(pl.args))
	for i, a := range pl.args {
		t := sqltypes.Text
		if i < len(types) && types[i] != 0 && types[i] != sqltypes.Unknown {
			t = types[i]
		}
		v, err := convertArg(a, t, pl.sess.Location())
		if err != nil {
			return err
		}
		pl.params[i] = v
	}
	return nil
}

// convertArg turns a Go argument into the value representation of t (package sqltypes).
func convertArg(a any, t sqltypes.Type, loc *time.Location) (any, error) {
	switch v := a.(type) {
	case nil:
		return nil, nil
	case string:
		switch t {
		case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Char, sqltypes.Unknown:
			return v, nil
		}
		return sqltypes.ParseText(v, t, loc)
	case []byte:
		if t == sqltypes.Bytea {
			return v, nil
		}
		return convertArg(string(v), t, loc)
	case int:
		return convertArg(int64(v), t, loc)
	case int32:
		return convertArg(int64(v), t, loc)
	case int16:
		return convertArg(int64(v), t, loc)
	case int8:
		return convertArg(int64(v), t, loc)
	case uint32:
		return convertArg(int64(v), t, loc)
	case uint16:
		return convertArg(int64(v), t, loc)
	case uint8:
		return convertArg(int64(v), t, loc)
	case uint64:
		if v > math.MaxInt64 {
			return sqltypes.ParseText(strconv.FormatUint(v, 10), sqltypes.Numeric, loc)
		}
		return convertArg(int64(v), t, loc)
	case uint:
		return convertArg(uint64(v), t, loc)
	case float32:
		return convertArg(float64(v), t, loc)
	case int64:
		switch t {
		case sqltypes.Numeric:
			return sqltypes.DecimalFromInt(v), nil
		case sqltypes.Float8, sqltypes.Float4:
			return float64(v), nil
		case sqltypes.Text, sqltypes.Varchar, sqltypes.Name:
			return strconv.FormatInt(v, 10), nil
		case sqltypes.Timestamptz, sqltypes.Timestamp:
			return time.Unix(v, 0).UTC(), nil
		}
		return v, nil
	case float64:
		switch t {
		case sqltypes.Numeric:
			return sqltypes.DecimalFromFloat(v)
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
			if v != math.Trunc(v) {
				return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type %s: \"%v\"", sqltypes.FormatType(t), v)
			}
			return int64(v), nil
		case sqltypes.Text, sqltypes.Varchar:
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		}
		return v, nil
	case bool:
		if t == sqltypes.Text || t == sqltypes.Varchar {
			return strconv.FormatBool(v), nil
		}
		return v, nil
	case time.Time:
		if t == sqltypes.Text || t == sqltypes.Varchar {
			return v.Format(time.RFC3339Nano), nil
		}
		return v.UTC(), nil
	}
	return a, nil
}

// buildSelect binds and plans one SELECT.
func (pl *planCtx) buildSelect(b *binder, sel *pg.SelectStmt) (*Planned, error) {
	if b.pl == nil {
		b.pl = pl // subqueries plan through it (subquery.go)
	}
	if sel.WithClause != nil { // cte.go
		s, err := pl.bindWith(b, sel)
		if err != nil {
			return nil, err
		}
		sel = s
	}
	if sel.Op != pg.SetOperation_SETOP_NONE && sel.Op != pg.SetOperation_SET_OPERATION_UNDEFINED {
		return pl.buildSetOp(b, sel) // setop.go
	}
	if sel.WithClause != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "WITH queries are not supported")
	}
	b.win = newWindowCtx(sel.WindowClause) // window.go
	if len(sel.LockingClause) > 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "FOR UPDATE and FOR SHARE are not supported: stripe has no locks")
	}
	if sel.IntoClause != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "SELECT INTO is not supported")
	}
	if len(sel.ValuesLists) > 0 {
		return pl.buildValues(b, sel)
	}
	sel = srfTargetAsFrom(sel)           // srf.go
	sel, srfErr := selectSRFsAsFrom(sel) // record_srf.go
	if srfErr != nil {
		return nil, srfErr
	}

	// FROM: no table, one table, or tables joined left to right.
	var table *catalog.Table
	b.scope = &scope{}
	var steps []joinStep
	from := sel.FromClause
	order := pl.catalogJoinOrder(sel) // catalogjoin.go
	if order != nil {
		from = make([]*pg.Node, len(order))
		for k, p := range order {
			from[k] = sel.FromClause[p]
		}
	}
	for _, item := range from {
		if err := pl.addFrom(b, item, &steps); err != nil {
			return nil, err
		}
	}
	if order != nil { // SELECT * lists the tables as written
		at := make([]int, len(order))
		for k, p := range order {
			at[p] = k
		}
		for _, k := range at {
			it := b.scope.items[k]
			for c := it.offset; c < it.offset+it.ncols; c++ {
				b.scope.starOrder = append(b.scope.starOrder, c)
			}
		}
	}
	if len(b.scope.items) == 1 && b.scope.items[0].table != nil {
		table = b.scope.table
	}
	b.usedCols = map[int]bool{}
	b.markLateralRefs() // lateral.go

	// WHERE
	var where expr.Expr
	if sel.WhereClause != nil {
		b.clause = "WHERE"
		if containsAgg(sel.WhereClause) {
			return nil, sqlstate.New(sqlstate.GroupingError, "aggregate functions are not allowed in WHERE")
		}
		w, err := b.bind(sel.WhereClause)
		if err != nil {
			return nil, err
		}
		if w, err = expr.CheckBool(w, "WHERE"); err != nil {
			return nil, asCoded(err)
		}
		where = w
	}

	// Is the query grouped?
	grouped := len(sel.GroupClause) > 0 || containsAgg(sel.HavingClause)
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt != nil && containsAgg(rt.Val) {
			grouped = true
		}
	}
	for _, s := range sel.SortClause {
		if sb := s.GetSortBy(); sb != nil && containsAgg(sb.Node) {
			grouped = true
		}
	}

	// Expand the target list (names, * expansion) against the input scope.
	type target struct {
		node  *pg.Node
		name  string
		col   int // input column for * and plain column refs, -1 otherwise
		star  bool
		loc   int32
		named bool
	}
	var targets []target
	for _, t := range sel.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			if len(b.scope.cols) == 0 {
				return nil, b.errAt(sqlstate.New(sqlstate.SyntaxError, "SELECT * with no tables specified is not valid"), cr.Location)
			}
			q := ""
			if len(cr.Fields) == 2 {
				q = cr.Fields[0].GetString_().GetSval()
				if !b.scope.hasAlias(q) {
					return nil, b.errAt(sqlstate.New(sqlstate.UndefinedTable, "missing FROM-clause entry for table %q", q), cr.Location)
				}
			}
			for _, i := range b.scope.starCols() {
				c := b.scope.cols[i]
				if c.filterOnly || q != "" && c.table != q || q == "" && c.merged {
					continue
				}
				targets = append(targets, target{name: c.name, col: i, star: true, loc: cr.Location})
			}
			continue
		}
		if items, names, ok, err := b.starFields(rt.Val); ok { // (r).*, record.go
			if err != nil {
				return nil, err
			}
			for i, it := range items {
				targets = append(targets, target{node: it, name: names[i], col: -1, loc: rt.Location})
			}
			continue
		}
		name := rt.Name
		named := name != ""
		if name == "" {
			name = figureColname(rt.Val)
		}
		targets = append(targets, target{node: rt.Val, name: name, col: -1, loc: rt.Location, named: named})
	}
	if len(targets) == 0 && len(sel.TargetList) == 0 {
		// SELECT FROM t: zero columns, as PostgreSQL allows.
	}

	// Plain-mode binding of outputs, used for GROUP BY ordinals/aliases and ORDER BY matching.
	b.clause = "SELECT"
	var agg *aggCtx
	if grouped {
		agg = &aggCtx{}
		b.clause = "GROUP BY"
		groupItems, gsets, err := flattenGroupingSets(sel.GroupClause) // grouping.go
		if err != nil {
			return nil, err
		}
		agg.gsets = gsets
		for _, g := range groupItems {
			var ge expr.Expr
			var err error
			switch {
			case g.GetAConst() != nil && g.GetAConst().GetIval() != nil:
				k := int(g.GetAConst().GetIval().Ival)
				if k < 1 || k > len(targets) {
					return nil, b.errAt(sqlstate.New(sqlstate.InvalidColumnReference, "GROUP BY position %d is not in select list", k), g.GetAConst().Location)
				}
				ge, err = pl.bindTargetPlain(b, targets[k-1].node, targets[k-1].col)
			case g.GetColumnRef() != nil && len(g.GetColumnRef().Fields) == 1 && g.GetColumnRef().Fields[0].GetString_() != nil:
				name := g.GetColumnRef().Fields[0].GetString_().Sval
				if _, _, ok := findScopeCol(b.scope, name); !ok {
					for _, t := range targets {
						if t.name == name && t.node != nil {
							ge, err = pl.bindTargetPlain(b, t.node, t.col)
							break
						}
					}
				}
				if ge == nil && err == nil {
					ge, err = b.bind(g)
				}
			default:
				if containsAgg(g) {
					return nil, sqlstate.New(sqlstate.GroupingError, "aggregate functions are not allowed in GROUP BY")
				}
				ge, err = b.bind(g)
			}
			if err != nil {
				return nil, err
			}
			key := exprKey(ge)
			dup := false
			for _, k := range agg.groupKeys {
				dup = dup || k == key
			}
			if !dup {
				agg.groups = append(agg.groups, ge)
				agg.groupKeys = append(agg.groupKeys, key)
			}
			agg.gsets.note(agg, key) // grouping.go
		}
		b.agg = agg
	}

	// Bind outputs (in the aggregate context when grouped).
	b.clause = "SELECT"
	outExprs := make([]expr.Expr, 0, len(targets))
	columns := make([]Column, 0, len(targets))
	for _, t := range targets {
		var e expr.Expr
		var err error
		if t.star {
			c := b.scope.cols[t.col]
			b.usedCols[t.col] = true
			e = &expr.ColumnRef{Index: t.col, T: c.typ, Name: c.name}
			if agg != nil {
				e, err = groupedRef(agg, e)
			}
		} else {
			e, err = b.bind(t.node)
		}
		if err != nil {
			return nil, err
		}
		if e.Type() == sqltypes.Unknown {
			if e, err = expr.Cast(e, sqltypes.Text); err != nil {
				return nil, asCoded(err)
			}
		}
		col := Column{Name: t.name, Type: e.Type()}
		if cr, ok := e.(*expr.ColumnRef); ok && agg == nil && b.scope.table != nil {
			col.TableOID = b.scope.cols[cr.Index].oid
			col.AttNum = b.scope.cols[cr.Index].attnum
		} else if t.node != nil && agg != nil {
			if cr := t.node.GetColumnRef(); cr != nil {
				if i, _, ok := findScopeCol(b.scope, columnRefName(cr)); ok {
					col.TableOID, col.AttNum = b.scope.cols[i].oid, b.scope.cols[i].attnum
				}
			}
		}
		outExprs = append(outExprs, e)
		columns = append(columns, col)
	}

	// HAVING
	var having expr.Expr
	if sel.HavingClause != nil {
		b.clause = "HAVING"
		h, err := b.bind(sel.HavingClause)
		if err != nil {
			return nil, err
		}
		if h, err = expr.CheckBool(h, "HAVING"); err != nil {
			return nil, asCoded(err)
		}
		having = h
	}

	// DISTINCT
	distinct := len(sel.DistinctClause) > 0
	var distinctOn []expr.Expr
	if distinct && !(len(sel.DistinctClause) == 1 && sel.DistinctClause[0].Node == nil) {
		b.clause = "DISTINCT ON"
		for _, d := range sel.DistinctClause {
			e, err := pl.bindSortTarget(b, d, targets2names(columns), outExprs)
			if err != nil {
				return nil, err
			}
			distinctOn = append(distinctOn, e)
		}
	}

	// ORDER BY: keys are indexes into the projected row; expressions not in the select list become
	// hidden columns that a final projection drops.
	b.clause = "ORDER BY"
	visible := len(outExprs)
	var keys []SortKey
	for _, s := range sel.SortClause {
		sb := s.GetSortBy()
		if sb == nil {
			continue
		}
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "ORDER BY ... USING is not supported")
		}
		e, err := pl.bindSortTarget(b, sb.Node, targets2names(columns), outExprs[:visible])
		if err != nil {
			return nil, err
		}
		desc, nullsFirst := sortDirection(sb)
		keys = append(keys, SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst})
	}

	// LIMIT / OFFSET
	b.clause = "LIMIT"
	limitCount, limitOffset := int64(-1), int64(0)
	var limitExprs []expr.Expr
	savedScope, savedAgg := b.scope, b.agg
	b.scope, b.agg = &scope{}, nil
	var lc, lo expr.Expr
	var err error
	if sel.LimitCount != nil {
		if lc, err = b.bind(sel.LimitCount); err != nil {
			return nil, err
		}
		if lc, err = castTo(lc, sqltypes.Int8); err != nil {
			return nil, err
		}
		limitExprs = append(limitExprs, lc)
	}
	if sel.LimitOffset != nil {
		b.clause = "OFFSET"
		if lo, err = b.bind(sel.LimitOffset); err != nil {
			return nil, err
		}
		if lo, err = castTo(lo, sqltypes.Int8); err != nil {
			return nil, err
		}
		limitExprs = append(limitExprs, lo)
	}
	b.scope, b.agg = savedScope, savedAgg
	if sel.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "FETCH ... WITH TIES is not supported")
	}

	// Parameters: types from every bound tree, then argument conversion.
	all := append([]expr.Expr{}, outExprs...)
	all = append(all, where, having)
	all = append(all, distinctOn...)
	for _, k := range keys {
		all = append(all, k.Expr)
	}
	all = append(all, limitExprs...)
	if agg != nil {
		all = append(all, agg.groups...)
		for _, a := range agg.aggs {
			all = append(all, a.Args...)
			all = append(all, a.Filter)
		}
	}
	var nonNil []expr.Expr
	for _, e := range all {
		if e != nil {
			nonNil = append(nonNil, e)
		}
	}
	if err := pl.resolveParams(b, nonNil); err != nil {
		return nil, err
	}
	if !pl.describe {
		if n, ok, err := pl.foldRowCount(lc, "LIMIT"); err != nil {
			return nil, err
		} else if ok {
			limitCount = n
		}
		if n, ok, err := pl.foldRowCount(lo, "OFFSET"); err != nil {
			return nil, err
		} else if ok {
			limitOffset = n
		}
	}

	// Filter-only columns must be constrained with =.
	if table != nil && len(steps) == 1 {
		for i := range b.usedCols {
			if b.scope.cols[i].filterOnly && !constrainedEq(where, i) {
				return nil, sqlstate.New(sqlstate.FeatureNotSupported, "column %q of %s can only be used with an = condition in WHERE", b.scope.cols[i].name, table.Name).
					WithHint("add WHERE %s = '...'", b.scope.cols[i].name)
			}
		}
	}

	// Physical plan, bottom up.
	var root Node
	var scan *Scan
	if table != nil {
		top := newestFirstTop(table, keys, limitCount, limitOffset, agg != nil || distinct || b.win.used()) // access.go
		s, err := pl.chooseAccessTop(table, where, nil, top)
		if err != nil {
			// A child table without its parent is listed under every parent.
			if root, err = pl.fanOut(table, where, err); err != nil { // fanout.go
				return nil, err
			}
		} else {
			scan = s
			s.Needed = make([]bool, len(table.Columns))
			for i := range b.usedCols {
				s.Needed[i] = true
			}
			root = s
		}
	} else if len(steps) > 1 || len(steps) == 1 && b.scope.items[0].node != nil {
		j, err := pl.planJoins(b, steps, sel.WhereClause)
		if err != nil {
			return nil, err
		}
		root = j
	} else {
		root = &Values{Rows: [][]expr.Expr{{}}, Estimate: Estimate{Rows: 1}}
		if where != nil {
			root = &Filter{Input: root, Cond: where, Estimate: Estimate{Rows: 1}}
		}
	}
	if agg != nil {
		rows := 1.0
		if len(agg.groups) > 0 {
			rows = math.Max(1, math.Ceil(root.Est().Rows/10))
		}
		root = &Aggregate{Input: root, Groups: agg.groups, Aggs: agg.aggs, Estimate: withRows(root.Est(), rows)}
		if having != nil {
			root = &Filter{Input: root, Cond: having, Estimate: root.Est()}
		}
	}
	root = pl.planGroupingSets(root, agg) // grouping.go
	root = pl.planWindows(b, root, agg)   // window.go

	// Hidden sort and DISTINCT ON columns.
	proj := append([]expr.Expr{}, outExprs...)
	keyIndex := func(e expr.Expr) int {
		s := exprKey(e)
		for i, o := range proj {
			if o == e || exprKey(o) == s {
				return i
			}
		}
		proj = append(proj, e)
		return len(proj) - 1
	}
	var sortKeys []SortKey
	for _, k := range keys {
		idx := keyIndex(k.Expr)
		if distinct && distinctOn == nil && idx >= visible {
			return nil, sqlstate.New(sqlstate.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
		}
		sortKeys = append(sortKeys, SortKey{Expr: &expr.ColumnRef{Index: idx, T: k.Expr.Type(), Name: k.Expr.String()}, Desc: k.Desc, NullsFirst: k.NullsFirst})
	}
	var distinctKeys []int
	if distinct {
		if distinctOn != nil {
			for i, d := range distinctOn {
				idx := keyIndex(d)
				if i < len(sortKeys) {
					if cr := sortKeys[i].Expr.(*expr.ColumnRef); cr.Index != idx {
						return nil, sqlstate.New(sqlstate.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
					}
				}
				distinctKeys = append(distinctKeys, idx)
			}
		} else {
			for i := 0; i < visible; i++ {
				distinctKeys = append(distinctKeys, i)
			}
		}
	}
	est := root.Est()
	root = &Project{Input: root, Exprs: proj, Estimate: est}

	// ORDER BY created DESC over a single Stripe list needs no sort: Stripe lists newest first.
	if scan != nil && agg == nil && scan.Ordered && len(sortKeys) == 1 && sortKeys[0].Desc {
		if cr, ok := proj[sortKeys[0].Expr.(*expr.ColumnRef).Index].(*expr.ColumnRef); ok && scan.Table.Columns[cr.Index].Name == "created" {
			sortKeys = nil
			scan.KeepOrder = true
		}
	}
	if len(sortKeys) > 0 {
		root = &Sort{Input: root, Keys: sortKeys, Estimate: est}
	}
	if distinct {
		root = &Distinct{Input: root, Keys: distinctKeys, On: distinctOn != nil, Estimate: est}
	}
	if limitCount >= 0 || limitOffset > 0 {
		rows := est.Rows
		if limitCount >= 0 {
			rows = math.Min(rows, float64(limitCount))
		}
		root = &Limit{Input: root, Count: limitCount, Offset: limitOffset, Estimate: withRows(est, rows)}
		// Push the limit into the scan when nothing between them changes the row count or order.
		if scan != nil && agg == nil && !distinct && len(sortKeys) == 0 && limitCount >= 0 && !b.win.used() {
			pl.pushLimit(scan, limitCount+limitOffset)
			est = scan.Estimate
			root.(*Limit).Estimate = withRows(est, math.Min(est.Rows, float64(limitCount)))
			root.(*Limit).Input.(*Project).Estimate = est
		}
	}
	if len(proj) > visible {
		trim := make([]expr.Expr, visible)
		for i := range trim {
			trim[i] = &expr.ColumnRef{Index: i, T: proj[i].Type(), Name: proj[i].String()}
		}
		root = &Project{Input: root, Exprs: trim, Estimate: root.Est()}
	}
	p := &Planned{Kind: "SELECT", Tag: "SELECT", Columns: columns, Root: root, Params: pl.params, Now: pl.now}
	p.Estimate = root.Est()
	return p, nil
}

func withRows(e Estimate, rows float64) Estimate {
	e.Rows = rows
	return e
}

func castTo(e expr.Expr, t sqltypes.Type) (expr.Expr, error) {
	if e.Type() == t {
		return e, nil
	}
	out, err := expr.Cast(e, t)
	if err != nil {
		return nil, asCoded(err)
	}
	return out, nil
}

func targets2names(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func findScopeCol(s *scope, name string) (int, *scopeCol, bool) {
	if s == nil {
		return -1, nil, false
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	for i := range s.cols {
		if s.cols[i].name == name {
			return i, &s.cols[i], true
		}
	}
	return -1, nil, false
}

// groupedRef maps a plain column reference to the grouped output, or fails like PostgreSQL.
func groupedRef(agg *aggCtx, e expr.Expr) (expr.Expr, error) {
	key := exprKey(e)
	for i, g := range agg.groupKeys {
		if g == key {
			return &expr.ColumnRef{Index: i, T: e.Type(), Name: e.String()}, nil
		}
	}
	return nil, sqlstate.New(sqlstate.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", e.String())
}

// bindTargetPlain binds a select-list item without the aggregate context (for GROUP BY 1).
func (pl *planCtx) bindTargetPlain(b *binder, n *pg.Node, col int) (expr.Expr, error) {
	if n == nil {
		c := b.scope.cols[col]
		return &expr.ColumnRef{Index: col, T: c.typ, Name: c.name}, nil
	}
	if containsAgg(n) {
		return nil, sqlstate.New(sqlstate.GroupingError, "aggregate functions are not allowed in GROUP BY")
	}
	saved := b.agg
	b.agg = nil
	defer func() { b.agg = saved }()
	return b.bind(n)
}

// bindSortTarget resolves an ORDER BY or DISTINCT ON item: an ordinal or an output column name
// refers to the select list; anything else is an expression over the input.
func (pl *planCtx) bindSortTarget(b *binder, n *pg.Node, names []string, outs []expr.Expr) (expr.Expr, error) {
	if c := n.GetAConst(); c != nil && c.GetIval() != nil {
		k := int(c.GetIval().Ival)
		if k < 1 || k > len(outs) {
			return nil, b.errAt(sqlstate.New(sqlstate.InvalidColumnReference, "%s position %d is not in select list", b.clause, k), c.Location)
		}
		return outs[k-1], nil
	}
	if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil {
		name := cr.Fields[0].GetString_().Sval
		match := -1
		for i, nm := range names {
			if nm == name {
				if match >= 0 && exprKey(outs[match]) != exprKey(outs[i]) {
					return nil, b.errAt(sqlstate.New(sqlstate.AmbiguousColumn, "%s %q is ambiguous", b.clause, name), cr.Location)
				}
				match = i
			}
		}
		if match >= 0 {
			return outs[match], nil
		}
	}
	return b.bind(n)
}

// constrainedEq reports whether where has a top-level conjunct col = constant (or IN).
func constrainedEq(where expr.Expr, col int) bool {
	for _, c := range conjuncts(where) {
		if p, ok := extractPred(c); ok && p.col == col && (p.op == "=" || p.op == "in") {
			return true
		}
	}
	return false
}

func (pl *planCtx) lookupTable(rv *pg.RangeVar) (*catalog.Table, error) {
	cat := pl.sess.Catalog()
	if t, ok := cat.Lookup(rv.Schemaname, rv.Relname); ok {
		return t, nil
	}
	name := rv.Relname
	if rv.Schemaname != "" {
		name = rv.Schemaname + "." + rv.Relname
	}
	e := sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", name)
	var names []string
	for _, t := range cat.Tables() {
		if rv.Schemaname == "" || t.Schema == rv.Schemaname {
			names = append(names, t.Name)
		}
	}
	if best := closest(rv.Relname, names); best != "" {
		e = e.WithHint("Perhaps you meant to reference the table %q.", best)
	}
	return nil, e
}

// buildValues plans a VALUES list; columns are column1, column2, … typed by their first non-NULL
// entry.
func (pl *planCtx) buildValues(b *binder, sel *pg.SelectStmt) (*Planned, error) {
	b.scope = &scope{}
	var rows [][]expr.Expr
	width := -1
	for _, l := range sel.ValuesLists {
		items := l.GetList()
		if items == nil {
			continue
		}
		row, err := b.bindList(items.Items)
		if err != nil {
			return nil, err
		}
		if width >= 0 && len(row) != width {
			return nil, sqlstate.New(sqlstate.SyntaxError, "VALUES lists must all be the same length")
		}
		width = len(row)
		rows = append(rows, row)
	}
	types := make([]sqltypes.Type, width)
	for c := 0; c < width; c++ {
		types[c] = sqltypes.Unknown
		for _, r := range rows {
			if t := r[c].Type(); t != sqltypes.Unknown {
				types[c] = t
				break
			}
		}
		if types[c] == sqltypes.Unknown {
			types[c] = sqltypes.Text
		}
		for _, r := range rows {
			if r[c].Type() != types[c] {
				e, err := expr.Cast(r[c], types[c])
				if err != nil {
					return nil, asCoded(err)
				}
				r[c] = e
			}
		}
	}
	var all []expr.Expr
	for _, r := range rows {
		all = append(all, r...)
	}
	if err := pl.resolveParams(b, all); err != nil {
		return nil, err
	}
	cols := make([]Column, width)
	for i := range cols {
		cols[i] = Column{Name: "column" + strconv.Itoa(i+1), Type: types[i]}
	}
	var root Node = &Values{Rows: rows, Width: width, Estimate: Estimate{Rows: float64(len(rows))}}
	if len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil {
		var err error
		if root, err = pl.orderLimitResult(b, sel, root, cols); err != nil { // setop.go
			return nil, err
		}
	}
	return &Planned{Kind: "SELECT", Tag: "SELECT", Columns: cols, Root: root, Params: pl.params, Now: pl.now, Estimate: root.Est()}, nil
}

// sortDirection reads ASC/DESC and NULLS FIRST/LAST of one ORDER BY item, for every place that
// sorts (query, set operation, window, aggregate argument). As in PostgreSQL, NULLs sort as the
// largest value, so they come first in a descending sort unless the item says otherwise.
func sortDirection(sb *pg.SortBy) (desc, nullsFirst bool) {
	desc = sb.SortbyDir == pg.SortByDir_SORTBY_DESC
	nullsFirst = desc
	switch sb.SortbyNulls {
	case pg.SortByNulls_SORTBY_NULLS_FIRST:
		nullsFirst = true
	case pg.SortByNulls_SORTBY_NULLS_LAST:
		nullsFirst = false
	}
	return desc, nullsFirst
}

// rowCountCodes are PostgreSQL's codes for a negative LIMIT (invalid_row_count_in_limit_clause) and
// OFFSET (invalid_row_count_in_result_offset_clause).
var rowCountCodes = map[string]string{"LIMIT": "2201W", "OFFSET": "2201X"}

// foldRowCount computes the value of a LIMIT or OFFSET expression (clause names which) at plan time.
// ok is false when there is no expression or it is NULL, which both mean "no limit" / "no offset".
func (pl *planCtx) foldRowCount(e expr.Expr, clause string) (n int64, ok bool, err error) {
	if e == nil {
		return 0, false, nil
	}
	outer := false
	expr.Walk(e, func(x expr.Expr) bool { _, outer = x.(*OuterRef); return !outer })
	if outer { // PostgreSQL allows it; here the count is fixed when the statement is planned
		return 0, false, sqlstate.New(sqlstate.FeatureNotSupported, "%s referring to a column of an outer query is not supported", clause)
	}
	v, err := expr.Fold(e, pl.env())
	if err != nil {
		return 0, false, asCoded(err)
	}
	if v == nil {
		return 0, false, nil
	}
	n, isInt := v.(int64)
	if !isInt {
		return 0, false, sqlstate.New(sqlstate.DatatypeMismatch, "argument of %s must be type bigint", clause)
	}
	if n < 0 {
		return 0, false, sqlstate.New(rowCountCodes[clause], "%s must not be negative", clause)
	}
	return n, true, nil
}
