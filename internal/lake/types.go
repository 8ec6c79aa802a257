package lake

import (
	"fmt"
	"reflect"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/schema"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Column is one column of a lake table: the SQL table's column name and type.
type Column struct {
	Name string
	Type sqltypes.Type
}

// Mapping is how one SQL type is stored: its Arrow type, its Parquet physical and logical
// types, and how a reader sees it. Mappings lists every case, for documentation and tests.
type Mapping struct {
	SQL     string // the SQL type, as PostgreSQL spells it
	Arrow   string
	Parquet string
	Note    string
}

// Mappings is the type mapping table of the lake's contract (README, docs/sync.md).
var Mappings = []Mapping{
	{"boolean", "bool", "BOOLEAN", ""},
	{"smallint", "int16", "INT32 (INT(16, signed))", ""},
	{"integer", "int32", "INT32 (INT(32, signed))", ""},
	{"bigint, oid", "int64", "INT64 (INT(64, signed))", "amounts are in the currency's smallest unit, as Stripe sends them"},
	{"real", "float32", "FLOAT", ""},
	{"double precision", "float64", "DOUBLE", ""},
	{"numeric", "utf8", "BYTE_ARRAY (STRING)", "PostgreSQL's text form, exact: numeric has no fixed precision here; CAST(x AS DECIMAL(p, s)) in the reader"},
	{"text, varchar, name, char", "utf8", "BYTE_ARRAY (STRING)", ""},
	{"bytea", "binary", "BYTE_ARRAY", ""},
	{"date", "date32", "INT32 (DATE)", ""},
	{"timestamp with time zone", "timestamp[us, tz=UTC]", "INT64 (TIMESTAMP(MICROS, isAdjustedToUTC=true))", "an instant; Stripe's Unix seconds"},
	{"timestamp", "timestamp[us]", "INT64 (TIMESTAMP(MICROS, isAdjustedToUTC=false))", "wall-clock time"},
	{"json, jsonb", "extension<arrow.json> over utf8", "BYTE_ARRAY (JSON)", "the document as JSON text (jsonb's key order)"},
	{"arrays (text[], bigint[], …)", "list<element>", "LIST of the element's type", "one-dimensional; NULL elements kept"},
	{"time, interval, records, other types", "utf8", "BYTE_ARRAY (STRING)", "PostgreSQL's text form"},
}

// kind is how a column's values are stored, derived from its SQL type.
type kind int

const (
	kindText kind = iota // utf8 holding PostgreSQL's text output (the fallback)
	kindString
	kindBool
	kindInt16
	kindInt32
	kindInt64
	kindFloat32
	kindFloat64
	kindBytes
	kindDate
	kindTimestamptz
	kindTimestamp
	kindJSON
	kindList
)

func kindOf(t sqltypes.Type) kind {
	switch t {
	case sqltypes.Bool:
		return kindBool
	case sqltypes.Int2:
		return kindInt16
	case sqltypes.Int4:
		return kindInt32
	case sqltypes.Int8, sqltypes.OID:
		return kindInt64
	case sqltypes.Float4:
		return kindFloat32
	case sqltypes.Float8:
		return kindFloat64
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Char:
		return kindString
	case sqltypes.Bytea:
		return kindBytes
	case sqltypes.Date:
		return kindDate
	case sqltypes.Timestamptz:
		return kindTimestamptz
	case sqltypes.Timestamp:
		return kindTimestamp
	case sqltypes.JSON, sqltypes.JSONB:
		return kindJSON
	}
	if sqltypes.IsArray(t) {
		return kindList
	}
	return kindText
}

// ArrowType is the Arrow type a column of SQL type t is written as.
func ArrowType(t sqltypes.Type) arrow.DataType {
	switch kindOf(t) {
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	case kindInt16:
		return arrow.PrimitiveTypes.Int16
	case kindInt32:
		return arrow.PrimitiveTypes.Int32
	case kindInt64:
		return arrow.PrimitiveTypes.Int64
	case kindFloat32:
		return arrow.PrimitiveTypes.Float32
	case kindFloat64:
		return arrow.PrimitiveTypes.Float64
	case kindBytes:
		return arrow.BinaryTypes.Binary
	case kindDate:
		return arrow.FixedWidthTypes.Date32
	case kindTimestamptz:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case kindTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case kindJSON:
		return NewJSONType()
	case kindList:
		return arrow.ListOf(ArrowType(sqltypes.Elem(t)))
	}
	return arrow.BinaryTypes.String
}

// ArrowSchema is the Arrow schema of a table with these columns: one nullable field per column,
// each carrying its SQL type in the field metadata ("stripesql.type"), so a reader that wants
// PostgreSQL's type back has it.
func ArrowSchema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: ArrowType(c.Type), Nullable: true,
			Metadata: arrow.NewMetadata([]string{"stripesql.type"}, []string{sqltypes.FormatType(c.Type)})}
	}
	return arrow.NewSchema(fields, nil)
}

// ParquetSchema is the Parquet schema of a table with these columns. It is built here rather
// than derived by pqarrow from the Arrow schema because pqarrow (v15) writes JSON as plain
// STRING; the lake marks jsonb columns with Parquet's JSON logical type, which DuckDB, Spark and
// Trino read as JSON.
func ParquetSchema(cols []Column) (*schema.Schema, error) {
	fields := make(schema.FieldList, len(cols))
	for i, c := range cols {
		n, err := parquetNode(c.Name, c.Type)
		if err != nil {
			return nil, err
		}
		fields[i] = n
	}
	root, err := schema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1)
	if err != nil {
		return nil, err
	}
	return schema.NewSchema(root), nil
}

func parquetNode(name string, t sqltypes.Type) (schema.Node, error) {
	opt := parquet.Repetitions.Optional
	prim := func(lt schema.LogicalType, pt parquet.Type) (schema.Node, error) {
		return schema.NewPrimitiveNodeLogical(name, opt, lt, pt, -1, -1)
	}
	switch kindOf(t) {
	case kindBool:
		return prim(schema.NoLogicalType{}, parquet.Types.Boolean)
	case kindInt16:
		return prim(schema.NewIntLogicalType(16, true), parquet.Types.Int32)
	case kindInt32:
		return prim(schema.NewIntLogicalType(32, true), parquet.Types.Int32)
	case kindInt64:
		return prim(schema.NewIntLogicalType(64, true), parquet.Types.Int64)
	case kindFloat32:
		return prim(schema.NoLogicalType{}, parquet.Types.Float)
	case kindFloat64:
		return prim(schema.NoLogicalType{}, parquet.Types.Double)
	case kindBytes:
		return prim(schema.NoLogicalType{}, parquet.Types.ByteArray)
	case kindDate:
		return prim(schema.DateLogicalType{}, parquet.Types.Int32)
	case kindTimestamptz:
		return prim(schema.NewTimestampLogicalTypeForce(true, schema.TimeUnitMicros), parquet.Types.Int64)
	case kindTimestamp:
		return prim(schema.NewTimestampLogicalTypeForce(false, schema.TimeUnitMicros), parquet.Types.Int64)
	case kindJSON:
		return prim(schema.JSONLogicalType{}, parquet.Types.ByteArray)
	case kindList:
		elem := sqltypes.Elem(t)
		if kindOf(elem) == kindList {
			return nil, fmt.Errorf("column %s: nested arrays cannot be stored", name)
		}
		en, err := parquetNode("element", elem)
		if err != nil {
			return nil, err
		}
		return schema.ListOfWithName(name, en, opt, -1)
	}
	return prim(schema.StringLogicalType{}, parquet.Types.ByteArray)
}

// JSONType is Arrow's canonical JSON extension type ("arrow.json", stored as utf8), so Arrow
// readers that know it see JSON rather than a plain string.
type JSONType struct {
	arrow.ExtensionBase
}

// NewJSONType returns the JSON extension type over utf8.
func NewJSONType() *JSONType {
	return &JSONType{ExtensionBase: arrow.ExtensionBase{Storage: arrow.BinaryTypes.String}}
}

// ArrayType implements arrow.ExtensionType.
func (*JSONType) ArrayType() reflect.Type { return reflect.TypeOf(JSONArray{}) }

// ExtensionName implements arrow.ExtensionType: the canonical name.
func (*JSONType) ExtensionName() string { return "arrow.json" }

// Serialize implements arrow.ExtensionType: the JSON type has no parameters.
func (*JSONType) Serialize() string { return "" }

// Deserialize implements arrow.ExtensionType.
func (*JSONType) Deserialize(storage arrow.DataType, _ string) (arrow.ExtensionType, error) {
	if storage.ID() != arrow.STRING {
		return nil, fmt.Errorf("arrow.json over %s is not supported", storage)
	}
	return NewJSONType(), nil
}

// ExtensionEquals implements arrow.ExtensionType.
func (t *JSONType) ExtensionEquals(o arrow.ExtensionType) bool {
	return o.ExtensionName() == t.ExtensionName()
}

// JSONArray is an array of JSONType.
type JSONArray struct {
	array.ExtensionArrayBase
}

func init() {
	if arrow.GetExtensionType("arrow.json") == nil {
		_ = arrow.RegisterExtensionType(NewJSONType())
	}
}

// String names the type as Arrow's canonical extension.
func (*JSONType) String() string { return "extension<arrow.json>" }
