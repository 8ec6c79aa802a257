// Package stripeparams turns SQL values into Stripe form parameters.
//
// Stripe takes every create, update and action parameter as an application/x-www-form-urlencoded
// field with bracketed keys: scalars as text ("amount=2000", "capture=true", "due_date=1700000000"),
// hashes as key[sub] ("metadata[plan]=pro", "address[line1]=…"), lists of scalars as key[]
// ("expand[]=customer") and lists of hashes as key[i][sub] ("items[0][price]=price_1"). The writer
// (INSERT/UPDATE) and the procedures hand this package one value per parameter, in the Go
// representation of package sqltypes, and get url.Values ready for stripeapi.Backend.Post.
//
// A SQL NULL means "leave alone" when creating and "unset" when updating: Stripe removes a field
// (or a metadata key) that is sent as the empty string, so NULL in an UPDATE is encoded as "key=".
// Values that Stripe cannot take (bytea, intervals, NaN) are refused with SQLSTATE 22023 naming the
// parameter, before any request is sent.
package stripeparams
