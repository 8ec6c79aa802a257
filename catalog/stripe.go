package catalog

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
	return tables
}
