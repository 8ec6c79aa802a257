package main

import (
	"go/ast"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// The generator's own model of a table. It mirrors catalog.Table but stays independent of the
// catalog package, so a broken generated file can always be regenerated.
type table struct {
	name, object, resource, description string
	goType                              string // the stripe-go object type, for nested lookups
	columns                             []column
	list                                *listSpec
	retrieve                            *retrieveSpec
	search                              string // search path, "" when not searchable
	create, update                      *writeSpec
	del                                 *deleteSpec
}

type column struct {
	name        string
	typ         string // a sqltypes constant name: "Text", "Int8", …
	path        []string
	description string
	expandable  bool
	filterOnly  bool
}

type listSpec struct {
	path    string
	parents []string
	keys    []keyColumn
}

type keyColumn struct {
	column string
	param  string
	ops    []string
	array  bool
}

type retrieveSpec struct {
	path    string
	parents []string
}

type writeSpec struct {
	path    string
	parents []string
	params  []writeParam
}

type writeParam struct {
	name string
	typ  string
}

type deleteSpec struct {
	path    string
	parents []string
	method  string
	verb    string
}

var (
	eqOps    = []string{"OpEq"}
	rangeOps = []string{"OpGt", "OpGte", "OpLt", "OpLte"}
	allOps   = []string{"OpEq", "OpGt", "OpGte", "OpLt", "OpLte"}
)

// buildTables turns the parsed source into tables: one per client package with a List method,
// and one per sub-list (a List… method whose path needs the parent's id) that no List covers.
func buildTables(src *stripeSource) ([]*table, error) {
	var tables []*table
	listPaths := map[string]bool{}
	for _, c := range src.clients {
		if m := c.methods["List"]; m != nil && m.iter {
			for _, p := range m.paths {
				listPaths[p.template] = true
			}
		}
	}
	for _, c := range src.clients {
		if m := c.methods["List"]; m != nil && m.iter {
			t, err := buildTable(src, c, m, "")
			if err != nil {
				return nil, err
			}
			tables = append(tables, t)
		}
		for _, name := range c.order {
			m := c.methods[name]
			if name == "List" || name == "Search" || !m.iter || len(m.paths) != 1 {
				continue
			}
			p := m.paths[0]
			// Sub-lists without a parent id are previews computed from parameters
			// (upcoming invoice lines, credit note preview lines), not stored rows.
			if !strings.Contains(p.template, "%s") || listPaths[p.template] {
				continue
			}
			t, err := buildTable(src, c, m, name)
			if err != nil {
				return nil, err
			}
			tables = append(tables, t)
		}
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].name < tables[j].name })
	return tables, nil
}

// buildTable builds one table from a list method (List, or the sub-list method sub).
func buildTable(src *stripeSource, c *clientPkg, list *method, sub string) (*table, error) {
	elem, err := listElem(src, list.resultType)
	if err != nil {
		return nil, err
	}
	t := &table{resource: elem, goType: elem, description: src.typeDocs[elem]}
	if sub == "" {
		t.name = plural(snake(elem))
		t.object = objectName(c.dir, elem)
	} else {
		parent := retrieveResult(c)
		if l := c.methods["List"]; l != nil {
			if p, err := listElem(src, l.resultType); err == nil {
				parent = p
			}
		}
		t.resource = parent + "." + sub
		t.name = snake(parent) + "_" + snake(strings.TrimPrefix(sub, "List"))
		t.object = objectName(c.dir, elem)
	}
	t.columns = objectColumns(src, elem)

	// List: the path (preferring a customer-scoped one), its parents and its filters.
	shape := choosePath(list.paths)
	t.list = &listSpec{path: shape.template}
	t.list.parents = parentColumns(src, t, shape)
	t.list.keys = listKeys(src, t, list.paramType)

	if sub == "" {
		get := c.methods["Get"]
		if get == nil || len(get.paths) == 0 || !strings.Contains(choosePath(get.paths).template, "%s") {
			get = c.methods["GetByID"]
		}
		if get != nil && len(get.paths) > 0 {
			s := choosePath(get.paths)
			if len(s.args) > 0 && s.args[len(s.args)-1] == "" {
				t.retrieve = &retrieveSpec{path: s.template, parents: parentColumns(src, t, s)}
			}
		}
		if m := c.methods["Search"]; m != nil && len(m.paths) > 0 {
			t.search = m.paths[0].template
		}
		if m := c.methods["New"]; m != nil && len(m.paths) > 0 {
			s := choosePath(m.paths)
			t.create = &writeSpec{path: s.template, parents: parentColumns(src, t, s), params: writeParams(src, t, m.paramType)}
		}
		if m := c.methods["Update"]; m != nil && len(m.paths) > 0 {
			s := choosePath(m.paths)
			t.update = &writeSpec{path: s.template, parents: parentColumns(src, t, s), params: writeParams(src, t, m.paramType)}
		}
		if m := c.methods["Del"]; m != nil && len(m.paths) > 0 && m.httpMethod == "DELETE" {
			s := choosePath(m.paths)
			t.del = &deleteSpec{path: s.template, parents: parentColumns(src, t, s), method: "DELETE", verb: "delete"}
		} else if m := c.methods["Cancel"]; m != nil && len(m.paths) > 0 && m.httpMethod == "DELETE" {
			// Subscriptions have no delete; DELETE /v1/subscriptions/{id} cancels.
			s := choosePath(m.paths)
			t.del = &deleteSpec{path: s.template, parents: parentColumns(src, t, s), method: "DELETE", verb: "cancel"}
		}
	}

	// id first, the whole object last, the rest in stripe-go's (alphabetical) order.
	sort.SliceStable(t.columns, func(i, j int) bool { return rank(t.columns[i]) < rank(t.columns[j]) })
	t.columns = append(t.columns, column{name: "_object", typ: "JSONB", description: "The whole object as Stripe returned it."})
	return t, nil
}

func rank(c column) int {
	switch {
	case c.name == "id":
		return 0
	case c.filterOnly:
		return 2
	}
	return 1
}

// retrieveResult returns the object type the client's Get returns or, for a client without
// one (tax calculations), that of its first method returning a single object.
func retrieveResult(c *clientPkg) string {
	if m := c.methods["Get"]; m != nil && m.resultType != "" {
		return m.resultType
	}
	for _, n := range c.order {
		if m := c.methods[n]; !m.iter && m.resultType != "" {
			return m.resultType
		}
	}
	return ""
}

// listElem returns the element type of a list container (CustomerList → Customer).
func listElem(src *stripeSource, listType string) (string, error) {
	for _, f := range src.fields(listType, "json") {
		if f.name == "data" {
			if at, ok := f.typ.(*ast.ArrayType); ok {
				if n := typeName(at.Elt); n != "" {
					return n, nil
				}
			}
		}
	}
	return "", src.errorf("list type %q has no data field of objects", listType)
}

// choosePath picks one endpoint of a method that builds several. Where a list or retrieve can
// be scoped to a customer or to a Connect account (cards, bank accounts, tax ids), the customer
// path wins: it is the one analysts query, and one table has one list endpoint.
func choosePath(paths []pathShape) pathShape {
	for _, p := range paths {
		for _, a := range p.args {
			if a == "Customer" {
				return p
			}
		}
	}
	if len(paths) == 0 {
		return pathShape{}
	}
	return paths[0]
}

// objectColumns returns one column per top-level JSON field of the object type.
func objectColumns(src *stripeSource, typ string) []column {
	var cols []column
	for _, f := range src.fields(typ, "json") {
		sqlType, exp := columnType(src, f.typ, f.name, f.doc)
		cols = append(cols, column{name: f.name, typ: sqlType, path: []string{f.name}, description: f.doc, expandable: exp})
	}
	return cols
}

var timeDoc = regexp.MustCompile(`(?i)(unix epoch|unix timestamp|timestamp|seconds since)`)

// timeSuffixes end the names Stripe gives Unix times: expires_at, due_date, period_end,
// start_time, available_on, deletes_after, redeem_by, result_available_until.
var timeSuffixes = []string{"_at", "_date", "_time", "_start", "_end", "_on", "_after", "_by", "_until"}

// isTime says whether an int64 field holds a Unix time: created, updated, a name with one of
// timeSuffixes, or a field whose documentation says it is a timestamp. Amounts and counts never
// are. catalog/overrides.go corrects what this misses.
func isTime(name, doc string) bool {
	if strings.Contains(name, "amount") || strings.Contains(name, "count") || strings.Contains(name, "balance") {
		return false
	}
	if name == "created" || name == "updated" || timeDoc.MatchString(doc) {
		return true
	}
	for _, s := range timeSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// columnType maps a field's Go type to a SQL type name and whether it is an expandable
// reference.
func columnType(src *stripeSource, e ast.Expr, name, doc string) (string, bool) {
	if star, ok := e.(*ast.StarExpr); ok {
		if id, ok := star.X.(*ast.Ident); ok && src.expandable[id.Name] {
			return "Text", true
		}
		e = star.X
	}
	switch u := src.underlying(e).(type) {
	case *ast.Ident:
		switch u.Name {
		case "string":
			return "Text", false
		case "bool":
			return "Bool", false
		case "int64", "int", "int32", "uint64":
			if isTime(name, doc) {
				return "Timestamptz", false
			}
			return "Int8", false
		case "float64", "float32":
			return "Float8", false
		}
	}
	return "JSONB", false
}

// listKeys turns a ListParams struct into key columns, adding a column for each filter that
// maps to no top-level field.
func listKeys(src *stripeSource, t *table, paramType string) []keyColumn {
	var keys []keyColumn
	var walk func(typ string, prefix []string)
	walk = func(typ string, prefix []string) {
		for _, f := range src.fields(typ, "form") {
			if f.name == "expand" {
				continue
			}
			wire := append(append([]string(nil), prefix...), f.name)
			param := wire[0]
			for _, w := range wire[1:] {
				param += "[" + w + "]"
			}
			kind, goType := paramKind(src, f.typ)
			switch kind {
			case "struct":
				walk(goType, wire)
				continue
			case "other":
				continue
			}
			ops := eqOps
			if kind == "range" {
				ops = rangeOps
			}
			// created and created[gt] … come as two fields with one form name: merge them.
			merged := false
			for i := range keys {
				if keys[i].param == param {
					keys[i].ops = allOps
					merged = true
				}
			}
			if merged {
				continue
			}
			col := keyColumnFor(src, t, wire, kind, goType, f.doc)
			keys = append(keys, keyColumn{column: col, param: param, ops: ops, array: kind == "array"})
		}
	}
	walk(paramType, nil)
	return keys
}

// paramKind classifies a params field: "scalar" (goType string/int64/bool/float64), "array",
// "range" (RangeQueryParams), "struct" (nested params, goType its name), or "other".
func paramKind(src *stripeSource, e ast.Expr) (kind, goType string) {
	if at, ok := e.(*ast.ArrayType); ok {
		return "array", typeName(at.Elt)
	}
	n := typeName(e)
	switch n {
	case "string", "int64", "bool", "float64":
		return "scalar", n
	case "RangeQueryParams":
		return "range", "int64"
	}
	if _, ok := src.structs[n]; ok {
		return "struct", n
	}
	if id, ok := src.underlying(&ast.Ident{Name: n}).(*ast.Ident); ok && id.Name == "string" {
		return "scalar", "string"
	}
	return "other", ""
}

// keyColumnFor finds or adds the column a filter constrains: the top-level field of that name;
// for array filters (ids, types) the singular field; for nested filters a column for the nested
// field; otherwise a FilterOnly column.
func keyColumnFor(src *stripeSource, t *table, wire []string, kind, goType, doc string) string {
	if len(wire) == 1 {
		name := wire[0]
		if kind == "array" {
			name = singular(name)
		}
		if hasColumn(t, name) {
			return name
		}
	} else if typ, exp, fdoc, ok := nestedType(src, t.goType, wire); ok {
		name := strings.Join(wire, "_")
		if fdoc == "" {
			fdoc = "The object's " + strings.Join(wire, ".") + ", as a column so it can be filtered."
		}
		if !hasColumn(t, name) {
			t.columns = append(t.columns, column{name: name, typ: typ, path: wire, expandable: exp, description: fdoc})
		}
		return name
	}
	name := strings.Join(wire, "_")
	if hasColumn(t, name) {
		return name
	}
	typ := "Text"
	switch goType {
	case "int64":
		typ = "Int8"
		if isTime(name, doc) || kind == "range" {
			typ = "Timestamptz"
		}
	case "bool":
		typ = "Bool"
	case "float64":
		typ = "Float8"
	}
	t.columns = append(t.columns, column{name: name, typ: typ, description: doc, filterOnly: true})
	return name
}

// nestedType resolves a JSON path inside an object type to a column type, whether it is an
// expandable reference, and the nested field's documentation.
func nestedType(src *stripeSource, objType string, path []string) (string, bool, string, bool) {
	typ := objType
	for i, p := range path {
		var found *field
		for _, f := range src.fields(typ, "json") {
			if f.name == p {
				f := f
				found = &f
				break
			}
		}
		if found == nil {
			return "", false, "", false
		}
		if i == len(path)-1 {
			s, exp := columnType(src, found.typ, found.name, found.doc)
			return s, exp, found.doc, true
		}
		typ = typeName(found.typ)
		if _, ok := src.structs[typ]; !ok {
			return "", false, "", false
		}
	}
	return "", false, "", false
}

func hasColumn(t *table, name string) bool {
	for _, c := range t.columns {
		if c.name == name {
			return true
		}
	}
	return false
}

// parentColumns names the columns that fill a path's placeholders other than the object's own
// id. A placeholder filled from params.Customer is the customer column; one filled from
// params.ID (the parent's id, as in /v1/application_fees/%s/refunds) is the object field that
// references the parent resource, found by the path segment before it. A parent the object
// has no field for becomes a FilterOnly column.
func parentColumns(src *stripeSource, t *table, p pathShape) []string {
	var parents []string
	segs := strings.Split(p.template, "/")
	ph := 0
	for i, s := range segs {
		if s != "%s" {
			continue
		}
		if ph >= len(p.args) {
			break
		}
		arg := p.args[ph]
		ph++
		if arg == "" {
			continue // the object's own id
		}
		name := snake(arg)
		if arg == "ID" && i > 0 {
			name = singular(segs[i-1])
			if !hasColumn(t, name) {
				for _, f := range src.fields(t.goType, "json") {
					if tn := typeName(f.typ); tn != "" && snake(tn) == name {
						name = f.name
					}
				}
			}
		}
		if !hasColumn(t, name) {
			t.columns = append(t.columns, column{name: name, typ: "Text", filterOnly: true,
				description: "The parent " + strings.ReplaceAll(name, "_", " ") + " whose list this row comes from; the query must give it."})
		}
		parents = append(parents, name)
	}
	return parents
}

// writeParams lists a create or update params struct's top-level parameters.
func writeParams(src *stripeSource, t *table, paramType string) []writeParam {
	var out []writeParam
	for _, f := range src.fields(paramType, "form") {
		if f.name == "expand" {
			continue
		}
		typ := "JSONB"
		kind, goType := paramKind(src, f.typ)
		if kind == "scalar" {
			switch goType {
			case "string":
				typ = "Text"
			case "bool":
				typ = "Bool"
			case "float64":
				typ = "Float8"
			case "int64":
				typ = "Int8"
				for _, c := range t.columns {
					if c.name == f.name && c.typ == "Timestamptz" {
						typ = "Timestamptz"
					}
				}
			}
		}
		out = append(out, writeParam{name: f.name, typ: typ})
	}
	return out
}

// objectName derives Stripe's object type from the client package and type name:
// checkout/session + CheckoutSession → "checkout.session", PaymentIntent → "payment_intent".
func objectName(dir, typ string) string {
	if i := strings.Index(dir, "/"); i >= 0 {
		ns := dir[:i]
		if len(typ) > len(ns) && strings.EqualFold(typ[:len(ns)], ns) {
			return snake(typ[:len(ns)]) + "." + snake(typ[len(ns):])
		}
	}
	return snake(typ)
}

// snake converts a Go name to snake_case, keeping initialisms together: TaxID → tax_id,
// URLPath → url_path.
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 && (unicode.IsLower(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]) && unicode.IsUpper(r[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// plural makes the last word of a snake_case name plural, the English way.
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "person"):
		return s + "s"
	case strings.HasSuffix(s, "y") && !strings.HasSuffix(s, "ay") && !strings.HasSuffix(s, "ey") && !strings.HasSuffix(s, "oy"):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, "s") || strings.HasSuffix(s, "x") || strings.HasSuffix(s, "ch") || strings.HasSuffix(s, "sh"):
		return s + "es"
	}
	return s + "s"
}

// singular reverses plural for the path segments and filter names Stripe uses.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s"):
		return s[:len(s)-1]
	}
	return s
}
