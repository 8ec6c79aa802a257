package sqltypes

import (
	"fmt"
	"slices"
)

// typeInfo is what pg_type says about a type: its format_type name, typname, length and category.
type typeInfo struct {
	name     string // format_type spelling
	typname  string // pg_type.typname
	size     int16  // typlen: -1 variable, -2 C string
	category byte   // pg_type.typcategory
	elem     Type   // element type of an array type
	array    Type   // array type of an element type
}

var infos = map[Type]typeInfo{
	Unknown:          {"unknown", "unknown", -2, 'X', 0, 0},
	Bool:             {"boolean", "bool", 1, 'B', 0, BoolArray},
	Bytea:            {"bytea", "bytea", -1, 'U', 0, 0},
	Char:             {"\"char\"", "char", 1, 'Z', 0, CharArray},
	Name:             {"name", "name", 64, 'S', 0, NameArray},
	Int8:             {"bigint", "int8", 8, 'N', 0, Int8Array},
	Int2:             {"smallint", "int2", 2, 'N', 0, Int2Array},
	Int2Vector:       {"int2vector", "int2vector", -1, 'A', Int2, 0},
	Int4:             {"integer", "int4", 4, 'N', 0, Int4Array},
	Regproc:          {"regproc", "regproc", 4, 'N', 0, 0},
	Text:             {"text", "text", -1, 'S', 0, TextArray},
	OID:              {"oid", "oid", 4, 'N', 0, OIDArray},
	OIDVector:        {"oidvector", "oidvector", -1, 'A', OID, 0},
	JSON:             {"json", "json", -1, 'U', 0, 0},
	Float4:           {"real", "float4", 4, 'N', 0, 0},
	Float8:           {"double precision", "float8", 8, 'N', 0, Float8Array},
	Varchar:          {"character varying", "varchar", -1, 'S', 0, 0},
	Date:             {"date", "date", 4, 'D', 0, 0},
	Time:             {"time without time zone", "time", 8, 'D', 0, 0},
	Timestamp:        {"timestamp without time zone", "timestamp", 8, 'D', 0, 0},
	Timestamptz:      {"timestamp with time zone", "timestamptz", 8, 'D', 0, TimestamptzArray},
	Interval:         {"interval", "interval", 16, 'T', 0, 0},
	Numeric:          {"numeric", "numeric", -1, 'N', 0, NumericArray},
	Regclass:         {"regclass", "regclass", 4, 'N', 0, 0},
	Regtype:          {"regtype", "regtype", 4, 'N', 0, 0},
	Regnamespace:     {"regnamespace", "regnamespace", 4, 'N', 0, 0},
	Record:           {"record", "record", -1, 'P', 0, 0},
	Void:             {"void", "void", 4, 'P', 0, 0},
	JSONB:            {"jsonb", "jsonb", -1, 'U', 0, JSONBArray},
	BoolArray:        {"boolean[]", "_bool", -1, 'A', Bool, 0},
	Int2Array:        {"smallint[]", "_int2", -1, 'A', Int2, 0},
	Int4Array:        {"integer[]", "_int4", -1, 'A', Int4, 0},
	TextArray:        {"text[]", "_text", -1, 'A', Text, 0},
	Int8Array:        {"bigint[]", "_int8", -1, 'A', Int8, 0},
	Float8Array:      {"double precision[]", "_float8", -1, 'A', Float8, 0},
	OIDArray:         {"oid[]", "_oid", -1, 'A', OID, 0},
	NameArray:        {"name[]", "_name", -1, 'A', Name, 0},
	CharArray:        {"\"char\"[]", "_char", -1, 'A', Char, 0},
	JSONBArray:       {"jsonb[]", "_jsonb", -1, 'A', JSONB, 0},
	TimestamptzArray: {"timestamp with time zone[]", "_timestamptz", -1, 'A', Timestamptz, 0},
	NumericArray:     {"numeric[]", "_numeric", -1, 'A', Numeric, 0},
}

// FormatType returns the type's name as format_type prints it ("bigint", "timestamp with time zone"),
// the spelling PostgreSQL uses in error messages and psql's \d.
func FormatType(t Type) string {
	if i, ok := infos[PublicType(t)]; ok {
		return i.name
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// Typname returns pg_type.typname ("int8", "_text"), for pg_type rows and regtype output.
func Typname(t Type) string {
	if i, ok := infos[PublicType(t)]; ok {
		return i.typname
	}
	return "???"
}

// Size returns pg_type.typlen: the fixed byte length, -1 for variable length, -2 for C strings.
// RowDescription sends it as the column's type size.
func Size(t Type) int16 {
	if i, ok := infos[PublicType(t)]; ok {
		return i.size
	}
	return -1
}

// Category returns pg_type.typcategory ('N' numeric, 'S' string, 'D' datetime, 'A' array, …),
// which implicit-cast resolution and pg_type rows use.
func Category(t Type) byte {
	if i, ok := infos[PublicType(t)]; ok {
		return i.category
	}
	return 'U'
}

// Known reports whether t is a type this package describes.
func Known(t Type) bool {
	_, ok := infos[t]
	return ok
}

// Elem returns the element type of an array type, or 0 when t is not an array.
func Elem(t Type) Type { return infos[t].elem }

// ArrayOf returns the array type whose elements are t, or 0 when stripesql has none.
func ArrayOf(t Type) Type {
	if t == Varchar {
		return TextArray
	}
	return infos[t].array
}

// IsArray reports whether t is an array type.
func IsArray(t Type) bool { return Elem(t) != 0 }

// Types returns every type this package describes, for pg_type rows.
func Types() []Type {
	out := make([]Type, 0, len(infos))
	for t := range infos {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
