package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// Query is a mapping query: its SELECT's result is written as lake table Name.
type Query struct {
	Name string
	SQL  string
}

// mapping is an analysed mapping query.
type mapping struct {
	sql string
	// incremental queries read one table (source) with a key id in their output.
	incremental bool
	source      *catalog.Table
	alias       string // how the query names source ("c" in FROM charges c)
	why         string // why the query is not incremental
	tree        *pg.ParseResult
}

// QueryRule explains when a mapping query is kept incrementally, for --help and the docs.
const QueryRule = `A mapping query is incremental when it is one SELECT over one Stripe table that Stripe
sends events for (no join, subquery, CTE, set operation, DISTINCT, GROUP BY, aggregate, window
function or LIMIT) and its output has that table's own id as a column named id (SELECT *, or id
among the columns). Its rows are then kept by id: new objects come from the table's created
cursor, and changes from running the query over the events' snapshots, without requests; an
object the query no longer returns (filtered out, or deleted) leaves the table. Any other query
is run in full every run.`

// analyse checks a mapping query and decides whether it can be kept incrementally.
func analyse(cat *catalog.Catalog, sql string) (*mapping, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return nil, sqlstate.New(sqlstate.SyntaxError, "mapping query: %s", err.Error())
	}
	if len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetSelectStmt() == nil {
		return nil, sqlstate.New(sqlstate.SyntaxError, "a mapping query must be one SELECT statement")
	}
	m := &mapping{sql: strings.TrimRight(strings.TrimSpace(sql), ";"), tree: tree}
	m.why = m.check(cat, tree.Stmts[0].Stmt.GetSelectStmt())
	m.incremental = m.why == ""
	return m, nil
}

var (
	reSubquery = regexp.MustCompile(`"(SubLink|RangeSubselect|RangeFunction|CommonTableExpr)"`)
	reWindow   = regexp.MustCompile(`"over":`)
)

func (m *mapping) check(cat *catalog.Catalog, s *pg.SelectStmt) string {
	switch {
	case s.Op != pg.SetOperation_SETOP_NONE:
		return "it is a set operation"
	case s.WithClause != nil:
		return "it has a WITH clause"
	case len(s.DistinctClause) > 0:
		return "it has DISTINCT"
	case len(s.GroupClause) > 0 || s.HavingClause != nil:
		return "it groups rows"
	case len(s.WindowClause) > 0:
		return "it has a window clause"
	case s.LimitCount != nil || s.LimitOffset != nil:
		return "it has LIMIT or OFFSET"
	case len(s.FromClause) != 1 || s.FromClause[0].GetRangeVar() == nil:
		return "it does not read exactly one table"
	}
	js, err := pg.ParseToJSON(m.sql)
	if err != nil {
		return "it cannot be analysed"
	}
	if reSubquery.MatchString(js) {
		return "it has a subquery"
	}
	if reWindow.MatchString(js) {
		return "it has a window function"
	}
	rv := s.FromClause[0].GetRangeVar()
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return "it reads " + rv.Schemaname + "." + rv.Relname
	}
	t, ok := cat.Lookup("public", rv.Relname)
	if !ok || t.Object == "" {
		return "it does not read a Stripe table"
	}
	p, _ := tablePlan(cat, t)
	if p == nil || p.strategy != StrategyEvents {
		return t.Name + " is not a table Stripe sends events for"
	}
	if !p.created || t.Retrieve == nil {
		return t.Name + " cannot be read by created and by id"
	}
	m.source, m.alias = t, rv.Relname
	if rv.Alias != nil && rv.Alias.Aliasname != "" {
		m.alias = rv.Alias.Aliasname
	}
	if !m.keepsID(s) {
		return "its output has no column id holding " + t.Name + "'s own id"
	}
	return ""
}

// keepsID reports whether the target list has the source's id as column id: *, alias.*, id,
// alias.id (named id or unnamed).
func (m *mapping) keepsID(s *pg.SelectStmt) bool {
	for _, n := range s.TargetList {
		rt := n.GetResTarget()
		if rt == nil {
			continue
		}
		cr := rt.Val.GetColumnRef()
		if cr == nil {
			continue
		}
		var parts []string
		star := false
		for _, f := range cr.Fields {
			if f.GetAStar() != nil {
				star = true
			} else if sv := f.GetString_(); sv != nil {
				parts = append(parts, sv.Sval)
			}
		}
		switch {
		case star && (len(parts) == 0 || (len(parts) == 1 && parts[0] == m.alias)):
			return true
		case !star && (rt.Name == "" || rt.Name == "id") &&
			((len(parts) == 1 && parts[0] == "id") || (len(parts) == 2 && parts[0] == m.alias && parts[1] == "id")):
			return true
		}
	}
	return false
}

// withCondition returns the query with cond ANDed into its WHERE clause. cond is SQL over the
// source's alias, built here from numbers and the alias only.
func (m *mapping) withCondition(cond string) (string, error) {
	extra, err := pg.Parse("SELECT 1 FROM t WHERE " + cond)
	if err != nil {
		return "", err
	}
	tree, err := pg.Parse(m.sql) // a fresh copy to change
	if err != nil {
		return "", err
	}
	s := tree.Stmts[0].Stmt.GetSelectStmt()
	add := extra.Stmts[0].Stmt.GetSelectStmt().WhereClause
	if s.WhereClause == nil {
		s.WhereClause = add
	} else {
		s.WhereClause = pg.MakeBoolExprNode(pg.BoolExprType_AND_EXPR, []*pg.Node{s.WhereClause, add}, -1)
	}
	return pg.Deparse(tree)
}

func quoteAlias(a string) string { return `"` + strings.ReplaceAll(a, `"`, `""`) + `"` }

// sinceSQL is the query restricted to objects created at or after sec.
func (m *mapping) sinceSQL(sec int64) (string, error) {
	if sec <= 0 {
		return m.sql, nil
	}
	return m.withCondition(quoteAlias(m.alias) + ".created >= " + unix(sec))
}

// byIDSQL is the query restricted to the objects whose ids are in $1 (a text[]).
func (m *mapping) byIDSQL() (string, error) {
	return m.withCondition(quoteAlias(m.alias) + ".id = ANY($1::text[])")
}

// snapshots is a Backend that holds the events' data.object snapshots of one table's objects
// and answers a plain list of the table (no filter: the query runs without pushdown) with all of
// them, and a retrieve with one, so a mapping query runs over the snapshots exactly as over live
// objects, without a request. Every other call is refused.
type snapshots struct {
	live    stripeapi.Backend
	table   *catalog.Table
	mu      sync.Mutex
	objects map[string]stripeapi.Object // nil value: deleted
}

var _ stripeapi.Backend = (*snapshots)(nil)

func (s *snapshots) idOf(path string) (string, bool) {
	prefix := strings.TrimSuffix(s.table.Retrieve.Path, "%s")
	if !strings.HasPrefix(path, prefix) || strings.Contains(path[len(prefix):], "/") {
		return "", false
	}
	return path[len(prefix):], true
}

// Retrieve answers from a snapshot (404 for a deleted object) or from Stripe.
func (s *snapshots) Retrieve(ctx context.Context, path string, params url.Values) (stripeapi.Object, error) {
	id, ok := s.idOf(path)
	if !ok {
		return nil, s.refuse(path)
	}
	s.mu.Lock()
	obj, held := s.objects[id]
	s.mu.Unlock()
	if !held || obj == nil {
		return nil, &stripeapi.Error{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "resource_missing", Message: "deleted"}
	}
	return obj, nil
}

func (s *snapshots) refuse(path string) error {
	return sqlstate.New(sqlstate.FeatureNotSupported, "a mapping query over event snapshots can only retrieve %s by id", s.table.Name).
		WithDetail("it asked for %s", path)
}

// List answers a list of the table without filters with every object held, newest first.
func (s *snapshots) List(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	if s.table.List == nil || path != s.table.List.Path {
		return nil, s.refuse(path)
	}
	for k, v := range params {
		switch {
		case k == "limit" || k == "expand[]":
		case k == "starting_after" || k == "ending_before":
			return &stripeapi.Page{}, nil // everything came in the first page
		case s.table.List.Params[k] != "" && len(v) == 1 && v[0] == s.table.List.Params[k]:
		default:
			return nil, s.refuse(path + "?" + k)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page := &stripeapi.Page{}
	for _, obj := range s.objects {
		if obj != nil {
			page.Data = append(page.Data, obj)
		}
	}
	sort.Slice(page.Data, func(i, j int) bool {
		ci, cj := fmt.Sprint(page.Data[i]["created"]), fmt.Sprint(page.Data[j]["created"])
		if ci != cj {
			return ci > cj
		}
		return fmt.Sprint(page.Data[i]["id"]) > fmt.Sprint(page.Data[j]["id"])
	})
	return page, nil
}

// Search is refused: see snapshots.
func (s *snapshots) Search(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	return nil, s.refuse(path)
}

// Post is refused: sync never writes to Stripe.
func (s *snapshots) Post(ctx context.Context, path string, params url.Values, key string) (stripeapi.Object, error) {
	return nil, s.refuse(path)
}

// Delete is refused: sync never writes to Stripe.
func (s *snapshots) Delete(ctx context.Context, path string, params url.Values, key string) (stripeapi.Object, error) {
	return nil, s.refuse(path)
}

// validQueryName is the rule for --query NAME: a lake table name that is not a Stripe table's.
func validQueryName(cat *catalog.Catalog, name string) error {
	if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(name) {
		return sqlstate.New(sqlstate.InvalidParameterValue, "invalid mapping table name %q", name).
			WithHint("use lowercase letters, digits and _, starting with a letter: --query charges_eur='SELECT …'")
	}
	if _, ok := cat.Lookup("public", name); ok {
		return sqlstate.New(sqlstate.DuplicateObject, "mapping table %q has the name of a stripe table", name).
			WithHint("name it otherwise, e.g. %s_mapped", name)
	}
	return nil
}
