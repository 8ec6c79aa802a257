package expr

import (
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// maxValueBytes is the largest text, bytea, json or array value the engine builds: PostgreSQL's
// MaxAllocSize (1 GB - 1). Every function whose output size the user controls (lpad, repeat,
// string_agg, ||, format widths, …) checks it before allocating, so one statement fails with
// 54000 instead of the Go runtime killing the whole server with "out of memory". It is a
// variable so tests can lower it instead of allocating gigabytes.
var maxValueBytes int64 = 1<<30 - 1

// errLengthTooLarge is PostgreSQL's error for a function asked to build a value past the limit
// (repeat, lpad, rpad, space-padding widths).
func errLengthTooLarge() error {
	return sqlstate.New(sqlstate.ProgramLimitExceeded, "requested length too large")
}

// checkLength refuses a value of n bytes before it is allocated. n is computed by the caller in
// int64 from user-supplied counts, so it cannot wrap for any int4 count and 1 GB input.
func checkLength(n int64) error {
	if n < 0 || n > maxValueBytes {
		return errLengthTooLarge()
	}
	return nil
}

// checkGrow refuses to grow a value of have bytes by more bytes, with the error PostgreSQL's
// string buffers raise (concatenation, aggregates): 54000 "out of memory" and the sizes.
func checkGrow(have, more int64) error {
	if have+more > maxValueBytes {
		return sqlstate.New(sqlstate.ProgramLimitExceeded, "out of memory").
			WithDetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.", have, more)
	}
	return nil
}

// approxSize estimates the bytes a value adds to an aggregate or array: its length for strings
// and bytes, the sum of the parts for arrays, and a word for everything else. It only has to be
// good enough that no accumulation can pass maxValueBytes by more than a few times unnoticed.
func approxSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x))
	case []byte:
		return int64(len(x))
	case array:
		n := int64(0)
		for _, it := range x.Items {
			n += approxSize(it)
		}
		return n
	case jsonVal:
		if x.Text != "" {
			return int64(len(x.Text))
		}
		return approxSize(x.V)
	case map[string]any:
		n := int64(0)
		for k, it := range x {
			n += int64(len(k)) + approxSize(it)
		}
		return n
	case []any:
		n := int64(0)
		for _, it := range x {
			n += approxSize(it)
		}
		return n
	}
	return 8
}

// grow counts the bytes an accumulating aggregate (string_agg, array_agg, json[b]_agg) keeps for
// one more input row and refuses the row that would take the result past maxValueBytes, before
// the whole group is held in memory.
func (s *aggState) grow(vals []any) error {
	var n int64
	switch s.agg.Name {
	case "string_agg":
		n = approxSize(vals[0])
		if len(vals) > 1 {
			n += approxSize(vals[1])
		}
	case "array_agg", "jsonb_agg", "json_agg":
		n = approxSize(vals[0])
	default:
		return nil
	}
	if err := checkGrow(s.size, n); err != nil {
		return err
	}
	s.size += n
	return nil
}
