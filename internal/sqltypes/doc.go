// Package sqltypes owns stripesql's SQL data types and the Go values that carry them.
//
// A Type is a PostgreSQL type OID. Values travel through the planner, the executor, the wire server
// and the driver as plain Go values, one representation per type:
//
//	NULL                                  nil
//	bool                                  bool
//	int2, int4, int8, oid, reg*           int64
//	float4, float8                        float64
//	numeric                               Decimal
//	text, varchar, name, char             string
//	bytea                                 []byte
//	date, timestamp, timestamptz          time.Time (timestamptz in UTC; date at UTC midnight)
//	interval                              IntervalValue
//	json, jsonb                           JSONValue (a decoded JSON document)
//	arrays                                Array
//	record (composite)                    Row
//
// A timestamp (without time zone) holds its wall-clock fields in a UTC time.Time; only timestamptz
// is an instant. JSONValue numbers are Decimal so jsonb keeps them exact; arrays are
// one-dimensional with lower bound 1. A record's type is Record on the wire, but inside the engine
// RecordType gives each list of field names and types a Type of its own, so the planner can
// type-check (r).field (record.go).
//
// The package also owns PostgreSQL's text output and input of each type (what psql prints and what
// a client may send), so the server, the driver and the executor agree on every value's spelling,
// the decimal arithmetic of numeric (with PostgreSQL's result scales), and what pg_type says about
// each type (FormatType, Typname, Size, Category, Elem, ArrayOf). The reg* types print names that
// only the catalog knows, so package catalog supplies their output (RegisterOIDOutput).
package sqltypes
