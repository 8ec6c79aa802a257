package expr

import "strings"

// to_char's ordinal suffixes: a numeric pattern followed by "th" or "TH" ("DDth", "FMDDTH") is
// written with the English ordinal suffix of the number written, in that case: 1st, 2nd, 3rd,
// 4th, and th for every number ending in 11, 12 or 13 (11th, 112th), as PostgreSQL's get_th does.
// After a pattern that is not a number (Month, AM) the suffix is accepted and writes nothing.

// ordinalSuffixAt returns the suffix written after pattern, when f[i:] starts with th or TH, and
// the index after it; otherwise it returns "" and i.
func ordinalSuffixAt(f string, i int, pattern, written string) (string, int) {
	var upper bool
	switch {
	case strings.HasPrefix(f[i:], "th"):
	case strings.HasPrefix(f[i:], "TH"):
		upper = true
	default:
		return "", i
	}
	if numberWidth[pattern] == 0 { // totimestamp.go
		return "", i + 2
	}
	s := ordinalSuffix(written)
	if upper {
		s = strings.ToUpper(s)
	}
	return s, i + 2
}

// ordinalSuffix is st, nd, rd or th for the decimal number s ends with.
func ordinalSuffix(s string) string {
	n := len(s)
	if n == 0 || s[n-1] < '0' || s[n-1] > '9' {
		return "th"
	}
	if n >= 2 && s[n-2] == '1' {
		return "th"
	}
	switch s[n-1] {
	case '1':
		return "st"
	case '2':
		return "nd"
	case '3':
		return "rd"
	}
	return "th"
}
