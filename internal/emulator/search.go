package emulator

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// clause is one parsed search condition: [-]field op value.
type clause struct {
	negate bool
	field  string // search field name ("email", "metadata")
	key    string // metadata key for metadata['key']
	op     string // ":", "~", ">", "<", ">=", "<="
	value  string
	quoted bool
	null   bool
}

// searchQuery is a parsed query: clauses joined all by AND or all by OR.
type searchQuery struct {
	clauses []clause
	or      bool
}

// queryError is a 400 about the query text.
func queryError(format string, args ...any) *apiError {
	return invalid("query", format, args...)
}

// queryLexer walks the query text.
type queryLexer struct {
	s   string
	pos int
}

func (l *queryLexer) skipSpace() {
	for l.pos < len(l.s) && (l.s[l.pos] == ' ' || l.s[l.pos] == '\t' || l.s[l.pos] == '\n') {
		l.pos++
	}
}

func (l *queryLexer) eof() bool { l.skipSpace(); return l.pos >= len(l.s) }

func isFieldChar(b byte) bool {
	return b == '_' || b == '.' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// quoted reads a '...' or "..." string with backslash escapes, starting at the quote.
func (l *queryLexer) quoted() (string, *apiError) {
	q := l.s[l.pos]
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		switch {
		case c == '\\' && l.pos+1 < len(l.s):
			b.WriteByte(l.s[l.pos+1])
			l.pos += 2
		case c == q:
			l.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", queryError("Unterminated string starting at position %d in search query.", start)
}

// parseQuery parses Stripe's search grammar and validates fields against the resource.
func parseQuery(q string, fields map[string]searchField, resName string) (*searchQuery, *apiError) {
	l := &queryLexer{s: q}
	sq := &searchQuery{}
	sawAnd, sawOr := false, false
	for {
		if l.eof() {
			if len(sq.clauses) == 0 {
				return nil, queryError("The query is empty. Provide a search query such as `email:\"jenny@example.com\"`.")
			}
			break
		}
		if len(sq.clauses) > 0 {
			// An explicit AND / OR, or whitespace meaning AND.
			word := l.peekWord()
			switch strings.ToUpper(word) {
			case "AND":
				sawAnd = true
				l.pos += len(word)
			case "OR":
				sawOr = true
				l.pos += len(word)
			default:
				sawAnd = true
			}
			if sawAnd && sawOr {
				return nil, queryError("Search queries cannot mix AND and OR; use only one of them.")
			}
			if l.eof() {
				return nil, queryError("Search query ends after a connective at position %d.", l.pos)
			}
		}
		c, ae := l.clause()
		if ae != nil {
			return nil, ae
		}
		f, ok := fields[c.field]
		if !ok {
			return nil, queryError("Field `%s` is an unsupported search field for resource `%s`. See https://stripe.com/docs/search#query-fields-for-%s for a list of supported fields.", c.field, resName, strings.ReplaceAll(resName, "_", "-"))
		}
		if ae := checkClause(c, f); ae != nil {
			return nil, ae
		}
		sq.clauses = append(sq.clauses, c)
		if len(sq.clauses) > 10 {
			return nil, queryError("Search queries can have at most 10 clauses.")
		}
	}
	sq.or = sawOr
	return sq, nil
}

func (l *queryLexer) peekWord() string {
	l.skipSpace()
	end := l.pos
	for end < len(l.s) && ((l.s[end] >= 'a' && l.s[end] <= 'z') || (l.s[end] >= 'A' && l.s[end] <= 'Z')) {
		end++
	}
	w := l.s[l.pos:end]
	// A connective must be followed by whitespace; "order_id:" is a field, not OR.
	if end < len(l.s) && l.s[end] != ' ' && l.s[end] != '\t' {
		return ""
	}
	return w
}

// clause reads one [-]field op value.
func (l *queryLexer) clause() (clause, *apiError) {
	var c clause
	l.skipSpace()
	if l.pos < len(l.s) && l.s[l.pos] == '-' {
		c.negate = true
		l.pos++
	}
	start := l.pos
	for l.pos < len(l.s) && isFieldChar(l.s[l.pos]) {
		l.pos++
	}
	c.field = l.s[start:l.pos]
	if c.field == "" {
		return c, queryError("Expected a field name at position %d in search query.", start)
	}
	if l.pos < len(l.s) && l.s[l.pos] == '[' {
		if c.field != "metadata" {
			return c, queryError("Only metadata supports the ['key'] syntax (position %d).", l.pos)
		}
		l.pos++
		if l.pos >= len(l.s) || (l.s[l.pos] != '\'' && l.s[l.pos] != '"') {
			return c, queryError("Expected a quoted metadata key at position %d in search query.", l.pos)
		}
		k, ae := l.quoted()
		if ae != nil {
			return c, ae
		}
		if l.pos >= len(l.s) || l.s[l.pos] != ']' {
			return c, queryError("Expected ] at position %d in search query.", l.pos)
		}
		l.pos++
		c.key = k
	} else if c.field == "metadata" {
		return c, queryError("Metadata searches need a key: metadata['key']:'value'.")
	}
	switch {
	case strings.HasPrefix(l.s[l.pos:], ">="), strings.HasPrefix(l.s[l.pos:], "<="):
		c.op = l.s[l.pos : l.pos+2]
		l.pos += 2
	case l.pos < len(l.s) && strings.IndexByte(":~<>", l.s[l.pos]) >= 0:
		c.op = l.s[l.pos : l.pos+1]
		l.pos++
	default:
		return c, queryError("Expected an operator (:, ~, >, <, >=, <=) after `%s` at position %d in search query.", c.field, l.pos)
	}
	if l.pos >= len(l.s) || l.s[l.pos] == ' ' {
		return c, queryError("Expected a value after `%s%s` at position %d in search query.", c.field, c.op, l.pos)
	}
	if l.s[l.pos] == '"' || l.s[l.pos] == '\'' {
		v, ae := l.quoted()
		if ae != nil {
			return c, ae
		}
		c.value, c.quoted = v, true
		return c, nil
	}
	start = l.pos
	for l.pos < len(l.s) && l.s[l.pos] != ' ' && l.s[l.pos] != '\t' && l.s[l.pos] != '\n' {
		l.pos++
	}
	c.value = l.s[start:l.pos]
	c.null = c.value == "null"
	return c, nil
}

// checkClause validates an operator and value against the field's kind.
func checkClause(c clause, f searchField) *apiError {
	switch c.op {
	case "~":
		if !f.substr {
			return queryError("Field `%s` does not support the ~ (substring) operator.", c.field)
		}
		if len([]rune(c.value)) < 3 {
			return queryError("Substring searches (~) need a value of at least 3 characters; `%s` is too short.", c.value)
		}
	case ">", "<", ">=", "<=":
		if f.kind != "number" && f.kind != "time" {
			return queryError("Field `%s` does not support the %s operator; only numeric and date fields do.", c.field, c.op)
		}
	}
	if c.null {
		if c.op != ":" {
			return queryError("null can only be used with the : operator.")
		}
		return nil
	}
	switch f.kind {
	case "number", "time":
		if _, err := strconv.ParseFloat(c.value, 64); err != nil {
			return queryError("Field `%s` needs a numeric value, got `%s`.", c.field, c.value)
		}
	case "bool":
		if v := strings.ToLower(c.value); v != "true" && v != "false" {
			return queryError("Field `%s` needs true or false, got `%s`.", c.field, c.value)
		}
	}
	return nil
}

// matches evaluates one clause on a stored object.
func (c clause) matches(f searchField, en *entry) bool {
	var v any
	if f.kind == "metadata" {
		if m, ok := en.get("metadata").(map[string]any); ok {
			v = m[c.key]
		}
	} else if f.path == "created" {
		v = en.created
	} else {
		v = en.getPath(f.path)
	}
	r := c.eval(f, v)
	if c.negate {
		return !r
	}
	return r
}

func (c clause) eval(f searchField, v any) bool {
	if c.null {
		return v == nil || v == ""
	}
	if v == nil && f.kind == "bool" {
		v = false // booleans whose value is their default are not stored
	}
	if v == nil {
		return false
	}
	switch f.kind {
	case "number", "time":
		n, ok := asInt(v)
		if !ok {
			if fv, isF := v.(float64); isF {
				n = int64(fv)
			} else {
				return false
			}
		}
		want, _ := strconv.ParseFloat(c.value, 64)
		x := float64(n)
		switch c.op {
		case ":":
			return x == want
		case ">":
			return x > want
		case "<":
			return x < want
		case ">=":
			return x >= want
		case "<=":
			return x <= want
		}
		return false
	case "bool":
		b, _ := v.(bool)
		return b == (strings.ToLower(c.value) == "true")
	case "metadata":
		return asString(v) == c.value
	}
	got := strings.ToLower(asString(v))
	want := strings.ToLower(c.value)
	if c.op == "~" {
		return strings.Contains(got, want)
	}
	return got == want
}

// search answers GET /v1/<resource>/search.
func (e *Emulator) search(c *collection, url string, params map[string]any) (int, any) {
	r := c.res
	for k := range params {
		switch k {
		case "query", "limit", "page", "expand":
		default:
			return 0, invalid(k, "Received unknown parameter: %s", k)
		}
	}
	q, _ := params["query"].(string)
	if q == "" {
		return 0, invalid("query", "Missing required param: query.")
	}
	limit, ae := parseLimit(params)
	if ae != nil {
		return 0, ae
	}
	sq, ae := parseQuery(q, r.search, r.name)
	if ae != nil {
		return 0, ae
	}
	var after *entry
	if p, ok := params["page"].(string); ok && p != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p)
		if err == nil {
			after = c.byID.get(string(raw))
		}
		if after == nil {
			return 0, invalid("page", "Invalid page token: %s", p)
		}
	}
	keep := func(en *entry) bool {
		for _, cl := range sq.clauses {
			m := cl.matches(r.search[cl.field], en)
			if sq.or && m {
				return true
			}
			if !sq.or && !m {
				return false
			}
		}
		return !sq.or
	}
	page, more := c.page(limit, after, nil, allTime, keep)
	data := make([]map[string]any, len(page))
	for i, en := range page {
		data[i] = e.render(c, en)
	}
	out := map[string]any{"object": "search_result", "data": data, "has_more": more, "next_page": nil, "url": url}
	if more {
		out["next_page"] = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].id()))
	}
	if wantsTotal(params) {
		total := 0
		for _, en := range c.order {
			if keep(en) {
				total++
			}
		}
		out["total_count"] = total
	}
	return 200, out
}

func wantsTotal(params map[string]any) bool {
	ex, _ := params["expand"].([]any)
	for _, x := range ex {
		if x == "total_count" {
			return true
		}
	}
	return false
}
