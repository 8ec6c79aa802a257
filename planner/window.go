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

// Window functions (row_number() OVER (…), sum(x) OVER (…)) are planned as one Window node that
// sits above the Aggregate (and HAVING filter) and below the final Project, as in PostgreSQL. The
// binder replaces each window call by a windowRef; once every clause is bound, planWindows knows the
// width of the row under the Window node and points each windowRef at the column the Window node
// appends for it.

// windowingError is PostgreSQL's 42P20 (windowing_error).
const windowingError = "42P20"

// FrameBound is one end of a window frame.
type FrameBound int

// The frame bounds of PostgreSQL's frame clause.
const (
	BoundUnboundedPreceding FrameBound = iota
	BoundPreceding                     // n PRECEDING
	BoundCurrentRow
	BoundFollowing // n FOLLOWING
	BoundUnboundedFollowing
)

// WindowFrame is the set of rows, relative to the current row, that an aggregate or first_value /
// last_value / nth_value reads. Rows selects ROWS mode (offsets count rows); otherwise RANGE mode
// (offsets are distances in the value of the single ORDER BY key, and CURRENT ROW includes peers).
type WindowFrame struct {
	Rows       bool
	Start, End FrameBound
	// StartOffset and EndOffset are the n of n PRECEDING / n FOLLOWING (nil otherwise).
	StartOffset, EndOffset expr.Expr
	// StartValue and EndValue are, in RANGE mode with an offset, the ORDER BY key value at which
	// the frame starts / ends, computed over the current row (key - n or key + n as the direction
	// says).
	StartValue, EndValue expr.Expr
}

// WindowFunc is one window function call: a ranking or value function (Name) or an aggregate
// (Agg) computed over the rows of the current row's partition, in Order, within Frame.
type WindowFunc struct {
	Name      string
	Args      []expr.Expr
	Agg       *expr.Agg
	Partition []expr.Expr
	Order     []SortKey
	Frame     WindowFrame
	T         sqltypes.Type
}

// Window computes Funcs over its materialised input; each output row is the input row followed by
// one value per function. Rows leave in input order, so an order established below is kept.
type Window struct {
	Input Node
	Funcs []*WindowFunc
	Estimate
}

// Inputs implements Node.
func (n *Window) Inputs() []Node { return []Node{n.Input} }

// describer is a plan node that renders its own EXPLAIN line and details (the nodes of window.go,
// setop.go and srf.go), so describeNode needs no case for each.
type describer interface {
	describe(sess *Session) (string, []string)
}

// describe renders the node for EXPLAIN.
func (n *Window) describe(sess *Session) (string, []string) {
	var d []string
	for _, f := range n.Funcs {
		d = append(d, "Window: "+f.String())
	}
	return "WindowAgg  " + estText(n.Estimate, sess.Rate(), false), d
}

// SpecKey identifies the partitioning and ordering of a function, so functions that share them
// share one sort.
func (f *WindowFunc) SpecKey() string {
	var sb strings.Builder
	for _, p := range f.Partition {
		sb.WriteString(exprKey(p) + ";")
	}
	sb.WriteString("|")
	for _, k := range f.Order {
		fmt.Fprintf(&sb, "%s,%v,%v;", exprKey(k.Expr), k.Desc, k.NullsFirst)
	}
	return sb.String()
}

// String renders the call SQL-like for EXPLAIN.
func (f *WindowFunc) String() string {
	var sb strings.Builder
	if f.Agg != nil {
		sb.WriteString(f.Agg.String())
	} else {
		sb.WriteString(f.Name + "(")
		for i, a := range f.Args {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(a.String())
		}
		sb.WriteString(")")
	}
	sb.WriteString(" OVER (")
	var parts []string
	if len(f.Partition) > 0 {
		ps := make([]string, len(f.Partition))
		for i, p := range f.Partition {
			ps[i] = p.String()
		}
		parts = append(parts, "PARTITION BY "+strings.Join(ps, ", "))
	}
	if len(f.Order) > 0 {
		os := make([]string, len(f.Order))
		for i, k := range f.Order {
			os[i] = sortKeyText(k)
		}
		parts = append(parts, "ORDER BY "+strings.Join(os, ", "))
	}
	if fr := f.Frame.String(); fr != "" {
		parts = append(parts, fr)
	}
	sb.WriteString(strings.Join(parts, " ") + ")")
	return sb.String()
}

// String renders a non-default frame clause ("" for the default).
func (fr WindowFrame) String() string {
	if !fr.Rows && fr.Start == BoundUnboundedPreceding && fr.End == BoundCurrentRow {
		return ""
	}
	bound := func(b FrameBound, off expr.Expr) string {
		switch b {
		case BoundUnboundedPreceding:
			return "UNBOUNDED PRECEDING"
		case BoundPreceding:
			return off.String() + " PRECEDING"
		case BoundCurrentRow:
			return "CURRENT ROW"
		case BoundFollowing:
			return off.String() + " FOLLOWING"
		}
		return "UNBOUNDED FOLLOWING"
	}
	mode := "RANGE"
	if fr.Rows {
		mode = "ROWS"
	}
	return mode + " BETWEEN " + bound(fr.Start, fr.StartOffset) + " AND " + bound(fr.End, fr.EndOffset)
}

// windowRef stands for a window function's value in the expressions above the Window node. Its
// column is set by planWindows once the Window node's input width is known.
type windowRef struct {
	fn  *WindowFunc
	col *expr.ColumnRef
}

// Type implements expr.Expr.
func (w *windowRef) Type() sqltypes.Type { return w.fn.T }

// Eval implements expr.Expr: it reads the value the Window node appended.
func (w *windowRef) Eval(env *expr.Env) (any, error) { return w.col.Eval(env) }

// String implements expr.Expr.
func (w *windowRef) String() string { return w.fn.String() }

// Children lets expr.Walk see that the value comes from the row (it is not a constant) and find
// the parameters of the call's arguments, partitioning, ordering and frame.
func (w *windowRef) Children() []expr.Expr {
	out := []expr.Expr{w.col}
	out = append(out, w.fn.Args...)
	if w.fn.Agg != nil && w.fn.Agg.Filter != nil {
		out = append(out, w.fn.Agg.Filter)
	}
	out = append(out, w.fn.Partition...)
	for _, k := range w.fn.Order {
		out = append(out, k.Expr)
	}
	for _, e := range []expr.Expr{w.fn.Frame.StartOffset, w.fn.Frame.EndOffset} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// windowCtx collects a query's window calls and its named windows (WINDOW w AS (…)).
type windowCtx struct {
	defs  []*pg.Node
	refs  []*windowRef
	inner bool // binding a window call's arguments
}

func newWindowCtx(defs []*pg.Node) *windowCtx { return &windowCtx{defs: defs} }

// used reports whether the query calls any window function.
func (w *windowCtx) used() bool { return w != nil && len(w.refs) > 0 }

// containsWindow reports whether the tree under n calls a window function (outside subqueries).
func containsWindow(n *pg.Node) bool {
	return containsNode(n, func(m proto.Message) bool {
		fc, ok := m.(*pg.FuncCall)
		return ok && fc.Over != nil
	})
}

// containsNode reports whether a node of the tree under n (outside subqueries) satisfies match.
func containsNode(n *pg.Node, match func(proto.Message) bool) bool {
	if n == nil {
		return false
	}
	found := false
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if found {
			return
		}
		if match(m.Interface()) {
			found = true
			return
		}
		if _, ok := m.Interface().(*pg.SubLink); ok {
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return !found
		})
	}
	walk(proto.Message(n).ProtoReflect())
	return found
}

// namedWindow finds WINDOW name AS (…).
func (w *windowCtx) namedWindow(name string) *pg.WindowDef {
	if w == nil {
		return nil
	}
	for _, d := range w.defs {
		if wd := d.GetWindowDef(); wd != nil && wd.Name == name {
			return wd
		}
	}
	return nil
}

// resolveDef merges a window definition with the named window it refers to, following
// PostgreSQL's rules: PARTITION BY comes from the referenced window, ORDER BY may be added when it
// has none, and a referenced window must not have a frame.
func (b *binder) resolveDef(over *pg.WindowDef, depth int) (*pg.WindowDef, error) {
	if depth > 16 {
		return nil, b.errAt(sqlstate.New(windowingError, "window definitions refer to each other in a cycle"), over.Location)
	}
	ref := over.Refname
	plain := len(over.PartitionClause) == 0 && len(over.OrderClause) == 0 && over.FrameOptions&0x1 == 0
	if ref == "" && over.Name != "" && plain && b.win.namedWindow(over.Name) != over {
		ref = over.Name // OVER w
	}
	if ref == "" {
		return over, nil
	}
	base := b.win.namedWindow(ref)
	if base == nil {
		return nil, b.errAt(sqlstate.New(sqlstate.UndefinedObject, "window %q does not exist", ref), over.Location)
	}
	base, err := b.resolveDef(base, depth+1)
	if err != nil {
		return nil, err
	}
	if over.Refname == "" { // OVER w: the named window itself
		return base, nil
	}
	if len(over.PartitionClause) > 0 {
		return nil, b.errAt(sqlstate.New(windowingError, "cannot override PARTITION BY clause of window %q", ref), over.Location)
	}
	if len(over.OrderClause) > 0 && len(base.OrderClause) > 0 {
		return nil, b.errAt(sqlstate.New(windowingError, "cannot override ORDER BY clause of window %q", ref), over.Location)
	}
	if base.FrameOptions&0x1 != 0 {
		return nil, b.errAt(sqlstate.New(windowingError, "cannot copy window %q because it has a frame clause", ref), over.Location)
	}
	merged := &pg.WindowDef{PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: over.FrameOptions, StartOffset: over.StartOffset, EndOffset: over.EndOffset, Location: over.Location}
	if len(over.OrderClause) > 0 {
		merged.OrderClause = over.OrderClause
	}
	return merged, nil
}

// bindWindowCall binds f(…) OVER (…) and returns the reference that reads its value.
func (b *binder) bindWindowCall(fc *pg.FuncCall) (expr.Expr, error) {
	name := funcName(fc)
	if b.clause != "SELECT" && b.clause != "ORDER BY" {
		return nil, b.errAt(sqlstate.New(windowingError, "window functions are not allowed in %s", b.clauseName()), fc.Location)
	}
	if b.win == nil {
		b.win = newWindowCtx(nil)
	}
	if b.win.inner {
		return nil, b.errAt(sqlstate.New(windowingError, "window function calls cannot be nested"), fc.Location)
	}
	if fc.AggDistinct {
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "DISTINCT is not implemented for window functions"), fc.Location)
	}
	if len(fc.AggOrder) > 0 || fc.AggWithinGroup {
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "aggregate ORDER BY is not implemented for window functions"), fc.Location)
	}
	def, err := b.resolveDef(fc.Over, 0)
	if err != nil {
		return nil, err
	}
	b.win.inner = true
	defer func() { b.win.inner = false }()

	f := &WindowFunc{Name: name}
	for _, p := range def.PartitionClause {
		e, err := b.bind(p)
		if err != nil {
			return nil, err
		}
		f.Partition = append(f.Partition, e)
	}
	for _, o := range def.OrderClause {
		sb := o.GetSortBy()
		if sb == nil {
			continue
		}
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "ORDER BY ... USING is not supported")
		}
		e, err := b.bind(sb.Node)
		if err != nil {
			return nil, err
		}
		if e.Type() == sqltypes.Unknown {
			if e, err = castTo(e, sqltypes.Text); err != nil {
				return nil, err
			}
		}
		desc, nullsFirst := sortDirection(sb)
		f.Order = append(f.Order, SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst})
	}
	if f.Frame, err = b.bindFrame(def, f.Order); err != nil {
		return nil, err
	}
	args, err := b.bindList(fc.Args)
	if err != nil {
		return nil, err
	}
	if err := b.windowFunction(f, fc, args); err != nil {
		return nil, err
	}
	ref := &windowRef{fn: f, col: &expr.ColumnRef{Index: -1, T: f.T, Name: f.String()}}
	b.win.refs = append(b.win.refs, ref)
	return ref, nil
}

// windowFunction resolves the function itself: its arguments' types and its result type.
func (b *binder) windowFunction(f *WindowFunc, fc *pg.FuncCall, args []expr.Expr) error {
	name := f.Name
	noFunc := func() error {
		return b.errAt(expr.ErrNoFunction(name, argTypesOf(args)), fc.Location)
	}
	if fc.AggFilter != nil && !expr.IsAggregate(name) {
		return b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "FILTER is not implemented for non-aggregate window functions"), fc.Location)
	}
	if fc.AggStar && !expr.IsAggregate(name) {
		return b.errAt(sqlstate.New(sqlstate.SyntaxError, "%s(*) is not allowed; only count(*) is", name), fc.Location)
	}
	for i, a := range args {
		if a.Type() == sqltypes.Unknown && !((name == "lag" || name == "lead") && i == 2) {
			c, err := castTo(a, sqltypes.Text)
			if err != nil {
				return err
			}
			args[i] = c
		}
	}
	switch name {
	case "row_number", "rank", "dense_rank":
		if len(args) != 0 {
			return noFunc()
		}
		f.T = sqltypes.Int8
	case "percent_rank", "cume_dist":
		if len(args) != 0 {
			return noFunc()
		}
		f.T = sqltypes.Float8
	case "ntile":
		if len(args) != 1 {
			return noFunc()
		}
		n, err := castTo(args[0], sqltypes.Int8)
		if err != nil {
			return noFunc()
		}
		args[0] = n
		f.T = sqltypes.Int4
	case "lag", "lead":
		if len(args) < 1 || len(args) > 3 {
			return noFunc()
		}
		f.T = args[0].Type()
		if len(args) >= 2 {
			n, err := castTo(args[1], sqltypes.Int8)
			if err != nil {
				return noFunc()
			}
			args[1] = n
		}
		if len(args) == 3 && args[2].Type() != f.T {
			d, err := castTo(args[2], f.T)
			if err != nil {
				return err
			}
			args[2] = d
		}
	case "first_value", "last_value":
		if len(args) != 1 {
			return noFunc()
		}
		f.T = args[0].Type()
	case "nth_value":
		if len(args) != 2 {
			return noFunc()
		}
		n, err := castTo(args[1], sqltypes.Int8)
		if err != nil {
			return noFunc()
		}
		args[1] = n
		f.T = args[0].Type()
	default:
		if !expr.IsAggregate(name) {
			if _, err := expr.Call(name, args); err == nil {
				return b.errAt(sqlstate.New(wrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name), fc.Location)
			}
			return noFunc()
		}
		if expr.IsOrderedSetAggregate(name) {
			return b.errAt(sqlstate.New(wrongObjectType, "OVER is not supported for ordered-set aggregate %s", name), fc.Location)
		}
		ag, err := expr.Aggregate(name, args, false, fc.AggStar)
		if err != nil {
			return b.errAt(asCoded(err), fc.Location)
		}
		if fc.AggFilter != nil {
			fe, err := b.bind(fc.AggFilter)
			if err != nil {
				return err
			}
			if fe, err = expr.CheckBool(fe, "FILTER"); err != nil {
				return asCoded(err)
			}
			ag.Filter = fe
		}
		f.Agg = ag
		f.T = ag.Type()
		args = ag.Args
	}
	f.Args = args
	return nil
}

func argTypesOf(args []expr.Expr) []sqltypes.Type {
	out := make([]sqltypes.Type, len(args))
	for i, a := range args {
		out[i] = a.Type()
	}
	return out
}

// The frame option bits of PostgreSQL's WindowDef.frameOptions (parsenodes.h).
const (
	frameNonDefault       = 0x00001
	frameRange            = 0x00002
	frameRows             = 0x00004
	frameGroups           = 0x00008
	frameStartUnbPrec     = 0x00020
	frameEndUnbPrec       = 0x00040
	frameStartUnbFoll     = 0x00080
	frameEndUnbFoll       = 0x00100
	frameStartCurrent     = 0x00200
	frameEndCurrent       = 0x00400
	frameStartOffsetPrec  = 0x00800
	frameEndOffsetPrec    = 0x01000
	frameStartOffsetFoll  = 0x02000
	frameEndOffsetFoll    = 0x04000
	frameExclusionOptions = 0x08000 | 0x10000 | 0x20000
)

// bindFrame reads the frame clause; the default is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
func (b *binder) bindFrame(def *pg.WindowDef, order []SortKey) (WindowFrame, error) {
	fr := WindowFrame{Start: BoundUnboundedPreceding, End: BoundCurrentRow}
	o := def.FrameOptions
	if o&frameNonDefault == 0 {
		return fr, nil
	}
	if o&frameGroups != 0 {
		return fr, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "GROUPS frames are not supported"), def.Location)
	}
	if o&frameExclusionOptions != 0 {
		return fr, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "frame EXCLUDE clauses are not supported"), def.Location)
	}
	fr.Rows = o&frameRows != 0
	switch {
	case o&frameStartUnbPrec != 0:
		fr.Start = BoundUnboundedPreceding
	case o&frameStartCurrent != 0:
		fr.Start = BoundCurrentRow
	case o&frameStartOffsetPrec != 0:
		fr.Start = BoundPreceding
	case o&frameStartOffsetFoll != 0:
		fr.Start = BoundFollowing
	case o&frameStartUnbFoll != 0:
		return fr, b.errAt(sqlstate.New(windowingError, "frame start cannot be UNBOUNDED FOLLOWING"), def.Location)
	}
	switch {
	case o&frameEndUnbFoll != 0:
		fr.End = BoundUnboundedFollowing
	case o&frameEndCurrent != 0:
		fr.End = BoundCurrentRow
	case o&frameEndOffsetPrec != 0:
		fr.End = BoundPreceding
	case o&frameEndOffsetFoll != 0:
		fr.End = BoundFollowing
	case o&frameEndUnbPrec != 0:
		return fr, b.errAt(sqlstate.New(windowingError, "frame end cannot be UNBOUNDED PRECEDING"), def.Location)
	}
	if fr.End < fr.Start {
		what := "frame starting from current row cannot have preceding rows"
		if fr.Start == BoundFollowing {
			what = "frame starting from following row cannot have preceding rows"
		}
		return fr, b.errAt(sqlstate.New(windowingError, "%s", what), def.Location)
	}
	offset := func(n *pg.Node, bound FrameBound) (off, value expr.Expr, err error) {
		saved := b.clause
		b.clause = "window frame"
		defer func() { b.clause = saved }()
		off, err = b.bind(n)
		if err != nil {
			return nil, nil, err
		}
		if fr.Rows {
			off, err = castTo(off, sqltypes.Int8)
			return off, nil, err
		}
		if len(order) != 1 {
			return nil, nil, b.errAt(sqlstate.New(windowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column"), def.Location)
		}
		key := order[0].Expr
		if off.Type() == sqltypes.Unknown {
			t := key.Type()
			switch t {
			case sqltypes.Timestamptz, sqltypes.Timestamp, sqltypes.Date, sqltypes.Interval:
				t = sqltypes.Interval
			}
			if off, err = castTo(off, t); err != nil {
				return nil, nil, err
			}
		}
		op := "+"
		if (bound == BoundPreceding) != order[0].Desc {
			op = "-"
		}
		value, err = expr.Operator(op, key, off)
		if err == nil {
			// the bound must compare with the key: integer + date is a date, not a bound
			_, err = expr.Operator("<", key, value)
		}
		if err != nil {
			return nil, nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s",
				sqltypes.FormatType(key.Type()), sqltypes.FormatType(off.Type())), def.Location)
		}
		return off, value, nil
	}
	var err error
	if fr.Start == BoundPreceding || fr.Start == BoundFollowing {
		if fr.StartOffset, fr.StartValue, err = offset(def.StartOffset, fr.Start); err != nil {
			return fr, err
		}
	}
	if fr.End == BoundPreceding || fr.End == BoundFollowing {
		if fr.EndOffset, fr.EndValue, err = offset(def.EndOffset, fr.End); err != nil {
			return fr, err
		}
	}
	return fr, nil
}

// planWindows puts a Window node over root when the query calls window functions, and points each
// window reference at the column the node appends. root's rows are the Aggregate's output (groups
// then aggregates) when agg is set, and the FROM clause's columns otherwise.
func (pl *planCtx) planWindows(b *binder, root Node, agg *aggCtx) Node {
	if !b.win.used() {
		return root
	}
	width := len(b.scope.cols)
	if agg != nil {
		width = len(agg.groups) + len(agg.aggs)
		if agg.gsets.active() {
			width++ // the grouping set number
		}
	}
	w := &Window{Input: root, Estimate: root.Est()}
	for i, r := range b.win.refs {
		r.col.Index = width + i
		w.Funcs = append(w.Funcs, r.fn)
	}
	return w
}
