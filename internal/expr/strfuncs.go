package expr

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

var (
	tText = sqltypes.Text
	tInt4 = sqltypes.Int4
	tInt8 = sqltypes.Int8
	tBool = sqltypes.Bool
)

// textFn declares a strict function of text arguments (ints where ts says so).
func textFn(name string, minA, maxA int, ts []sqltypes.Type, res sqltypes.Type, f func(a []any) (any, error)) Function {
	return Function{Name: name, MinArgs: minA, MaxArgs: maxA, ArgTypes: Fixed(name, ts...), Result: Returns(res), Strict: true,
		Eval: func(_ *Env, a []any) (any, error) { return f(a) }}
}

func runeLen(s string) int64 { return int64(utf8.RuneCountInString(s)) }

// substrRunes is substr(s, from, count) with PostgreSQL's 1-based, clamp-at-edges rules.
func substrRunes(s string, from int64, count int64, hasCount bool) (any, error) {
	rs := []rune(s)
	if hasCount && count < 0 {
		return nil, sqlstate.New("22011", "negative substring length not allowed")
	}
	start := from
	end := int64(len(rs)) + 1
	if hasCount {
		end = from + count
	}
	if start < 1 {
		start = 1
	}
	if end > int64(len(rs))+1 {
		end = int64(len(rs)) + 1
	}
	if end <= start {
		return "", nil
	}
	return string(rs[start-1 : end-1]), nil
}

func trimFn(name string, left, right bool) Function {
	return textFn(name, 1, 2, []sqltypes.Type{tText, tText}, tText, func(a []any) (any, error) {
		s := a[0].(string)
		chars := " "
		if len(a) > 1 {
			chars = a[1].(string)
		}
		if left {
			s = strings.TrimLeft(s, chars)
		}
		if right {
			s = strings.TrimRight(s, chars)
		}
		return s, nil
	})
}

func padFn(name string, left bool) Function {
	return textFn(name, 2, 3, []sqltypes.Type{tText, tInt4, tText}, tText, func(a []any) (any, error) {
		rs := []rune(a[0].(string))
		n := a[1].(int64)
		fill := " "
		if len(a) > 2 {
			fill = a[2].(string)
		}
		if n <= 0 {
			return "", nil
		}
		if int64(len(rs)) >= n {
			return string(rs[:n]), nil
		}
		if fill == "" {
			return string(rs), nil
		}
		fr := []rune(fill)
		// the longest fill character bounds the bytes; checked before the allocation
		if err := checkLength(int64(len(a[0].(string))) + (n-int64(len(rs)))*int64(utf8.UTFMax)); err != nil {
			return nil, err
		}
		var pad strings.Builder
		for i := int64(0); i < n-int64(len(rs)); i++ {
			pad.WriteRune(fr[i%int64(len(fr))])
		}
		if left {
			return pad.String() + a[0].(string), nil
		}
		return a[0].(string) + pad.String(), nil
	})
}

func init() {
	T := []sqltypes.Type{tText}
	TT := []sqltypes.Type{tText, tText}
	TI := []sqltypes.Type{tText, tInt4}
	anyText := func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		out := make([]sqltypes.Type, len(args))
		for i, a := range args {
			out[i] = a
			if a == sqltypes.Unknown {
				out[i] = tText
			}
		}
		return out, nil
	}
	reg(
		textFn("lower", 1, 1, T, tText, func(a []any) (any, error) { return strings.ToLower(a[0].(string)), nil }),
		textFn("upper", 1, 1, T, tText, func(a []any) (any, error) { return strings.ToUpper(a[0].(string)), nil }),
		textFn("char_length", 1, 1, T, tInt4, func(a []any) (any, error) { return runeLen(a[0].(string)), nil }),
		textFn("character_length", 1, 1, T, tInt4, func(a []any) (any, error) { return runeLen(a[0].(string)), nil }),
		textFn("substr", 2, 3, []sqltypes.Type{tText, tInt4, tInt4}, tText, func(a []any) (any, error) {
			if len(a) == 3 {
				return substrRunes(a[0].(string), a[1].(int64), a[2].(int64), true)
			}
			return substrRunes(a[0].(string), a[1].(int64), 0, false)
		}),
		Function{Name: "substring", MinArgs: 2, MaxArgs: 3, Strict: true, Result: Returns(tText),
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if len(args) >= 2 && isStringType(args[1]) {
					return Fixed("substring", tText, tText, tText)(args)
				}
				return Fixed("substring", tText, tInt4, tInt4)(args)
			},
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				if ts[1] == tText {
					re, err := likeCache.regex(a[1].(string), false)
					if err != nil {
						return nil, err
					}
					m := re.FindStringSubmatch(a[0].(string))
					if m == nil {
						return nil, nil
					}
					if len(m) > 1 {
						return m[1], nil
					}
					return m[0], nil
				}
				if len(a) == 3 {
					return substrRunes(a[0].(string), a[1].(int64), a[2].(int64), true)
				}
				return substrRunes(a[0].(string), a[1].(int64), 0, false)
			}},
		textFn("strpos", 2, 2, TT, tInt4, func(a []any) (any, error) { return strpos(a[0].(string), a[1].(string)), nil }),
		textFn("position", 2, 2, TT, tInt4, func(a []any) (any, error) { return strpos(a[0].(string), a[1].(string)), nil }),
		trimFn("btrim", true, true), trimFn("trim", true, true), trimFn("ltrim", true, false), trimFn("rtrim", false, true),
		textFn("replace", 3, 3, []sqltypes.Type{tText, tText, tText}, tText, func(a []any) (any, error) {
			if a[1].(string) == "" {
				return a[0], nil
			}
			s, from, to := a[0].(string), a[1].(string), a[2].(string)
			if len(to) > len(from) {
				if err := checkGrow(int64(len(s)), int64(strings.Count(s, from))*int64(len(to)-len(from))); err != nil {
					return nil, err
				}
			}
			return strings.ReplaceAll(s, from, to), nil
		}),
		textFn("split_part", 3, 3, []sqltypes.Type{tText, tText, tInt4}, tText, func(a []any) (any, error) {
			s, d, n := a[0].(string), a[1].(string), a[2].(int64)
			if n == 0 {
				return nil, sqlstate.New(sqlstate.InvalidParameterValue, "field position must not be zero")
			}
			var parts []string
			if d == "" {
				parts = []string{s}
			} else {
				parts = strings.Split(s, d)
			}
			if s == "" {
				return "", nil
			}
			if n < 0 {
				n += int64(len(parts)) + 1
			}
			if n < 1 || n > int64(len(parts)) {
				return "", nil
			}
			return parts[n-1], nil
		}),
		Function{Name: "concat", MinArgs: 1, MaxArgs: -1, ArgTypes: anyText, Result: Returns(tText),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				var sb strings.Builder
				for i, v := range a {
					if v != nil {
						t := outText(env, v, ts[i])
						if err := checkGrow(int64(sb.Len()), int64(len(t))); err != nil {
							return nil, err
						}
						sb.WriteString(t)
					}
				}
				return sb.String(), nil
			}},
		Function{Name: "concat_ws", MinArgs: 2, MaxArgs: -1, ArgTypes: anyText, Result: Returns(tText),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				sep := outText(env, a[0], ts[0])
				var parts []string
				size := int64(0)
				for i, v := range a[1:] {
					if v != nil {
						t := outText(env, v, ts[i+1])
						if err := checkGrow(size, int64(len(t)+len(sep))); err != nil {
							return nil, err
						}
						size += int64(len(t) + len(sep))
						parts = append(parts, t)
					}
				}
				return strings.Join(parts, sep), nil
			}},
		textFn("left", 2, 2, TI, tText, func(a []any) (any, error) {
			rs, n := []rune(a[0].(string)), a[1].(int64)
			if n < 0 {
				n += int64(len(rs))
			}
			n = max(0, min(n, int64(len(rs))))
			return string(rs[:n]), nil
		}),
		textFn("right", 2, 2, TI, tText, func(a []any) (any, error) {
			rs, n := []rune(a[0].(string)), a[1].(int64)
			if n < 0 {
				n += int64(len(rs))
			}
			n = max(0, min(n, int64(len(rs))))
			return string(rs[int64(len(rs))-n:]), nil
		}),
		padFn("lpad", true), padFn("rpad", false),
		textFn("repeat", 2, 2, TI, tText, func(a []any) (any, error) {
			n := a[1].(int64)
			if n <= 0 {
				return "", nil
			}
			if err := checkLength(int64(len(a[0].(string))) * n); err != nil {
				return nil, err
			}
			return strings.Repeat(a[0].(string), int(n)), nil
		}),
		textFn("reverse", 1, 1, T, tText, func(a []any) (any, error) {
			rs := []rune(a[0].(string))
			for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
				rs[i], rs[j] = rs[j], rs[i]
			}
			return string(rs), nil
		}),
		textFn("initcap", 1, 1, T, tText, func(a []any) (any, error) {
			var sb strings.Builder
			prevAlnum := false
			for _, r := range a[0].(string) {
				if prevAlnum {
					sb.WriteRune(unicode.ToLower(r))
				} else {
					sb.WriteRune(unicode.ToUpper(r))
				}
				prevAlnum = unicode.IsLetter(r) || unicode.IsDigit(r)
			}
			return sb.String(), nil
		}),
		textFn("starts_with", 2, 2, TT, tBool, func(a []any) (any, error) { return strings.HasPrefix(a[0].(string), a[1].(string)), nil }),
		textFn("ascii", 1, 1, T, tInt4, func(a []any) (any, error) {
			r, _ := utf8.DecodeRuneInString(a[0].(string))
			if a[0].(string) == "" {
				r = 0
			}
			return int64(r), nil
		}),
		textFn("chr", 1, 1, []sqltypes.Type{tInt4}, tText, func(a []any) (any, error) {
			n := a[0].(int64)
			if n <= 0 || n > unicode.MaxRune {
				return nil, sqlstate.New(sqlstate.ProgramLimitExceeded, "requested character too large for encoding: %d", n)
			}
			return string(rune(n)), nil
		}),
		textFn("quote_ident", 1, 1, T, tText, func(a []any) (any, error) { return QuoteIdent(a[0].(string)), nil }),
		// length, octet_length and md5 (text and bytea) are in bytefuncs.go
		Function{Name: "quote_literal", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: anyText, Result: Returns(tText),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				return quoteLiteralE(textOf(env, a[0], ts[0])), nil
			}},
		// quote_nullable is quote_literal that turns NULL into the word NULL
		Function{Name: "quote_nullable", MinArgs: 1, MaxArgs: 1, ArgTypes: anyText, Result: Returns(tText),
			EvalTyped: func(env *Env, ts []sqltypes.Type, a []any) (any, error) {
				if a[0] == nil {
					return "NULL", nil
				}
				return quoteLiteralE(textOf(env, a[0], ts[0])), nil
			}},
		textFn("bit_length", 1, 1, T, tInt4, func(a []any) (any, error) { return int64(8 * len(a[0].(string))), nil }),
		// overlay(s PLACING r FROM n [FOR k]) is substr(s, 1, n-1) || r || substr(s, n+k), k defaulting to length(r)
		textFn("overlay", 3, 4, []sqltypes.Type{tText, tText, tInt4, tInt4}, tText, func(a []any) (any, error) {
			s, r, from := a[0].(string), a[1].(string), a[2].(int64)
			n := runeLen(r)
			if len(a) > 3 {
				n = a[3].(int64)
			}
			left, err := substrRunes(s, 1, from-1, true)
			if err != nil {
				return nil, err
			}
			right, _ := substrRunes(s, from+n, 0, false)
			if err := checkGrow(int64(len(left.(string))+len(right.(string))), int64(len(r))); err != nil {
				return nil, err
			}
			return left.(string) + r + right.(string), nil
		}),
		textFn("translate", 3, 3, []sqltypes.Type{tText, tText, tText}, tText, func(a []any) (any, error) {
			from, to := []rune(a[1].(string)), []rune(a[2].(string))
			var sb strings.Builder
			for _, r := range a[0].(string) {
				i := indexRune(from, r)
				switch {
				case i < 0:
					sb.WriteRune(r)
				case i < len(to):
					sb.WriteRune(to[i])
				}
			}
			return sb.String(), nil
		}),
		// regexp_replace and the other regexp_* functions are in regexfuncs.go
		Function{Name: "regexp_match", MinArgs: 2, MaxArgs: 3, ArgTypes: Fixed("regexp_match", tText, tText, tText), Result: Returns(sqltypes.TextArray), Strict: true,
			Eval: func(_ *Env, a []any) (any, error) {
				flags := ""
				if len(a) > 2 {
					flags = a[2].(string)
				}
				re, err := likeCache.regex(a[1].(string), strings.Contains(flags, "i"))
				if err != nil {
					return nil, err
				}
				m := re.FindStringSubmatch(a[0].(string))
				if m == nil {
					return nil, nil
				}
				if len(m) > 1 {
					m = m[1:]
				}
				items := make([]any, len(m))
				for i, x := range m {
					items[i] = x
				}
				return array{Elem: tText, Items: items}, nil
			}},
		Function{Name: "to_hex", MinArgs: 1, MaxArgs: 1, ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
			if args[0] == tInt8 {
				return []sqltypes.Type{tInt8}, nil
			}
			return Fixed("to_hex", tInt4)(args)
		}, Result: Returns(tText), Strict: true,
			EvalTyped: func(_ *Env, ts []sqltypes.Type, a []any) (any, error) {
				n := a[0].(int64)
				if ts[0] == tInt4 {
					return strconv.FormatUint(uint64(uint32(n)), 16), nil
				}
				return strconv.FormatUint(uint64(n), 16), nil
			}},
		textFn("similar_to_escape", 1, 2, TT, tText, func(a []any) (any, error) {
			esc := `\`
			if len(a) > 1 {
				esc = a[1].(string)
			}
			return similarToRegex(a[0].(string), esc), nil
		}),
		textFn("like_escape", 2, 2, TT, tText, func(a []any) (any, error) { return likeEscape(a[0].(string), a[1].(string)) }),
		Function{Name: "format", MinArgs: 1, MaxArgs: -1, Result: Returns(tText), EvalTyped: formatFn,
			// the format string is text (format(0, 'a') does not exist); the values are any type
			ArgTypes: func(args []sqltypes.Type) ([]sqltypes.Type, error) {
				if _, err := Fixed("format", tText)(args[:1]); err != nil {
					return nil, ErrNoFunction("format", args)
				}
				return anyText(args)
			}},
		Function{Name: "string_to_array", MinArgs: 2, MaxArgs: 3, ArgTypes: Fixed("string_to_array", tText, tText, tText), Result: Returns(sqltypes.TextArray),
			Eval: func(_ *Env, a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				s := a[0].(string)
				out := array{Elem: tText, Items: []any{}}
				if s == "" {
					return out, nil
				}
				var parts []string
				switch {
				case a[1] == nil:
					for _, r := range s {
						parts = append(parts, string(r))
					}
				case a[1].(string) == "":
					parts = []string{s}
				default:
					parts = strings.Split(s, a[1].(string))
				}
				for _, p := range parts {
					if len(a) > 2 && a[2] != nil && p == a[2].(string) {
						out.Items = append(out.Items, nil)
					} else {
						out.Items = append(out.Items, p)
					}
				}
				return out, nil
			}},
	)
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

func strpos(s, sub string) int64 {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return runeLen(s[:i]) + 1
}

// pgReplacement converts a PostgreSQL regexp_replace replacement (\1, \&) to Go's ${1} form.
func pgReplacement(r string) string {
	var sb strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '$':
			sb.WriteString("$$")
		case c == '\\' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9':
			sb.WriteString("${" + string(r[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(r) && r[i+1] == '&':
			sb.WriteString("${0}")
			i++
		case c == '\\' && i+1 < len(r) && r[i+1] == '\\':
			sb.WriteByte('\\')
			i++
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)

// QuoteIdent quotes an identifier when PostgreSQL would (quote_ident, format's %I): when it has
// characters other than lower-case letters, digits, _ and $, or is a keyword that is not
// unreserved (authorization, between, select…).
func QuoteIdent(s string) string {
	if plainIdent.MatchString(s) && !needsQuotes[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// needsQuotes are the keywords an identifier cannot spell unquoted: every category but
// unreserved (keywords.go).
var needsQuotes = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range keywords {
		if k.category != 'U' {
			m[k.word] = true
		}
	}
	return m
}()

func quoteLiteralE(s string) string {
	q := "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + q
	}
	return q
}

// formatFn is format(fmt, args…) with %s, %I, %L and %%, positions like %1$s, and the flag -
// and widths (%10s, %*s, %*2$s) that pad to a width in characters.
func formatFn(env *Env, ts []sqltypes.Type, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	f := a[0].(string)
	var sb strings.Builder
	next := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			sb.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "unterminated format() type specifier").WithHint("For a single \"%%\" use \"%%%%\".")
		}
		if f[i] == '%' {
			sb.WriteByte('%')
			continue
		}
		argn, explicit, err := formatPosition(f, &i)
		if err != nil {
			return nil, err
		}
		if !explicit {
			argn = next
		}
		// flags and width: %-10s, %10s, %*s (width from the next argument), %*2$s
		left := false
		for i < len(f) && f[i] == '-' {
			left = true
			i++
		}
		width := 0
		if i < len(f) && f[i] == '*' {
			i++
			wn, wExplicit, err := formatPosition(f, &i)
			if err != nil {
				return nil, err
			}
			if !wExplicit {
				wn = next
			}
			if wn >= len(a) {
				return nil, sqlstate.New(sqlstate.InvalidParameterValue, "too few arguments for format()")
			}
			if w, ok := a[wn].(int64); ok {
				width = int(w)
			} else if a[wn] != nil {
				width, _ = strconv.Atoi(outText(env, a[wn], ts[wn]))
			}
			if width < 0 {
				left, width = true, -width
			}
			next = wn + 1
			if !explicit {
				argn = next
			}
		} else {
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				width = width*10 + int(f[i]-'0')
				i++
				if width > math.MaxInt32 {
					return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "number is out of range")
				}
			}
		}
		if i >= len(f) {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "unterminated format() type specifier")
		}
		if argn >= len(a) || argn < 1 {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "too few arguments for format()")
		}
		next = argn + 1
		v := a[argn]
		var item strings.Builder
		switch f[i] {
		case 's':
			if v != nil {
				item.WriteString(outText(env, v, ts[argn]))
			}
		case 'I':
			if v == nil {
				return nil, sqlstate.New("22004", "null values cannot be formatted as an SQL identifier")
			}
			item.WriteString(QuoteIdent(outText(env, v, ts[argn])))
		case 'L':
			if v == nil {
				item.WriteString("NULL")
			} else {
				item.WriteString(quoteLiteralE(outText(env, v, ts[argn])))
			}
		default:
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", f[i]).WithHint("For a single \"%%\" use \"%%%%\".")
		}
		if err := checkGrow(int64(sb.Len()), int64(max(width, item.Len()))); err != nil {
			return nil, err
		}
		pad := strings.Repeat(" ", max(0, width-utf8.RuneCountInString(item.String())))
		if left {
			sb.WriteString(item.String() + pad)
		} else {
			sb.WriteString(pad + item.String())
		}
	}
	return sb.String(), nil
}

// formatPosition reads an optional argument position "n$" at f[*i:], advancing *i past it.
func formatPosition(f string, i *int) (n int, ok bool, err error) {
	j := *i
	for j < len(f) && f[j] >= '0' && f[j] <= '9' {
		j++
	}
	if j == *i || j >= len(f) || f[j] != '$' {
		return 0, false, nil
	}
	n, _ = strconv.Atoi(f[*i:j])
	if n < 1 {
		return 0, false, sqlstate.New(sqlstate.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
	}
	*i = j + 1
	return n, true, nil
}

// outText is a value's type output function text (bool prints t/f), what concat and format use.
func outText(env *Env, v any, t sqltypes.Type) string {
	if s, ok := v.(string); ok {
		return s
	}
	return sqltypes.FormatTextIn(v, t, env.Location())
}

// similarToRegex translates a SIMILAR TO pattern into an anchored POSIX regular expression, as
// PostgreSQL's similar_to_escape does: % is .*, _ is ., the escape character quotes the next one,
// other regular-expression syntax (| * + ? {} () []) passes through.
func similarToRegex(p, esc string) string {
	var sb strings.Builder
	sb.WriteString("^(?:")
	rs := []rune(p)
	escR := rune(-1)
	if esc != "" {
		escR = []rune(esc)[0]
	}
	inClass := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == escR && i+1 < len(rs):
			i++
			sb.WriteString(regexp.QuoteMeta(string(rs[i])))
		case inClass:
			if r == ']' {
				inClass = false
			}
			sb.WriteRune(r)
		case r == '[':
			inClass = true
			sb.WriteRune(r)
		case r == '%':
			sb.WriteString(".*")
		case r == '_':
			sb.WriteString(".")
		case r == '.', r == '^', r == '$':
			sb.WriteString(`\` + string(r))
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteString(")$")
	return sb.String()
}

// likeEscape rewrites a LIKE pattern that uses a custom ESCAPE character into one that uses
// backslash, as PostgreSQL's like_escape does; an empty escape disables escaping.
func likeEscape(p, esc string) (any, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return nil, sqlstate.New(sqlstate.InvalidEscapeSequence, "invalid escape string").WithHint("Escape string must be empty or one character.")
	}
	var sb strings.Builder
	rs := []rune(p)
	var e rune = -1
	if esc != "" {
		e = []rune(esc)[0]
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == e && i+1 < len(rs):
			i++
			sb.WriteByte('\\')
			sb.WriteRune(rs[i])
		case r == '\\' && e != '\\':
			sb.WriteString(`\\`)
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String(), nil
}
