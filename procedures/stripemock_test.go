package procedures

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-mock/embedded"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/internal/stripemocktest"
)

// openAPI is the part of stripe-mock's spec the test reads to build valid arguments.
type openAPI struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			In       string          `json:"in"`
			Name     string          `json:"name"`
			Required bool            `json:"required"`
			Schema   json.RawMessage `json:"schema"`
		} `json:"parameters"`
		RequestBody struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	} `json:"paths"`
}

type schema struct {
	Type       string             `json:"type"`
	Enum       []any              `json:"enum"`
	Properties map[string]*schema `json:"properties"`
	Required   []string           `json:"required"`
	Items      *schema            `json:"items"`
	AnyOf      []*schema          `json:"anyOf"`
	Format     string             `json:"format"`
}

var (
	specOnce sync.Once
	specDoc  openAPI
	specErr  error
)

func loadSpec(t *testing.T) *openAPI {
	t.Helper()
	specOnce.Do(func() { specErr = json.Unmarshal(embedded.OpenAPISpec, &specDoc) })
	if specErr != nil {
		t.Fatal(specErr)
	}
	return &specDoc
}

var specBraces = regexp.MustCompile(`\{[^}]+\}`)

// requiredSamples returns, for the operation behind method and path, a valid sample value for each
// required body or query parameter, as Stripe's spec describes it.
func requiredSamples(t *testing.T, method, path string) map[string]any {
	t.Helper()
	doc := loadSpec(t)
	out := map[string]any{}
	for p, ops := range doc.Paths {
		if specBraces.ReplaceAllString(p, "%s") != path {
			continue
		}
		op, ok := ops[strings.ToLower(method)]
		if !ok {
			continue
		}
		for _, prm := range op.Parameters {
			if prm.In == "query" && prm.Required {
				var s schema
				if err := json.Unmarshal(prm.Schema, &s); err != nil {
					t.Fatal(err)
				}
				out[prm.Name] = sample(prm.Name, &s, 0)
			}
		}
		for _, c := range op.RequestBody.Content {
			var s schema
			if err := json.Unmarshal(c.Schema, &s); err != nil {
				t.Fatal(err)
			}
			for _, r := range s.Required {
				if ps := s.Properties[r]; ps != nil {
					out[r] = sample(r, ps, 0)
				}
			}
		}
	}
	return out
}

// sample builds a minimal value that satisfies s: the first enum value, a required-only object,
// a one-element list.
func sample(name string, s *schema, depth int) any {
	if len(s.AnyOf) > 0 {
		return sample(name, s.AnyOf[0], depth)
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch s.Type {
	case "integer":
		return json.Number("1")
	case "number":
		return json.Number("1.5")
	case "boolean":
		return true
	case "array":
		if s.Items == nil {
			return []any{}
		}
		return []any{sample(name, s.Items, depth+1)}
	case "object":
		m := map[string]any{}
		if depth < 6 {
			for _, r := range s.Required {
				if ps := s.Properties[r]; ps != nil {
					m[r] = sample(r, ps, depth+1)
				}
			}
			if len(m) == 0 && len(s.Properties) > 0 {
				// A required hash with no required keys still needs one key to be sent at all.
				names := make([]string, 0, len(s.Properties))
				for k := range s.Properties {
					names = append(names, k)
				}
				sort.Strings(names)
				m[names[0]] = sample(names[0], s.Properties[names[0]], depth+1)
			}
		}
		return m
	}
	if name == "currency" {
		return "usd"
	}
	return "x_" + name
}

// argFor converts a spec sample to the SQL value a caller would pass for a parameter of type t.
func argFor(v any, typ sqltypes.Type) any {
	switch typ {
	case sqltypes.JSONB:
		return sqltypes.JSONValue{V: sqltypes.NormalizeJSON(v)}
	case sqltypes.TextArray, sqltypes.Int8Array:
		var items []any
		if list, ok := v.([]any); ok {
			for _, e := range list {
				items = append(items, argFor(e, sqltypes.Elem(typ)))
			}
		}
		return sqltypes.Array{Elem: sqltypes.Elem(typ), Items: items}
	case sqltypes.Int8:
		if n, ok := v.(json.Number); ok {
			i, _ := n.Int64()
			return i
		}
		return int64(1)
	case sqltypes.Float8:
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			return f
		}
		return 1.5
	case sqltypes.Bool:
		b, _ := v.(bool)
		return b
	}
	return fmt.Sprint(v)
}

// argsFromSpec builds a call of p with every path id and every parameter Stripe's spec requires.
func argsFromSpec(t *testing.T, p *Procedure) Args {
	t.Helper()
	samples := requiredSamples(t, p.Method, p.Path)
	var args Args
	// Parameters the spec (newer than API version 2023-10-16) requires but stripe-go v76 does not
	// know go through the extra parameter.
	extra := map[string]any{}
	for name, v := range samples {
		known := false
		for _, prm := range p.Params {
			known = known || prm.StripeName == name
		}
		if !known {
			extra[name] = v
		}
	}
	if len(extra) > 0 {
		args.Named = append(args.Named, NamedArg{Name: ExtraParam, Value: sqltypes.JSONValue{V: sqltypes.NormalizeJSON(extra)}})
	}
	for _, prm := range p.Params {
		switch {
		case prm.InPath && prm.Required:
			args.Named = append(args.Named, NamedArg{Name: prm.Name, Value: "x_" + strings.ToLower(prm.Name) + "_1"})
		case prm.Required:
			v, ok := samples[prm.StripeName]
			if !ok {
				v = "x_" + prm.StripeName
			}
			args.Named = append(args.Named, NamedArg{Name: prm.Name, Value: argFor(v, prm.Type)})
		case samples[prm.StripeName] != nil:
			args.Named = append(args.Named, NamedArg{Name: prm.Name, Value: argFor(samples[prm.StripeName], prm.Type)})
		}
	}
	return args
}

// fixedArgs are the calls of procedures whose endpoint depends on their arguments, so the spec of
// one path cannot describe them.
var fixedArgs = map[string]Args{
	"VerifyPaymentSource": {Positional: []any{"ba_1", "cus_1"}, Named: []NamedArg{{Name: "amounts", Value: sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(32), int64(45)}}}}},
}

// TestEveryProcedureAgainstStripeMock calls every procedure of the registry once through the real
// Stripe client (stripe-go v76) against stripe-mock, which validates each request against Stripe's
// OpenAPI spec, and requires a 2xx answer and a row whose columns match Columns().
func TestEveryProcedureAgainstStripeMock(t *testing.T) {
	base := stripemocktest.Start(t)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_123", BaseURL: base, Rate: 10000, MaxRetryTime: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, p := range Default().All() {
		t.Run(p.Name, func(t *testing.T) {
			if p.State {
				t.Skip("answered by the node's state store, not by stripe")
			}
			args, ok := fixedArgs[p.Name]
			if !ok {
				args = argsFromSpec(t, p)
			}
			before := client.Requests()
			cols, row, err := Invoke(ctx, client, p, args, fmt.Sprintf("stripemock-test-%d", i))
			if err != nil {
				values, _ := p.Bind(args)
				req, _ := p.Request(values)
				t.Fatalf("%s: %v\nrequest: %s", p.Signature()[:min(len(p.Signature()), 120)], err, req)
			}
			wantRequests := int64(1)
			if p.Local != nil {
				wantRequests = 0
			}
			if sent := client.Requests() - before; sent != wantRequests {
				t.Errorf("sent %d requests; want %d", sent, wantRequests)
			}
			if len(cols) != len(row) || len(cols) != len(p.Columns()) {
				t.Fatalf("%d columns, %d values, Columns() has %d", len(cols), len(row), len(p.Columns()))
			}
			if row[len(p.Result.Lead)] != true {
				t.Errorf("Success = %v", row[len(p.Result.Lead)])
			}
			// Procedures that return an object with an id must have read it.
			for j, c := range cols {
				if c.Name == "id" && row[j] == nil {
					t.Errorf("id column is NULL; the row was not read from the answer")
				}
			}
		})
	}
}

// TestVerifySourceAgainstStripeMock covers VerifyPaymentSource's second endpoint.
func TestVerifySourceAgainstStripeMock(t *testing.T) {
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_123", BaseURL: stripemocktest.Start(t), Rate: 10000})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Default().Lookup("VerifyPaymentSource")
	if err != nil {
		t.Fatal(err)
	}
	args := Args{Positional: []any{"src_1"}, Named: []NamedArg{{Name: "values", Value: sqltypes.Array{Elem: sqltypes.Text, Items: []any{"32", "45"}}}}}
	if _, _, err := Invoke(context.Background(), client, p, args, "verify-source"); err != nil {
		t.Fatal(err)
	}
}
