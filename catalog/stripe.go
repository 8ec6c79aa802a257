package catalog

import "github.com/stripesql/stripesql/internal/sqltypes"

// AccountColumn is the column every Stripe table ends with: the account (acct_…) each row was
// read from. It is not a field of the Stripe object: the planner turns a constraint on it into
// the Stripe-Account header of the table's calls (one account, or a fan-out over several), and
// the executor fills it from the account each call was sent as. It comes last so that the
// positions of the object's own columns stay as they were before Connect.
const AccountColumn = "stripe_account"

//go:generate go run ./internal/gen

// StripeTables returns one table per listable Stripe resource (and per sub-list that needs a
// parent id, such as invoice_line_items), as generated from stripe-go v76 and corrected by the
// overrides. Each call returns fresh values, so callers may keep or modify what they get
// without affecting other catalogs.
func StripeTables() []*Table {
	tables := generatedTables()
	applyOverrides(tables)
	for _, t := range tables {
		t.OID = StableOID(t.Schema + "." + t.Name)
	}
	tables = connectTables(tables)
	return tables
}

// connectTables adds what Connect needs to the generated tables: the account table and
// stripe_account on every table.
func connectTables(tables []*Table) []*Table {
	for _, t := range tables {
		if t.Name == "accounts" {
			tables = append(tables, ownAccountTable(t))
			break
		}
	}
	addAccountColumn(tables)
	return tables
}

// ownAccountTable is `account`: the one account the query acts as, read with GET /v1/account
// (the platform's own, or with stripe_account the connected account's own view of itself), with
// the columns of accounts. The platform is not a row of accounts, which lists connected accounts.
func ownAccountTable(accounts *Table) *Table {
	return &Table{Schema: accounts.Schema, Name: "account", Object: accounts.Object, Resource: accounts.Resource,
		OID:         StableOID(accounts.Schema + ".account"),
		Description: "The Stripe account the query acts as (GET /v1/account): the platform's own, or a connected account's with stripe_account. One row.",
		Columns:     append([]Column(nil), accounts.Columns...),
		Retrieve:    &RetrieveSpec{Path: "/v1/account", IDColumn: "id"}}
}

// addAccountColumn appends stripe_account to every table.
func addAccountColumn(tables []*Table) {
	for _, t := range tables {
		t.Columns = append(t.Columns, Column{Name: AccountColumn, Type: sqltypes.Text, Account: true,
			Description: "The Stripe account the row was read from (acct_…): a connected account named by the query or the session, else the platform's own."})
	}
}
