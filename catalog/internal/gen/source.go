package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// stripeSource is what the generator knows about stripe-go's root package: every type
// declaration by name, and which types Stripe may return as a bare id (expandable references).
type stripeSource struct {
	types      map[string]ast.Expr // type name → its type expression (struct, ident, map, …)
	typeDocs   map[string]string   // type name → first paragraph of its doc comment
	expandable map[string]bool     // types whose UnmarshalJSON accepts a bare id (ParseID)
	clients    []*clientPkg        // every client package with at least one method we read
	fset       *token.FileSet      // positions, for error messages
	structs    map[string]*ast.StructType
}

// clientPkg is one stripe-go client package (customer, checkout/session, …) and the methods of
// its Client type that the catalog cares about.
type clientPkg struct {
	dir     string // relative to the module root: "checkout/session"
	methods map[string]*method
	order   []string // method names in source order
}

// method is one Client method, reduced to the facts the catalog needs.
type method struct {
	name       string
	httpMethod string      // "GET", "POST", "DELETE"
	paths      []pathShape // every path the method may call, in source order
	paramType  string      // stripe.XParams type name
	resultType string      // the object type returned (for lists: the element type)
	iter       bool        // returns an iterator (a list or a search)
}

// pathShape is one endpoint template and what fills its placeholders: "" for the method's own
// id argument, otherwise the params struct field that carries the value (for example "Customer").
type pathShape struct {
	template string
	args     []string
}

// loadSource parses stripe-go's root package and every client package below dir.
func loadSource(dir string) (*stripeSource, error) {
	src := &stripeSource{
		types:      map[string]ast.Expr{},
		typeDocs:   map[string]string{},
		expandable: map[string]bool{},
		structs:    map[string]*ast.StructType{},
		fset:       token.NewFileSet(),
	}
	files, err := parseDir(src.fset, dir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.TYPE {
					continue
				}
				for _, s := range d.Specs {
					ts := s.(*ast.TypeSpec)
					src.types[ts.Name.Name] = ts.Type
					doc := ts.Doc
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					src.typeDocs[ts.Name.Name] = firstParagraph(doc)
					if st, ok := ts.Type.(*ast.StructType); ok {
						src.structs[ts.Name.Name] = st
					}
				}
			case *ast.FuncDecl:
				if d.Name.Name != "UnmarshalJSON" || d.Recv == nil || len(d.Recv.List) != 1 {
					continue
				}
				recv := typeName(d.Recv.List[0].Type)
				if recv != "" && callsFunc(d.Body, "ParseID") {
					src.expandable[recv] = true
				}
			}
		}
	}

	var dirs []string
	err = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && e.Name() == "client.go" {
			rel, _ := filepath.Rel(dir, filepath.Dir(p))
			// "client" is the aggregate API struct, not a resource client.
			if rel != "." && rel != "client" && !strings.HasPrefix(rel, "testing") {
				dirs = append(dirs, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	for _, rel := range dirs {
		cp, err := loadClient(src.fset, filepath.Join(dir, rel, "client.go"), rel)
		if err != nil {
			return nil, err
		}
		src.clients = append(src.clients, cp)
	}
	return src, nil
}

func parseDir(fset *token.FileSet, dir string) ([]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// loadClient reads one client.go and extracts its Client methods.
func loadClient(fset *token.FileSet, file, rel string) (*clientPkg, error) {
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		return nil, err
	}
	cp := &clientPkg{dir: rel, methods: map[string]*method{}}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || typeName(fd.Recv.List[0].Type) != "Client" {
			continue
		}
		m := &method{name: fd.Name.Name}
		for _, p := range fd.Type.Params.List {
			if n := stripeSelector(p.Type); n != "" {
				m.paramType = n
			}
		}
		if fd.Type.Results != nil && len(fd.Type.Results.List) > 0 {
			if n := typeName(fd.Type.Results.List[0].Type); strings.HasSuffix(n, "Iter") {
				m.iter = true
			}
		}
		readBody(fd.Body, m)
		cp.methods[m.name] = m
		cp.order = append(cp.order, m.name)
	}
	return cp, nil
}

// readBody finds the HTTP method, the endpoint templates and the result type in a method body.
func readBody(body *ast.BlockStmt, m *method) {
	formatted := map[*ast.BasicLit][]string{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Name == "http" && strings.HasPrefix(n.Sel.Name, "Method") && m.httpMethod == "" {
				m.httpMethod = strings.ToUpper(strings.TrimPrefix(n.Sel.Name, "Method"))
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "FormatURLPath" && len(n.Args) > 0 {
				if lit, ok := n.Args[0].(*ast.BasicLit); ok {
					var args []string
					for _, a := range n.Args[1:] {
						args = append(args, pathArg(a))
					}
					formatted[lit] = args
				}
			}
		case *ast.UnaryExpr:
			if cl, ok := n.X.(*ast.CompositeLit); ok && m.resultType == "" {
				m.resultType = stripeSelector(cl.Type)
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.HasPrefix(s, "/v1/") {
			return true
		}
		m.paths = append(m.paths, pathShape{template: s, args: formatted[lit]})
		return true
	})
}

// pathArg names what fills a placeholder: "" for the id argument, or the params field in
// stripe.StringValue(params.Field).
func pathArg(e ast.Expr) string {
	if call, ok := e.(*ast.CallExpr); ok && len(call.Args) == 1 {
		if sel, ok := call.Args[0].(*ast.SelectorExpr); ok {
			return sel.Sel.Name
		}
	}
	return ""
}

// stripeSelector returns X for stripe.X or *stripe.X, "" otherwise.
func stripeSelector(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == "stripe" {
			return sel.Sel.Name
		}
	}
	return ""
}

// typeName returns T for T or *T, "" otherwise.
func typeName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func callsFunc(body *ast.BlockStmt, name string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}

// firstParagraph returns a doc comment's first paragraph on one line.
func firstParagraph(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	text := g.Text()
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	return strings.Join(strings.Fields(text), " ")
}

// field is one struct field as the catalog sees it: its wire name (json or form tag), its
// type expression, and its documentation.
type field struct {
	goName string
	name   string // json or form name
	typ    ast.Expr
	doc    string
}

// fields lists a struct's fields by the given tag ("json" or "form"), flattening embedded
// structs of package stripe (other than the API plumbing) and skipping "-".
func (s *stripeSource) fields(typ, tag string) []field {
	st, ok := s.structs[typ]
	if !ok {
		return nil
	}
	var out []field
	for _, f := range st.Fields.List {
		var tagValue string
		if f.Tag != nil {
			raw, _ := strconv.Unquote(f.Tag.Value)
			tagValue = reflect.StructTag(raw).Get(tag)
		}
		name := strings.Split(tagValue, ",")[0]
		if len(f.Names) == 0 { // embedded
			emb := typeName(f.Type)
			switch emb {
			case "APIResource", "ListMeta", "SearchMeta", "Params", "ListParams":
				continue
			}
			if name == "" || name == "*" {
				out = append(out, s.fields(emb, tag)...)
			}
			continue
		}
		if name == "" || name == "-" || name == "*" {
			continue
		}
		out = append(out, field{goName: f.Names[0].Name, name: name, typ: f.Type, doc: firstParagraph(f.Doc)})
	}
	return out
}

// underlying resolves named types of package stripe to their declared type expression,
// following chains of definitions.
func (s *stripeSource) underlying(e ast.Expr) ast.Expr {
	for i := 0; i < 10; i++ {
		id, ok := e.(*ast.Ident)
		if !ok {
			return e
		}
		t, ok := s.types[id.Name]
		if !ok {
			return e
		}
		e = t
	}
	return e
}

func (s *stripeSource) client(dir string) *clientPkg {
	for _, c := range s.clients {
		if c.dir == dir {
			return c
		}
	}
	return nil
}

func (s *stripeSource) errorf(format string, args ...any) error {
	return fmt.Errorf("gen: "+format, args...)
}
