package sqltypes

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// TestDateYearLimits states what FuzzParseText found: "JAn 1 10000000" was read as the year ten
// million, printed as "10000000-01-01", and that text did not read back. PostgreSQL reads at most
// five year digits next to a month name, and refuses any year past the last one its type can hold
// (5874897 AD for date, 294276 AD for timestamps) with "… out of range". Every answer here is what
// PostgreSQL 15 gives for the same input.
func TestDateYearLimits(t *testing.T) {
	tests := []struct {
		name string
		s    string
		t    Type
		want string // FormatText of the value, or the error's code and message
	}{
		{"five digit year after month", "Jan 1 99999", Date, "99999-01-01"},
		{"six digit year after month", "Jan 1 100000", Date, `22007 invalid input syntax for type date: "Jan 1 100000"`},
		{"fuzz input", "JAn 1 10000000", Date, `22007 invalid input syntax for type date: "JAn 1 10000000"`},
		{"six digit year after day month", "1 Jan 100000", Date, `22007 invalid input syntax for type date: "1 Jan 100000"`},
		{"last date", "5874897-12-31", Date, "5874897-12-31"},
		{"past last date", "5874898-01-01", Date, `22008 date out of range: "5874898-01-01"`},
		{"last timestamp year", "294276-12-31 23:59:59", Timestamp, "294276-12-31 23:59:59"},
		{"past last timestamp", "294277-01-01", Timestamptz, `22008 timestamp out of range: "294277-01-01"`},
		{"date year on a timestamp", "5874897-12-31", Timestamp, `22008 timestamp out of range: "5874897-12-31"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			v, err := ParseText(tc.s, tc.t, time.UTC)
			if err != nil {
				e, ok := sqlstate.As(err)
				if !ok {
					t.Fatalf("error %v is not a *sqlstate.Error", err)
				}
				got = e.Code + " " + e.Message
			} else {
				got = FormatText(v, tc.t)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseText(%q, %s) (-want +got):\n%s", tc.s, FormatType(tc.t), diff)
			}
		})
	}
}

// TestEraPrintedLast states what the SQL fuzz sweep found: a timestamp before year 1 printed as
// "0001-01-01 BC 00:00:00+00", where PostgreSQL writes the era after the clock and the offset.
// Every value below is read, printed as PostgreSQL 15 prints it, and read back to the same text.
func TestEraPrintedLast(t *testing.T) {
	tests := []struct {
		s    string
		t    Type
		want string
	}{
		{"0044-03-15 BC", Date, "0044-03-15 BC"},
		{"0044-03-15 10:00:00.5 BC", Timestamp, "0044-03-15 10:00:00.5 BC"},
		{"0044-03-15 10:00 BC", Timestamptz, "0044-03-15 10:00:00+00 BC"},
		{"0001-01-01 00:00:00+00 BC", Timestamptz, "0001-01-01 00:00:00+00 BC"},
	}
	for _, tc := range tests {
		t.Run(tc.s, func(t *testing.T) {
			v, err := ParseText(tc.s, tc.t, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got := FormatText(v, tc.t)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FormatText (-want +got):\n%s", diff)
			}
			back, err := ParseText(got, tc.t, time.UTC)
			if err != nil {
				t.Fatalf("%q does not read back: %v", got, err)
			}
			if again := FormatText(back, tc.t); again != got {
				t.Errorf("%q read back prints as %q", got, again)
			}
		})
	}
}
