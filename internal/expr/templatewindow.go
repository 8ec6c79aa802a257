package expr

// templateWindow is more than the longest element a to_char, to_number or to_timestamp template
// (or a month or day name in to_timestamp's input) can hold: case-insensitive matching looks at
// no more of the text than this.
const templateWindow = 16

// foldedAt returns the text at s[i:], at most templateWindow bytes of it, mapped by fold
// (strings.ToUpper or strings.ToLower). Folding the whole rest of a template at every position
// made a long template quadratic: to_char(1, repeat('x', 100000)) took minutes.
func foldedAt(s string, i int, fold func(string) string) string {
	return fold(s[i:min(len(s), i+templateWindow)])
}
