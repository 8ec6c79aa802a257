package sqltypes

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FormatText prints v, a value of type t, exactly as PostgreSQL 15 prints it in text format with
// the session time zone UTC. NULL (nil) prints as the empty string; callers that must tell NULL
// apart check for nil first.
func FormatText(v any, t Type) string { return FormatTextIn(v, t, time.UTC) }

// FormatTextIn is FormatText with the session time zone loc, which timestamptz output is shown in
// ("2024-01-02 03:04:05+00").
func FormatTextIn(v any, t Type, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		if f := oidOutput(t); f != nil {
			return f(uint32(x))
		}
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		if t == Float4 {
			return FormatFloat(x, 32)
		}
		return FormatFloat(x, 64)
	case float32:
		return FormatFloat(float64(x), 32)
	case Decimal:
		return x.String()
	case string:
		return x
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case time.Time:
		return formatTime(x, t, loc)
	case IntervalValue:
		return FormatInterval(x)
	case JSONValue:
		if t == JSON && x.Text != "" {
			return x.Text
		}
		var sb strings.Builder
		writeJSON(&sb, x.V)
		return sb.String()
	case Array:
		return formatArray(x, loc)
	case Row:
		return formatRecord(x, loc) // record.go
	case json.Number:
		return string(x)
	}
	return fmt.Sprint(v)
}

// FormatFloat prints a float the way PostgreSQL 15 does with extra_float_digits = 1: the shortest
// text that reads back to the same value, in fixed notation when the decimal exponent is between
// -4 and 14 (bits 32) / 14 (bits 64), otherwise as 1.5e+15.
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if exp < -4 || exp >= limit {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

func formatTime(x time.Time, t Type, loc *time.Location) string {
	switch t {
	case Date:
		return formatDate(x) + era(x)
	case Timestamp:
		x = x.UTC()
		return formatDate(x) + " " + formatClock(x) + era(x)
	case Time:
		return formatClock(x.UTC())
	}
	x = x.In(loc)
	_, off := x.Zone()
	return formatDate(x) + " " + formatClock(x) + formatOffset(off) + era(x)
}

// formatDate prints the year, month and day; a year BC is counted back from 1 BC (year 0 of
// time.Time) and era marks it.
func formatDate(x time.Time) string {
	y := x.Year()
	if y <= 0 {
		y = 1 - y
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, int(x.Month()), x.Day())
}

// era is " BC" for a time before year 1 and "" otherwise: PostgreSQL writes the era last, after
// the clock and the offset ("0001-01-01 00:00:00+00 BC").
func era(x time.Time) string {
	if x.Year() <= 0 {
		return " BC"
	}
	return ""
}

func formatClock(x time.Time) string {
	s := fmt.Sprintf("%02d:%02d:%02d", x.Hour(), x.Minute(), x.Second())
	if us := x.Nanosecond() / 1000; us != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%06d", us), "0")
	}
	return s
}

func formatOffset(off int) string {
	sign := "+"
	if off < 0 {
		sign = "-"
		off = -off
	}
	h, m, s := off/3600, off/60%60, off%60
	out := fmt.Sprintf("%s%02d", sign, h)
	if m != 0 || s != 0 {
		out += fmt.Sprintf(":%02d", m)
	}
	if s != 0 {
		out += fmt.Sprintf(":%02d", s)
	}
	return out
}

// FormatInterval prints an interval in PostgreSQL's default "postgres" IntervalStyle:
// "1 year 2 mons 3 days 04:05:06", "-1 days +02:00:00", "00:00:00".
func FormatInterval(iv IntervalValue) string {
	var sb strings.Builder
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			sb.WriteByte(' ')
		}
		if isBefore && v > 0 {
			sb.WriteByte('+')
		}
		sb.WriteString(strconv.FormatInt(v, 10))
		sb.WriteByte(' ')
		sb.WriteString(unit)
		if v != 1 {
			sb.WriteByte('s')
		}
		isBefore = v < 0
		isZero = false
	}
	part(int64(iv.Months/12), "year")
	part(int64(iv.Months%12), "mon")
	part(int64(iv.Days), "day")
	us := iv.Micros
	if isZero || us != 0 {
		minus := us < 0
		if minus {
			us = -us
		}
		h := us / MicrosPerHour
		m := us / MicrosPerMinute % 60
		s := us / MicrosPerSecond % 60
		f := us % MicrosPerSecond
		if !isZero {
			sb.WriteByte(' ')
		}
		if minus {
			sb.WriteByte('-')
		} else if isBefore {
			sb.WriteByte('+')
		}
		fmt.Fprintf(&sb, "%02d:%02d:%02d", h, m, s)
		if f != 0 {
			sb.WriteString(strings.TrimRight(fmt.Sprintf(".%06d", f), "0"))
		}
	}
	return sb.String()
}

// JSONKeys returns an object's keys in jsonb's storage order: shorter keys first, then bytewise.
func JSONKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}

// FormatJSON prints a decoded JSON value (as held in JSON.V) the way jsonb prints it.
func FormatJSON(v any) string {
	var sb strings.Builder
	writeJSON(&sb, v)
	return sb.String()
}

func writeJSON(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		if x {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case string:
		WriteJSONString(sb, x)
	case Decimal:
		sb.WriteString(x.String())
	case json.Number:
		if n, ok := parseNumeric(string(x)); ok {
			sb.WriteString(n.String())
		} else {
			sb.WriteString(string(x))
		}
	case float64:
		if n, err := DecimalFromFloat(x); err == nil {
			sb.WriteString(n.String())
		} else {
			sb.WriteString("null")
		}
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case int:
		sb.WriteString(strconv.Itoa(x))
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeJSON(sb, e)
		}
		sb.WriteByte(']')
	case map[string]any:
		sb.WriteByte('{')
		for i, k := range JSONKeys(x) {
			if i > 0 {
				sb.WriteString(", ")
			}
			WriteJSONString(sb, k)
			sb.WriteString(": ")
			writeJSON(sb, x[k])
		}
		sb.WriteByte('}')
	case JSONValue:
		writeJSON(sb, x.V)
	default:
		WriteJSONString(sb, fmt.Sprint(x))
	}
}

// WriteJSONString writes s as a JSON string literal with PostgreSQL's escapes (non-ASCII kept).
func WriteJSONString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(sb, `\u%04x`, r)
			} else {
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
}

func formatArray(a Array, loc *time.Location) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, it := range a.Items {
		if i > 0 {
			sb.WriteByte(',')
		}
		if it == nil {
			sb.WriteString("NULL")
			continue
		}
		s := FormatTextIn(it, a.Elem, loc)
		if needsArrayQuote(s) {
			sb.WriteByte('"')
			for _, r := range s {
				if r == '"' || r == '\\' {
					sb.WriteByte('\\')
				}
				sb.WriteRune(r)
			}
			sb.WriteByte('"')
		} else {
			sb.WriteString(s)
		}
	}
	sb.WriteByte('}')
	return sb.String()
}

func needsArrayQuote(s string) bool {
	if s == "" || strings.EqualFold(s, "NULL") {
		return true
	}
	for _, r := range s {
		switch r {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

// oidOutputs holds the output functions of the reg* types, set by RegisterOIDOutput.
var oidOutputs = struct {
	sync.RWMutex
	m map[Type]func(oid uint32) string
}{m: map[Type]func(oid uint32) string{}}

// RegisterOIDOutput sets how values of a reg* type (regclass, regtype, regproc, regnamespace)
// print in text format. PostgreSQL prints the object's name ('customers'::regclass shows as
// customers, and psql's \d prints "referenced by" tables that way), which only the catalog knows,
// so package catalog registers the functions; without one the OID prints as a number.
func RegisterOIDOutput(t Type, fn func(oid uint32) string) {
	oidOutputs.Lock()
	defer oidOutputs.Unlock()
	oidOutputs.m[t] = fn
}

// oidOutput returns the registered output function of t, nil for types other than the reg* types.
func oidOutput(t Type) func(uint32) string {
	switch t {
	case Regclass, Regtype, Regproc, Regnamespace:
	default:
		return nil
	}
	oidOutputs.RLock()
	defer oidOutputs.RUnlock()
	return oidOutputs.m[t]
}

// HasOIDOutput reports whether values of t print as names rather than numbers (see
// RegisterOIDOutput), for encoders with a fast path for integers.
func HasOIDOutput(t Type) bool { return oidOutput(t) != nil }
