package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
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
		return &csvFormatter{w: csv.NewWriter(w)}, nil
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

// csvFormatter writes RFC 4180 CSV with a header row; NULL is an empty field.
type csvFormatter struct {
	w     *csv.Writer
	types []string
	rec   []string
}

func (f *csvFormatter) begin(cols, types []string) error {
	f.types = types
	if len(cols) == 0 {
		return nil
	}
	f.rec = make([]string, len(cols))
	return f.w.Write(cols)
}

func (f *csvFormatter) row(vals []sqldriver.Value) error {
	for i, v := range vals {
		f.rec[i] = text(v, f.types[i])
	}
	return f.w.Write(f.rec)
}

func (f *csvFormatter) end(string) error {
	f.w.Flush()
	return f.w.Error()
}

// jsonFormatter writes an array of objects, one per row, keys in column order. Numbers stay
// numbers, json and jsonb columns are embedded as JSON, timestamps are ISO 8601 strings.
type jsonFormatter struct {
	w     *bufio.Writer
	cols  []string
	types []string
	n     int
}

func (f *jsonFormatter) begin(cols, types []string) error {
	f.cols, f.types = cols, types
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

func jsonValue(v sqldriver.Value, typ string) string {
	t := typesByName[typ]
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return quoteJSON(text(x, typ))
		}
		return text(x, typ)
	case time.Time:
		if t == sqltypes.Date {
			return strconv.Quote(x.Format("2006-01-02"))
		}
		if t == sqltypes.Timestamp {
			return strconv.Quote(x.Format("2006-01-02T15:04:05.999999"))
		}
		return strconv.Quote(x.Format("2006-01-02T15:04:05.999999-07:00"))
	case string:
		if (t == sqltypes.JSON || t == sqltypes.JSONB || t == sqltypes.Numeric) && json.Valid([]byte(x)) {
			return x
		}
	}
	return quoteJSON(text(v, typ))
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
