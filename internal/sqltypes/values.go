package sqltypes

import (
	"fmt"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// IntervalValue is the value of PostgreSQL's interval: months, days and microseconds are kept apart because a month
// has no fixed number of days and a day no fixed number of seconds (daylight saving).
type IntervalValue struct {
	Months int32
	Days   int32
	Micros int64
}

// MicrosPerDay and friends are the fixed conversions PostgreSQL uses when it must compare or
// justify intervals (a month is 30 days, a day 24 hours).
const (
	MicrosPerSecond = int64(1_000_000)
	MicrosPerMinute = 60 * MicrosPerSecond
	MicrosPerHour   = 60 * MicrosPerMinute
	MicrosPerDay    = 24 * MicrosPerHour
)

// Span returns the interval as microseconds with 30-day months and 24-hour days, the measure
// PostgreSQL uses to order intervals.
func (iv IntervalValue) Span() float64 {
	return float64(iv.Months)*30*float64(MicrosPerDay) + float64(iv.Days)*float64(MicrosPerDay) + float64(iv.Micros)
}

// JSONValue is a decoded json or jsonb document. V holds nil (JSON null), bool, string, Numeric,
// []any or map[string]any, recursively. Numbers are Decimal so that jsonb keeps them exact.
type JSONValue struct {
	V any
	// Text is the original text of a json (not jsonb) value, which PostgreSQL prints unchanged;
	// empty for jsonb and for json values built in process, which print in jsonb's layout.
	Text string
}

// Array is a one-dimensional SQL array with lower bound 1. Items hold values of Elem's
// representation, nil for NULL elements.
type Array struct {
	Elem  Type
	Items []any
}

func errOutOfRange(format string, args ...any) error {
	return sqlstate.New(sqlstate.NumericValueOutOfRange, format, args...)
}

func errSyntax(t Type, s string) error {
	return sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type %s: %s", FormatType(t), quoteForError(s))
}

func errDatetime(t Type, s string) error {
	name := FormatType(t)
	if t == Timestamp {
		name = "timestamp" // PostgreSQL's datetime input errors spell it so
	}
	if s != "" && strings.Trim(s, "0123456789") == "" {
		// a bare number is read as a date field that is out of range
		return sqlstate.New(sqlstate.DatetimeFieldOverflow, "date/time field value out of range: %s", quoteForError(s))
	}
	return sqlstate.New(sqlstate.InvalidDatetimeFormat, "invalid input syntax for type %s: %s", name, quoteForError(s))
}

func quoteForError(s string) string { return fmt.Sprintf("\"%s\"", s) }
