package planner

import (
	"net/url"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Column is one result column as a client sees it in RowDescription or database/sql's ColumnTypes.
// TableOID and AttNum name the table column it comes from directly, or are zero.
type Column struct {
	Name     string
	Type     sqltypes.Type
	TableOID uint32
	AttNum   int16
}

// Description is what a prepared statement tells a client before it runs: the types of $1..$n and
// the result columns (nil for statements that return no rows).
type Description struct {
	Params  []sqltypes.Type
	Columns []Column
}

// Planned is a statement ready to run (the result of Plan): a tree of physical nodes for queries, or a utility action.
// It holds the argument values and the statement time, so package exec needs nothing else.
type Planned struct {
	// Kind is the statement's Kind() ("SELECT", "SET", "EXPLAIN", …).
	Kind string
	// Tag is the command tag of statements that return no rows ("SET", "BEGIN"); for row-returning
	// statements the executor appends the row count to "SELECT".
	Tag string
	// Columns are the result columns; nil when the statement returns no rows.
	Columns []Column
	// Root is the node tree of a query (nil for utility statements).
	Root Node
	// Params are the values of $1..$n, converted to the parameter types.
	Params []any
	// Now is the statement time: now() and current_timestamp return it.
	Now time.Time
	// Estimate is the whole plan's estimate: Stripe requests, seconds at the node's rate, rows.
	Estimate Estimate
	// Set is the action of SET and RESET statements; the executor applies it to the session.
	Set *SetAction
	// Analyze is set on EXPLAIN ANALYZE: Inner is the plan to run and time, and the executor prints
	// Inner's tree with actual figures. On DECLARE, Inner is the cursor's query.
	Analyze bool
	Inner   *Planned
	// Cursor is the action of DECLARE, FETCH, MOVE and CLOSE (cursor.go); nil otherwise.
	Cursor *CursorAction
	// Verbose is set on the plan under EXPLAIN VERBOSE: EXPLAIN then prints each Project's
	// Output list, as PostgreSQL prints Output only with VERBOSE.
	Verbose bool
	// Text is the statement text, for logs.
	Text string
	// Write is the plan of an INSERT, UPDATE, DELETE or CALL (see write.go); nil otherwise.
	Write *WritePlan
	// InitPlans are the uncorrelated subqueries the executor runs first, then calls Replan with
	// their rows (subquery.go).
	InitPlans []*Subquery
	replan    func(map[int32][][]any) (*Planned, error)
}

// SetAction is a SET, RESET or RESET ALL.
type SetAction struct {
	Name  string
	Value string
	// Reset restores Name's default; with All, every setting's default.
	Reset bool
	All   bool
}

// Estimate is what the planner expects a node (and everything below it) to cost.
type Estimate struct {
	// Requests is the number of Stripe requests expected.
	Requests float64
	// Seconds is Requests at the node's rate.
	Seconds float64
	// Rows is the number of rows expected out of the node.
	Rows float64
	// Source says where the table size came from: SourceLearned, SourceProbed or SourceUnknown
	// (empty for nodes with no table).
	Source string
}

// The sources of a scan's table size.
const (
	// SourceLearned: counted by a complete scan (and grown at the table's density since).
	SourceLearned = "learned"
	// SourceProbed: estimated from the probe pages of an earlier partitioned scan.
	SourceProbed = "probed"
	// SourceUnknown: never measured; the planner plans with a default size but does not refuse on
	// it, and the executor measures the table with the first pages it reads.
	SourceUnknown = "unknown"
)

// Node is one operator of a physical plan. Exec builds one iterator per node.
type Node interface {
	// Inputs returns the node's children.
	Inputs() []Node
	// Est returns the node's estimate (its own and its inputs' requests).
	Est() Estimate
}

// AccessKind is how a Scan gets its rows.
type AccessKind string

// The access paths of a scan.
const (
	AccessRetrieve AccessKind = "Retrieve" // one GET per id
	AccessList     AccessKind = "List"     // paged list calls, with pushed filters
	AccessSearch   AccessKind = "Search"   // paged Stripe Search
	AccessSystem   AccessKind = "System"   // rows computed in process (pg_catalog, information_schema)
)

// Call is one Stripe call a scan makes (a list or search is paged, so a call may be several
// requests).
type Call struct {
	// Method is "retrieve", "list" or "search".
	Method string
	// Path is the endpoint with ids filled in.
	Path string
	// Params are the call's parameters without limit and cursors, which the executor adds.
	Params url.Values
	// Fill gives, by column index, values the call's rows are known to have: the parent ids of
	// the path and the values of filter-only columns. The executor sets them when the Stripe
	// object has no such field.
	Fill map[int]any
	// Account is the Stripe account the call acts as (the Stripe-Account header), "" for the API
	// key's own (connect.go).
	Account string
	// ID is the object id a retrieve asks for. The executor drops an answer whose id differs (or
	// that is a list), so an endpoint that answers something else never passes for the object.
	ID string
}

// Scan reads a table. Every row it emits has the table's columns in catalog order and satisfies
// Filter (the residual predicates Stripe does not apply exactly).
type Scan struct {
	Table  *catalog.Table
	Access AccessKind
	Calls  []Call
	// PageSize is the limit sent on list and search calls.
	PageSize int
	// Limit, when positive, is the number of rows after which the scan stops (LIMIT pushed down).
	Limit int64
	// Filter is the residual predicate over the table's columns, or nil.
	Filter expr.Expr
	// Pushed renders the predicates Stripe applies, for EXPLAIN.
	Pushed []string
	// Ordered is true when rows arrive newest first (created DESC), as a single Stripe list returns them.
	Ordered bool
	// Needed marks the columns the query reads (by index); the executor converts only those and
	// leaves the others NULL. Nil means every column.
	Needed []bool
	// Learn is true when a complete run of the scan sees the whole table, so its row count can be
	// recorded in Stats.
	Learn bool
	// Drained is true when the plan reads the scan to its end whatever its consumer reads
	// (drain.go); false for a scan whose rows stream to the client.
	Drained bool
	// KeepOrder is true when the plan relies on the scan's newest-first order (a sort for ORDER BY
	// created DESC was left out), so a partitioned scan must hand rows on in that order.
	KeepOrder bool
	// PerKey marks a lookup join's template, run once per key (lookup.go).
	PerKey bool
	// Accounts are the Stripe accounts the scan reads, in order ("" for the API key's own); nil
	// for system tables. Several are a fan-out: the calls of each account follow one another.
	Accounts []string
	// Listed is true when the accounts come from the accounts listing (an uncorrelated IN
	// (SELECT id FROM accounts …)) rather than from the query's text: one that Stripe refuses
	// (403/404: disconnected since it was listed) is skipped with a NOTICE naming it instead of
	// failing the statement. Accounts the query names are never skipped.
	Listed bool
	// PendingAccounts is, for a scan planned as the session's account while an IN (SELECT id
	// FROM accounts …) has not run yet, the connected accounts the node has seen listed: the
	// estimate counts each of them, and the budget at least one request each (0 otherwise).
	PendingAccounts int64
	// MeasuredCharge is, for a scan of unknown size over accounts some of which the node has
	// measured, what the budget charges before it runs: the measured accounts' requests plus a
	// first page of each other one (0 otherwise: planCharge's first page per call).
	MeasuredCharge float64
	// SizeNote says where the table size behind the estimate came from, for EXPLAIN and 54000
	// details ("counted by a complete scan 3 h ago").
	SizeNote string
	Estimate
}

// Values produces constant rows (SELECT without FROM, VALUES lists, SHOW, EXPLAIN text).
type Values struct {
	Rows  [][]expr.Expr
	Width int
	Estimate
}

// Filter keeps the rows for which Cond is true.
type Filter struct {
	Input Node
	Cond  expr.Expr
	Estimate
}

// Project computes Exprs over each input row.
type Project struct {
	Input Node
	Exprs []expr.Expr
	Estimate
}

// Aggregate groups its input by Groups and computes Aggs per group. Its rows are the group values
// followed by the aggregate results. With no Groups it emits exactly one row.
type Aggregate struct {
	Input  Node
	Groups []expr.Expr
	Aggs   []*expr.Agg
	// Sets, when not nil, are the grouping sets (GROUPING SETS, ROLLUP, CUBE) as indexes into
	// Groups: the input is grouped once per set, groups outside a row's set are NULL, and each
	// row ends with one more column, the number of its set (grouping.go).
	Sets [][]int
	Estimate
}

// SortKey is one ORDER BY key over the input's columns.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders its input (materialising it).
type Sort struct {
	Input Node
	Keys  []SortKey
	Estimate
}

// Distinct drops rows whose key equals an earlier row's key. Keys are column indexes; the first
// row of each key wins, so after a Sort it implements DISTINCT ON.
type Distinct struct {
	Input Node
	Keys  []int
	On    bool // DISTINCT ON, for EXPLAIN
	Estimate
}

// Limit skips Offset rows and then emits at most Count rows (Count < 0: no limit).
type Limit struct {
	Input  Node
	Count  int64
	Offset int64
	Estimate
}

// Inputs implements Node.
func (n *Scan) Inputs() []Node { return nil }

// Inputs implements Node.
func (n *Values) Inputs() []Node { return nil }

// Inputs implements Node.
func (n *Filter) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Project) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Aggregate) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Sort) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Distinct) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Limit) Inputs() []Node { return []Node{n.Input} }

// Est implements Node.
func (e Estimate) Est() Estimate { return e }

// Walk calls fn on every node of the tree rooted at n, parents before children.
func Walk(n Node, fn func(Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.Inputs() {
		Walk(c, fn)
	}
}
