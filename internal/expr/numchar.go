package expr

import (
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// numFormat is a parsed to_char template for numbers: digit positions (9 or 0), group separators,
// a decimal point, and the fill-mode and sign options.
type numFormat struct {
	intPos   []byte // '9', '0' or ',' for each position before the point, left to right
	fracPos  []byte // '9' or '0' after the point
	point    bool
	fm       bool
	signMode string // "" (leading space or minus), "S", "MI", "PR"
	signLead bool   // S before the digits
	prefix   string // literal text before the first digit position
	suffix   string // literal text after the last one
}

func parseNumFormat(f string) (numFormat, error) {
	var nf numFormat
	// affix is the literal text before the first digit position, then after it; a builder, so
	// a long template is read in linear time
	var prefix, suffix strings.Builder
	affix := &prefix
	seenDigit := false
	for i := 0; i < len(f); i++ {
		c := f[i]
		up := foldedAt(f, i, strings.ToUpper)
		switch {
		case strings.HasPrefix(up, "FM"):
			nf.fm = true
			i++
		case strings.HasPrefix(up, "MI"):
			nf.signMode = "MI"
			i++
		case strings.HasPrefix(up, "PR"):
			nf.signMode = "PR"
			i++
		case c == 'S' || c == 's':
			nf.signMode = "S"
			nf.signLead = !seenDigit
		case c == '9' || c == '0':
			seenDigit, affix = true, &suffix
			if nf.point {
				nf.fracPos = append(nf.fracPos, c)
			} else {
				nf.intPos = append(nf.intPos, c)
			}
		case c == '.' || c == 'D' || c == 'd':
			nf.point = true
		case c == ',' || c == 'G' || c == 'g':
			if !nf.point {
				nf.intPos = append(nf.intPos, ',')
			}
		case c == '"':
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				j = len(f) - i - 1
			}
			affix.WriteString(f[i+1 : i+1+j])
			i += j + 1
		default:
			affix.WriteByte(c)
		}
	}
	nf.prefix, nf.suffix = prefix.String(), suffix.String()
	if !seenDigit {
		return nf, sqlstate.New(sqlstate.FeatureNotSupported, "to_char template %q for numbers is not supported", f)
	}
	return nf, nil
}

// toCharNumber formats a number with a to_char template of 9, 0, '.', ',', D, G, S, MI, PR and FM,
// the patterns reports use; other patterns (EEEE, RN, V, L, TH) are 0A000.
func toCharNumber(d sqltypes.Decimal, f string) (string, error) {
	nf, err := parseNumFormat(f)
	if err != nil {
		return "", err
	}
	for _, bad := range []string{"EEEE", "RN", "V", "L", "TH"} {
		if strings.Contains(strings.ToUpper(f), bad) && !strings.Contains(f, "\"") {
			return "", sqlstate.New(sqlstate.FeatureNotSupported, "to_char pattern %s is not supported", bad)
		}
	}
	neg := d.Sign() < 0
	r := d.Abs().Round(int32(len(nf.fracPos)))
	digits := r.String()
	intPart, fracPart, _ := strings.Cut(digits, ".")
	if intPart == "0" {
		intPart = ""
	}
	nDigitPos := 0
	for _, c := range nf.intPos {
		if c != ',' {
			nDigitPos++
		}
	}
	var body strings.Builder
	overflow := len(intPart) > nDigitPos
	// integer positions, right-aligned
	di := len(intPart) - 1
	out := make([]string, len(nf.intPos))
	// first pass right to left assigns digits
	for p := len(nf.intPos) - 1; p >= 0; p-- {
		c := nf.intPos[p]
		if c == ',' {
			continue
		}
		switch {
		case overflow:
			out[p] = "#"
		case di >= 0:
			out[p] = string(intPart[di])
			di--
		case c == '0':
			out[p] = "0"
		default:
			out[p] = ""
		}
	}
	// zero positions to the right of a 0 force digits; separators print only inside the number
	lead := true
	for p, c := range nf.intPos {
		if c == ',' {
			if !lead {
				out[p] = ","
			} else if !nf.fm {
				out[p] = " "
			}
			continue
		}
		if out[p] == "" {
			if nf.fm {
				continue
			}
			out[p] = " "
			continue
		}
		if lead && out[p] != "" {
			lead = false
		}
	}
	for _, s := range out {
		body.WriteString(s)
	}
	if nf.point {
		body.WriteString(".")
		for i, c := range nf.fracPos {
			switch {
			case overflow:
				body.WriteString("#")
			case i < len(fracPart):
				if nf.fm && c == '9' && strings.Trim(fracPart[i:], "0") == "" {
					// FM drops trailing zeros of 9 positions
				} else {
					body.WriteByte(fracPart[i])
				}
			default:
				body.WriteString("0")
			}
		}
	}
	num := body.String()
	// the sign goes right before the first printed character of the number
	trimmed := strings.TrimLeft(num, " ")
	pad := num[:len(num)-len(trimmed)]
	var res string
	switch nf.signMode {
	case "MI":
		sign := " "
		if neg {
			sign = "-"
		}
		if nf.fm && !neg {
			sign = ""
		}
		res = pad + trimmed + sign
	case "PR":
		if neg {
			res = pad + "<" + trimmed + ">"
		} else if nf.fm {
			res = pad + trimmed
		} else {
			res = pad + " " + trimmed + " "
		}
	case "S":
		sign := "+"
		if neg {
			sign = "-"
		}
		if nf.signLead {
			res = pad + sign + trimmed
		} else {
			res = pad + trimmed + sign
		}
	default:
		sign := " "
		if neg {
			sign = "-"
		}
		if nf.fm && !neg {
			sign = ""
		}
		res = pad + sign + trimmed
	}
	return nf.prefix + res + nf.suffix, nil
}
