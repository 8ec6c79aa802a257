package catalog

import (
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Table is one table as users see it: its columns and the Stripe calls that can produce its rows.
type Table struct {
	// Schema is "public" for Stripe tables, "pg_catalog" or "information_schema" for system tables.
	Schema string
	// Name is snake_case plural, as Stripe Sigma names tables: customers, payment_intents.
	Name string
	// OID is stable across releases (derived from the qualified name), for pg_class and clients that cache it.
	OID uint32
	// Object is Stripe's object type ("customer", "payment_intent"); empty for system tables.
	Object string
	// Resource is the stripe-go v76 resource name ("Customer", "PaymentIntent"), for traceability.
	Resource    string
	Description string
	Columns     []Column

	// List, Retrieve and Search say how Stripe can produce rows; nil when it cannot that way.
	List     *ListSpec
	Retrieve *RetrieveSpec
	Search   *SearchSpec
	// Create, Update and Delete say how rows are written; nil when Stripe offers no such call.
	Create *WriteSpec
	Update *WriteSpec
	Delete *DeleteSpec

	// Rows computes the rows of a system table in process, in Columns order, with values in the
	// representations of package sqltypes. It is nil for Stripe tables.
	Rows func(c *Catalog) [][]any
	// SessionRows, when set, replaces Rows for a query run in a session: the rows of pg_database,
	// pg_roles and pg_user depend on who connected to which database.
	SessionRows func(c *Catalog, s expr.Session) [][]any
	// State marks a table of the node's state store (schema stripesql: flows, flow_runs, see
	// flows.go): its rows are read, and UPDATE and DELETE are written, through the session's
	// flows when a statement runs. It has no Rows and no Stripe specs but Update and Delete,
	// which here name what UPDATE may set and that DELETE is allowed.
	State bool
}

// Column is one column of a table.
type Column struct {
	Name string
	Type sqltypes.Type
	// Path is where the value lives in the Stripe object as returned by the API ("customer",
	// "automatic_tax","enabled"); nil means the whole object (the `_object` column).
	Path []string
	// Description carries Stripe's field description, shown by \d+ and col_description.
	Description string
	// Expandable marks a reference Stripe may return as an id or as an expanded object; either way
	// the column holds the id.
	Expandable bool
	// FilterOnly marks a column that exists only to pass a list parameter that has no field in the
	// object (it reads back the value the query constrained it to). The planner requires such a
	// column to be constrained with = whenever it is referenced.
	FilterOnly bool
	// Account marks the AccountColumn of a Stripe table: its value is the account a row was read
	// from, never a field of the object.
	Account bool
}

// Op is a comparison a key column accepts.
type Op string

// Comparison operators of key columns.
const (
	OpEq  Op = "="
	OpGt  Op = ">"
	OpGte Op = ">="
	OpLt  Op = "<"
	OpLte Op = "<="
)

// ListSpec says how to list a table's rows.
type ListSpec struct {
	// Path is the list endpoint; each %s is filled, in order, from the Parents columns
	// ("/v1/customers/%s/tax_ids").
	Path string
	// Parents are the columns that fill Path's placeholders. A query must constrain each with = (or IN);
	// otherwise planning fails with a hint naming the column.
	Parents []string
	// Keys are the list filters: a constrained key column becomes a list parameter.
	Keys []KeyColumn
	// Params are sent on every list call (for example status=all on subscriptions, so canceled
	// subscriptions are not hidden). A constrained key column with the same Param replaces the
	// default value.
	Params map[string]string
	// Required are key columns that are not in Path but without which Stripe refuses the list
	// (subscription on subscription_items, financial_account on the treasury lists). Like
	// Parents, a query must constrain each with = (or IN); they are sent as list parameters.
	Required []string
}

// KeyColumn maps a column to a Stripe list parameter.
type KeyColumn struct {
	Column string
	// Param is the Stripe parameter name; range operators send Param[gt], Param[gte], ….
	Param string
	Ops   []Op
	// Array is true when Param takes a list of values (ids, types, lookup_keys): the values of
	// an = or IN are sent as Param[0], Param[1], ….
	Array bool
	// Exact is true when Stripe applies the filter with exactly the SQL meaning, so the predicate
	// need not be re-checked by the engine. Pushdown of an inexact filter is always re-checked.
	Exact bool
	// Wildcard is true when Param takes a trailing * for any suffix (events' type: charge.* is
	// every charge event), so col LIKE 'prefix%' can be sent as prefix* (and is re-checked).
	Wildcard bool
}

// RetrieveSpec says how to fetch one row by id.
type RetrieveSpec struct {
	// Path is the retrieve endpoint; the placeholders are filled from Parents, then from the id
	// ("/v1/customers/%s", "/v1/customers/%s/tax_ids/%s").
	Path    string
	Parents []string
	// IDColumn is the column that fills the last placeholder, normally "id".
	IDColumn string
}

// SearchSpec says how Stripe Search can answer predicates on this table.
type SearchSpec struct {
	Path   string // "/v1/customers/search"
	Fields []SearchField
}

// SearchKind is how a search field compares.
type SearchKind string

// Kinds of search fields.
const (
	SearchString   SearchKind = "string"   // field:"v" exact (case-insensitive), maybe field~"v"
	SearchNumber   SearchKind = "number"   // field:N, field>N, …
	SearchDate     SearchKind = "date"     // unix seconds, field>N, …
	SearchBool     SearchKind = "bool"     // field:true
	SearchMetadata SearchKind = "metadata" // metadata['k']:'v'
)

// SearchField is one field Stripe Search accepts for a table.
type SearchField struct {
	// Field is the search query's field name ("email", "payment_method_details.card.last4").
	Field string
	// Column and Path locate the same value in the row: Column is a column name, Path a sub-path
	// inside a jsonb column (nil for a scalar column).
	Column    string
	Path      []string
	Kind      SearchKind
	Substring bool // supports field~"abc"
}

// WriteSpec says how INSERT or UPDATE become a Stripe create or update.
type WriteSpec struct {
	// Path is the endpoint ("/v1/customers", "/v1/customers/%s" with the id for updates).
	Path string
	// Parents fill Path's placeholders before the id, as in RetrieveSpec
	// ("/v1/customers/%s/tax_ids" takes the customer column).
	Parents []string
	Params  []WriteParam
}

// WriteParam is one top-level create or update parameter.
type WriteParam struct {
	Name string
	// Type is the SQL type a value must have: text, bigint, boolean, timestamptz, or jsonb for
	// nested parameters (metadata, address, items), which are form-encoded the way Stripe expects.
	Type     sqltypes.Type
	Required bool
}

// DeleteSpec says what DELETE does.
type DeleteSpec struct {
	// Path is the endpoint ("/v1/customers/%s").
	Path string
	// Parents fill Path's placeholders before the id, as in RetrieveSpec.
	Parents []string
	// Method is "DELETE", or "POST" for resources whose verb is cancel (subscriptions use DELETE
	// /v1/subscriptions/{id}, which cancels).
	Method string
	// Verb is what Stripe calls the operation: "delete" or "cancel".
	Verb string
}
