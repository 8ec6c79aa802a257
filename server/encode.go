package server

import (
	"encoding/json"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// formatValueText prints a non-NULL value in PostgreSQL's text format. int2vector and oidvector
// (pg_index.indkey, pg_proc.proargtypes) print as space-separated numbers, not as arrays: JDBC and
// ODBC split them on spaces.
func formatValueText(v any, t sqltypes.Type, loc *time.Location) string {
	if a, ok := v.(sqltypes.Array); ok && (t == sqltypes.Int2Vector || t == sqltypes.OIDVector) {
		parts := make([]string, len(a.Items))
		for i, it := range a.Items {
			parts[i] = sqltypes.FormatText(it, a.Elem)
		}
		return strings.Join(parts, " ")
	}
	return sqltypes.FormatTextIn(v, t, loc)
}

func (c *conn) typeMap() *pgtype.Map {
	if c.types == nil {
		c.types = pgtype.NewMap()
	}
	return c.types
}

// wireOID is the OID whose binary codec encodes t: the reg* types are OIDs on the wire.
func wireOID(t sqltypes.Type) uint32 {
	switch t {
	case sqltypes.Regclass, sqltypes.Regtype, sqltypes.Regproc, sqltypes.Regnamespace:
		return uint32(sqltypes.OID)
	case sqltypes.OIDVector:
		// The vectors' binary form is the one-dimensional array's.
		return uint32(sqltypes.OIDArray)
	case sqltypes.Int2Vector:
		return uint32(sqltypes.Int2Array)
	}
	return uint32(t)
}

// encodeBinary encodes a non-NULL value of type t in PostgreSQL's binary format with pgtype's
// codecs, after converting it from package sqltypes' representation to one pgtype accepts.
func (c *conn) encodeBinary(t sqltypes.Type, v any) ([]byte, error) {
	return c.appendBinary(nil, t, v)
}

// appendBinary is encodeBinary appending to buf.
func (c *conn) appendBinary(buf []byte, t sqltypes.Type, v any) ([]byte, error) {
	if r, ok := v.(sqltypes.Row); ok {
		return c.appendRecordBinary(buf, r) // encode_record.go
	}
	switch t {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Unknown, sqltypes.Char:
		// The binary form of the string types is their text.
		if s, ok := v.(string); ok {
			return append(buf, s...), nil
		}
		return append(buf, sqltypes.FormatText(v, t)...), nil
	}
	out, err := c.typeMap().Encode(wireOID(t), pgtype.BinaryFormatCode, toPgtype(v, t), buf)
	if err != nil {
		return nil, sqlstate.New(sqlstate.InternalError, "cannot encode a %s value in binary format: %s", sqltypes.FormatType(t), err)
	}
	return out, nil
}

// toPgtype converts a value of package sqltypes' representation to a value pgtype encodes.
func toPgtype(v any, t sqltypes.Type) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		switch t {
		case sqltypes.OID, sqltypes.Regclass, sqltypes.Regtype, sqltypes.Regproc, sqltypes.Regnamespace:
			return uint32(x)
		}
		return x
	case float64:
		if t == sqltypes.Float4 {
			return float32(x)
		}
		return x
	case sqltypes.Decimal:
		if x.NaN {
			return pgtype.Numeric{NaN: true, Valid: true}
		}
		coef := x.Coef
		if coef == nil {
			coef = new(big.Int)
		}
		return pgtype.Numeric{Int: coef, Exp: -x.Scale, Valid: true}
	case sqltypes.IntervalValue:
		return pgtype.Interval{Months: x.Months, Days: x.Days, Microseconds: x.Micros, Valid: true}
	case sqltypes.JSONValue:
		return json.RawMessage(sqltypes.FormatText(x, t))
	case sqltypes.Array:
		items := make([]any, len(x.Items))
		for i, it := range x.Items {
			items[i] = toPgtype(it, x.Elem)
		}
		return items
	}
	if t == sqltypes.JSON || t == sqltypes.JSONB {
		return json.RawMessage(sqltypes.FormatText(v, t))
	}
	return v
}

// decodeParam converts a Bind parameter in text (0) or binary (1) format to the value of type t
// in package sqltypes' representation. A parameter of unknown type stays a string.
func (c *conn) decodeParam(t sqltypes.Type, format int16, raw []byte) (any, error) {
	if t == 0 {
		t = sqltypes.Unknown
	}
	if format == 0 {
		return sqltypes.ParseText(string(raw), t, c.location())
	}
	if format != 1 {
		return nil, sqlstate.New(sqlstate.ProtocolViolation, "unsupported format code: %d", format)
	}
	bad := func(err error) error {
		return sqlstate.New(sqlstate.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter: %s", err).
			WithDetail("type %s", sqltypes.FormatType(t))
	}
	m := c.typeMap()
	switch t {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Unknown, sqltypes.Char:
		return string(raw), nil
	case sqltypes.Bool:
		var b bool
		if err := m.Scan(uint32(t), 1, raw, &b); err != nil {
			return nil, bad(err)
		}
		return b, nil
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		var n int64
		if err := m.Scan(uint32(t), 1, raw, &n); err != nil {
			return nil, bad(err)
		}
		return n, nil
	case sqltypes.OID, sqltypes.Regclass, sqltypes.Regtype, sqltypes.Regproc, sqltypes.Regnamespace:
		var n uint32
		if err := m.Scan(uint32(sqltypes.OID), 1, raw, &n); err != nil {
			return nil, bad(err)
		}
		return int64(n), nil
	case sqltypes.Float4, sqltypes.Float8:
		var f float64
		if err := m.Scan(uint32(t), 1, raw, &f); err != nil {
			return nil, bad(err)
		}
		return f, nil
	case sqltypes.Numeric:
		var n pgtype.Numeric
		if err := m.Scan(uint32(t), 1, raw, &n); err != nil {
			return nil, bad(err)
		}
		return decimalOf(n), nil
	case sqltypes.Bytea:
		var b []byte
		if err := m.Scan(uint32(t), 1, raw, &b); err != nil {
			return nil, bad(err)
		}
		return append([]byte{}, b...), nil
	case sqltypes.Date, sqltypes.Timestamp, sqltypes.Timestamptz:
		var tm time.Time
		if err := m.Scan(uint32(t), 1, raw, &tm); err != nil {
			return nil, bad(err)
		}
		if t == sqltypes.Timestamptz {
			return tm.UTC(), nil
		}
		return time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC), nil
	case sqltypes.Interval:
		var iv pgtype.Interval
		if err := m.Scan(uint32(t), 1, raw, &iv); err != nil {
			return nil, bad(err)
		}
		return sqltypes.IntervalValue{Months: iv.Months, Days: iv.Days, Micros: iv.Microseconds}, nil
	case sqltypes.JSON, sqltypes.JSONB:
		var s string
		if err := m.Scan(uint32(t), 1, raw, &s); err != nil {
			return nil, bad(err)
		}
		return sqltypes.ParseJSON(s, t)
	}
	if elem := sqltypes.Elem(t); elem != 0 {
		var items []any
		if err := m.Scan(uint32(t), 1, raw, &items); err != nil {
			return nil, bad(err)
		}
		out := sqltypes.Array{Elem: elem, Items: make([]any, len(items))}
		for i, it := range items {
			v, err := fromPgtype(it, elem)
			if err != nil {
				return nil, err
			}
			out.Items[i] = v
		}
		return out, nil
	}
	return nil, sqlstate.New(sqlstate.FeatureNotSupported, "binary parameters of type %s are not supported", sqltypes.FormatType(t)).
		WithHint("send the parameter in text format")
}

// fromPgtype converts an array element pgtype decoded into package sqltypes' representation.
func fromPgtype(v any, t sqltypes.Type) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case pgtype.Numeric:
		return decimalOf(x), nil
	case time.Time:
		return x.UTC(), nil
	case pgtype.Interval:
		return sqltypes.IntervalValue{Months: x.Months, Days: x.Days, Micros: x.Microseconds}, nil
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return sqltypes.ParseJSON(string(b), t)
	}
	return v, nil
}

func decimalOf(n pgtype.Numeric) sqltypes.Decimal {
	if n.NaN {
		return sqltypes.Decimal{NaN: true, Coef: new(big.Int)}
	}
	coef := new(big.Int)
	if n.Int != nil {
		coef.Set(n.Int)
	}
	if n.Exp > 0 {
		coef.Mul(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Exp)), nil))
		return sqltypes.Decimal{Coef: coef}
	}
	return sqltypes.Decimal{Coef: coef, Scale: -n.Exp}
}
