package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sqldriver "database/sql/driver"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// formatter writes a result set: begin with the columns, one call per row, end with the command tag.
type formatter interface {
	begin(cols, types []string) error
	row(vals []sqldriver.Value) error
	end(tag string) error
}

func newFormatter(name string, w io.Writer) (formatter, error) {
	switch name {
	case "table", "aligned":
		return &tableFormatter{w: w}, nil
	case "csv":
		return &csvFormatter{w: bufio.NewWriter(w)}, nil
	case "json":
		return &jsonFormatter{w: bufio.NewWriter(w)}, nil
	}
	return nil, fmt.Errorf("unknown --format %q: want table, csv or json", name)
}

// typesByName maps the driver's DatabaseTypeName ("INT8", "_TEXT") back to a type.
var typesByName = func() map[string]sqltypes.Type {
	m := map[string]sqltypes.Type{}
	for _, t := range sqltypes.Types() {
		m[strings.ToUpper(sqltypes.Typname(t))] = t
	}
	return m
}()

// text prints a value as psql does (NULL as the empty string).
func text(v sqldriver.Value, typ string) string {
	if v == nil {
		return ""
	}
	return sqltypes.FormatText(v, typesByName[typ])
}

// rightAligned reports whether psql right-aligns a column of this type: numbers are.
func rightAligned(typ string) bool {
	switch typesByName[typ] {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8, sqltypes.Numeric, sqltypes.OID:
		return true
	}
	return false
}

// tableFormatter prints psql's aligned format: a centered header, a dashed rule, cells padded to
// the column width (numbers on the right), and a "(N rows)" footer. Like psql it holds the rows
// until the end, since widths depend on every value.
type tableFormatter struct {
	w     io.Writer
	cols  []string
	types []string
	rows  [][]string
}

func (f *tableFormatter) begin(cols, types []string) error {
	f.cols, f.types = cols, types
	return nil
}

func (f *tableFormatter) row(vals []sqldriver.Value) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		r[i] = text(v, f.types[i])
	}
	f.rows = append(f.rows, r)
	return nil
}

func (f *tableFormatter) end(tag string) error {
	if len(f.cols) == 0 {
		// Statements without a result set print their command tag, as psql does.
		if tag != "" {
			_, err := fmt.Fprintln(f.w, tag)
			return err
		}
		return nil
	}
	widths := make([]int, len(f.cols))
	for i, c := range f.cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range f.rows {
		for i, v := range r {
			if n := utf8.RuneCountInString(v); n > widths[i] {
				widths[i] = n
			}
		}
	}
	var b strings.Builder
	for i, c := range f.cols {
		if i > 0 {
			b.WriteString("|")
		}
		pad := widths[i] - utf8.RuneCountInString(c)
		left := pad / 2
		b.WriteString(" " + strings.Repeat(" ", left) + c + strings.Repeat(" ", pad-left) + " ")
	}
	b.WriteString("\n")
	for i, w := range widths {
		if i > 0 {
			b.WriteString("+")
		}
		b.WriteString(strings.Repeat("-", w+2))
	}
	b.WriteString("\n")
	for _, r := range f.rows {
		for i, v := range r {
			if i > 0 {
				b.WriteString("|")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v))
			last := i == len(r)-1
			switch {
			case rightAligned(f.types[i]):
				b.WriteString(" " + pad + v)
				if !last {
					b.WriteString(" ")
				}
			case last:
				b.WriteString(" " + v)
			default:
				b.WriteString(" " + v + pad + " ")
			}
		}
		b.WriteString("\n")
	}
	if len(f.rows) == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", len(f.rows))
	}
	_, err := io.WriteString(f.w, b.String())
	return err
}

// csvFormatter writes CSV as PostgreSQL's COPY … TO STDOUT (FORMAT csv, HEADER) does, so the
// file reads back with COPY FROM unchanged: NULL is an empty unquoted field and the empty string
// is "", a field is quoted when it holds a comma, a double quote (doubled inside), a line break,
// is empty or is \. (COPY's end-of-data marker); lines end with \n.
type csvFormatter struct {
	w     *bufio.Writer
	types []string
}

func (f *csvFormatter) begin(cols, types []string) error {
	f.types = types
	if len(cols) == 0 {
		return nil
	}
	for i, c := range cols {
		f.field(i, c, false)
	}
	_, err := f.w.WriteString("\n")
	return err
}

func (f *csvFormatter) row(vals []sqldriver.Value) error {
	for i, v := range vals {
		f.field(i, text(v, f.types[i]), v == nil)
	}
	_, err := f.w.WriteString("\n")
	return err
}

// field writes the i-th field of a line: null as nothing, s quoted when COPY would quote it.
func (f *csvFormatter) field(i int, s string, null bool) {
	if i > 0 {
		f.w.WriteByte(',')
	}
	switch {
	case null:
	case s == "" || s == `\.` || strings.ContainsAny(s, ",\"\r\n"):
		f.w.WriteString(`"` + strings.ReplaceAll(s, `"`, `""`) + `"`)
	default:
		f.w.WriteString(s)
	}
}

func (f *csvFormatter) end(string) error { return f.w.Flush() }

// jsonFormatter writes an array of objects, one per row, keys in column order (see jsonKeys),
// values as jsonOf writes them.
type jsonFormatter struct {
	w     *bufio.Writer
	cols  []string
	types []string
	n     int
}

func (f *jsonFormatter) begin(cols, types []string) error {
	f.cols, f.types = jsonKeys(cols), types
	_, err := f.w.WriteString("[")
	return err
}

func (f *jsonFormatter) row(vals []sqldriver.Value) error {
	if f.n > 0 {
		f.w.WriteString(",")
	}
	f.n++
	f.w.WriteString("\n  {")
	for i, v := range vals {
		if i > 0 {
			f.w.WriteString(", ")
		}
		f.w.WriteString(quoteJSON(f.cols[i]))
		f.w.WriteString(": ")
		f.w.WriteString(jsonValue(v, f.types[i]))
	}
	_, err := f.w.WriteString("}")
	return err
}

func (f *jsonFormatter) end(string) error {
	if f.n > 0 {
		f.w.WriteString("\n")
	}
	f.w.WriteString("]\n")
	return f.w.Flush()
}

// jsonKeys names each column's key. SQL lets columns share a name (SELECT 1 AS a, 2 AS a, or two
// ?column?), but JSON objects with duplicate keys are ambiguous: most parsers keep only the last.
// A name already taken gets the first free suffix _2, _3, … ("a", "a_2"), so every key is
// distinct and the first column keeps its own name.
func jsonKeys(cols []string) []string {
	taken := make(map[string]bool, len(cols))
	keys := make([]string, len(cols))
	for i, c := range cols {
		k := c
		for n := 2; taken[k]; n++ {
			k = c + "_" + strconv.Itoa(n)
		}
		taken[k] = true
		keys[i] = k
	}
	return keys
}

// jsonValue writes one value of a column of type typ (the driver's type name) as JSON.
func jsonValue(v sqldriver.Value, typ string) string {
	t := typesByName[typ]
	if s, ok := v.(string); ok && sqltypes.IsArray(t) {
		// arrays come from the driver in their text form, {1,2}; read them back to nest them
		if a, err := sqltypes.ParseText(s, t, time.UTC); err == nil {
			return jsonOf(a, t)
		}
	}
	return jsonOf(v, t)
}

// jsonOf writes v, a value of SQL type t, as JSON: NULL is null, booleans and numbers are JSON
// booleans and numbers (every digit kept, bigint and numeric included; NaN and infinities are
// strings), json and jsonb are embedded as they are, arrays are JSON arrays, timestamptz is an
// RFC 3339 string with its offset, timestamp and date ISO 8601 strings without one, and
// everything else is the string PostgreSQL's text output gives.
func jsonOf(v any, t sqltypes.Type) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case sqltypes.Array:
		var b strings.Builder
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jsonOf(it, x.Elem))
		}
		b.WriteByte(']')
		return b.String()
	case time.Time:
		switch t {
		case sqltypes.Date:
			return strconv.Quote(x.Format("2006-01-02"))
		case sqltypes.Timestamp:
			return strconv.Quote(x.Format("2006-01-02T15:04:05.999999"))
		}
		return strconv.Quote(x.Format("2006-01-02T15:04:05.999999Z07:00"))
	}
	s := sqltypes.FormatText(v, t)
	switch t {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.OID, sqltypes.Float4, sqltypes.Float8, sqltypes.Numeric,
		sqltypes.JSON, sqltypes.JSONB:
		if json.Valid([]byte(s)) {
			return s
		}
	}
	return quoteJSON(s)
}

// quoteJSON quotes s as a JSON string without escaping <, > and &, which json.Marshal does for
// HTML's sake and which would only make the output harder to read.
func quoteJSON(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
