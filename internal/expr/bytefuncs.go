package expr

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Binary-string functions: encode and decode (base64, hex, escape), the SHA-2 digests
// (sha224, sha256, sha384, sha512 → bytea), and the bytea variants of length, octet_length and
// md5 (whose text variants are here too, so one declaration resolves both). Analysts use them to
// hash emails for joins with other systems and to read base64 payloads. Errors follow PostgreSQL:
// an unknown format is 22023 "unrecognized encoding", bad hex or base64 input is 22023.

// textOrBytea resolves a function that exists for text and for bytea: bytea stays bytea, every
// other string type (and unknown) is text.
func textOrBytea(name string) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		switch {
		case args[0] == sqltypes.Bytea:
			return args, nil
		case isStringType(args[0]):
			return []sqltypes.Type{sqltypes.Text}, nil
		}
		return nil, ErrNoFunction(name, args)
	}
}

// bytesOf returns the bytes of a text or bytea value.
func bytesOf(v any) []byte {
	if b, ok := v.([]byte); ok {
		return b
	}
	return []byte(v.(string))
}

func errEncoding(name string) error {
	return sqlstate.New(sqlstate.InvalidParameterValue, "unrecognized encoding: \"%s\"", name)
}

// encodeBytes is encode(data, format). base64 breaks lines every 76 characters, as PostgreSQL
// (and MIME) does; escape writes bytes outside printable ASCII, and backslash, as \ooo and \\.
func encodeBytes(b []byte, format string) (string, error) {
	switch strings.ToLower(format) {
	case "hex":
		return hex.EncodeToString(b), nil
	case "base64":
		s := base64.StdEncoding.EncodeToString(b)
		var sb strings.Builder
		for len(s) > 76 {
			sb.WriteString(s[:76])
			sb.WriteByte('\n')
			s = s[76:]
		}
		sb.WriteString(s)
		return sb.String(), nil
	case "escape":
		var sb strings.Builder
		for _, c := range b {
			switch {
			case c == '\\':
				sb.WriteString(`\\`)
			case c == 0 || c >= 0x80:
				fmt.Fprintf(&sb, `\%03o`, c)
			default:
				sb.WriteByte(c)
			}
		}
		return sb.String(), nil
	}
	return "", errEncoding(format)
}

// decodeBytes is decode(string, format), the inverse of encodeBytes; base64 ignores whitespace.
func decodeBytes(s, format string) ([]byte, error) {
	switch strings.ToLower(format) {
	case "hex":
		s = withoutBlanks(s)
		for _, c := range s {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid hexadecimal digit: \"%c\"", c)
			}
		}
		if len(s)%2 != 0 {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		return hex.DecodeString(s)
	case "base64":
		s = withoutBlanks(s)
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid base64 end sequence").
				WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
		}
		return b, nil
	case "escape":
		// the escape format is bytea's own escape input; \x would start its hex input instead
		if strings.HasPrefix(s, `\x`) {
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
		v, err := sqltypes.ParseText(s, sqltypes.Bytea, nil)
		if err != nil {
			return nil, err
		}
		return v.([]byte), nil
	}
	return nil, errEncoding(format)
}

// withoutBlanks drops the spaces, tabs and line breaks decode skips in hex and base64 input.
func withoutBlanks(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

func init() {
	by, tText, i4 := sqltypes.Bytea, sqltypes.Text, sqltypes.Int4
	digest := func(name string, sum func([]byte) []byte) Function {
		return Function{Name: name, MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: Fixed(name, by), Result: Returns(by),
			Eval: func(_ *Env, a []any) (any, error) { return sum(a[0].([]byte)), nil }}
	}
	reg(
		Function{Name: "length", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: textOrBytea("length"), Result: Returns(i4),
			Eval: func(_ *Env, a []any) (any, error) {
				if b, ok := a[0].([]byte); ok {
					return int64(len(b)), nil
				}
				return runeLen(a[0].(string)), nil
			}},
		Function{Name: "octet_length", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: textOrBytea("octet_length"), Result: Returns(i4),
			Eval: func(_ *Env, a []any) (any, error) { return int64(len(bytesOf(a[0]))), nil }},
		Function{Name: "md5", MinArgs: 1, MaxArgs: 1, Strict: true, ArgTypes: textOrBytea("md5"), Result: Returns(tText),
			Eval: func(_ *Env, a []any) (any, error) {
				h := md5.Sum(bytesOf(a[0]))
				return hex.EncodeToString(h[:]), nil
			}},
		digest("sha224", func(b []byte) []byte { h := sha256.Sum224(b); return h[:] }),
		digest("sha256", func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }),
		digest("sha384", func(b []byte) []byte { h := sha512.Sum384(b); return h[:] }),
		digest("sha512", func(b []byte) []byte { h := sha512.Sum512(b); return h[:] }),
		Function{Name: "encode", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: Fixed("encode", by, tText), Result: Returns(tText),
			Eval: func(_ *Env, a []any) (any, error) { return encodeBytes(a[0].([]byte), a[1].(string)) }},
		Function{Name: "decode", MinArgs: 2, MaxArgs: 2, Strict: true, ArgTypes: Fixed("decode", tText, tText), Result: Returns(by),
			Eval: func(_ *Env, a []any) (any, error) {
				b, err := decodeBytes(a[0].(string), a[1].(string))
				if err != nil {
					return nil, err
				}
				return b, nil
			}},
	)
}
