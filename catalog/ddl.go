package catalog

import (
	"strings"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// DDL is PostgreSQL DDL for a schema equivalent to the catalog's Stripe tables: CREATE TABLE with
// the same columns and types, each table's primary key on id, the foreign keys between Stripe
// objects (ForeignKeys) and the comments \d+ and col_description show. Loaded into a real
// PostgreSQL it makes a database whose catalog answers introspection queries as stripesql's
// should, which the server's differential client tests compare against; it also lets a lake or
// an ORM mirror the tables.
func DDL(c *Catalog) string {
	var b strings.Builder
	literal := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	schemas := map[string]bool{"public": true}
	for _, t := range c.Tables() {
		if t.Rows != nil {
			continue
		}
		if !schemas[t.Schema] { // the stripesql schema of the state store's tables
			schemas[t.Schema] = true
			b.WriteString("CREATE SCHEMA " + expr.QuoteIdent(t.Schema) + ";\n")
		}
		name := expr.QuoteIdent(t.Schema) + "." + expr.QuoteIdent(t.Name)
		b.WriteString("CREATE TABLE " + name + " (")
		for i, col := range t.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(expr.QuoteIdent(col.Name) + " " + sqltypes.FormatType(col.Type))
		}
		if hasPrimaryKey(t) {
			b.WriteString(", CONSTRAINT " + expr.QuoteIdent(t.Name+"_pkey") + " PRIMARY KEY (id)")
		}
		b.WriteString(");\n")
		if t.Description != "" {
			b.WriteString("COMMENT ON TABLE " + name + " IS " + literal(t.Description) + ";\n")
		}
		for _, col := range t.Columns {
			if col.Description != "" {
				b.WriteString("COMMENT ON COLUMN " + name + "." + expr.QuoteIdent(col.Name) + " IS " + literal(col.Description) + ";\n")
			}
		}
	}
	for _, fk := range c.ForeignKeys() {
		b.WriteString("ALTER TABLE " + expr.QuoteIdent(fk.Table.Schema) + "." + expr.QuoteIdent(fk.Table.Name) +
			" ADD CONSTRAINT " + expr.QuoteIdent(fk.Name()) + " " + fk.Def() + ";\n")
	}
	return b.String()
}
