package catalog

import (
	"hash/fnv"
	"sort"
)

// Catalog is the set of tables a session can query. It is immutable once built and safe for
// concurrent use.
type Catalog struct {
	tables []*Table
	byName map[string]*Table // "schema.name"
}

// New builds a catalog from tables, assigning each a stable OID when it has none.
func New(tables ...*Table) *Catalog {
	c := &Catalog{byName: make(map[string]*Table, len(tables))}
	for _, t := range tables {
		if t.Schema == "" {
			t.Schema = "public"
		}
		if t.OID == 0 && t.Schema == "pg_catalog" {
			t.OID = systemTableOIDs[t.Name]
		}
		if t.OID == 0 && t.Rows != nil {
			t.OID = pg15OID(t.Schema, t.Name) // pg15.go
		}
		if t.OID == 0 {
			t.OID = StableOID(t.Schema + "." + t.Name)
		}
		c.tables = append(c.tables, t)
		c.byName[t.Schema+"."+t.Name] = t
	}
	sort.Slice(c.tables, func(i, j int) bool {
		if c.tables[i].Schema != c.tables[j].Schema {
			return c.tables[i].Schema < c.tables[j].Schema
		}
		return c.tables[i].Name < c.tables[j].Name
	})
	return c
}

// Tables returns every table, ordered by schema and name.
func (c *Catalog) Tables() []*Table { return c.tables }

// Lookup finds a table. An empty schema searches as PostgreSQL's default search_path does:
// pg_catalog first, then public.
func (c *Catalog) Lookup(schema, name string) (*Table, bool) {
	if schema != "" {
		t, ok := c.byName[schema+"."+name]
		return t, ok
	}
	for _, s := range []string{"pg_catalog", "public"} {
		if t, ok := c.byName[s+"."+name]; ok {
			return t, true
		}
	}
	return nil, false
}

// Column returns the named column and its index, if the table has it.
func (t *Table) Column(name string) (*Column, int, bool) {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i], i, true
		}
	}
	return nil, -1, false
}

// systemTableOIDs are PostgreSQL's own OIDs of its catalog tables. Clients compare them with
// classoid and tableoid ('pg_class'::regclass, psql's \dd joins pg_description on
// c.tableoid), so the tables that exist here carry the same ones.
var systemTableOIDs = map[string]uint32{
	"pg_class": ClassPgClass, "pg_proc": ClassPgProc, "pg_namespace": ClassPgNamespace,
	"pg_type": ClassPgType, "pg_constraint": ClassPgConstraint, "pg_database": ClassPgDatabase,
	"pg_attribute": 1249, "pg_description": 2609, "pg_index": 2610, "pg_am": 2601,
	"pg_extension": 3079, "pg_language": 2612, "pg_operator": 2617, "pg_attrdef": 2604,
	"pg_inherits": 2611, "pg_trigger": 2620, "pg_depend": 2608, "pg_collation": 3456,
	"pg_tablespace": 1213, "pg_cast": 2605, "pg_rewrite": 2618, "pg_authid": 1260,
}

// StableOID derives an OID from a name, so a table or procedure keeps its OID across releases
// and restarts. OIDs at or above 16384 are PostgreSQL's range for user objects; we stay in it and
// below 2^31 so clients that read OIDs as signed integers are safe.
func StableOID(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 16384 + h.Sum32()%(1<<31-16384)
}
