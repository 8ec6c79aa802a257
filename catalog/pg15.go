package catalog

import "strings"

// pg15Relation is one table or view of PostgreSQL 15's pg_catalog or information_schema as
// pg15_relations_gen.go records it.
type pg15Relation struct {
	schema, name string
	kind         byte // 'r' table, 'v' view
	oid          uint32
	spec         string // columns, in the notation of cols
}

// pg15Spec returns the columns PostgreSQL 15 gives a relation, in the notation of cols, and
// whether it has the relation.
func pg15Spec(schema, name string) (string, bool) {
	for _, r := range pg15Relations {
		if r.schema == schema && r.name == name {
			return r.spec, true
		}
	}
	return "", false
}

// pg15Table declares a system table with PostgreSQL 15's columns; rows fill them by name.
func pg15Table(schema, name, description string, rows func(c *Catalog) [][]any) *Table {
	spec, ok := pg15Spec(schema, name)
	if !ok {
		panic("catalog: PostgreSQL 15 has no relation " + schema + "." + name)
	}
	return sysTable(schema, name, description, spec, rows)
}

// namedRow lays out a row of a table declared with spec: each column's value from vals, NULL for
// the columns vals does not name. Tables with PostgreSQL's many columns, most of them NULL here
// (information_schema.routines has 82), say only what they know.
func namedRow(spec string, vals map[string]any) []any {
	fields := strings.Fields(spec)
	row := make([]any, len(fields))
	n := 0
	for i, f := range fields {
		name, _, _ := strings.Cut(f, ":")
		if v, ok := vals[name]; ok {
			row[i] = v
			n++
		}
	}
	if n != len(vals) {
		panic("catalog: a row names a column its table does not have: " + spec)
	}
	return row
}

// withPostgresRelations adds, to the hand-written system tables, every other relation of
// PostgreSQL 15's pg_catalog and information_schema, empty and with PostgreSQL's columns: a
// client that joins pg_opfamily, reads pg_stat_user_tables or information_schema.domains gets
// an answer for a catalog with no such objects rather than an error.
func withPostgresRelations(tables []*Table) []*Table {
	have := map[string]bool{}
	for _, t := range tables {
		have[t.Schema+"."+t.Name] = true
	}
	for _, r := range pg15Relations {
		if have[r.schema+"."+r.name] {
			continue
		}
		tables = append(tables, sysTable(r.schema, r.name, emptyDescription(r.name), r.spec, empty))
	}
	return tables
}

// emptyDescription says why a relation of PostgreSQL's is empty here.
func emptyDescription(name string) string {
	switch {
	case strings.HasPrefix(name, "pg_stat"):
		return "statistics view of postgresql 15; stripesql keeps no such statistics, so it is empty"
	case strings.HasPrefix(name, "_pg_"):
		return "internal view of postgresql's information_schema; empty"
	}
	return "as in postgresql 15; stripesql has no such objects, so it is empty"
}

// pg15OID is PostgreSQL 15's OID of a system relation, 0 when it has none.
func pg15OID(schema, name string) uint32 {
	for _, r := range pg15Relations {
		if r.schema == schema && r.name == name {
			return r.oid
		}
	}
	return 0
}

// pg15Kind is a system relation's relkind in PostgreSQL 15 ("r" or "v"), "" when unknown.
func pg15Kind(schema, name string) string {
	for _, r := range pg15Relations {
		if r.schema == schema && r.name == name {
			return string(r.kind)
		}
	}
	return ""
}
