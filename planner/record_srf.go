package planner

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Set-returning functions of package expr (the JSON functions, _pg_expandarray) in FROM, ROWS
// FROM (…) with several functions in lockstep, and set-returning functions in a select list with
// PostgreSQL 10's semantics: every set-returning function of the list runs once per input row, in
// lockstep with the others, the shorter ones padded with NULLs, and a row whose functions all
// return nothing is dropped. That is exactly a LATERAL ROWS FROM (…) joined to the FROM clause, and
// so selectSRFsAsFrom rewrites the statement: each call in the list becomes a column (or, for a
// function returning a record used whole, a ROW(…) of its columns) of
//
//	FROM …, LATERAL ROWS FROM (f1(…), f2(…)) AS _srf(…)

// FuncScan emits the rows of a set-returning function of package expr, computed from its argument
// values at once; with WITH ORDINALITY a last bigint column numbers them from 1.
type FuncScan struct {
	Call       *expr.SetFunc
	Ordinality bool
	Estimate
}

// Inputs implements Node.
func (n *FuncScan) Inputs() []Node { return nil }

// describe renders the node for EXPLAIN.
func (n *FuncScan) describe(sess *Session) (string, []string) {
	return "Function Scan on " + n.Call.Name + "  " + estText(n.Estimate, sess.Rate(), false),
		[]string{"Call: " + n.Call.String()}
}

// RowsFrom runs several function scans in lockstep (ROWS FROM (f1(…), f2(…))): row i is the i-th
// row of every function, NULLs for a function that has fewer rows, until all are exhausted.
// Widths are the column counts of the functions; with WITH ORDINALITY a last bigint column
// numbers the rows.
type RowsFrom struct {
	Funcs      []Node
	Widths     []int
	Ordinality bool
	Estimate
}

// Inputs implements Node.
func (n *RowsFrom) Inputs() []Node { return n.Funcs }

// describe renders the node for EXPLAIN.
func (n *RowsFrom) describe(sess *Session) (string, []string) {
	return "Function Scan on ROWS FROM  " + estText(n.Estimate, sess.Rate(), false), nil
}

// isSetFunction reports whether name (lower case, unqualified) is a set-returning function
// stripesql runs.
func isSetFunction(name string) bool { return fromFunctions[name] || expr.IsSetFunction(name) }

// addFunctionFrom adds a function call in FROM: f(…) [WITH ORDINALITY] [AS alias[(columns)]] or
// ROWS FROM (f(…), g(…)) …. A call whose arguments read columns of the FROM items before it is
// LATERAL (implicitly, as in PostgreSQL) and is planned as LATERAL (SELECT * FROM f(…)).
func (pl *planCtx) addFunctionFrom(b *binder, rf *pg.RangeFunction, steps *[]joinStep) error {
	noColdefs := sqlstate.New(sqlstate.FeatureNotSupported, "a column definition list is not supported for a function in FROM")
	if len(rf.Coldeflist) > 0 {
		return noColdefs
	}
	var calls []*pg.FuncCall
	for _, f := range rf.Functions {
		item := f.GetList()
		if item == nil || len(item.Items) == 0 || item.Items[0].GetFuncCall() == nil {
			return sqlstate.New(sqlstate.FeatureNotSupported, "only set-returning function calls are supported as functions in FROM")
		}
		if len(item.Items) > 1 && item.Items[1].GetList() != nil && len(item.Items[1].GetList().Items) > 0 {
			return noColdefs
		}
		calls = append(calls, item.Items[0].GetFuncCall())
	}
	if len(calls) == 0 {
		return sqlstate.New(sqlstate.SyntaxError, "syntax error in FROM")
	}
	if len(b.scope.items) > 0 && readsColumns(rf) {
		return pl.addLateral(b, lateralFunction(rf), lateralFunctionSelect(rf), steps) // lateral.go
	}
	// The arguments see no columns of this FROM clause; a subquery's outer references still
	// resolve through b.corr.
	saved, savedClause := b.scope, b.clause
	b.scope, b.clause = &scope{}, "FROM"
	defer func() { b.clause = savedClause }()
	var nodes []Node
	var widths []int
	var cols []Column
	for _, fc := range calls {
		ordinality := rf.Ordinality && len(calls) == 1 && !rf.IsRowsfrom
		node, fcols, err := pl.functionNode(b, fc, ordinality)
		if err != nil {
			b.scope = saved
			return err
		}
		nodes, widths, cols = append(nodes, node), append(widths, len(fcols)), append(cols, fcols...)
	}
	node := nodes[0]
	if len(nodes) > 1 || rf.IsRowsfrom {
		rows := 0.0
		for _, n := range nodes {
			rows = max(rows, n.Est().Rows)
		}
		node = &RowsFrom{Funcs: nodes, Widths: widths, Ordinality: rf.Ordinality, Estimate: Estimate{Rows: rows}}
		if rf.Ordinality {
			cols = append(cols, Column{Name: "ordinality", Type: sqltypes.Int8})
		}
	}
	b.scope = saved
	alias := funcName(calls[0])
	if rf.IsRowsfrom && len(calls) > 1 {
		alias = "rows_from"
	}
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
		if len(calls) == 1 && !namesColumns(nodes[0]) {
			// A function returning one column names it after the alias unless a list says otherwise.
			cols[0].Name = alias
		}
		var err error
		if cols, err = aliasColumns(rf.Alias, cols); err != nil {
			return err
		}
	}
	if err := b.scope.addDerived(alias, cols, node); err != nil {
		return err
	}
	*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
	return nil
}

// namesColumns reports whether a function scan's function names its result columns (OUT
// parameters: the fields of json_each, the value of jsonb_array_elements), which an alias then
// does not rename.
func namesColumns(n Node) bool {
	f, ok := n.(*FuncScan)
	return ok && (f.Call.Composite || f.Call.Columns[0].Name != f.Call.Name)
}

// functionNode plans one set-returning function call of FROM and returns its node and columns.
func (pl *planCtx) functionNode(b *binder, fc *pg.FuncCall, ordinality bool) (Node, []Column, error) {
	name := funcName(fc)
	if !isSetFunction(name) {
		return nil, nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "function %s is not supported in FROM", name).
			WithHint("stripesql runs these set-returning functions in FROM: %s", strings.Join(setFunctionNames(), ", ")), fc.Location)
	}
	if ordinality && name == "generate_series" {
		return nil, nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "WITH ORDINALITY is not supported for generate_series"), fc.Location)
	}
	args, err := b.bindList(fc.Args)
	if err != nil {
		return nil, nil, err
	}
	cols := []Column{{Name: name}}
	var node Node
	switch name {
	case "pg_partition_ancestors", "unnest":
		build := unnestScan
		if name == "pg_partition_ancestors" {
			build = func(_ string, a []expr.Expr) (*UnnestScan, error) { return partitionAncestors(a) }
		}
		u, err := build(name, args)
		if err != nil {
			return nil, nil, b.errAt(asCoded(err), fc.Location)
		}
		u.Ordinality = ordinality
		if name == "unnest" && !pl.describe && expr.IsConstant(u.Arg) {
			// a constant array's length is the exact row count
			if v, err := expr.Fold(u.Arg, pl.env()); err == nil {
				a, _ := v.(sqltypes.Array)
				u.Estimate.Rows = float64(len(a.Items))
			}
		}
		node, cols[0].Type = u, u.T
	case "generate_series":
		g, err := seriesScan(args)
		if err != nil {
			return nil, nil, b.errAt(asCoded(err), fc.Location)
		}
		if !pl.describe {
			g.Estimate.Rows = pl.seriesRows(g)
		}
		node, cols[0].Type = g, g.T
	default:
		call, err := expr.SetCall(name, args)
		if err != nil {
			return nil, nil, b.errAt(asCoded(err), fc.Location)
		}
		node = &FuncScan{Call: call, Ordinality: ordinality, Estimate: Estimate{Rows: 100}}
		cols = cols[:0]
		for _, c := range call.Columns {
			cols = append(cols, Column{Name: c.Name, Type: c.Type})
		}
	}
	if ordinality {
		cols = append(cols, Column{Name: "ordinality", Type: sqltypes.Int8})
	}
	return node, cols, nil
}

// setFunctionNames lists the set-returning functions for a hint.
func setFunctionNames() []string {
	names := []string{"generate_series", "unnest", "json_each", "jsonb_each", "json_each_text", "jsonb_each_text",
		"json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
		"json_object_keys", "jsonb_object_keys", "generate_subscripts"}
	return names
}

// readsColumns reports whether a FROM function's arguments name a column.
func readsColumns(rf *pg.RangeFunction) bool {
	for _, f := range rf.Functions {
		if containsNode(f, func(m proto.Message) bool { _, ok := m.(*pg.ColumnRef); return ok }) {
			return true
		}
	}
	return false
}

// lateralFunctionSelect is SELECT * FROM rf, the subquery a LATERAL function becomes.
func lateralFunctionSelect(rf *pg.RangeFunction) *pg.SelectStmt {
	inner := proto.Clone(rf).(*pg.RangeFunction)
	inner.Lateral = false
	star := &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_AStar{AStar: &pg.A_Star{}}}}}}}
	return &pg.SelectStmt{
		TargetList: []*pg.Node{pg.MakeResTargetNodeWithVal(star, -1)},
		FromClause: []*pg.Node{{Node: &pg.Node_RangeFunction{RangeFunction: inner}}},
	}
}

// lateralFunction is the LATERAL subquery item of a function in FROM, named as the function's
// own item would be.
func lateralFunction(rf *pg.RangeFunction) *pg.RangeSubselect {
	alias := ""
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
	} else if l := rf.Functions[0].GetList(); l != nil && len(l.Items) > 0 {
		alias = funcName(l.Items[0].GetFuncCall())
		if rf.IsRowsfrom && len(rf.Functions) > 1 {
			alias = "rows_from"
		}
	}
	return &pg.RangeSubselect{Lateral: true, Alias: &pg.Alias{Aliasname: alias}}
}

// srfAlias names the ROWS FROM item selectSRFsAsFrom adds.
const srfAlias = "_srf"

// selectSRFsAsFrom rewrites the set-returning function calls of sel's select list into columns of
// LATERAL ROWS FROM (…) AS _srf (see the top of this file). It returns sel unchanged when the list
// has none, and 0A000 for the forms PostgreSQL evaluates after grouping or nested in another
// set-returning call, which this rewrite cannot express. sel itself is never modified.
func selectSRFsAsFrom(sel *pg.SelectStmt) (*pg.SelectStmt, error) {
	isSRF := func(m proto.Message) bool {
		fc, ok := m.(*pg.FuncCall)
		return ok && fc.Over == nil && isSetFunction(funcName(fc))
	}
	found := false
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt != nil && containsNode(rt.Val, isSRF) {
			found = true
		}
	}
	if !found {
		return sel, nil
	}
	grouped := len(sel.GroupClause) > 0 || sel.HavingClause != nil
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt != nil && containsAgg(rt.Val) {
			grouped = true
		}
	}
	if grouped || len(sel.WindowClause) > 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "set-returning functions in the select list of a grouped query are not supported").
			WithHint("move the set-returning function into FROM, or group in a subquery and call it in the outer query")
	}
	out := proto.Clone(sel).(*pg.SelectStmt)
	var funcs []*pg.Node
	var colnames []*pg.Node
	var nested error
	// Equal calls are one function of ROWS FROM: in lockstep they return the same rows, so
	// (f(x)).key and (f(x)).value read the columns of one f(x).
	seen := map[string]int{}
	for _, t := range out.TargetList {
		rt := t.GetResTarget()
		if rt == nil || !containsNode(rt.Val, isSRF) {
			continue
		}
		if rt.Name == "" {
			rt.Name = figureColname(rt.Val)
		}
		replaceNodes(rt.Val, func(n *pg.Node) bool {
			if where := conditionalNode(n); where != "" && containsNode(n, isSRF) {
				// PostgreSQL refuses these: the function would run whether or not its branch is taken.
				nested = sqlstate.New(sqlstate.FeatureNotSupported, "set-returning functions are not allowed in %s", where).
					WithHint("You might be able to move the set-returning function into a LATERAL FROM item.")
				return false
			}
			fc := n.GetFuncCall()
			if fc == nil || !isSRF(fc) {
				return true
			}
			for _, a := range fc.Args {
				if containsNode(a, isSRF) {
					nested = sqlstate.New(sqlstate.FeatureNotSupported, "a set-returning function in the arguments of another is not supported")
				}
			}
			key := callKey(fc)
			k, dup := seen[key]
			if !dup {
				k = len(funcs) + 1
				seen[key] = k
				funcs = append(funcs, pg.MakeListNode([]*pg.Node{{Node: &pg.Node_FuncCall{FuncCall: proto.Clone(fc).(*pg.FuncCall)}}, {}}))
			}
			fields := expr.SetFunctionFields(funcName(fc))
			if fields == nil { // a scalar function: one column
				col := fmt.Sprintf("s%d", k)
				if !dup {
					colnames = append(colnames, pg.MakeStrNode(col))
				}
				n.Node = pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(srfAlias), pg.MakeStrNode(col)}, fc.Location).Node
				return false
			}
			row := &pg.RowExpr{RowFormat: pg.CoercionForm_COERCE_EXPLICIT_CALL, Location: fc.Location}
			for _, f := range fields {
				col := fmt.Sprintf("s%d_%s", k, f)
				if !dup {
					colnames = append(colnames, pg.MakeStrNode(col))
				}
				row.Args = append(row.Args, pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(srfAlias), pg.MakeStrNode(col)}, fc.Location))
				row.Colnames = append(row.Colnames, pg.MakeStrNode(f))
			}
			n.Node = &pg.Node_RowExpr{RowExpr: row}
			return false
		})
	}
	if nested != nil {
		return nil, nested
	}
	rf := &pg.RangeFunction{Lateral: len(out.FromClause) > 0, IsRowsfrom: true, Functions: funcs,
		Alias: &pg.Alias{Aliasname: srfAlias, Colnames: colnames}}
	out.FromClause = append(out.FromClause, &pg.Node{Node: &pg.Node_RangeFunction{RangeFunction: rf}})
	return out, nil
}

// conditionalNode names the conditional expressions (CASE, COALESCE) a set-returning function may
// not stand in, "" for other nodes.
func conditionalNode(n *pg.Node) string {
	switch n.GetNode().(type) {
	case *pg.Node_CaseExpr:
		return "CASE"
	case *pg.Node_CoalesceExpr:
		return "COALESCE"
	}
	return ""
}

// callKey identifies a function call by what it calls, not where it is written.
func callKey(fc *pg.FuncCall) string {
	c := proto.Clone(fc)
	walkMessages(c.ProtoReflect(), func(m protoreflect.Message) bool {
		if fd := m.Descriptor().Fields().ByName("location"); fd != nil {
			m.Clear(fd)
		}
		return true
	})
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	return string(b)
}

// replaceNodes calls fn on every pg.Node under n (not inside subqueries), outermost first; fn may
// replace the node's content and returns whether to look inside it.
func replaceNodes(n *pg.Node, fn func(*pg.Node) bool) {
	if n == nil {
		return
	}
	walkMessages(n.ProtoReflect(), func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg.SubLink:
			return false
		case *pg.Node:
			return fn(x)
		}
		return true
	})
}

// walkMessages calls visit on m and, while visit returns true, on every message under it, depth
// first.
func walkMessages(m protoreflect.Message, visit func(protoreflect.Message) bool) {
	if !visit(m) {
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walkMessages(l.Get(i).Message(), visit)
			}
		case fd.Message() != nil && !fd.IsMap():
			walkMessages(v.Message(), visit)
		}
		return true
	})
}
