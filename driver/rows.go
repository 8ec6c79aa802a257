package driver

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/planner"
)

// Rows streams one statement's result. Rows are pulled from the executor one at a time, so a long
// scan holds one Stripe page in memory and the caller sees the first rows before the scan ends.
type Rows struct {
	ctx  context.Context
	r    exec.Rows
	cols []planner.Column
	cat  *catalog.Catalog
	// first is the row fetched by prefetch and not yet returned; eof records that the executor has
	// ended.
	first []any
	eof   bool
}

// Compile-time checks of the rows' interfaces.
var (
	_ sqldriver.Rows                           = (*Rows)(nil)
	_ sqldriver.RowsColumnTypeDatabaseTypeName = (*Rows)(nil)
	_ sqldriver.RowsColumnTypeScanType         = (*Rows)(nil)
	_ sqldriver.RowsColumnTypeNullable         = (*Rows)(nil)
	_ sqldriver.Rows                           = emptyRows{}
)

func newRows(ctx context.Context, r exec.Rows, cat *catalog.Catalog) *Rows {
	return &Rows{ctx: ctx, r: r, cols: r.Columns(), cat: cat}
}

// prefetch reads the first row, so that QueryContext reports the errors of the statement's first
// Stripe request itself.
func (r *Rows) prefetch() error {
	row, err := r.r.Next(r.ctx)
	if err != nil {
		if errors.Is(err, io.EOF) {
			r.eof = true
			return nil
		}
		return sqlError(r.ctx, err)
	}
	r.first = row
	return nil
}

// Columns returns the result column names.
func (r *Rows) Columns() []string {
	out := make([]string, len(r.cols))
	for i, c := range r.cols {
		out[i] = c.Name
	}
	return out
}

// Close stops the statement; a scan still running sends no further Stripe requests.
func (r *Rows) Close() error { return r.r.Close() }

// Next fills dest with the next row, or returns io.EOF after the last.
func (r *Rows) Next(dest []sqldriver.Value) error {
	var row []any
	switch {
	case r.first != nil:
		row, r.first = r.first, nil
	case r.eof:
		return io.EOF
	default:
		var err error
		row, err = r.r.Next(r.ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				r.eof = true
				return io.EOF
			}
			return sqlError(r.ctx, err)
		}
	}
	for i := range dest {
		var v any
		if i < len(row) {
			v = row[i]
		}
		var t sqltypes.Type
		if i < len(r.cols) {
			t = r.cols[i].Type
		}
		dest[i] = driverValue(v, t)
	}
	return nil
}

// Tag returns the statement's command tag ("SELECT 5"), final once Next has returned io.EOF.
func (r *Rows) Tag() string { return r.r.Tag() }

// Stats returns the Stripe requests, pages and rows the statement has used so far.
func (r *Rows) Stats() exec.Stats { return r.r.Stats() }

// ColumnTypeDatabaseTypeName returns the column's type as PostgreSQL drivers name it: pg_type's
// typname in upper case ("INT8", "TEXT", "TIMESTAMPTZ", "JSONB", "_TEXT" for text[]).
func (r *Rows) ColumnTypeDatabaseTypeName(i int) string {
	return databaseTypeName(r.cols[i].Type)
}

func databaseTypeName(t sqltypes.Type) string {
	if !sqltypes.Known(t) {
		return ""
	}
	return strings.ToUpper(sqltypes.Typname(t))
}

// ColumnTypeScanType returns the Go type Next stores for the column's non-NULL values.
func (r *Rows) ColumnTypeScanType(i int) reflect.Type { return scanType(r.cols[i].Type) }

var (
	scanInt64  = reflect.TypeOf(int64(0))
	scanFloat  = reflect.TypeOf(float64(0))
	scanBool   = reflect.TypeOf(false)
	scanString = reflect.TypeOf("")
	scanBytes  = reflect.TypeOf([]byte(nil))
	scanTime   = reflect.TypeOf(time.Time{})
	scanAny    = reflect.TypeOf((*any)(nil)).Elem()
)

func scanType(t sqltypes.Type) reflect.Type {
	switch t {
	case sqltypes.Bool:
		return scanBool
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.OID, sqltypes.Regclass, sqltypes.Regtype, sqltypes.Regproc, sqltypes.Regnamespace:
		return scanInt64
	case sqltypes.Float4, sqltypes.Float8:
		return scanFloat
	case sqltypes.Bytea:
		return scanBytes
	case sqltypes.Date, sqltypes.Timestamp, sqltypes.Timestamptz:
		return scanTime
	case sqltypes.Unknown, sqltypes.Record, sqltypes.Void:
		return scanAny
	}
	// text types, numeric, interval, json, jsonb and arrays arrive as PostgreSQL text.
	return scanString
}

// ColumnTypeNullable reports whether the column may hold NULL. A Stripe object always has an id,
// so the id column of a table is NOT NULL; any other field may be absent or null in Stripe's answer.
func (r *Rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	c := r.cols[i]
	if c.TableOID == 0 || c.AttNum <= 0 || r.cat == nil {
		return true, true
	}
	for _, t := range r.cat.Tables() {
		if t.OID == c.TableOID && int(c.AttNum) <= len(t.Columns) && t.Columns[c.AttNum-1].Name == "id" {
			return false, true
		}
	}
	return true, true
}

// emptyRows is the result of an empty query string or a statement without a result set.
type emptyRows struct{}

func (emptyRows) Columns() []string            { return nil }
func (emptyRows) Close() error                 { return nil }
func (emptyRows) Next([]sqldriver.Value) error { return io.EOF }
