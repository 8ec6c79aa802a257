package sqltypes

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// ParseText reads s, the text form of a value of type t, the way PostgreSQL's input functions do:
// what clients send as parameters and what literals spell. loc is the session time zone, used for
// timestamptz input without an explicit offset and for 'today'. Errors are *sqlstate.Error with
// PostgreSQL's codes and messages (22P02, 22003, 22007, 22008).
func ParseText(s string, t Type, loc *time.Location) (any, error) {
	if loc == nil {
		loc = time.UTC
	}
	switch t {
	case Int2, Int4, Int8, OID, Regclass, Regtype, Regproc, Regnamespace:
		return parseInt(s, t)
	case Float4, Float8:
		return parseFloat(s, t)
	case Numeric:
		n, ok := parseNumeric(s)
		if !ok {
			return nil, errSyntax(t, s)
		}
		return n, nil
	case Bool:
		b, ok := ParseBool(s)
		if !ok {
			return nil, errSyntax(t, s)
		}
		return b, nil
	case Text, Varchar, Name, Unknown:
		return s, nil
	case Char:
		if s == "" {
			return "", nil
		}
		return s[:1], nil
	case Bytea:
		return parseBytea(s)
	case Date, Timestamp, Timestamptz:
		return ParseTime(s, t, loc, time.Now())
	case Interval:
		return ParseInterval(s)
	case JSON, JSONB:
		return ParseJSON(s, t)
	}
	if e := Elem(t); e != 0 {
		return parseArray(s, t, e, loc)
	}
	return nil, sqlstate.New(sqlstate.FeatureNotSupported, "input of type %s is not supported", FormatType(t))
}

// ParseDecimal reads a numeric literal ("12.50", "-1e3", "NaN"); ok is false on bad syntax.
func ParseDecimal(s string) (Decimal, bool) { return parseNumeric(s) }

func parseInt(s string, t Type) (any, error) {
	trim := strings.TrimSpace(s)
	n, err := strconv.ParseInt(trim, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, errOutOfRange("value %s is out of range for type %s", quoteForError(s), FormatType(t))
		}
		return nil, errSyntax(t, s)
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch t {
	case Int2:
		lo, hi = math.MinInt16, math.MaxInt16
	case Int4:
		lo, hi = math.MinInt32, math.MaxInt32
	case OID, Regclass, Regtype, Regproc, Regnamespace:
		lo, hi = math.MinInt32, math.MaxUint32
	}
	if n < lo || n > hi {
		return nil, errOutOfRange("value %s is out of range for type %s", quoteForError(s), FormatType(t))
	}
	if n < 0 && lo == math.MinInt32 && hi == math.MaxUint32 {
		n = int64(uint32(int32(n)))
	}
	return n, nil
}

func parseFloat(s string, t Type) (any, error) {
	trim := strings.TrimSpace(s)
	switch strings.ToLower(trim) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	bits := 64
	if t == Float4 {
		bits = 32
	}
	if strings.ContainsAny(trim, "xXpP_") {
		return nil, errSyntax(t, s)
	}
	f, err := strconv.ParseFloat(trim, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, errOutOfRange("%s is out of range for type %s", quoteForError(trim), FormatType(t))
		}
		return nil, errSyntax(t, s)
	}
	return f, nil
}

// ParseBool reads PostgreSQL's boolean spellings: t, true, y, yes, on, 1 and f, false, n, no,
// off, 0, case-insensitively, with unique prefixes allowed.
func ParseBool(s string) (bool, bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return false, false
	}
	switch {
	case strings.HasPrefix("true", v), strings.HasPrefix("yes", v), v == "1":
		return true, true
	case strings.HasPrefix("false", v), strings.HasPrefix("no", v), v == "0":
		return false, true
	case len(v) >= 2 && strings.HasPrefix("on", v):
		return true, true
	case len(v) >= 2 && strings.HasPrefix("off", v):
		return false, true
	}
	return false, false
}

func parseBytea(s string) (any, error) {
	if strings.HasPrefix(s, `\x`) {
		h := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s[2:])
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid hexadecimal data: odd number of digits")
		}
		return b, nil
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			out = append(out, '\\')
			i++
			continue
		}
		if i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				out = append(out, byte(n))
				i += 3
				continue
			}
		}
		return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type bytea")
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// ParseJSON decodes a json/jsonb document; numbers become Decimal.
func ParseJSON(s string, t Type) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail("unexpected data after the document")
	}
	if t == JSON {
		return JSONValue{V: NormalizeJSON(v), Text: s}, nil
	}
	return JSONValue{V: NormalizeJSON(v)}, nil
}

// NormalizeJSON converts a document decoded by encoding/json (with or without UseNumber) into the
// representation JSON.V uses: numbers as Decimal, recursively.
func NormalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, ok := parseNumeric(string(x)); ok {
			return n
		}
		return string(x)
	case float64:
		if n, err := DecimalFromFloat(x); err == nil {
			return n
		}
		return nil
	case int64:
		return DecimalFromInt(x)
	case int:
		return DecimalFromInt(int64(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = NormalizeJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = NormalizeJSON(e)
		}
		return out
	case JSONValue:
		return NormalizeJSON(x.V)
	}
	return v
}

func parseArray(s string, t, elem Type, loc *time.Location) (any, error) {
	bad := func() error {
		return sqlstate.New(sqlstate.InvalidTextRepresentation, "malformed array literal: %s", quoteForError(s))
	}
	in := strings.TrimSpace(s)
	if len(in) < 2 || in[0] != '{' || in[len(in)-1] != '}' {
		return nil, bad()
	}
	body := in[1 : len(in)-1]
	out := Array{Elem: elem, Items: []any{}}
	if strings.TrimSpace(body) == "" {
		return out, nil
	}
	i := 0
	for {
		for i < len(body) && body[i] == ' ' {
			i++
		}
		var item strings.Builder
		quoted := false
		if i < len(body) && body[i] == '"' {
			quoted = true
			i++
			closed := false
			for i < len(body) {
				c := body[i]
				if c == '\\' && i+1 < len(body) {
					item.WriteByte(body[i+1])
					i += 2
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				item.WriteByte(c)
				i++
			}
			if !closed {
				return nil, bad()
			}
			for i < len(body) && body[i] == ' ' {
				i++
			}
		} else {
			for i < len(body) && body[i] != ',' {
				c := body[i]
				if c == '{' || c == '}' || c == '"' {
					return nil, bad()
				}
				if c == '\\' && i+1 < len(body) {
					item.WriteByte(body[i+1])
					i += 2
					continue
				}
				item.WriteByte(c)
				i++
			}
		}
		text := item.String()
		if !quoted {
			text = strings.TrimSpace(text)
			if text == "" {
				return nil, bad()
			}
		}
		if !quoted && strings.EqualFold(text, "NULL") {
			out.Items = append(out.Items, nil)
		} else {
			v, err := ParseText(text, elem, loc)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, v)
		}
		if i >= len(body) {
			break
		}
		if body[i] != ',' {
			return nil, bad()
		}
		i++
	}
	return out, nil
}
