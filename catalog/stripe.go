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
	addAccountColumn(tables)
	return tables
}

// addAccountColumn appends stripe_account to every table.
func addAccountColumn(tables []*Table) {
	for _, t := range tables {
		t.Columns = append(t.Columns, Column{Name: AccountColumn, Type: sqltypes.Text, Account: true,
			Description: "The Stripe account the row was read from (acct_…): a connected account named by the query or the session, else the platform's own."})
	}
}
