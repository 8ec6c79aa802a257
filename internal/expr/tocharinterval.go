package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// to_char(interval, template) formats a duration ('HH24:MI:SS' of an elapsed time, 'DD "days"').
// As in PostgreSQL the fields are the interval's own, not a calendar date's: YYYY is the years of
// the months part, MM the remaining months, DD the days, HH24 the hours of the time part (which
// may pass 24), and each field keeps its part's sign ('-01:00'). Calendar patterns (month and day
// names, D, ID, TZ, OF) are 22007 as in PostgreSQL; the rarely used week, quarter, century and
// Julian-day patterns are refused with 0A000 rather than answered differently.

// intervalFields are an interval's fields as PostgreSQL's interval2tm splits them.
type intervalFields struct {
	years, months, days, hours, minutes, seconds, micros int64
}

func splitInterval(iv interval) intervalFields {
	us := iv.Micros
	return intervalFields{
		years: int64(iv.Months / 12), months: int64(iv.Months % 12), days: int64(iv.Days),
		hours: us / 3_600_000_000, minutes: us / 60_000_000 % 60, seconds: us / 1_000_000 % 60, micros: us % 1_000_000,
	}
}

// padSigned prints n zero-padded to width digits, a minus sign added in front (C's "%0*d" with
// the width grown by one for negative numbers, as PostgreSQL's to_char does).
func padSigned(n int64, width int, fm bool) string {
	if fm {
		return strconv.FormatInt(n, 10)
	}
	if n < 0 {
		width++
	}
	return fmt.Sprintf("%0*d", width, n)
}

func toCharInterval(iv interval, f string) (string, error) {
	x := splitInterval(iv)
	return formatTemplate(f, func(tok templateToken) (string, error) { return x.field(tok.pattern, tok.fm) }) // totimestamp.go
}

// field formats one to_char pattern of an interval.
func (x intervalFields) field(pattern string, fm bool) (string, error) {
	switch pattern {
	case "YYYY":
		return padSigned(x.years, 4, fm), nil
	case "YYY":
		return padSigned(x.years%1000, 3, fm), nil
	case "YY":
		return padSigned(x.years%100, 2, fm), nil
	case "Y":
		return padSigned(x.years%10, 1, fm), nil
	case "MM":
		return padSigned(x.months, 2, fm), nil
	case "DD":
		if fm {
			return strconv.FormatInt(x.days, 10), nil
		}
		return fmt.Sprintf("%02d", x.days), nil // PostgreSQL does not widen DD for a sign
	case "HH24":
		return padSigned(x.hours, 2, fm), nil
	case "HH", "HH12":
		h := x.hours % 12
		if h == 0 {
			h = 12
		}
		return padSigned(h, 2, fm), nil
	case "MI":
		return padSigned(x.minutes, 2, fm), nil
	case "SS":
		return padSigned(x.seconds, 2, fm), nil
	case "MS":
		return padSigned(x.micros/1000, 3, fm), nil
	case "US":
		return padSigned(x.micros, 6, fm), nil
	case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.":
		return meridian(pattern, x.hours%24 >= 12), nil
	case "MONTH", "Month", "month", "MON", "Mon", "mon", "DAY", "Day", "day", "DY", "Dy", "dy", "D", "ID", "TZ", "tz", "OF":
		return "", (&sqlstate.Error{Code: sqlstate.InvalidDatetimeFormat, Message: "invalid format specification for an interval value"}).
			WithHint("Intervals are not tied to specific calendar dates.")
	}
	return "", sqlstate.New(sqlstate.FeatureNotSupported, "to_char of an interval does not support the pattern %s", pattern)
}

// meridian prints an AM/PM pattern in the pattern's own spelling.
func meridian(pattern string, pm bool) string {
	upper := pattern[0] == 'A' || pattern[0] == 'P'
	dots := strings.Contains(pattern, ".")
	s := "am"
	if pm {
		s = "pm"
	}
	if dots {
		s = s[:1] + "." + s[1:] + "."
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}
