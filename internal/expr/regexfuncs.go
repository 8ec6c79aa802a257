package expr

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The regular-expression functions with PostgreSQL 15's signatures: regexp_replace with start,
// N and flags, regexp_split_to_array, regexp_count, regexp_like, regexp_substr and regexp_instr.
// Positions (start, the result of regexp_instr) count characters, not bytes, and start at 1;
// start past the end finds nothing; flags are PostgreSQL's option letters (i, c, g, n, m, s, p,
// w, x are accepted; RE2 gives i and c their meaning, the others are PostgreSQL defaults here),
// and only regexp_replace and regexp_split_to_array take g. Bad parameters are 22023 with
// PostgreSQL's messages.

// regexFlags reads an options string: fold is case-insensitive matching, global the g option.
func regexFlags(fn, flags string, allowGlobal bool) (fold, global bool, err error) {
	for _, c := range flags {
		switch c {
		case 'i':
			fold = true
		case 'c':
			fold = false
		case 'g':
			if !allowGlobal {
				return false, false, sqlstate.New(sqlstate.InvalidParameterValue, "%s() does not support the \"global\" option", fn)
			}
			global = true
		case 'n', 'm', 's', 'p', 'w', 'x', 'b', 'e', 'q', 't':
		default:
			return false, false, sqlstate.New(sqlstate.InvalidParameterValue, "invalid regular expression option: \"%c\"", c)
		}
	}
	return fold, global, nil
}

// regexCall is a bound call's arguments in one place: source, compiled pattern and the byte
// offset where the search starts (len(s)+1 when start is past the end).
type regexCall struct {
	s      string
	re     *regexp.Regexp
	offset int
}

func newRegexCall(fn string, s, pattern string, start int64, flags string, allowGlobal bool) (*regexCall, bool, error) {
	fold, global, err := regexFlags(fn, flags, allowGlobal)
	if err != nil {
		return nil, false, err
	}
	if start < 1 {
		return nil, false, errRegexParam("start", start)
	}
	re, err := likeCache.regex(pattern, fold)
	if err != nil {
		return nil, false, err
	}
	return &regexCall{s: s, re: re, offset: charOffset(s, start)}, global, nil
}

func errRegexParam(name string, v int64) error {
	return sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for parameter \"%s\": %d", name, v)
}

// charOffset is the byte offset of character n (1-based) of s, len(s)+1 past the end.
func charOffset(s string, n int64) int {
	i := 0
	for k := int64(1); k < n; k++ {
		if i >= len(s) {
			return len(s) + 1
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

// matches returns the submatch indexes (into s) of every match at or after the start offset.
func (c *regexCall) matches() [][]int {
	if c.offset > len(c.s) {
		return nil
	}
	ms := c.re.FindAllStringSubmatchIndex(c.s[c.offset:], -1)
	for _, m := range ms {
		for i := range m {
			if m[i] >= 0 {
				m[i] += c.offset
			}
		}
	}
	return ms
}

// nth returns the n-th match (1-based), nil when there are fewer.
func (c *regexCall) nth(n int64) []int {
	ms := c.matches()
	if n > int64(len(ms)) {
		return nil
	}
	return ms[n-1]
}

func charPos(s string, byteOff int) int64 { return int64(utf8.RuneCountInString(s[:byteOff])) + 1 }

// optInt reads optional integer argument i, def when the call does not give it.
func optInt(a []any, i int, def int64) int64 {
	if i < len(a) {
		return a[i].(int64)
	}
	return def
}

// optText reads optional text argument i, "" when the call does not give it.
func optText(a []any, i int) string {
	if i < len(a) {
		return a[i].(string)
	}
	return ""
}

// regexpReplace is regexp_replace(s, pattern, replacement, start, n, flags); n = 0 replaces every
// match, as does the g flag when n is not given.
func regexpReplace(s, pattern, repl string, start, n int64, nGiven bool, flags string) (any, error) {
	c, global, err := newRegexCall("regexp_replace", s, pattern, start, flags, true)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, errRegexParam("n", n)
	}
	if !nGiven {
		n = 1
		if global {
			n = 0
		}
	}
	tmpl := pgReplacement(repl)
	var sb strings.Builder
	last := 0
	for i, m := range c.matches() {
		if n > 0 && int64(i+1) != n {
			continue
		}
		exp := c.re.ExpandString(nil, tmpl, s, m)
		if err := checkGrow(int64(sb.Len()), int64(m[0]-last+len(exp))); err != nil {
			return nil, err // a long replacement for many matches must not exhaust memory
		}
		sb.WriteString(s[last:m[0]])
		sb.Write(exp)
		last = m[1]
	}
	sb.WriteString(s[last:])
	return sb.String(), nil
}

// regexpSplit splits s at the matches of pattern; zero-length matches at either end of s, or
// right after another match, do not split, as in PostgreSQL.
func regexpSplit(s, pattern, flags string) (any, error) {
	c, _, err := newRegexCall("regexp_split_to_array", s, pattern, 1, flags, false)
	if err != nil {
		return nil, err
	}
	var items []any
	last := 0
	for _, m := range c.matches() {
		if m[0] == m[1] && (m[0] == 0 || m[0] == len(s)) {
			continue
		}
		items = append(items, s[last:m[0]])
		last = m[1]
	}
	items = append(items, s[last:])
	return array{Elem: sqltypes.Text, Items: items}, nil
}

func init() {
	tText, i4 := sqltypes.Text, sqltypes.Int4
	reg(
		Function{Name: "regexp_replace", MinArgs: 3, MaxArgs: 6, Strict: true, Result: Returns(tText),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				// the 4th argument is start when it is an integer, flags otherwise
				ts := []sqltypes.Type{tText, tText, tText, tText}
				switch {
				case len(args) == 4 && isIntType(args[3]):
					ts = []sqltypes.Type{tText, tText, tText, i4}
				case len(args) > 4:
					ts = []sqltypes.Type{tText, tText, tText, i4, i4, tText}
				}
				return Fixed("regexp_replace", ts...)(args)
			},
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				s, p, r := a[0].(string), a[1].(string), a[2].(string)
				if len(a) == 4 && ts[3] == tText {
					return regexpReplace(s, p, r, 1, 0, false, a[3].(string))
				}
				return regexpReplace(s, p, r, optInt(a, 3, 1), optInt(a, 4, 0), len(a) > 4, optText(a, 5))
			}},
		Function{Name: "regexp_split_to_array", MinArgs: 2, MaxArgs: 3, Strict: true, ArgTypes: Fixed("regexp_split_to_array", tText, tText, tText), Result: Returns(sqltypes.TextArray),
			Eval: func(_ *Env, a []any) (any, error) {
				return regexpSplit(a[0].(string), a[1].(string), optText(a, 2))
			}},
		Function{Name: "regexp_count", MinArgs: 2, MaxArgs: 4, Strict: true, ArgTypes: Fixed("regexp_count", tText, tText, i4, tText), Result: Returns(i4),
			Eval: func(_ *Env, a []any) (any, error) {
				c, _, err := newRegexCall("regexp_count", a[0].(string), a[1].(string), optInt(a, 2, 1), optText(a, 3), false)
				if err != nil {
					return nil, err
				}
				return int64(len(c.matches())), nil
			}},
		Function{Name: "regexp_like", MinArgs: 2, MaxArgs: 3, Strict: true, ArgTypes: Fixed("regexp_like", tText, tText, tText), Result: Returns(sqltypes.Bool),
			Eval: func(_ *Env, a []any) (any, error) {
				c, _, err := newRegexCall("regexp_like", a[0].(string), a[1].(string), 1, optText(a, 2), false)
				if err != nil {
					return nil, err
				}
				return c.re.MatchString(c.s), nil
			}},
		Function{Name: "regexp_substr", MinArgs: 2, MaxArgs: 6, Strict: true, ArgTypes: Fixed("regexp_substr", tText, tText, i4, i4, tText, i4), Result: Returns(tText),
			Eval: func(_ *Env, a []any) (any, error) {
				m, err := regexNth("regexp_substr", a, 3, 4, 5)
				if err != nil || m == nil {
					return nil, err
				}
				return a[0].(string)[m[0]:m[1]], nil
			}},
		Function{Name: "regexp_instr", MinArgs: 2, MaxArgs: 7, Strict: true, ArgTypes: Fixed("regexp_instr", tText, tText, i4, i4, i4, tText, i4), Result: Returns(i4),
			Eval: func(_ *Env, a []any) (any, error) {
				end := optInt(a, 4, 0)
				if end != 0 && end != 1 {
					return nil, errRegexParam("endoption", end)
				}
				m, err := regexNth("regexp_instr", a, 3, 5, 6)
				if err != nil || m == nil {
					return int64(0), err
				}
				if end == 1 {
					return charPos(a[0].(string), m[1]), nil
				}
				return charPos(a[0].(string), m[0]), nil
			}},
	)
}

// regexNth finds the span regexp_substr and regexp_instr report: the N-th match (argument nAt)
// with flags at flagsAt, or its subexpression (argument subAt; 0 is the whole match). It returns
// nil when there is no such match or subexpression.
func regexNth(fn string, a []any, nAt, flagsAt, subAt int) ([]int, error) {
	n, sub := optInt(a, nAt, 1), optInt(a, subAt, 0)
	if n < 1 {
		return nil, errRegexParam("n", n)
	}
	if sub < 0 {
		return nil, errRegexParam("subexpr", sub)
	}
	c, _, err := newRegexCall(fn, a[0].(string), a[1].(string), optInt(a, 2, 1), optText(a, flagsAt), false)
	if err != nil {
		return nil, err
	}
	m := c.nth(n)
	if m == nil || 2*int(sub)+1 >= len(m) || m[2*sub] < 0 {
		return nil, nil
	}
	return m[2*sub : 2*sub+2], nil
}
