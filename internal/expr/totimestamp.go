package expr

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// to_timestamp(text, template) and to_date(text, template) read a date written in a to_char
// template ('YYYY-MM-DD HH24:MI:SS', 'DD/MM/YYYY', 'Mon DD YYYY', 'YYYYMMDD'), the way analysts
// load dates exported as text. The reading follows PostgreSQL 15: leading blanks before numbers
// are skipped, a separator in the template matches any one separator in the input (and the blanks
// around it), a number followed in the template by another pattern reads only its pattern's
// width, month and day names are read in any case, fields not given default to January 1 of year 1
// BC at midnight, text left over after the template is ignored, and out-of-range fields fail with
// 22008. to_timestamp's result is the wall time read in the session's time zone.

// templateToken is one element of a to_char template: a pattern (with its FM prefix) or literal
// text (quoted text, a backslash escape or any other character).
type templateToken struct {
	pattern string
	fm      bool
	literal string
	quoted  bool
}

// nextTemplateToken reads the template element at f[i:] and returns it with the index after it.
func nextTemplateToken(f string, i int) (templateToken, int) {
	if f[i] == '"' {
		var sb strings.Builder
		j := i + 1
		for j < len(f) && f[j] != '"' {
			if f[j] == '\\' && j+1 < len(f) {
				j++
			}
			sb.WriteByte(f[j])
			j++
		}
		return templateToken{literal: sb.String(), quoted: true}, j + 1
	}
	fm := false
	if strings.HasPrefix(f[i:], "FM") || strings.HasPrefix(f[i:], "fm") {
		fm = true
		i += 2
		if i >= len(f) {
			return templateToken{}, i
		}
	}
	for _, p := range toCharPatterns {
		if strings.HasPrefix(f[i:], p) {
			return templateToken{pattern: p, fm: fm}, i + len(p)
		}
	}
	// case-insensitive fallback for numeric patterns
	up := foldedAt(f, i, strings.ToUpper)
	for _, p := range toCharPatterns {
		if strings.ToUpper(p) == p && strings.HasPrefix(up, p) && !strings.ContainsAny(p, "MDA") {
			return templateToken{pattern: p, fm: fm}, i + len(p)
		}
	}
	// outside double quotes a backslash is literal, except before a double quote
	if f[i] == '\\' && i+1 < len(f) && f[i+1] == '"' {
		i++
	}
	return templateToken{literal: f[i : i+1]}, i + 1
}

// formatTemplate writes template f: literal text as it is, each pattern as field formats it.
func formatTemplate(f string, field func(templateToken) (string, error)) (string, error) {
	var sb strings.Builder
	for i := 0; i < len(f); {
		var tok templateToken
		tok, i = nextTemplateToken(f, i)
		if tok.pattern == "" {
			sb.WriteString(tok.literal)
			continue
		}
		s, err := field(tok)
		if err != nil {
			return "", err
		}
		sb.WriteString(s)
		var th string
		th, i = ordinalSuffixAt(f, i, tok.pattern, s) // tocharth.go
		sb.WriteString(th)
	}
	return sb.String(), nil
}

// parsedTime collects the fields to_timestamp reads.
type parsedTime struct {
	year, month, day, yday, hour, min, sec, micros               int
	hasYear, hasMonth, hasDay, hasYday, pm, hasMeridian, clock12 bool
}

// numberWidth is how many digits a numeric pattern reads when another pattern follows it
// directly; 0 means the pattern is not numeric.
var numberWidth = map[string]int{
	"YYYY": 4, "IYYY": 4, "YYY": 3, "YY": 2, "Y": 1, "MM": 2, "DD": 2, "DDD": 3, "IDDD": 3,
	"HH": 2, "HH12": 2, "HH24": 2, "MI": 2, "SS": 2, "MS": 3, "US": 6, "CC": 2, "Q": 1,
	"WW": 2, "IW": 2, "W": 1, "D": 1, "ID": 1, "J": 7,
}

func isSeparator(b byte) bool {
	return b < 0x80 && !unicode.IsLetter(rune(b)) && !unicode.IsDigit(rune(b))
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	return i
}

// parseTemplateTime reads s with template f.
func parseTemplateTime(s, f string) (parsedTime, error) {
	var p parsedTime
	var toks []templateToken
	for i := 0; i < len(f); {
		var t templateToken
		t, i = nextTemplateToken(f, i)
		toks = append(toks, t)
	}
	in := 0
	for k, t := range toks {
		if in >= len(s) {
			break // fields past the end of the input keep their defaults
		}
		if t.pattern == "" {
			switch {
			case t.quoted:
				in = min(in+len(t.literal), len(s))
			case isSeparator(t.literal[0]):
				in = skipBlanks(s, in)
				if in < len(s) && isSeparator(s[in]) {
					in = skipBlanks(s, in+1)
				}
			case in < len(s):
				in++
			}
			continue
		}
		if w, ok := numberWidth[t.pattern]; ok {
			in = skipBlanks(s, in)
			limit := w
			followedBySep := k+1 == len(toks) || toks[k+1].pattern == ""
			if followedBySep && (t.pattern == "YYYY" || t.pattern == "J") {
				limit = 9
			}
			j := in
			for j < len(s) && j-in < limit && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == in {
				rest := s[in:]
				if len(rest) > len(t.pattern) {
					rest = rest[:len(t.pattern)]
				}
				return p, &sqlstate.Error{Code: sqlstate.InvalidDatetimeFormat,
					Message: "invalid value \"" + rest + "\" for \"" + t.pattern + "\"", Detail: "Value must be an integer."}
			}
			n, _ := strconv.Atoi(s[in:j])
			p.setNumber(t.pattern, n, j-in)
			in = j
			continue
		}
		var err error
		if in, err = p.readWord(t.pattern, s, skipBlanks(s, in)); err != nil {
			return p, err
		}
	}
	return p, nil
}

// setNumber stores a numeric field; digits is how many digits were read (for MS, US and
// partial years).
func (p *parsedTime) setNumber(pattern string, n, digits int) {
	switch pattern {
	case "YYYY", "IYYY":
		p.year, p.hasYear = n, true
		if digits <= 2 && pattern == "YYYY" {
			p.year = adjustYear(n, digits)
		}
	case "YYY", "YY", "Y":
		p.year, p.hasYear = adjustYear(n, digits), true
	case "MM":
		p.month, p.hasMonth = n, true
	case "DD":
		p.day, p.hasDay = n, true
	case "DDD", "IDDD":
		p.yday, p.hasYday = n, true
	case "HH", "HH12":
		p.hour, p.clock12 = n, true
	case "HH24":
		p.hour = n
	case "MI":
		p.min = n
	case "SS":
		p.sec = n
	case "MS":
		for ; digits < 3; digits++ {
			n *= 10
		}
		p.micros = n * 1000
	case "US":
		for ; digits < 6; digits++ {
			n *= 10
		}
		p.micros = n
	case "J":
		d := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n-2440588)
		p.year, p.month, p.day = d.Year(), int(d.Month()), d.Day()
		p.hasYear, p.hasMonth, p.hasDay = true, true, true
	}
}

// adjustYear completes a year given with fewer than four digits as PostgreSQL does: 2 digits
// mean 1970–2069, 3 digits 1100–2099, 1 digit 2000–2009.
func adjustYear(n, digits int) int {
	switch digits {
	case 1:
		return 2000 + n
	case 2:
		if n < 70 {
			return 2000 + n
		}
		return 1900 + n
	case 3:
		if n < 100 {
			return 2000 + n
		}
		return 1000 + n
	}
	return n
}

// readWord reads a month name, day name or meridian at s[i:]; other non-numeric patterns (TZ,
// OF) read nothing.
func (p *parsedTime) readWord(pattern, s string, i int) (int, error) {
	rest := foldedAt(s, i, strings.ToLower)
	matchName := func(names []string) (int, int) {
		for k, n := range names {
			if l := strings.ToLower(n); strings.HasPrefix(rest, l) {
				return k, len(l)
			}
		}
		for k, n := range names {
			if l := strings.ToLower(n[:3]); strings.HasPrefix(rest, l) {
				return k, 3
			}
		}
		return -1, 0
	}
	bad := func(what string) error {
		return &sqlstate.Error{Code: sqlstate.InvalidDatetimeFormat,
			Message: "invalid value \"" + firstWord(s[i:]) + "\" for \"" + pattern + "\"",
			Detail:  "The given value did not match any of the allowed values for this field."}
	}
	switch strings.ToUpper(pattern) {
	case "MONTH", "MON":
		k, n := matchName(monthNames)
		if k < 0 {
			return i, bad(pattern)
		}
		p.month, p.hasMonth = k+1, true
		return i + n, nil
	case "DAY", "DY":
		k, n := matchName(dayNames)
		if k < 0 {
			return i, bad(pattern)
		}
		return i + n, nil
	case "AM", "PM", "A.M.", "P.M.":
		for _, m := range []string{"a.m.", "p.m.", "am", "pm"} {
			if strings.HasPrefix(rest, m) {
				p.pm, p.hasMeridian = m[0] == 'p', true
				return i + len(m), nil
			}
		}
		return i, bad(pattern)
	}
	return i, nil
}

func firstWord(s string) string {
	if j := strings.IndexAny(s, " \t\n"); j >= 0 {
		return s[:j]
	}
	return s
}

// wall checks the fields and returns the wall-clock time they name.
func (p *parsedTime) wall(input string) (time.Time, error) {
	outOfRange := sqlstate.New(sqlstate.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", input)
	if p.clock12 {
		if p.hour < 1 || p.hour > 12 {
			return time.Time{}, (&sqlstate.Error{Code: sqlstate.InvalidDatetimeFormat,
				Message: "hour \"" + strconv.Itoa(p.hour) + "\" is invalid for the 12-hour clock"}).
				WithHint("Use the 24-hour clock, or give an hour between 1 and 12.")
		}
		if p.pm && p.hour < 12 {
			p.hour += 12
		} else if !p.pm && p.hour == 12 {
			p.hour = 0
		}
	}
	year, month, day := 0, 1, 1 // year 0 is 1 BC, PostgreSQL's default
	if p.hasYear {
		year = p.year
	}
	if p.hasMonth {
		month = p.month
	}
	if p.hasDay {
		day = p.day
	}
	if p.hasYday && !p.hasMonth && !p.hasDay {
		if p.yday < 1 || p.yday > time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() {
			return time.Time{}, outOfRange
		}
		d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p.yday-1)
		month, day = int(d.Month()), d.Day()
	}
	if month < 1 || month > 12 || day < 1 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() ||
		p.hour > 24 || p.min > 59 || p.sec > 60 || (p.hour == 24 && (p.min > 0 || p.sec > 0 || p.micros > 0)) {
		return time.Time{}, outOfRange
	}
	return time.Date(year, time.Month(month), day, p.hour, p.min, p.sec, p.micros*1000, time.UTC), nil
}

// parseTemplate reads text a[0] with template a[1] into a wall-clock time.
func parseTemplate(a []any) (time.Time, error) {
	s, f := a[0].(string), a[1].(string)
	p, err := parseTemplateTime(s, f)
	if err != nil {
		return time.Time{}, err
	}
	return p.wall(s)
}

// toTimestampText is to_timestamp(text, text); timefuncs.go registers to_timestamp with both variants.
func toTimestampText(env *Env, a []any) (any, error) {
	w, err := parseTemplate(a)
	if err != nil {
		return nil, err
	}
	return fromWall(w, env.Location()), nil
}

func init() {
	reg(Function{Name: "to_date", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: Fixed("to_date", sqltypes.Text, sqltypes.Text), Result: Returns(tDate),
		Eval: func(_ *Env, a []any) (any, error) {
			w, err := parseTemplate(a)
			if err != nil {
				return nil, err
			}
			return time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC), nil
		}})
}
