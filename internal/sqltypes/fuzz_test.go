package sqltypes

import (
	"testing"
	"time"
)

// FuzzParseText feeds arbitrary text to every input function: it may fail, never panic, and what
// it accepts must print and read back to the same text.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"42", "-1.5e3", "t", "2024-01-02 03:04:05+02", "Jan 5 2024", "1 day 02:00", "P1Y2M",
		"@ 3 hours ago", `{"a": [1, 2.5]}`, `{a,"b c",NULL}`, `\x00ff`, "NaN", "20240101", "-", "", "1.5 mons", "{{}}"} {
		f.Add(s)
	}
	types := []Type{Int2, Int4, Int8, Float8, Numeric, Bool, Text, Bytea, Date, Timestamp, Timestamptz, Interval, JSONB, TextArray, Int8Array}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ty := range types {
			v, err := ParseText(s, ty, time.UTC)
			if err != nil {
				continue
			}
			out := FormatText(v, ty)
			back, err := ParseText(out, ty, time.UTC)
			if err != nil {
				t.Fatalf("%s: %q printed as %q which does not read back: %v", FormatType(ty), s, out, err)
			}
			if again := FormatText(back, ty); again != out {
				t.Fatalf("%s: %q printed as %q then %q", FormatType(ty), s, out, again)
			}
		}
	})
}
