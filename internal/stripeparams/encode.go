package stripeparams

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// NullMode says what a SQL NULL (or a JSON null inside a jsonb value) means to Stripe.
type NullMode int

const (
	// OmitNull leaves NULL parameters out of the request, which is what a create wants: Stripe
	// then applies its default.
	OmitNull NullMode = iota
	// UnsetNull sends NULL as the empty string, which Stripe reads as "remove this field" on an
	// update; metadata[k]= deletes the key k.
	UnsetNull
)

// maxDepth bounds how deeply a jsonb value may nest; Stripe's parameters stay far below it, and the
// bound keeps a hostile document from exhausting the stack.
const maxDepth = 16

// Key joins a parameter name and its sub-keys the way Stripe spells nested parameters:
// Key("address", "line1") is "address[line1]", Key("items", "0", "price") is "items[0][price]".
func Key(name string, sub ...string) string {
	if len(sub) == 0 {
		return name
	}
	var sb strings.Builder
	sb.WriteString(name)
	for _, s := range sub {
		sb.WriteByte('[')
		sb.WriteString(s)
		sb.WriteByte(']')
	}
	return sb.String()
}

// Append encodes the SQL value v as the Stripe parameter name (and its nested keys) and adds the
// fields to dst. Supported values are those of package sqltypes: nil, bool, integers, float64,
// numeric (anything with a String method, such as sqltypes.Decimal), string, time.Time (sent as
// Unix seconds), sqltypes.JSONValue (objects become name[k], arrays name[] or name[i]) and
// sqltypes.Array (name[]). Anything else is a 22023 error naming the parameter.
func Append(dst url.Values, name string, v any, nulls NullMode) error {
	return appendValue(dst, name, v, nulls, 0)
}

// Encode encodes a whole set of named parameters, in sorted name order so that the request body
// never depends on map order (idempotent retries and dry-run output stay byte-identical).
func Encode(params map[string]any, nulls NullMode) (url.Values, error) {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	dst := url.Values{}
	for _, k := range names {
		if err := Append(dst, k, params[k], nulls); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func appendValue(dst url.Values, key string, v any, nulls NullMode, depth int) error {
	if depth > maxDepth {
		return invalid(key, "nests more than %d levels deep", maxDepth)
	}
	switch x := v.(type) {
	case nil:
		if nulls == UnsetNull {
			dst.Add(key, "")
		}
		return nil
	case string:
		dst.Add(key, x)
	case bool:
		dst.Add(key, strconv.FormatBool(x))
	case int64:
		dst.Add(key, strconv.FormatInt(x, 10))
	case int:
		dst.Add(key, strconv.Itoa(x))
	case int32:
		dst.Add(key, strconv.FormatInt(int64(x), 10))
	case int16:
		dst.Add(key, strconv.FormatInt(int64(x), 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return invalid(key, "cannot be %v", x)
		}
		dst.Add(key, strconv.FormatFloat(x, 'f', -1, 64))
	case float32:
		return appendValue(dst, key, float64(x), nulls, depth)
	case json.Number:
		dst.Add(key, x.String())
	case time.Time:
		dst.Add(key, strconv.FormatInt(x.Unix(), 10))
	case *time.Time:
		if x == nil {
			return appendValue(dst, key, nil, nulls, depth)
		}
		return appendValue(dst, key, *x, nulls, depth)
	case sqltypes.JSONValue:
		return appendJSON(dst, key, x.V, nulls, depth)
	case *sqltypes.JSONValue:
		if x == nil {
			return appendValue(dst, key, nil, nulls, depth)
		}
		return appendJSON(dst, key, x.V, nulls, depth)
	case sqltypes.Array:
		return appendList(dst, key, x.Items, nulls, depth)
	case []string:
		items := make([]any, len(x))
		for i, s := range x {
			items[i] = s
		}
		return appendList(dst, key, items, nulls, depth)
	case map[string]any:
		return appendJSON(dst, key, x, nulls, depth)
	case []any:
		return appendList(dst, key, x, nulls, depth)
	case []byte:
		return invalid(key, "cannot be sent as bytea")
	case fmt.Stringer:
		// sqltypes.Decimal and other exact numbers print themselves in plain decimal notation.
		dst.Add(key, x.String())
	default:
		return invalid(key, "cannot be sent as a value of Go type %T", v)
	}
	return nil
}

// appendJSON encodes one node of a decoded JSON document.
func appendJSON(dst url.Values, key string, v any, nulls NullMode, depth int) error {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			// An empty hash clears the whole field on an update (metadata = '{}' removes every key)
			// and means nothing to set on a create.
			if nulls == UnsetNull {
				dst.Add(key, "")
			}
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "" || strings.ContainsAny(k, "[]") {
				return invalid(key, "has a key %q that stripe cannot take", k)
			}
			if err := appendValue(dst, Key(key, k), x[k], nulls, depth+1); err != nil {
				return err
			}
		}
		return nil
	case []any:
		return appendList(dst, key, x, nulls, depth)
	case float64:
		// A document decoded without UseNumber; keep integers integral.
		return appendValue(dst, key, x, nulls, depth)
	default:
		return appendValue(dst, key, v, nulls, depth)
	}
}

// appendList encodes a list: key[] for scalars, key[i] once any element is a hash or a list, as
// Stripe needs indexes to keep the fields of one element together. An empty list is sent as
// "key=", which is how Stripe (and stripe-go) empties a list field.
func appendList(dst url.Values, key string, items []any, nulls NullMode, depth int) error {
	if len(items) == 0 {
		dst.Add(key, "")
		return nil
	}
	indexed := false
	for i, it := range items {
		switch x := it.(type) {
		case nil:
			return invalid(key, "has a null element at position %d", i+1)
		case map[string]any, []any, sqltypes.JSONValue, sqltypes.Array:
			indexed = true
		case *sqltypes.JSONValue:
			if x == nil {
				return invalid(key, "has a null element at position %d", i+1)
			}
			indexed = true
		}
	}
	for i, it := range items {
		k := key + "[]"
		if indexed {
			k = Key(key, strconv.Itoa(i))
		}
		if err := appendJSON(dst, k, it, nulls, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func invalid(key, format string, args ...any) error {
	return sqlstate.New(sqlstate.InvalidParameterValue, "stripe parameter %q %s", key, fmt.Sprintf(format, args...))
}
