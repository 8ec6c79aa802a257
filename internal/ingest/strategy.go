package ingest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Strategy is how a table is kept current after its first copy.
type Strategy string

// The strategies. Every table's is listed by Strategies (`stripesql sync --list`).
const (
	// StrategyEvents: objects Stripe sends events for. New objects by a created cursor (objects
	// created in the cursor's second are read again and de-duplicated by id), updates from the
	// events' data.object snapshots (a cancel is an update), deletes from *.deleted events.
	StrategyEvents Strategy = "events"
	// StrategyChildren: a child list (invoice lines, subscription items, …) read through its
	// parent: the children of every parent created since the cursor, or named by an event (of
	// the parent or of the child object), are listed again and replace that parent's children.
	StrategyChildren Strategy = "children"
	// StrategyAppend: objects that never change once created (events): a created cursor only.
	StrategyAppend Strategy = "append"
	// StrategySmall: no events. A full copy every run while the table held at most
	// FullCopyMaxRows rows at its last copy (updates and deletes then show in the history), else
	// a created cursor only, which sees new objects but not changes to old ones.
	StrategySmall Strategy = "small"
	// StrategyFull: no events and no created filter to page by: a full copy every run.
	StrategyFull Strategy = "full"
	// StrategyQuery: a mapping query over one events table that keeps its id: new objects by the
	// table's created cursor, changes by evaluating the query over the events' snapshots.
	StrategyQuery Strategy = "query"
	// StrategyQueryFull: any other mapping query: run in full every run.
	StrategyQueryFull Strategy = "query-full"
)

// FullCopyMaxRows is the size up to which a table without events is copied in full every run
// (StrategySmall): at most 10 list requests.
const FullCopyMaxRows = 1000

// eventObjects are the Stripe object types Stripe sends events for (API version 2023-10-16):
// the value of data.object.object in an event. An object type missing here gets no events, and
// its table one of the strategies without events.
var eventObjects = map[string]bool{
	"account": true, "application_fee": true, "fee_refund": true, "bank_account": true, "card": true, "source": true,
	"billing_portal.configuration": true, "capability": true, "charge": true, "checkout.session": true,
	"climate.order": true, "coupon": true, "credit_note": true, "customer": true, "customer_cash_balance_transaction": true,
	"dispute": true, "file": true, "financial_connections.account": true, "identity.verification_session": true,
	"invoice": true, "invoiceitem": true, "issuing.authorization": true, "issuing.card": true, "issuing.cardholder": true,
	"issuing.dispute": true, "issuing.personalization_design": true, "issuing.token": true, "issuing.transaction": true,
	"payment_intent": true, "payment_link": true, "payment_method": true, "payout": true, "person": true, "plan": true,
	"price": true, "product": true, "promotion_code": true, "quote": true, "radar.early_fraud_warning": true,
	"refund": true, "reporting.report_run": true, "review": true, "setup_intent": true, "sigma.scheduled_query_run": true,
	"subscription": true, "subscription_schedule": true, "tax_id": true, "tax_rate": true, "terminal.reader": true,
	"test_helpers.test_clock": true, "topup": true, "transfer": true, "treasury.credit_reversal": true,
	"treasury.debit_reversal": true, "treasury.financial_account": true, "treasury.inbound_transfer": true,
	"treasury.outbound_payment": true, "treasury.outbound_transfer": true, "treasury.received_credit": true,
	"treasury.received_debit": true,
}

// objectNames are the values data.object.object takes for a catalog object type, where Stripe's
// spelling differs from stripe-go's type name or a table holds several object types.
var objectNames = map[string][]string{
	"invoice_item":   {"invoiceitem"},
	"payment_source": {"card", "bank_account", "source"},
}

// cancelEvents are *.deleted events that do not delete: the object stays, changed (a canceled
// subscription is still listed and retrievable, with status canceled).
var cancelEvents = map[string]bool{"customer.subscription.deleted": true}

// isDelete reports whether an event of type typ removes its object.
func isDelete(typ string) bool { return strings.HasSuffix(typ, ".deleted") && !cancelEvents[typ] }

func objectsOf(t *catalog.Table) []string {
	if names, ok := objectNames[t.Object]; ok {
		return names
	}
	return []string{t.Object}
}

// hasEvents reports whether Stripe sends events for the table's objects.
func hasEvents(t *catalog.Table) bool {
	for _, o := range objectsOf(t) {
		if eventObjects[o] {
			return true
		}
	}
	return false
}

// plan is one table of a run: what it reads and how it stays current.
type plan struct {
	name     string
	table    *catalog.Table // the Stripe table read (a query's one source table, nil for other queries)
	strategy Strategy
	cols     []lake.Column
	colIdx   []int // lake column i is table column colIdx[i] (Stripe tables)
	key      string
	part     string
	parent   *parentRef
	query    *mapping
	created  bool // the table's list filters created with >=
}

// parentRef is how a child table hangs off its parent.
type parentRef struct {
	table  *catalog.Table
	column string // the child's column holding the parent's id
}

// created reports whether the table can be paged by created >= a cursor.
func listsByCreated(t *catalog.Table) bool {
	if t.List == nil {
		return false
	}
	for _, k := range t.List.Keys {
		if k.Column == "created" {
			for _, op := range k.Ops {
				if op == catalog.OpGte {
					return true
				}
			}
		}
	}
	return false
}

func hasColumn(t *catalog.Table, name string, typ sqltypes.Type) bool {
	for _, c := range t.Columns {
		if c.Name == name && c.Type == typ && !c.FilterOnly {
			return true
		}
	}
	return false
}

// findParent resolves a child list's parent table: the list whose path starts the child's
// ("/v1/invoices" for "/v1/invoices/%s/lines"), or, for a required filter such as
// subscription_items' subscription, the top-level table whose object type the column names.
func findParent(cat *catalog.Catalog, t *catalog.Table) (*parentRef, string) {
	if t.List == nil {
		return nil, "not listable"
	}
	var col string
	switch {
	case len(t.List.Parents) == 1 && len(t.List.Required) == 0:
		col = t.List.Parents[0]
	case len(t.List.Parents) == 0 && len(t.List.Required) == 1:
		col = t.List.Required[0]
	default:
		return nil, "listed only with several required filters (" + strings.Join(append(append([]string(nil), t.List.Parents...), t.List.Required...), ", ") + ")"
	}
	var byPath, byObject *catalog.Table
	prefix := ""
	if i := strings.Index(t.List.Path, "/%s"); i > 0 {
		prefix = t.List.Path[:i]
	}
	for _, p := range stripeTables(cat) {
		if p.List == nil || len(p.List.Parents) > 0 || len(p.List.Required) > 0 {
			continue
		}
		if prefix != "" && p.List.Path == prefix {
			byPath = p
		}
		if p.Object == col {
			byObject = p
		}
	}
	parent := byPath
	if parent == nil {
		parent = byObject
	}
	if parent == nil {
		return nil, fmt.Sprintf("no listable parent table for its %s column", col)
	}
	if !hasColumn(t, col, sqltypes.Text) {
		return nil, fmt.Sprintf("its %s column is not a text column of the table", col)
	}
	return &parentRef{table: parent, column: col}, ""
}

// tablePlan decides how Stripe table t is synced, or why it cannot be.
func tablePlan(cat *catalog.Catalog, t *catalog.Table) (*plan, string) {
	if t.List == nil {
		return nil, "not listable"
	}
	p := &plan{name: t.Name, table: t, created: listsByCreated(t)}
	for i, c := range t.Columns {
		if c.FilterOnly || c.Account {
			continue // a list parameter or the account read from (a lake holds one account), not a field of the object
		}
		p.cols = append(p.cols, lake.Column{Name: c.Name, Type: c.Type})
		p.colIdx = append(p.colIdx, i)
		if c.Name == "id" {
			p.key = "id"
		}
	}
	if len(t.List.Parents) > 0 || len(t.List.Required) > 0 {
		ref, why := findParent(cat, t)
		if ref == nil {
			return nil, why
		}
		p.parent, p.strategy = ref, StrategyChildren
		if p.key == "" {
			return nil, "child list without an id column"
		}
		return p, ""
	}
	if hasColumn(t, "created", sqltypes.Timestamptz) {
		p.part = "created"
	}
	switch {
	case t.Name == "events":
		p.strategy = StrategyAppend
	case hasEvents(t):
		p.strategy = StrategyEvents
	case p.created:
		p.strategy = StrategySmall
	default:
		p.strategy = StrategyFull
	}
	if p.key == "" && p.strategy != StrategyFull {
		p.strategy = StrategyFull
	}
	return p, ""
}

// TableStrategy is one Stripe table's sync strategy, for `stripesql sync --list` and the docs.
type TableStrategy struct {
	Table    string
	Strategy Strategy // "" when the table cannot be synced
	// Detail says what the strategy reads (the parent of a child list) or why the table cannot
	// be synced.
	Detail string
}

// Strategies lists every Stripe table of cat with its strategy, sorted by table name.
func Strategies(cat *catalog.Catalog) []TableStrategy {
	var out []TableStrategy
	for _, t := range stripeTables(cat) {
		p, why := tablePlan(cat, t)
		ts := TableStrategy{Table: t.Name, Detail: why}
		if p != nil {
			ts.Strategy = p.strategy
			switch {
			case p.parent != nil:
				ts.Detail = "through " + p.parent.table.Name + " (" + p.parent.column + ")"
			case p.part != "":
				ts.Detail = "partitioned by created month"
			}
		}
		out = append(out, ts)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	return out
}

// AllTables are the Stripe tables `--tables all` syncs: every table with a strategy.
func AllTables(cat *catalog.Catalog) []string {
	var out []string
	for _, s := range Strategies(cat) {
		if s.Strategy != "" {
			out = append(out, s.Table)
		}
	}
	return out
}

// Describe explains a strategy in one line, for --help and the docs.
func (s Strategy) Describe() string {
	switch s {
	case StrategyEvents:
		return "new objects by a created cursor (its second read again, de-duplicated by id); updates from events' data.object snapshots; deletes from *.deleted events"
	case StrategyChildren:
		return "children of new parents and of parents named by an event (of the parent or the child) are listed again and replace that parent's children"
	case StrategyAppend:
		return "a created cursor only: the objects never change"
	case StrategySmall:
		return fmt.Sprintf("no events: a full copy every run while the last copy had at most %d rows, else a created cursor only (changes to old objects are not seen)", FullCopyMaxRows)
	case StrategyFull:
		return "no events and no created filter: a full copy every run"
	case StrategyQuery:
		return "mapping query over one table, keeping its id: new objects by created cursor, changes by running the query over the events' snapshots"
	case StrategyQueryFull:
		return "mapping query: run in full every run"
	}
	return ""
}

// stripeTables are the catalog's Stripe tables (schema public, with an object type).
func stripeTables(cat *catalog.Catalog) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range cat.Tables() {
		if t.Schema == "public" && t.Object != "" {
			out = append(out, t)
		}
	}
	return out
}

// Layout is how sync writes Stripe table name: its columns (every column of the SQL table but
// the filter-only ones, which are list parameters, not fields), its key and its partition
// column ("" when unpartitioned), and its strategy.
func Layout(cat *catalog.Catalog, name string) (cols []lake.Column, key, partition string, s Strategy, err error) {
	t, ok := cat.Lookup("public", name)
	if !ok || t.Object == "" {
		return nil, "", "", "", sqlstate.New(sqlstate.UndefinedTable, "stripe table %q does not exist", name)
	}
	p, why := tablePlan(cat, t)
	if p == nil {
		return nil, "", "", "", sqlstate.New(sqlstate.FeatureNotSupported, "stripe table %s cannot be synced: %s", name, why)
	}
	return p.cols, p.key, p.part, p.strategy, nil
}
