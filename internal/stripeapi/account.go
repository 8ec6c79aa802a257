package stripeapi

import "context"

// accountKey is the context key of the connected account a call acts as.
type accountKey struct{}

// WithAccount returns a context whose calls act as the connected account id (acct_…): the Client
// sends it as Stripe-Account in place of Config.Account. It is how one statement reads several
// connected accounts through one Client (Connect fan-out); an empty id leaves ctx as it is.
func WithAccount(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, accountKey{}, id)
}

// AccountFrom is the connected account set on ctx by WithAccount, or "" when none is.
func AccountFrom(ctx context.Context) string {
	id, _ := ctx.Value(accountKey{}).(string)
	return id
}
