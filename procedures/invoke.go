package procedures

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// Invoke runs one procedure call: it binds args, sends the one Stripe request the procedure
// stands for through b, and returns the result row with its columns (see Procedure.Columns).
//
// Every mutating call sends idempotencyKey as Stripe's Idempotency-Key, so a retried CALL can
// never confirm, capture or refund twice; an empty key is refused before anything is sent. The
// caller owns the key: the executor derives it from the session's key prefix and the statement.
//
// Stripe's error answers keep their meaning (stripeapi.Error.SQL): a card decline is 38000 with
// Stripe's code and decline_code in DETAIL, an invalid parameter 22023 with the parameter named
// (by this procedure's name for it) in HINT, a missing object 42704.
func Invoke(ctx context.Context, b stripeapi.Backend, p *Procedure, args Args, idempotencyKey string) ([]Column, []any, error) {
	if p == nil {
		return nil, nil, sqlstate.New(sqlstate.InternalError, "no procedure to invoke")
	}
	if p.State {
		return nil, nil, sqlstate.New(sqlstate.InternalError, "procedure %s is answered by the node's state store, not by stripe", p.Name)
	}
	values, err := p.Bind(args)
	if err != nil {
		return nil, nil, err
	}
	req, err := p.Request(values)
	if err != nil {
		return nil, nil, err
	}
	if p.Mutating && idempotencyKey == "" {
		return nil, nil, sqlstate.New(sqlstate.InternalError, "procedure %s changes stripe data and needs an idempotency key", p.Name)
	}
	var obj stripeapi.Object
	switch {
	case p.Local != nil:
		obj, err = p.Local(values, req.Params)
	case b == nil:
		return nil, nil, sqlstate.New(sqlstate.InternalError, "procedure %s has no stripe backend to call", p.Name)
	case p.Method == "POST":
		obj, err = b.Post(ctx, req.Path, req.Params, idempotencyKey)
	case p.Method == "DELETE":
		obj, err = b.Delete(ctx, req.Path, req.Params, idempotencyKey)
	case p.Method == "GET":
		obj, err = b.Retrieve(ctx, req.Path, req.Params)
	default:
		return nil, nil, sqlstate.New(sqlstate.InternalError, "procedure %s has unknown method %q", p.Name, p.Method)
	}
	if err != nil {
		return nil, nil, p.stripeError(err)
	}
	return p.Columns(), p.Row(obj), nil
}

// stripeError turns a failed request into the coded error a client sees.
func (p *Procedure) stripeError(err error) error {
	var se *stripeapi.Error
	if !errors.As(err, &se) {
		return sqlstate.Wrap(err)
	}
	coded := se.SQL()
	if se.Param != "" {
		// Name the parameter as the caller wrote it: CustomerId rather than customer.
		top := se.Param
		if i := strings.IndexByte(top, '['); i > 0 {
			top = top[:i]
		}
		for _, prm := range p.Params {
			if prm.StripeName == top && !strings.EqualFold(prm.Name, top) {
				c := *coded
				c.Hint = fmt.Sprintf("check the value given for %s (stripe parameter %q)", prm.Name, se.Param)
				coded = &c
				break
			}
		}
	}
	return coded
}

// Row flattens a returned Stripe object into the procedure's result row, in Columns order:
// the Lead columns, Success (true), then each field by its dot path. Values are text: strings as
// they are, numbers in Stripe's digits, booleans as true/false, arrays and objects as JSON text,
// and an expanded object where an id is expected as its id. Missing fields are NULL.
func (p *Procedure) Row(obj stripeapi.Object) []any {
	row := make([]any, 0, len(p.Result.Lead)+1+len(p.Result.Fields))
	for _, o := range p.Result.Lead {
		row = append(row, textAt(obj, o.Path))
	}
	row = append(row, true)
	for _, f := range p.Result.Fields {
		row = append(row, textAt(obj, strings.Split(f, ".")))
	}
	return row
}

// textAt reads the value at path and renders it as text, or nil when it is absent or null.
func textAt(obj map[string]any, path []string) any {
	var cur any = obj
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur, ok = m[k]
		if !ok {
			return nil
		}
	}
	return asText(cur)
}

func asText(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case map[string]any:
		// An expanded reference (customer, latest_charge) reads as its id, as in the tables.
		if id, ok := x["id"].(string); ok {
			if _, isObject := x["object"]; isObject {
				return id
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
