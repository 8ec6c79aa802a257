package expr

import (
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// date_bin(stride, source, origin) puts a timestamp into a bucket of width stride counted from
// origin (15-minute or 7-day buckets that date_trunc cannot express), and isfinite tells finite
// dates, timestamps and intervals from infinite ones. As in PostgreSQL, date_bin exists for
// timestamp and timestamptz (a date argument is read as timestamptz), the stride may not contain
// months or years (0A000) and must be positive (22008), and the bin is the floor, so a source
// before origin lands in the bin that starts at or before it.

func init() {
	reg(
		Function{Name: "date_bin", MinArgs: 3, MaxArgs: 3, Strict: true, Result: func(a []sqltypes.Type) sqltypes.Type { return a[1] },
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if !implicitOK(args[0], tIV) {
					return nil, ErrNoFunction("date_bin", args)
				}
				t := tTS
				for _, a := range args[1:] {
					switch a {
					case tTZ, tDate:
						t = tTZ
					case tTS, sqltypes.Unknown:
					default:
						return nil, ErrNoFunction("date_bin", args)
					}
				}
				if args[1] == sqltypes.Unknown && args[2] == sqltypes.Unknown {
					t = tTZ
				}
				return []sqltypes.Type{tIV, t, t}, nil
			},
			Eval: func(_ *Env, a []any) (any, error) {
				stride := a[0].(interval)
				if stride.Months != 0 {
					return nil, sqlstate.New(sqlstate.FeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
				}
				us := int64(stride.Days)*86_400_000_000 + stride.Micros
				if us <= 0 {
					return nil, sqlstate.New(sqlstate.DatetimeFieldOverflow, "stride must be greater than zero")
				}
				src, origin := a[1].(time.Time), a[2].(time.Time)
				diff := src.Sub(origin).Microseconds()
				delta := diff - diff%us
				if diff < 0 && delta != diff {
					delta -= us
				}
				return origin.Add(time.Duration(delta) * time.Microsecond), nil
			}},
		Function{Name: "isfinite", MinArgs: 1, MaxArgs: 1, Strict: true, Result: Returns(sqltypes.Bool),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				switch args[0] {
				case tDate, tTS, tTZ, tIV:
					return args, nil
				case sqltypes.Unknown:
					return []sqltypes.Type{tTZ}, nil
				}
				return nil, ErrNoFunction("isfinite", args)
			},
			// stripesql's date and time values are always finite: 'infinity' is refused on input
			Eval: func(*Env, []any) (any, error) { return true, nil }},
	)
}
