package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

var (
	tTZ   = sqltypes.Timestamptz
	tTS   = sqltypes.Timestamp
	tDate = sqltypes.Date
	tIV   = sqltypes.Interval
)

// AtTimeZone returns arg AT TIME ZONE zone: a timestamptz becomes the wall-clock timestamp in
// zone, a timestamp is read as wall-clock time in zone and becomes a timestamptz. It is bound as
// PostgreSQL's timezone(zone, arg).
func AtTimeZone(arg, zone Expr) (Expr, error) {
	return Call("timezone", []Expr{zone, arg})
}

func loadZone(name string) (*time.Location, error) {
	return sqltypes.LoadZone(name)
}

// wallIn returns t's wall clock in loc with the fields stored in UTC (a timestamp value).
func wallIn(t time.Time, loc *time.Location) time.Time {
	w := t.In(loc)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
}

// fromWall reads a timestamp's wall clock in loc and returns the instant (a timestamptz value).
func fromWall(w time.Time, loc *time.Location) time.Time {
	return sqltypes.InZone(w.UTC(), loc)
}

// timeArg resolves a datetime argument at position i: unknown literals become timestamptz (the
// preferred datetime type), dates stay dates only when allowDate.
func timeArg(name string, i int, allowDate, allowInterval bool) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		out := make([]sqltypes.Type, len(args))
		for j, a := range args {
			if j != i {
				if !isStringType(a) {
					return nil, ErrNoFunction(name, args)
				}
				out[j] = sqltypes.Text
				continue
			}
			switch {
			case a == tTZ || a == tTS:
				out[j] = a
			case a == tDate && allowDate:
				out[j] = a
			case a == tDate:
				out[j] = tTZ
			case a == tIV && allowInterval:
				out[j] = a
			case a == sqltypes.Unknown:
				out[j] = tTZ
			default:
				return nil, ErrNoFunction(name, args)
			}
		}
		return out, nil
	}
}

func init() {
	stable := func(name string, t sqltypes.Type, f func(env *Env) any) Function {
		return Function{Name: name, MinArgs: 0, MaxArgs: 0, Result: Returns(t), Eval: func(env *Env, _ []any) (any, error) { return f(env), nil }}
	}
	now := func(env *Env) any { return env.StatementTime().UTC().Truncate(time.Microsecond) }
	reg(
		stable("now", tTZ, now), stable("current_timestamp", tTZ, now), stable("transaction_timestamp", tTZ, now),
		stable("statement_timestamp", tTZ, now),
		stable("localtimestamp", tTS, func(env *Env) any { return wallIn(env.StatementTime().Truncate(time.Microsecond), env.Location()) }),
		stable("current_date", tDate, func(env *Env) any {
			w := wallIn(env.StatementTime(), env.Location())
			return time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
		}),
		Function{Name: "clock_timestamp", Result: Returns(tTZ), Volatile: true,
			Eval: func(*Env, []any) (any, error) { return time.Now().UTC().Truncate(time.Microsecond), nil }},
		Function{Name: "timezone", MinArgs: 2, MaxArgs: 2, Strict: true,
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if !isStringType(args[0]) {
					return nil, ErrNoFunction("timezone", args)
				}
				switch args[1] {
				case tTZ, tTS:
					return []sqltypes.Type{tText, args[1]}, nil
				case tDate, sqltypes.Unknown:
					return []sqltypes.Type{tText, tTZ}, nil
				}
				return nil, ErrNoFunction("timezone", args)
			},
			Result: func(args []sqltypes.Type) sqltypes.Type {
				if args[1] == tTS {
					return tTZ
				}
				return tTS
			},
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				loc, err := loadZone(a[0].(string))
				if err != nil {
					return nil, err
				}
				if ts[1] == tTS {
					return fromWall(a[1].(time.Time), loc), nil
				}
				return wallIn(a[1].(time.Time), loc), nil
			}},
		Function{Name: "date_trunc", MinArgs: 2, MaxArgs: 3, Strict: true, ArgTypes: timeArg("date_trunc", 1, false, true), Result: func(a []sqltypes.Type) sqltypes.Type { return a[1] },
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				field := strings.ToLower(a[0].(string))
				if iv, ok := a[1].(interval); ok {
					return truncInterval(field, iv)
				}
				t := a[1].(time.Time)
				loc := env.Location()
				if len(a) > 2 {
					var err error
					if loc, err = loadZone(a[2].(string)); err != nil {
						return nil, err
					}
				}
				if ts[1] == tTZ {
					w, err := truncWall(field, wallIn(t, loc), ts[1])
					if err != nil {
						return nil, err
					}
					return fromWall(w, loc), nil
				}
				return truncWall(field, t, ts[1])
			}},
		Function{Name: "extract", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: timeArg("extract", 1, true, true), Result: Returns(sqltypes.Numeric),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				return extract(env, strings.ToLower(a[0].(string)), a[1], ts[1])
			}},
		Function{Name: "date_part", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: timeArg("date_part", 1, false, true), Result: Returns(sqltypes.Float8),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				v, err := extract(env, strings.ToLower(a[0].(string)), a[1], ts[1])
				if err != nil {
					return nil, err
				}
				return v.(decimal).Float64(), nil
			}},
		Function{Name: "to_timestamp", MinArgs: 1, MaxArgs: 2, Strict: true, Result: Returns(tTZ),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if len(args) == 2 {
					return Fixed("to_timestamp", tText, tText)(args)
				}
				return Fixed("to_timestamp", sqltypes.Float8)(args)
			},
			Eval: func(env *Env, a []any) (any, error) {
				if len(a) == 2 {
					return toTimestampText(env, a) // totimestamp.go
				}
				f := a[0].(float64)
				if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9.2e12 {
					return nil, sqlstate.New(sqlstate.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", sqltypes.FormatFloat(f, 64))
				}
				us := int64(math.Round(f * 1e6))
				return time.UnixMicro(us).UTC(), nil
			}},
		Function{Name: "to_char", MinArgs: 2, MaxArgs: 2, Strict: true, Result: Returns(tText),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if numRank(args[0]) > 0 && numRank(args[0]) != 3 {
					if !isStringType(args[1]) {
						return nil, ErrNoFunction("to_char", args)
					}
					t := args[0]
					if t == sqltypes.Float4 || t == sqltypes.Int2 {
						t = sqltypes.Float8
						if args[0] == sqltypes.Int2 {
							t = sqltypes.Int4
						}
					}
					return []sqltypes.Type{t, tText}, nil
				}
				return timeArg("to_char", 0, false, true)(args) // intervals: tocharinterval.go
			},
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				switch x := a[0].(type) {
				case int64:
					return toCharNumber(sqltypes.DecimalFromInt(x), a[1].(string))
				case decimal:
					return toCharNumber(x, a[1].(string))
				case float64:
					d, err := sqltypes.DecimalFromFloat(x)
					if err != nil {
						return nil, err
					}
					return toCharNumber(d, a[1].(string))
				}
				if iv, ok := a[0].(interval); ok {
					return toCharInterval(iv, a[1].(string))
				}
				t := a[0].(time.Time)
				var off int
				name := "UTC"
				if ts[0] == tTZ {
					lt := t.In(env.Location())
					name, off = lt.Zone()
					t = wallIn(t, env.Location())
				}
				return toChar(t, a[1].(string), name, off), nil
			}},
		Function{Name: "age", MinArgs: 1, MaxArgs: 2, Strict: true, Result: Returns(tIV),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				t := tTZ
				for _, a := range args {
					if a == tTS {
						t = tTS
					} else if a != tTZ && a != tDate && a != sqltypes.Unknown {
						return nil, ErrNoFunction("age", args)
					}
				}
				out := make([]sqltypes.Type, len(args))
				for i := range out {
					out[i] = t
				}
				return out, nil
			},
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				loc := env.Location()
				var x, y time.Time
				if len(a) == 1 {
					w := wallIn(env.StatementTime(), loc)
					x = time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
					y = a[0].(time.Time)
					if ts[0] == tTZ {
						y = wallIn(y, loc)
					}
				} else {
					x, y = a[0].(time.Time), a[1].(time.Time)
					if ts[0] == tTZ {
						x, y = wallIn(x, loc), wallIn(y, loc)
					}
				}
				return age(x, y), nil
			}},
		// date(x) is PostgreSQL's function-style cast to date: date(created) is the day of a
		// timestamptz in the session's time zone; text is read as a date
		Function{Name: "date", MinArgs: 1, MaxArgs: 1, Strict: true, Result: Returns(tDate),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				switch t := args[0]; {
				case dtRank(t) > 0:
					return args, nil
				case isStringType(t):
					return []sqltypes.Type{tText}, nil
				}
				return nil, ErrNoFunction("date", args)
			},
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) { return castValue(env, a[0], ts[0], tDate) }},
		Function{Name: "make_date", MinArgs: 3, MaxArgs: 3, Strict: true, ArgTypes: Fixed("make_date", tInt4, tInt4, tInt4), Result: Returns(tDate),
			Eval: func(_ *Env, a []any) (any, error) {
				y, m, d := a[0].(int64), a[1].(int64), a[2].(int64)
				if y == 0 || m < 1 || m > 12 || d < 1 || d > int64(time.Date(int(y), time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()) {
					return nil, sqlstate.New(sqlstate.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
				}
				if y < 0 {
					y++
				}
				return time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC), nil
			}},
		Function{Name: "make_timestamp", MinArgs: 6, MaxArgs: 6, Strict: true, ArgTypes: Fixed("make_timestamp", tInt4, tInt4, tInt4, tInt4, tInt4, sqltypes.Float8), Result: Returns(tTS),
			Eval: func(_ *Env, a []any) (any, error) { return makeTimestamp(a) }},
		Function{Name: "make_timestamptz", MinArgs: 6, MaxArgs: 7, Strict: true, ArgTypes: Fixed("make_timestamptz", tInt4, tInt4, tInt4, tInt4, tInt4, sqltypes.Float8, tText), Result: Returns(tTZ),
			Eval: func(env *Env, a []any) (any, error) {
				w, err := makeTimestamp(a[:6])
				if err != nil {
					return nil, err
				}
				loc := env.Location()
				if len(a) > 6 {
					if loc, err = loadZone(a[6].(string)); err != nil {
						return nil, err
					}
				}
				return fromWall(w.(time.Time), loc), nil
			}},
		Function{Name: "make_interval", MinArgs: 0, MaxArgs: 7, Strict: true, ArgTypes: Fixed("make_interval", tInt4, tInt4, tInt4, tInt4, tInt4, tInt4, sqltypes.Float8), Result: Returns(tIV),
			Eval: func(_ *Env, a []any) (any, error) {
				var f [7]float64
				for i, v := range a {
					f[i] = toFloat(v)
				}
				return interval{Months: int32(f[0]*12 + f[1]), Days: int32(f[2]*7 + f[3]),
					Micros: int64(f[4])*sqltypes.MicrosPerHour + int64(f[5])*sqltypes.MicrosPerMinute + int64(math.Round(f[6]*1e6))}, nil
			}},
		Function{Name: "justify_days", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: Fixed("justify_days", tIV), Result: Returns(tIV),
			Eval: func(_ *Env, a []any) (any, error) { return justifyDays(a[0].(interval)), nil }},
		Function{Name: "justify_hours", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: Fixed("justify_hours", tIV), Result: Returns(tIV),
			Eval: func(_ *Env, a []any) (any, error) { return justifyHours(a[0].(interval)), nil }},
		Function{Name: "justify_interval", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: Fixed("justify_interval", tIV), Result: Returns(tIV),
			Eval: func(_ *Env, a []any) (any, error) { return justifyInterval(a[0].(interval)), nil }},
	)
}

func makeTimestamp(a []any) (any, error) {
	y, mo, d, h, mi := a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64)
	sec := a[5].(float64)
	if mo < 1 || mo > 12 || d < 1 || d > int64(time.Date(int(y), time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 {
		return nil, sqlstate.New(sqlstate.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, mo, d)
	}
	us := int64(math.Round(sec * 1e6))
	return time.Date(int(y), time.Month(mo), int(d), int(h), int(mi), 0, 0, time.UTC).Add(time.Duration(us) * time.Microsecond), nil
}

func justifyDays(iv interval) interval {
	m := iv.Days / 30
	iv.Months += m
	iv.Days -= m * 30
	if iv.Months > 0 && iv.Days < 0 {
		iv.Days += 30
		iv.Months--
	} else if iv.Months < 0 && iv.Days > 0 {
		iv.Days -= 30
		iv.Months++
	}
	return iv
}

func justifyInterval(iv interval) interval {
	d := iv.Micros / sqltypes.MicrosPerDay
	iv.Days += int32(d)
	iv.Micros -= d * sqltypes.MicrosPerDay
	m := iv.Days / 30
	iv.Months += m
	iv.Days -= m * 30
	if iv.Months > 0 && (iv.Days < 0 || (iv.Days == 0 && iv.Micros < 0)) {
		iv.Days += 30
		iv.Months--
	} else if iv.Months < 0 && (iv.Days > 0 || (iv.Days == 0 && iv.Micros > 0)) {
		iv.Days -= 30
		iv.Months++
	}
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += sqltypes.MicrosPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= sqltypes.MicrosPerDay
		iv.Days++
	}
	return iv
}

func errUnit(field string, t sqltypes.Type) error {
	return sqlstate.New(sqlstate.FeatureNotSupported, "unit \"%s\" not supported for type %s", field, sqltypes.FormatType(t))
}

func errUnitUnknown(field string, t sqltypes.Type) error {
	return sqlstate.New(sqlstate.InvalidParameterValue, "unit \"%s\" not recognized for type %s", field, sqltypes.FormatType(t))
}

// canonicalUnit maps unit spellings (plural, abbreviations) to PostgreSQL's canonical names.
func canonicalUnit(f string) string {
	switch f {
	case "microseconds", "microsecond", "us", "usec", "usecs", "useconds":
		return "microseconds"
	case "milliseconds", "millisecond", "ms", "msec", "msecs", "mseconds":
		return "milliseconds"
	case "second", "seconds", "sec", "secs", "s":
		return "second"
	case "minute", "minutes", "min", "mins", "m":
		return "minute"
	case "hour", "hours", "hr", "hrs", "h":
		return "hour"
	case "day", "days", "d":
		return "day"
	case "week", "weeks", "w":
		return "week"
	case "month", "months", "mon", "mons":
		return "month"
	case "quarter", "qtr":
		return "quarter"
	case "year", "years", "yr", "yrs", "y":
		return "year"
	case "decade", "decades":
		return "decade"
	case "century", "centuries":
		return "century"
	case "millennium", "millennia", "millenniums":
		return "millennium"
	}
	return f
}

func truncWall(field string, w time.Time, t sqltypes.Type) (time.Time, error) {
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	ns := w.Nanosecond()
	switch canonicalUnit(field) {
	case "microseconds":
		return w.Truncate(time.Microsecond), nil
	case "milliseconds":
		return time.Date(y, mo, d, h, mi, s, ns/1e6*1e6, time.UTC), nil
	case "second":
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC), nil
	case "minute":
		return time.Date(y, mo, d, h, mi, 0, 0, time.UTC), nil
	case "hour":
		return time.Date(y, mo, d, h, 0, 0, 0, time.UTC), nil
	case "day":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), nil
	case "week":
		wd := (int(w.Weekday()) + 6) % 7
		return time.Date(y, mo, d-wd, 0, 0, 0, 0, time.UTC), nil
	case "month":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC), nil
	case "quarter":
		return time.Date(y, (mo-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC), nil
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "decade":
		return time.Date(floorDiv(y, 10)*10, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "century":
		return time.Date((y-1)/100*100+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "millennium":
		return time.Date((y-1)/1000*1000+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, errUnitUnknown(field, t)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func truncInterval(field string, iv interval) (any, error) {
	switch canonicalUnit(field) {
	case "year":
		return interval{Months: iv.Months / 12 * 12}, nil
	case "month":
		return interval{Months: iv.Months}, nil
	case "day":
		return interval{Months: iv.Months, Days: iv.Days}, nil
	case "hour":
		return interval{Months: iv.Months, Days: iv.Days, Micros: iv.Micros / sqltypes.MicrosPerHour * sqltypes.MicrosPerHour}, nil
	case "minute":
		return interval{Months: iv.Months, Days: iv.Days, Micros: iv.Micros / sqltypes.MicrosPerMinute * sqltypes.MicrosPerMinute}, nil
	case "second":
		return interval{Months: iv.Months, Days: iv.Days, Micros: iv.Micros / sqltypes.MicrosPerSecond * sqltypes.MicrosPerSecond}, nil
	}
	return nil, errUnitUnknown(field, tIV)
}

// dec returns n / 10^scale as a numeric with that scale.
func dec(n int64, scale int32) decimal {
	d := sqltypes.DecimalFromInt(n)
	d.Scale = scale
	return d
}

// extract implements EXTRACT(field FROM x), which returns numeric since PostgreSQL 14.
func extract(env *Env, field string, v any, t sqltypes.Type) (any, error) {
	f := canonicalUnit(field)
	if iv, ok := v.(interval); ok {
		return extractInterval(f, field, iv)
	}
	x := v.(time.Time)
	var off int
	if t == tTZ {
		_, off = x.In(env.Location()).Zone()
		if f == "epoch" {
			return dec(x.UnixMicro(), 6), nil
		}
		x = wallIn(x, env.Location())
	}
	y, mo, d := x.Date()
	h, mi, s := x.Clock()
	us := int64(x.Nanosecond() / 1000)
	if t == tDate {
		switch f {
		case "microseconds", "milliseconds", "second", "minute", "hour", "timezone", "timezone_hour", "timezone_minute":
			return nil, errUnit(field, t)
		case "epoch":
			return dec(x.Unix(), 0), nil
		}
	}
	switch f {
	case "epoch":
		return dec(x.UnixMicro(), 6), nil
	case "microseconds":
		return dec(int64(s)*1e6+us, 0), nil
	case "milliseconds":
		return dec(int64(s)*1e6+us, 3), nil
	case "second":
		return dec(int64(s)*1e6+us, 6), nil
	case "minute":
		return dec(int64(mi), 0), nil
	case "hour":
		return dec(int64(h), 0), nil
	case "day":
		return dec(int64(d), 0), nil
	case "month":
		return dec(int64(mo), 0), nil
	case "quarter":
		return dec(int64((mo-1)/3+1), 0), nil
	case "year":
		if y <= 0 {
			y--
		}
		return dec(int64(y), 0), nil
	case "decade":
		return dec(int64(floorDiv(y, 10)), 0), nil
	case "century":
		if y > 0 {
			return dec(int64((y+99)/100), 0), nil
		}
		return dec(int64(-((99 - (y - 1)) / 100)), 0), nil
	case "millennium":
		if y > 0 {
			return dec(int64((y+999)/1000), 0), nil
		}
		return dec(int64(-((999 - (y - 1)) / 1000)), 0), nil
	case "dow":
		return dec(int64(x.Weekday()), 0), nil
	case "isodow":
		wd := int64(x.Weekday())
		if wd == 0 {
			wd = 7
		}
		return dec(wd, 0), nil
	case "doy":
		return dec(int64(x.YearDay()), 0), nil
	case "week":
		_, w := x.ISOWeek()
		return dec(int64(w), 0), nil
	case "isoyear":
		iy, _ := x.ISOWeek()
		return dec(int64(iy), 0), nil
	case "julian":
		return dec(int64(x.Unix()/86400+2440588), 0), nil
	case "timezone":
		if t != tTZ {
			return nil, errUnit(field, t)
		}
		return dec(int64(off), 0), nil
	case "timezone_hour":
		if t != tTZ {
			return nil, errUnit(field, t)
		}
		return dec(int64(off/3600), 0), nil
	case "timezone_minute":
		if t != tTZ {
			return nil, errUnit(field, t)
		}
		return dec(int64(off/60%60), 0), nil
	}
	return nil, errUnitUnknown(field, t)
}

func extractInterval(f, field string, iv interval) (any, error) {
	us := iv.Micros
	switch f {
	case "epoch":
		// years count 365.25 days, remaining months 30 days, as PostgreSQL's interval_part
		secs := sqltypes.DecimalFromInt(int64(iv.Months/12) * 36525 * 864)
		secs = secs.Add(sqltypes.DecimalFromInt(int64(iv.Months%12)*30*86400 + int64(iv.Days)*86400))
		return secs.Add(dec(us, 6)), nil
	case "microseconds":
		return dec(us%sqltypes.MicrosPerMinute, 0), nil
	case "milliseconds":
		return dec(us%sqltypes.MicrosPerMinute, 3), nil
	case "second":
		return dec(us%sqltypes.MicrosPerMinute, 6), nil
	case "minute":
		return dec(us/sqltypes.MicrosPerMinute%60, 0), nil
	case "hour":
		return dec(us/sqltypes.MicrosPerHour, 0), nil
	case "day":
		return dec(int64(iv.Days), 0), nil
	case "month":
		return dec(int64(iv.Months%12), 0), nil
	case "quarter":
		return dec(int64(iv.Months%12/3+1), 0), nil
	case "year":
		return dec(int64(iv.Months/12), 0), nil
	case "decade":
		return dec(int64(iv.Months/120), 0), nil
	case "century":
		return dec(int64(iv.Months/1200), 0), nil
	case "millennium":
		return dec(int64(iv.Months/12000), 0), nil
	}
	return nil, errUnitUnknown(field, tIV)
}

// age subtracts field by field (years, months, days, time), borrowing like PostgreSQL's age().
func age(x, y time.Time) interval {
	neg := x.Before(y)
	a, b := x, y
	if neg {
		a, b = y, x
	}
	us := int64(a.Nanosecond()/1000) - int64(b.Nanosecond()/1000)
	sec := a.Second() - b.Second()
	mi := a.Minute() - b.Minute()
	h := a.Hour() - b.Hour()
	d := a.Day() - b.Day()
	mo := int(a.Month()) - int(b.Month())
	yr := a.Year() - b.Year()
	for us < 0 {
		us += 1e6
		sec--
	}
	for sec < 0 {
		sec += 60
		mi--
	}
	for mi < 0 {
		mi += 60
		h--
	}
	for h < 0 {
		h += 24
		d--
	}
	for d < 0 {
		// days in the month before a's month... PostgreSQL uses the month of the earlier date
		d += time.Date(b.Year(), b.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		mo--
	}
	for mo < 0 {
		mo += 12
		yr--
	}
	iv := interval{Months: int32(yr*12 + mo), Days: int32(d),
		Micros: int64(h)*sqltypes.MicrosPerHour + int64(mi)*sqltypes.MicrosPerMinute + int64(sec)*sqltypes.MicrosPerSecond + us}
	if neg {
		iv = interval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
	}
	return iv
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// toCharPatterns lists to_char's template patterns, longest first so that prefixes match last.
var toCharPatterns = []string{
	"HH24", "HH12", "YYYY", "MONTH", "Month", "month", "IYYY", "DAY", "Day", "day", "DDD",
	"A.M.", "P.M.", "a.m.", "p.m.", "YYY", "MON", "Mon", "mon", "IDDD",
	"HH", "MI", "SS", "MS", "US", "AM", "PM", "am", "pm", "YY", "MM", "DD", "DY", "Dy", "dy",
	"WW", "IW", "TZ", "tz", "OF", "ID", "CC", "Y", "Q", "D", "W", "J",
}

// toChar formats a wall-clock time with a to_char template. zone and off describe the session
// zone for TZ and OF (timestamptz input only).
func toChar(t time.Time, f, zone string, off int) string {
	s, _ := formatTemplate(f, func(tok templateToken) (string, error) { // totimestamp.go
		return toCharField(t, tok.pattern, tok.fm, zone, off), nil
	})
	return s
}

func toCharField(t time.Time, p string, fm bool, zone string, off int) string {
	num := func(n, width int) string {
		if fm {
			return strconv.Itoa(n)
		}
		return fmt.Sprintf("%0*d", width, n)
	}
	word := func(s string, width int) string {
		if fm {
			return s
		}
		return fmt.Sprintf("%-*s", width, s)
	}
	h := t.Hour()
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	y := t.Year()
	switch p {
	case "YYYY":
		return num(y, 4)
	case "YYY":
		return num(y%1000, 3)
	case "YY":
		return num(y%100, 2)
	case "Y":
		return num(y%10, 1)
	case "IYYY":
		iy, _ := t.ISOWeek()
		return num(iy, 4)
	case "CC":
		return num((y+99)/100, 2)
	case "MM":
		return num(int(t.Month()), 2)
	case "DD":
		return num(t.Day(), 2)
	case "DDD":
		return num(t.YearDay(), 3)
	case "IDDD":
		_, w := t.ISOWeek()
		return num((w-1)*7+(int(t.Weekday())+6)%7+1, 3)
	case "D":
		return num(int(t.Weekday())+1, 1)
	case "ID":
		return num((int(t.Weekday())+6)%7+1, 1)
	case "HH", "HH12":
		return num(h12, 2)
	case "HH24":
		return num(h, 2)
	case "MI":
		return num(t.Minute(), 2)
	case "SS":
		return num(t.Second(), 2)
	case "MS":
		return num(t.Nanosecond()/1e6, 3)
	case "US":
		return num(t.Nanosecond()/1e3, 6)
	case "AM", "PM":
		if h >= 12 {
			return "PM"
		}
		return "AM"
	case "am", "pm":
		if h >= 12 {
			return "pm"
		}
		return "am"
	case "A.M.", "P.M.":
		if h >= 12 {
			return "P.M."
		}
		return "A.M."
	case "a.m.", "p.m.":
		if h >= 12 {
			return "p.m."
		}
		return "a.m."
	case "MONTH":
		return word(strings.ToUpper(monthNames[t.Month()-1]), 9)
	case "Month":
		return word(monthNames[t.Month()-1], 9)
	case "month":
		return word(strings.ToLower(monthNames[t.Month()-1]), 9)
	case "MON":
		return strings.ToUpper(monthNames[t.Month()-1][:3])
	case "Mon":
		return monthNames[t.Month()-1][:3]
	case "mon":
		return strings.ToLower(monthNames[t.Month()-1][:3])
	case "DAY":
		return word(strings.ToUpper(dayNames[t.Weekday()]), 9)
	case "Day":
		return word(dayNames[t.Weekday()], 9)
	case "day":
		return word(strings.ToLower(dayNames[t.Weekday()]), 9)
	case "DY":
		return strings.ToUpper(dayNames[t.Weekday()][:3])
	case "Dy":
		return dayNames[t.Weekday()][:3]
	case "dy":
		return strings.ToLower(dayNames[t.Weekday()][:3])
	case "Q":
		return num((int(t.Month())-1)/3+1, 1)
	case "WW":
		return num((t.YearDay()-1)/7+1, 2)
	case "IW":
		_, w := t.ISOWeek()
		return num(w, 2)
	case "W":
		return num((t.Day()-1)/7+1, 1)
	case "J":
		return strconv.FormatInt(t.Unix()/86400+2440588, 10)
	case "TZ":
		return strings.ToUpper(zoneAbbrev(zone, off))
	case "tz":
		return strings.ToLower(zoneAbbrev(zone, off))
	case "OF":
		sign := "+"
		if off < 0 {
			sign = "-"
			off = -off
		}
		s := fmt.Sprintf("%s%02d", sign, off/3600)
		if off%3600 != 0 {
			s += fmt.Sprintf(":%02d", off/60%60)
		}
		return s
	}
	return p
}

func zoneAbbrev(zone string, off int) string {
	if zone != "" {
		return zone
	}
	sign := "+"
	if off < 0 {
		sign = "-"
		off = -off
	}
	return fmt.Sprintf("%s%02d", sign, off/3600)
}
