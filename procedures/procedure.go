package procedures

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/internal/stripeparams"
)

// Procedure is one Stripe action as a procedure. It is data: the planner lists it in pg_proc and
// information_schema.routines, EXPLAIN prints its request, and Invoke runs it.
type Procedure struct {
	// Name is how users call it, matched case-insensitively: "ConfirmPaymentIntent".
	Name        string
	Description string
	// Method is the HTTP method (POST, DELETE or GET). It is empty for a procedure answered
	// without a request (see Local).
	Method string
	// Path is the endpoint with one %s per path parameter, filled in Params order.
	Path   string
	Params []Param
	// Resource is the stripe-go resource the action belongs to ("PaymentIntent").
	Resource string
	Result   ResultShape
	// Mutating is true for actions that change Stripe state: they need an idempotency key, are
	// refused in read-only sessions, and are only printed, not sent, in a dry run.
	Mutating bool
	// Origin is the stripe-go method the procedure stands for ("paymentintent.Confirm"), so the
	// table can be checked against the SDK.
	Origin string

	// Local answers the procedure without a request, from the bound values and the encoded
	// parameters. Only actions that Stripe's SDK also answers locally have one (building the
	// OAuth authorize URL).
	Local func(values []any, params url.Values) (map[string]any, error)
	// State marks a procedure answered by the node's state store rather than by Stripe (CreateFlow,
	// RunFlow; flows.go): it has no Method, and the executor runs it through the session's flows.
	State bool
	// PathFor, when set, chooses the path from the arguments instead of Path (for actions with
	// two endpoints, such as verifying a customer's bank account or a source).
	PathFor func(values []any) (path string, pathArgs []any, err error)
}

// Param is one parameter of a procedure.
type Param struct {
	// Name is the parameter's name for named arguments (PaymentIntentId, return_url).
	Name string
	// Type is the SQL type of the argument, as listed in pg_proc; jsonb for nested Stripe
	// parameters, text[] for lists of ids.
	Type     sqltypes.Type
	Required bool
	// InPath marks a parameter that fills a %s of the path instead of being sent as a form field.
	InPath bool
	// StripeName is the form parameter the value is sent as; empty for path parameters.
	StripeName string
	// Extra marks the jsonb parameter whose keys are sent as further top-level Stripe parameters,
	// for parameters newer than stripe-go v76 (what stripe-go's Params.AddExtra does).
	Extra       bool
	Description string
}

// ExtraParam is the optional last parameter of every procedure that sends a request.
const ExtraParam = "extra"

func extraParam() Param {
	return Param{Name: ExtraParam, Type: sqltypes.JSONB, Extra: true,
		Description: "further Stripe parameters as a jsonb object, sent as they are (for parameters newer than the API version 2023-10-16)"}
}

// ResultShape says which columns a procedure's row has, so the planner can describe a CALL
// without running it.
type ResultShape struct {
	// Type is the stripe-go type of the returned object ("PaymentIntent").
	Type string
	// Lead are columns placed before Success, computed from the object (AcceptQuote's InvoiceId).
	Lead []Output
	// Fields are the object's fields as dot paths ("status", "payment_method_options.card.installments"),
	// each one text column.
	Fields []string
	// Columns, when set, are the whole row's typed columns instead of Lead, Success and Fields:
	// a State procedure returns a row of a stripesql table.
	Columns []Column
}

// Output is a named column read from a path of the returned object.
type Output struct {
	Name string
	Path []string
}

// Column is one column of a procedure's result row.
type Column struct {
	Name string
	Type sqltypes.Type
}

// SuccessColumn is the column every procedure row carries, true when Stripe accepted the action.
const SuccessColumn = "Success"

// Columns returns the result row's columns: the Lead columns, Success (boolean), then every field
// of the object as text, named by its dot path; or the State procedure's Result.Columns.
func (p *Procedure) Columns() []Column {
	if len(p.Result.Columns) > 0 {
		return p.Result.Columns
	}
	cols := make([]Column, 0, len(p.Result.Lead)+1+len(p.Result.Fields))
	for _, o := range p.Result.Lead {
		cols = append(cols, Column{Name: o.Name, Type: sqltypes.Text})
	}
	cols = append(cols, Column{Name: SuccessColumn, Type: sqltypes.Bool})
	for _, f := range p.Result.Fields {
		cols = append(cols, Column{Name: f, Type: sqltypes.Text})
	}
	return cols
}

// Signature prints the procedure the way \df does: "ConfirmPaymentIntent(PaymentIntentId text,
// ReturnUrl text DEFAULT NULL)".
func (p *Procedure) Signature() string {
	var sb strings.Builder
	sb.WriteString(p.Name)
	sb.WriteByte('(')
	for i, prm := range p.Params {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(prm.Name)
		sb.WriteByte(' ')
		sb.WriteString(sqltypes.FormatType(prm.Type))
		if !prm.Required {
			sb.WriteString(" DEFAULT NULL")
		}
	}
	sb.WriteByte(')')
	return sb.String()
}

// Request is the Stripe request a call would send, for EXPLAIN and dry runs.
type Request struct {
	Method string
	Path   string
	Params url.Values
}

// String prints the request as EXPLAIN shows it: "POST /v1/payment_intents/pi_1/confirm return_url=…".
func (r Request) String() string {
	s := r.Method + " " + r.Path
	if r.Method == "" {
		s = "(no request) " + r.Path
	}
	if enc := r.Params.Encode(); enc != "" {
		if q, err := url.QueryUnescape(enc); err == nil {
			enc = q
		}
		s += " " + enc
	}
	return s
}

// Request builds the Stripe request for bound argument values (one per Param, nil when not given;
// see Bind) without sending it. NULL optional arguments are left out.
func (p *Procedure) Request(values []any) (Request, error) {
	if len(values) != len(p.Params) {
		return Request{}, sqlstate.New(sqlstate.InternalError, "procedure %s bound %d values for %d parameters", p.Name, len(values), len(p.Params))
	}
	path := p.Path
	var pathArgs []any
	if p.PathFor != nil {
		var err error
		if path, pathArgs, err = p.PathFor(values); err != nil {
			return Request{}, err
		}
	} else {
		for i, prm := range p.Params {
			if prm.InPath {
				pathArgs = append(pathArgs, values[i])
			}
		}
	}
	if strings.Count(path, "%s") != len(pathArgs) {
		return Request{}, sqlstate.New(sqlstate.InternalError, "procedure %s: path %s needs %d ids, has %d", p.Name, path, strings.Count(path, "%s"), len(pathArgs))
	}
	escaped := make([]any, len(pathArgs))
	for i, a := range pathArgs {
		s, ok := a.(string)
		if !ok || s == "" {
			return Request{}, sqlstate.New(sqlstate.InvalidParameterValue, "procedure %s needs a non-empty id for path %s", p.Name, path)
		}
		if !stripeapi.PlausibleID(s) {
			return Request{}, sqlstate.New(sqlstate.InvalidParameterValue, "procedure %s: %q is not a valid stripe id", p.Name, s).
				WithHint("a stripe id has no '/', '?', '#', '%%' or whitespace and is not a path word like search")
		}
		escaped[i] = url.PathEscape(s)
	}
	req := Request{Method: p.Method, Path: fmt.Sprintf(path, escaped...), Params: url.Values{}}
	for i, prm := range p.Params {
		if prm.InPath || prm.StripeName == "" {
			continue
		}
		if err := stripeparams.Append(req.Params, prm.StripeName, values[i], stripeparams.OmitNull); err != nil {
			return Request{}, err
		}
	}
	for i, prm := range p.Params {
		if !prm.Extra || values[i] == nil {
			continue
		}
		if err := p.appendExtra(req.Params, values[i]); err != nil {
			return Request{}, err
		}
	}
	return req, nil
}

// appendExtra sends the keys of the extra jsonb object as top-level parameters. A key that is one
// of the procedure's own parameters is refused, so a value cannot be sent twice.
func (p *Procedure) appendExtra(dst url.Values, v any) error {
	doc, ok := v.(sqltypes.JSONValue)
	obj, isObj := doc.V.(map[string]any)
	if !ok || !isObj {
		return sqlstate.New(sqlstate.InvalidParameterValue, "argument %s of %s must be a jsonb object", ExtraParam, p.Name)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		for _, prm := range p.Params {
			if prm.StripeName == k {
				return sqlstate.New(sqlstate.InvalidParameterValue, "argument %s of %s repeats the parameter %s", ExtraParam, p.Name, prm.Name).
					WithHint("pass %s => … instead", prm.Name)
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.ContainsAny(k, "[]") || k == "" {
			return sqlstate.New(sqlstate.InvalidParameterValue, "argument %s of %s has a key %q that stripe cannot take", ExtraParam, p.Name, k)
		}
		if err := stripeparams.Append(dst, k, sqltypes.JSONValue{V: obj[k]}, stripeparams.OmitNull); err != nil {
			return err
		}
	}
	return nil
}
