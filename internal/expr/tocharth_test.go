package expr

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestToCharOrdinals(t *testing.T) {
	tests := []struct {
		day  int
		f    string
		want string
	}{
		{1, "DDth", "01st"},
		{2, "FMDDth", "2nd"},
		{3, "FMDDTH", "3RD"},
		{4, "FMDDth", "4th"},
		{11, "DDth", "11th"},
		{12, "DDth", "12th"},
		{13, "DDTH", "13TH"},
		{21, "DDth", "21st"},
		{22, "DDth", "22nd"},
		{23, "DDth", "23rd"},
		{1, "Monthth Dth", "January   5th"}, // no suffix after a name; 2026-01-01 is a Thursday (D = 5)
		{1, "DD th", "01 th"},               // a suffix must follow its pattern directly
		{1, "\"DDth\"", "DDth"},             // quoted text stays text
	}
	for _, tt := range tests {
		t.Run(tt.f, func(t *testing.T) {
			got := toChar(time.Date(2026, 1, tt.day, 0, 0, 0, 0, time.UTC), tt.f, "", 0)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("to_char(2026-01-%02d, %q) (-want +got):\n%s", tt.day, tt.f, diff)
			}
		})
	}
	for n, want := range map[string]string{"111": "th", "112": "th", "113": "th", "101": "st", "0": "th", "2026": "th", "": "th"} {
		if got := ordinalSuffix(n); got != want {
			t.Errorf("ordinalSuffix(%q) = %q, want %q", n, got, want)
		}
	}
}
