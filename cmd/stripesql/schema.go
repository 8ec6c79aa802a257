package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v15/parquet/schema"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

const schemaUsage = `Print a Stripe table's schema: as JSON Schema with Stripe's descriptions (for platforms
that take one), as CREATE TABLE text, or as the Arrow and Parquet schemas stripesql sync writes.
It sends no request. For a preview of the rows: stripesql query "SELECT * FROM TABLE LIMIT 5".

Usage:
  stripesql schema TABLE [--format json-schema|sql|arrow]

Examples:
  stripesql schema customers
  stripesql schema invoice_line_items --format sql
  stripesql schema charges --format arrow
`

func runSchema(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	format := fs.String("format", "json-schema", "json-schema (draft 2020-12, a row as stripesql query --format json prints it);\nsql (CREATE TABLE with COMMENT ON, as the table is queried); or arrow (the Arrow\nand Parquet schemas of the lake's files), e.g. --format sql")
	pos, err := parseFlags(fs, args, schemaUsage, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	bad := func(msg string) error { return usageFailure(stderr, "schema", schemaUsage, msg) }
	if len(pos) != 1 {
		return bad("give one table name, e.g. stripesql schema customers")
	}
	cat := catalog.Default()
	t, ok := cat.Lookup("public", pos[0])
	if !ok || t.Object == "" {
		_, _, _, _, err := ingest.Layout(cat, pos[0])
		return err
	}
	switch *format {
	case "json-schema":
		return writeJSONSchema(stdout, t)
	case "sql":
		writeCreateTable(stdout, t)
		return nil
	case "arrow":
		return writeArrowSchema(stdout, cat, t)
	}
	return bad(fmt.Sprintf("unknown --format %q: want json-schema, sql or arrow", *format))
}

// jsonSchemaType is a column's JSON Schema, for a row as JSON output prints it.
func jsonSchemaType(t sqltypes.Type) map[string]any {
	nullable := func(typ string) any { return []string{typ, "null"} }
	switch t {
	case sqltypes.Text, sqltypes.Varchar:
		return map[string]any{"type": nullable("string")}
	case sqltypes.Int8, sqltypes.Int4, sqltypes.Int2:
		return map[string]any{"type": nullable("integer")}
	case sqltypes.Float8, sqltypes.Float4, sqltypes.Numeric:
		return map[string]any{"type": nullable("number")}
	case sqltypes.Bool:
		return map[string]any{"type": nullable("boolean")}
	case sqltypes.Timestamptz:
		return map[string]any{"type": nullable("string"), "format": "date-time"}
	case sqltypes.JSONB, sqltypes.JSON:
		return map[string]any{} // any JSON value
	}
	if sqltypes.IsArray(t) {
		return map[string]any{"type": nullable("array"), "items": jsonSchemaType(sqltypes.Elem(t))}
	}
	return map[string]any{"type": nullable("string")}
}

func writeJSONSchema(w io.Writer, t *catalog.Table) error {
	props := map[string]any{}
	var order []string
	for _, c := range t.Columns {
		if c.FilterOnly {
			continue
		}
		p := jsonSchemaType(c.Type)
		if c.Description != "" {
			p["description"] = c.Description
		}
		p["x-sql-type"] = sqltypes.FormatType(c.Type)
		if c.Path != nil {
			p["x-stripe-path"] = strings.Join(c.Path, ".")
		}
		props[c.Name] = p
		order = append(order, c.Name)
	}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://stripesql.dev/schema/" + t.Name + ".json",
		"title":                t.Name,
		"type":                 "object",
		"properties":           props,
		"x-column-order":       order,
		"x-stripe-object":      t.Object,
		"additionalProperties": false,
	}
	if t.Description != "" {
		doc["description"] = t.Description
	}
	if _, _, ok := t.Column("id"); ok {
		doc["required"] = []string{"id"}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func sqlLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func writeCreateTable(w io.Writer, t *catalog.Table) {
	q := "public." + expr.QuoteIdent(t.Name)
	fmt.Fprintf(w, "CREATE TABLE %s (\n", q)
	var lines []string
	for _, c := range t.Columns {
		if c.FilterOnly {
			continue
		}
		l := "  " + expr.QuoteIdent(c.Name) + " " + sqltypes.FormatType(c.Type)
		if c.Name == "id" {
			l += " PRIMARY KEY"
		}
		lines = append(lines, l)
	}
	fmt.Fprintf(w, "%s\n);\n", strings.Join(lines, ",\n"))
	if t.Description != "" {
		fmt.Fprintf(w, "COMMENT ON TABLE %s IS %s;\n", q, sqlLiteral(t.Description))
	}
	for _, c := range t.Columns {
		if !c.FilterOnly && c.Description != "" {
			fmt.Fprintf(w, "COMMENT ON COLUMN %s.%s IS %s;\n", q, expr.QuoteIdent(c.Name), sqlLiteral(c.Description))
		}
	}
}

func writeArrowSchema(w io.Writer, cat *catalog.Catalog, t *catalog.Table) error {
	cols, key, part, strategy, err := ingest.Layout(cat, t.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "-- the files of DIR/%s/ as stripesql sync writes them (strategy %s)\n", t.Name, strategy)
	if part != "" {
		fmt.Fprintf(w, "-- hive-partitioned: DIR/%s/%s_month=YYYY-MM/part-….parquet (a reader adds the column %s_month)\n", t.Name, part, part)
	}
	if key != "" {
		fmt.Fprintf(w, "-- key: %s (each current object once)\n", key)
	}
	fmt.Fprintln(w, "\nArrow schema (every field nullable; metadata stripesql.type is the SQL type):")
	for i, f := range lake.ArrowSchema(cols).Fields() {
		fmt.Fprintf(w, "  %-32s %-28s -- %s\n", f.Name, f.Type, sqltypes.FormatType(cols[i].Type))
	}
	ps, err := lake.ParquetSchema(cols)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nParquet schema:")
	schema.PrintSchema(ps.Root(), w, 2)
	return nil
}
