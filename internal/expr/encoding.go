package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// convert_from(bytea, encoding) and convert_to(text, encoding) move text between bytes and the
// database encoding (UTF8), as in `convert_from(decode(payload, 'base64'), 'UTF8')`. The encodings
// are UTF8, LATIN1 and SQL_ASCII, named as PostgreSQL accepts them (any case, with or without
// '-' and '_'); others are 22023. Bytes that are not valid UTF-8 (or a NUL) are 22021, and a
// character LATIN1 cannot hold is 22P05, with PostgreSQL's messages.

// encodingName normalises an encoding name: "utf-8", "Utf_8" and "UTF8" are all "utf8".
func encodingName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(s))
}

func errBadUTF8(b []byte) error {
	var hex []string
	for i := 0; i < len(b) && i < 4; i++ {
		hex = append(hex, fmt.Sprintf("0x%02x", b[i]))
		if i == 0 && b[0] < 0x80 {
			break
		}
	}
	return sqlstate.New("22021", "invalid byte sequence for encoding \"UTF8\": %s", strings.Join(hex, " "))
}

// utf8Text checks that b is UTF-8 text PostgreSQL can hold (no NUL).
func utf8Text(b []byte) (string, error) {
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == 0 || (r == utf8.RuneError && w <= 1) {
			return "", errBadUTF8(b[i:])
		}
		i += w
	}
	return string(b), nil
}

func convertFrom(b []byte, enc string) (any, error) {
	switch encodingName(enc) {
	case "utf8", "unicode", "sqlascii":
		return utf8Text(b)
	case "latin1", "iso88591":
		var sb strings.Builder
		for _, c := range b {
			if c == 0 {
				return nil, sqlstate.New("22021", "invalid byte sequence for encoding \"LATIN1\": 0x00")
			}
			sb.WriteRune(rune(c))
		}
		return sb.String(), nil
	}
	return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid source encoding name \"%s\"", enc)
}

func convertTo(s, enc string) (any, error) {
	switch encodingName(enc) {
	case "utf8", "unicode", "sqlascii":
		return []byte(s), nil
	case "latin1", "iso88591":
		out := make([]byte, 0, len(s))
		for i, r := range s {
			if r > 0xff {
				w := utf8.RuneLen(r)
				hex := make([]string, w)
				for k := 0; k < w; k++ {
					hex[k] = fmt.Sprintf("0x%02x", s[i+k])
				}
				return nil, sqlstate.New("22P05", "character with byte sequence %s in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"", strings.Join(hex, " "))
			}
			out = append(out, byte(r))
		}
		return out, nil
	}
	return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid destination encoding name \"%s\"", enc)
}

func init() {
	by, tText := sqltypes.Bytea, sqltypes.Text
	reg(
		Function{Name: "convert_from", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: Fixed("convert_from", by, tText), Result: Returns(tText),
			Eval: func(_ *Env, a []any) (any, error) { return convertFrom(a[0].([]byte), a[1].(string)) }},
		Function{Name: "convert_to", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: Fixed("convert_to", tText, tText), Result: Returns(by),
			Eval: func(_ *Env, a []any) (any, error) { return convertTo(a[0].(string), a[1].(string)) }},
	)
}
