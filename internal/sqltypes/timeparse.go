package sqltypes

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// ParseTime reads a date, timestamp or timestamptz in the ISO forms clients send: '2024-01-01',
// '2024-01-01 10:00', '2024-01-01T10:00:00.5Z', '2024-01-01 10:00:00+02', '... -05:30', and the
// special values 'now', 'today', 'tomorrow', 'yesterday' and 'epoch'. now is the time 'now' means;
// loc is the zone of values without an explicit offset. Dates come back at UTC midnight, timestamps
// as their wall clock in UTC, timestamptz as the instant in UTC.
func ParseTime(s string, t Type, loc *time.Location, now time.Time) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	in := strings.TrimSpace(s)
	low := strings.ToLower(in)
	var wall time.Time // wall clock (UTC location holds the fields) when zone is unset
	var zone *time.Location
	switch low {
	case "now":
		return finishTime(now.In(loc), t, true), nil
	case "today", "tomorrow", "yesterday":
		n := now.In(loc)
		d := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
		switch low {
		case "tomorrow":
			d = d.AddDate(0, 0, 1)
		case "yesterday":
			d = d.AddDate(0, 0, -1)
		}
		return finishZoned(d, loc, t), nil
	case "epoch":
		wall, zone = time.Unix(0, 0).UTC(), time.UTC
		return finishZoned(wall, zone, t), nil
	case "infinity", "-infinity":
		return time.Time{}, sqlstate.New(sqlstate.FeatureNotSupported, "infinite %s values are not supported", FormatType(t))
	}
	bc := false
	if up := strings.ToUpper(in); strings.HasSuffix(up, " BC") {
		bc = true
		in = strings.TrimSpace(in[:len(in)-3])
	}
	p := &timeScanner{s: in}
	y, ok1 := p.digits(4, 7) // PostgreSQL reads years past 9999 (dates go to 5874897 AD)
	ok2 := p.lit('-')
	mo, ok3 := p.digits(1, 2)
	ok4 := p.lit('-')
	d, ok5 := p.digits(1, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		var rest string
		var ok bool
		if y, mo, d, rest, ok = parseAltDate(in); !ok {
			return time.Time{}, errDatetime(t, s)
		}
		p = &timeScanner{s: rest}
	}
	var hh, mi, ss, us int
	if p.lit('T') || p.lit('t') || (p.peek() == ' ' && p.timeAhead()) {
		p.skipSpaces()
		var ok bool
		hh, ok = p.digits(1, 2)
		if !ok || !p.lit(':') {
			return time.Time{}, errDatetime(t, s)
		}
		mi, ok = p.digits(2, 2)
		if !ok {
			return time.Time{}, errDatetime(t, s)
		}
		if p.lit(':') {
			ss, ok = p.digits(2, 2)
			if !ok {
				return time.Time{}, errDatetime(t, s)
			}
			if p.lit('.') {
				start := p.i
				f, ok := p.digits(1, 9)
				if !ok {
					return time.Time{}, errDatetime(t, s)
				}
				n := p.i - start
				// round to microseconds
				fl := float64(f) / math.Pow10(n)
				us = int(math.Round(fl * 1e6))
			}
		}
	}
	p.skipSpaces()
	if !p.done() {
		z, ok := parseZone(p.rest())
		if !ok {
			return time.Time{}, errDatetime(t, s)
		}
		zone = z
	}
	if y < 1 {
		return time.Time{}, sqlstate.New(sqlstate.DatetimeFieldOverflow, "date/time field value out of range: %s", quoteForError(s))
	}
	if y > maxYear(t) {
		return time.Time{}, sqlstate.New(sqlstate.DatetimeFieldOverflow, "%s out of range: %s", rangeName(t), quoteForError(s))
	}
	if bc {
		y = 1 - y // 1 BC is year 0 in the proleptic calendar time.Time uses
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || hh > 24 || mi > 59 || ss > 60 || (hh == 24 && (mi != 0 || ss != 0 || us != 0)) {
		return time.Time{}, sqlstate.New(sqlstate.DatetimeFieldOverflow, "date/time field value out of range: %s", quoteForError(s))
	}
	wall = time.Date(y, time.Month(mo), d, hh, mi, ss, us*1000, time.UTC)
	if zone == nil {
		zone = loc
	}
	return finishZoned(wall, zone, t), nil
}

// finishZoned interprets the wall clock in zone and returns the representation of type t.
func finishZoned(wall time.Time, zone *time.Location, t Type) time.Time {
	switch t {
	case Date:
		return time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, time.UTC)
	case Timestamp:
		return wall
	}
	return InZone(wall, zone)
}

// finishTime converts an instant already in the session zone to type t's representation.
func finishTime(x time.Time, t Type, _ bool) time.Time {
	switch t {
	case Date:
		return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
	case Timestamp:
		return time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), time.UTC)
	}
	return x.UTC()
}

// maxYear is the last year PostgreSQL can store in a value of type t: dates end in 5874897 AD,
// timestamps (with or without zone) in 294276 AD. A later year is refused on input so that every
// value accepted also prints in a form that reads back.
func maxYear(t Type) int {
	if t == Date {
		return 5874897
	}
	return 294276
}

// rangeName is how PostgreSQL names type t in its "… out of range" input errors.
func rangeName(t Type) string {
	if t == Date {
		return "date"
	}
	return "timestamp"
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseZone reads "Z", "UTC", "GMT", "+02", "+0530", "-05:30", "+05:30:15" or an IANA name.
func parseZone(z string) (*time.Location, bool) {
	z = strings.TrimSpace(z)
	switch strings.ToLower(z) {
	case "z", "utc", "gmt", "zulu":
		return time.UTC, true
	}
	if z != "" && (z[0] == '+' || z[0] == '-') {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		body := z[1:]
		var parts []string
		if strings.Contains(body, ":") {
			parts = strings.Split(body, ":")
		} else {
			switch len(body) {
			case 1, 2:
				parts = []string{body}
			case 4:
				parts = []string{body[:2], body[2:]}
			case 6:
				parts = []string{body[:2], body[2:4], body[4:]}
			default:
				return nil, false
			}
		}
		if len(parts) > 3 {
			return nil, false
		}
		secs := 0
		mult := 3600
		for _, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || p == "" {
				return nil, false
			}
			secs += n * mult
			mult /= 60
		}
		if secs > 15*3600+59*60 {
			return nil, false
		}
		return time.FixedZone("", sign*secs), true
	}
	if l, err := time.LoadLocation(z); err == nil && z != "" && z != "Local" {
		return l, true
	}
	return nil, false
}

// LoadZone resolves a time zone name as SET TimeZone and AT TIME ZONE accept it: IANA names
// ("Europe/Paris"), "UTC"/"Z", and numeric offsets, which PostgreSQL reads POSIX-style there:
// '+02' and 'UTC+2' mean two hours west of Greenwich (the opposite of ISO 8601).
func LoadZone(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	up := strings.ToUpper(n)
	switch up {
	case "UTC", "Z", "GMT", "ZULU", "UCT":
		return time.UTC, nil
	}
	posix := n
	if strings.HasPrefix(up, "UTC") || strings.HasPrefix(up, "GMT") {
		posix = n[3:]
	}
	if posix != "" && (posix[0] == '+' || posix[0] == '-' || (posix[0] >= '0' && posix[0] <= '9')) {
		body := posix
		if body[0] != '+' && body[0] != '-' {
			body = "+" + body
		}
		if l, ok := parseZone(body); ok {
			_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, l).Zone()
			return time.FixedZone(n, -off), nil
		}
	}
	if l, err := time.LoadLocation(n); err == nil && n != "" && n != "Local" {
		return l, nil
	}
	return nil, sqlstate.New(sqlstate.InvalidParameterValue, "time zone %s not recognized", quoteForError(name))
}

type timeScanner struct {
	s string
	i int
}

func (p *timeScanner) done() bool   { return p.i >= len(p.s) }
func (p *timeScanner) rest() string { return p.s[p.i:] }
func (p *timeScanner) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}
func (p *timeScanner) lit(c byte) bool {
	if p.peek() == c && !p.done() {
		p.i++
		return true
	}
	return false
}
func (p *timeScanner) skipSpaces() {
	for !p.done() && p.s[p.i] == ' ' {
		p.i++
	}
}

// timeAhead reports whether a clock time (digits then ':') follows the spaces at the cursor.
func (p *timeScanner) timeAhead() bool {
	j := p.i
	for j < len(p.s) && p.s[j] == ' ' {
		j++
	}
	k := j
	for k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
		k++
	}
	return k > j && k < len(p.s) && p.s[k] == ':'
}

func (p *timeScanner) digits(minN, maxN int) (int, bool) {
	j := p.i
	for j < len(p.s) && j-p.i < maxN && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	if j-p.i < minN {
		return 0, false
	}
	n, err := strconv.Atoi(p.s[p.i:j])
	if err != nil {
		return 0, false
	}
	p.i = j
	return n, true
}

// ParseInterval reads an interval in PostgreSQL's postgres style ('30 days', '1 hour',
// '2 mons 3 days 04:05:06', '1.5 days', '-1 day +02:00', '@ 1 day ago') or ISO 8601 ('P1D',
// 'PT1H30M', 'P1Y2M3DT4H5M6.5S').
func ParseInterval(s string) (IntervalValue, error) {
	bad := func() (IntervalValue, error) { return IntervalValue{}, errDatetime(Interval, s) }
	in := strings.ToLower(strings.TrimSpace(s))
	in = strings.TrimSpace(strings.TrimPrefix(in, "@"))
	if in == "" {
		return bad()
	}
	var acc intervalAcc
	if in[0] == 'p' {
		if !acc.iso(in[1:]) {
			return bad()
		}
		return acc.result()
	}
	fields := strings.Fields(in)
	ago := false
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if f == "ago" {
			if i != len(fields)-1 {
				return bad()
			}
			ago = true
			continue
		}
		if strings.Contains(f, ":") {
			if !acc.clock(f) {
				return bad()
			}
			continue
		}
		num, unit := splitNumUnit(f)
		if num == "" {
			return bad()
		}
		if unit == "" && i+1 < len(fields) && isUnitWord(fields[i+1]) {
			i++
			unit = fields[i]
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return bad()
		}
		if unit == "" {
			unit = "second"
		}
		if !acc.add(v, unit) {
			return bad()
		}
	}
	iv, err := acc.result()
	if err != nil {
		return iv, err
	}
	if ago {
		iv = IntervalValue{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
	}
	return iv, nil
}

func splitNumUnit(f string) (string, string) {
	j := 0
	for j < len(f) && (f[j] == '+' || f[j] == '-' || f[j] == '.' || (f[j] >= '0' && f[j] <= '9')) {
		j++
	}
	return f[:j], f[j:]
}

func isUnitWord(w string) bool {
	_, ok := unitOf(w)
	return ok
}

type unit int

const (
	uMicro unit = iota
	uMilli
	uSecond
	uMinute
	uHour
	uDay
	uWeek
	uMonth
	uYear
	uDecade
	uCentury
	uMillennium
)

func unitOf(w string) (unit, bool) {
	switch w {
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds":
		return uMicro, true
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds":
		return uMilli, true
	case "second", "seconds", "s", "sec", "secs":
		return uSecond, true
	case "minute", "minutes", "m", "min", "mins":
		return uMinute, true
	case "hour", "hours", "h", "hr", "hrs":
		return uHour, true
	case "day", "days", "d":
		return uDay, true
	case "week", "weeks", "w":
		return uWeek, true
	case "month", "months", "mon", "mons":
		return uMonth, true
	case "year", "years", "y", "yr", "yrs":
		return uYear, true
	case "decade", "decades":
		return uDecade, true
	case "century", "centuries":
		return uCentury, true
	case "millennium", "millennia", "millenniums":
		return uMillennium, true
	}
	return 0, false
}

// intervalAcc accumulates interval fields as floats, carrying fractions down the way
// PostgreSQL's DecodeInterval does (fractional months into days, fractional days into time).
type intervalAcc struct {
	months, days, micros float64
}

func (a *intervalAcc) add(v float64, w string) bool {
	u, ok := unitOf(w)
	if !ok {
		return false
	}
	switch u {
	case uMicro:
		a.micros += v
	case uMilli:
		a.micros += v * 1e3
	case uSecond:
		a.micros += v * 1e6
	case uMinute:
		a.micros += v * 6e7
	case uHour:
		a.micros += v * 3.6e9
	case uDay:
		a.addDays(v)
	case uWeek:
		a.addDays(v * 7)
	case uMonth:
		a.addMonths(v)
	case uYear:
		a.addMonths(v * 12)
	case uDecade:
		a.addMonths(v * 120)
	case uCentury:
		a.addMonths(v * 1200)
	case uMillennium:
		a.addMonths(v * 12000)
	}
	return true
}

func (a *intervalAcc) addDays(v float64) {
	whole := math.Trunc(v)
	a.days += whole
	a.micros += math.Round((v - whole) * float64(MicrosPerDay))
}

func (a *intervalAcc) addMonths(v float64) {
	whole := math.Trunc(v)
	a.months += whole
	a.addDays((v - whole) * 30)
}

// clock reads [+-]hh:mm[:ss[.frac]].
func (a *intervalAcc) clock(f string) bool {
	sign := 1.0
	if f[0] == '-' || f[0] == '+' {
		if f[0] == '-' {
			sign = -1
		}
		f = f[1:]
	}
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || m > 59 || m < 0 || h < 0 {
		return false
	}
	sec := 0.0
	if len(parts) == 3 {
		v, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || v < 0 || v >= 60 {
			return false
		}
		sec = v
	}
	a.micros += sign * (float64(h)*3.6e9 + float64(m)*6e7 + math.Round(sec*1e6))
	return true
}

// iso reads the body of an ISO 8601 duration after the leading P.
func (a *intervalAcc) iso(s string) bool {
	inTime := false
	if s == "" {
		return false
	}
	for s != "" {
		if s[0] == 't' {
			inTime = true
			s = s[1:]
			continue
		}
		j := 0
		for j < len(s) && (s[j] == '-' || s[j] == '+' || s[j] == '.' || (s[j] >= '0' && s[j] <= '9')) {
			j++
		}
		if j == 0 || j == len(s) {
			return false
		}
		v, err := strconv.ParseFloat(s[:j], 64)
		if err != nil {
			return false
		}
		var w string
		switch {
		case s[j] == 'y':
			w = "year"
		case s[j] == 'm' && !inTime:
			w = "month"
		case s[j] == 'w':
			w = "week"
		case s[j] == 'd':
			w = "day"
		case s[j] == 'h':
			w = "hour"
		case s[j] == 'm':
			w = "minute"
		case s[j] == 's':
			w = "second"
		default:
			return false
		}
		a.add(v, w)
		s = s[j+1:]
	}
	return true
}

func (a *intervalAcc) result() (IntervalValue, error) {
	if math.Abs(a.months) > math.MaxInt32 || math.Abs(a.days) > math.MaxInt32 || math.Abs(a.micros) > 9.2e18 {
		return IntervalValue{}, sqlstate.New(sqlstate.DatetimeFieldOverflow, "interval field value out of range")
	}
	return IntervalValue{Months: int32(a.months), Days: int32(a.days), Micros: int64(math.Round(a.micros))}, nil
}

// InZone returns the instant whose wall clock in loc is wall's fields (wall's own location is
// ignored), resolving daylight-saving edges as PostgreSQL does: an ambiguous local time (clocks
// set back) is the later instant, a nonexistent one (clocks set forward) uses the offset in force
// before the transition. The result is in UTC.
func InZone(wall time.Time, loc *time.Location) time.Time {
	w := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	if loc == time.UTC || loc == nil {
		return w
	}
	offAt := func(t time.Time) time.Duration {
		_, o := t.In(loc).Zone()
		return time.Duration(o) * time.Second
	}
	before, after := offAt(w.Add(-36*time.Hour)), offAt(w.Add(36*time.Hour))
	if before == after {
		c := w.Add(-before)
		if offAt(c) == before {
			return c
		}
		// a transition and its reversal within three days; fall back to Go's choice
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc).UTC()
	}
	c1, c2 := w.Add(-before), w.Add(-after)
	ok1, ok2 := offAt(c1) == before, offAt(c2) == after
	switch {
	case ok1 && ok2:
		if c1.After(c2) {
			return c1
		}
		return c2
	case ok1:
		return c1
	case ok2:
		return c2
	}
	return c1
}

var monthAbbrevs = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}

func monthOf(w string) (int, bool) {
	w = strings.ToLower(w)
	if m, ok := monthAbbrevs[w]; ok {
		return m, true
	}
	if len(w) > 3 {
		if m, ok := monthAbbrevs[w[:3]]; ok && strings.HasPrefix(strings.ToLower(time.Month(m).String()), w) {
			return m, true
		}
	}
	return 0, false
}

// parseAltDate reads the date forms other than YYYY-MM-DD that PostgreSQL accepts and clients
// use: YYYYMMDD, "Jan 5 2024", "5 Jan 2024", "January 5, 2024", "2024 Jan 5". rest is what
// follows the date (a time, a zone), starting with a space.
func parseAltDate(in string) (y, m, d int, rest string, ok bool) {
	if len(in) >= 8 {
		allDigits := true
		for i := 0; i < 8; i++ {
			if in[i] < '0' || in[i] > '9' {
				allDigits = false
				break
			}
		}
		if allDigits && (len(in) == 8 || in[8] == ' ' || in[8] == 'T' || in[8] == 't') {
			y, _ = strconv.Atoi(in[:4])
			m, _ = strconv.Atoi(in[4:6])
			d, _ = strconv.Atoi(in[6:8])
			return y, m, d, in[8:], true
		}
	}
	f := strings.Fields(strings.ReplaceAll(in, ",", " "))
	if len(f) < 3 {
		return 0, 0, 0, "", false
	}
	num := func(s string) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	// PostgreSQL reads a field of six or more digits next to a month name as a run of date fields
	// (YYMMDD…), never as a year, and refuses it here: "Jan 1 100000" is invalid syntax.
	year := func(s string) (int, bool) {
		if len(strings.TrimLeft(s, "+-")) > 5 {
			return 0, false
		}
		return num(s)
	}
	if mm, okm := monthOf(f[0]); okm {
		dd, ok1 := num(f[1])
		yy, ok2 := year(f[2])
		if ok1 && ok2 {
			return yy, mm, dd, " " + strings.Join(f[3:], " "), true
		}
	}
	if mm, okm := monthOf(f[1]); okm {
		a, ok1 := num(f[0])
		b, ok2 := year(f[2])
		if ok1 && ok2 {
			if len(f[0]) == 4 {
				return a, mm, b, " " + strings.Join(f[3:], " "), true
			}
			return b, mm, a, " " + strings.Join(f[3:], " "), true
		}
	}
	return 0, 0, 0, "", false
}
