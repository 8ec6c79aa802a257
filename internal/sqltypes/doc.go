// Package sqltypes owns stripesql's SQL data types and the Go values that carry them.
//
// A Type is a PostgreSQL type OID. Values travel through the planner, the executor, the wire server
// and the driver as plain Go values, one representation per type:
//
//	NULL                                  nil
//	bool                                  bool
//	int2, int4, int8, oid, reg*           int64
//	float4, float8                        float64
//	numeric                               Numeric
//	text, varchar, name, char             string
//	bytea                                 []byte
//	date, timestamp, timestamptz          time.Time (timestamptz in UTC; date at UTC midnight)
//	interval                              Interval
//	json, jsonb                           JSON (a decoded JSON document)
//	arrays                                Array
//
// The package also owns PostgreSQL's text output and input of each type (what psql prints and what
// a client may send), so the server, the driver and the executor agree on every value's spelling.
package sqltypes
