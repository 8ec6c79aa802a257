package sqltypes

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Composite (record) values. PostgreSQL gives an anonymous record, such as the row of
// _pg_expandarray or ROW(1, 'a'), the pseudo-type record (OID 2249) on the wire, but knows the
// record's field names and types while it plans, so (r).x type-checks. stripesql does the same:
// RecordType registers a field list and returns a Type that stands for it in the planner and the
// executor (Columns, ColumnRefs and derived tables carry it like any other type), and PublicType
// turns it back into Record where a type leaves the engine (RowDescription, database/sql).

// RecordField is one field of a composite type: its name and type.
type RecordField struct {
	Name string
	Type Type
}

// Row is the value of a composite type: one value per field, nil for a NULL field. Types are
// the fields' types, so a Row prints and encodes without its registered Type.
type Row struct {
	Values []any
	Types  []Type
}

// recordTypeBase is the first Type RecordType hands out: far above PostgreSQL's OIDs of built-in
// types and the OIDs stripesql's catalog allocates, and never sent to a client (PublicType).
const recordTypeBase Type = 0xF000_0000

// maxRecordTypes bounds the registry: record shapes come from function signatures and ROW(…)
// constructors, a handful per workload; past the bound a shape is plain Record, whose fields the
// planner cannot select (42809), instead of growing without limit.
const maxRecordTypes = 1 << 16

var records struct {
	sync.RWMutex
	byKey  map[string]Type
	fields [][]RecordField
}

// RecordType returns the Type of records with these fields, the same Type for the same list of
// names and types.
func RecordType(fields []RecordField) Type {
	var kb strings.Builder
	for _, f := range fields {
		kb.WriteString(f.Name)
		kb.WriteByte(0)
		kb.WriteString(strconv.FormatUint(uint64(f.Type), 10))
		kb.WriteByte(1)
	}
	key := kb.String()
	records.RLock()
	t, ok := records.byKey[key]
	records.RUnlock()
	if ok {
		return t
	}
	records.Lock()
	defer records.Unlock()
	if t, ok := records.byKey[key]; ok {
		return t
	}
	if len(records.fields) >= maxRecordTypes {
		return Record
	}
	if records.byKey == nil {
		records.byKey = map[string]Type{}
	}
	t = recordTypeBase + Type(len(records.fields))
	records.fields = append(records.fields, append([]RecordField(nil), fields...))
	records.byKey[key] = t
	return t
}

// RecordFields returns the fields of a Type from RecordType; ok is false for plain Record (whose
// fields are unknown) and for every other type.
func RecordFields(t Type) (fields []RecordField, ok bool) {
	if t < recordTypeBase {
		return nil, false
	}
	records.RLock()
	defer records.RUnlock()
	i := int(t - recordTypeBase)
	if i >= len(records.fields) {
		return nil, false
	}
	return records.fields[i], true
}

// IsRecord reports whether t is a composite type: Record or a type from RecordType.
func IsRecord(t Type) bool {
	if t == Record {
		return true
	}
	_, ok := RecordFields(t)
	return ok
}

// PublicType is t as clients see it: Record for a type from RecordType, t itself otherwise.
func PublicType(t Type) Type {
	if t >= recordTypeBase && IsRecord(t) {
		return Record
	}
	return t
}

// formatRecord prints a Row as PostgreSQL's record_out does: (f1,f2,…), a NULL field empty, and a
// field in double quotes when it is empty or holds a quote, backslash, parenthesis, comma or
// white space, with quotes and backslashes doubled inside.
func formatRecord(r Row, loc *time.Location) string {
	var sb strings.Builder
	sb.WriteByte('(')
	for i, v := range r.Values {
		if i > 0 {
			sb.WriteByte(',')
		}
		if v == nil {
			continue
		}
		t := Unknown
		if i < len(r.Types) {
			t = r.Types[i]
		}
		s := FormatTextIn(v, t, loc)
		quote := s == "" || strings.ContainsAny(s, "\"\\(),") || strings.ContainsAny(s, " \t\n\r\v\f")
		if !quote {
			sb.WriteString(s)
			continue
		}
		sb.WriteByte('"')
		for _, c := range []byte(s) {
			if c == '"' || c == '\\' {
				sb.WriteByte(c)
			}
			sb.WriteByte(c)
		}
		sb.WriteByte('"')
	}
	sb.WriteByte(')')
	return sb.String()
}
