package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Connected accounts. The platform's Emulator holds a Connect account's object in its "accounts"
// collection and the account's own data in an Emulator of its own (a store: collections, ids,
// idempotency keys, events) that shares the platform's lock, codec, clock and request log. A
// request with a Stripe-Account header is routed to that store, so lists, retrieves, searches,
// creates, actions, events and idempotency keys are the account's alone.

// maxConnectedAccounts bounds Config.ConnectedAccounts.
const maxConnectedAccounts = 100_000

// accountScales is the default pattern of connected account sizes, in charges: mostly small, a
// few larger, so a platform of many accounts stays cheap to seed.
var accountScales = [...]Scale{3, 10, 25, 3, 60, 10, 150, 3, 25, 400}

// DefaultAccountScale is the size of connected account i's data when Config.AccountScale is nil:
// 3 to 400 charges in a repeating pattern (about 70 on average).
func DefaultAccountScale(i int) Scale { return accountScales[i%len(accountScales)] }

// accountScale is the size of connected account i's data.
func (e *Emulator) accountScale(i int) Scale {
	if e.cfg.AccountScale != nil {
		return e.cfg.AccountScale(i)
	}
	return DefaultAccountScale(i)
}

// accountPlan is one connected account to seed.
type accountPlan struct {
	id      string
	created int64
	scale   Scale
	seed    int64
}

// Account profiles the connected accounts cycle through.
var accountProfiles = []struct {
	country, currency, typ, business string
}{
	{"US", "usd", "standard", "company"},
	{"GB", "gbp", "express", "individual"},
	{"US", "usd", "custom", "company"},
	{"DE", "eur", "standard", "company"},
	{"CA", "cad", "express", "individual"},
	{"FR", "eur", "custom", "company"},
	{"AU", "aud", "standard", "non_profit"},
}

var accountNames = []string{"Northwind", "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Soylent", "Cyberdyne", "Vandelay"}

// accountID makes an id in Stripe's account shape: acct_ and 16 characters.
func accountID(r *rand.Rand) string {
	b := []byte("acct_")
	for i := 0; i < 16; i++ {
		b = append(b, idAlphabet[r.IntN(len(idAlphabet))])
	}
	return string(b)
}

// planAccounts chooses the platform's id and the connected accounts' ids, ages and sizes from a
// generator of their own, so the platform's data is the same with or without accounts. It stores
// the platform's account object as e.self.
func (e *Emulator) planAccounts() []accountPlan {
	r := rand.New(rand.NewPCG(uint64(e.cfg.Seed), 0xacc7))
	now := e.now().Unix()
	self := e.cd.newEntry()
	self.rec, self.created = idRecord(accountID(r)), e.since-86400
	self.m = accountFields(0, "Stripesql Demo Platform", "platform@example.com", self.created)
	self.m["type"] = "standard"
	delete(self.m, "controller") // the platform is nobody's connected account
	e.self = self
	plans := make([]accountPlan, e.cfg.ConnectedAccounts)
	scale := e.accountScale
	for i := range plans {
		ageDays := int64(30 + r.IntN(700))
		plans[i] = accountPlan{id: accountID(r), created: now - ageDays*86400 - 86400, scale: scale(i),
			seed: e.cfg.Seed*1_000_003 + int64(i) + 1}
	}
	return plans
}

// connectAccounts stores the planned connected accounts' objects and makes their (still empty)
// stores; seedAccounts then fills them.
func (e *Emulator) connectAccounts(plans []accountPlan) []*Emulator {
	if len(plans) == 0 {
		return nil
	}
	c := e.colls["accounts"]
	c.byID.reserve(len(plans))
	e.seeding = true // append, then sort once
	stores := make([]*Emulator, len(plans))
	for i, p := range plans {
		name := accountNames[i%len(accountNames)]
		if i >= len(accountNames) {
			name = fmt.Sprintf("%s %d", name, i/len(accountNames)+1)
		}
		email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.com"
		en := e.put(c, p.id, p.created, accountFields(i, name, email, p.created))
		stores[i] = e.newAccount(en, p.seed, p.scale)
	}
	e.seeding = false
	sort.Slice(c.order, func(i, j int) bool { return c.order[i].before(c.order[j]) })
	return stores
}

// seedAccounts seeds each connected account's data.
func seedAccounts(stores []*Emulator) {
	for _, a := range stores {
		a.seed()
		a.cd.maybeFlush()
	}
}

// newAccount makes the store of a connected account whose object is en.
func (e *Emulator) newAccount(en *entry, seed int64, scale Scale) *Emulator {
	cfg := e.cfg
	cfg.Seed, cfg.Scale, cfg.ConnectedAccounts, cfg.AccountScale = seed, scale, 0, nil
	acct := newStore(cfg, e, e.res, e.others, e.cd)
	acct.self = en
	acct.since = en.created + 86400
	e.accounts[en.id()] = acct
	return acct
}

// transferDestination is the connected account the platform's seeded transfer i pays.
func (e *Emulator) transferDestination(i int) string {
	if c := e.colls["accounts"]; len(c.order) > 0 {
		return c.order[i%len(c.order)].id()
	}
	return "acct_emulated" + fmt.Sprint(i%3)
}

// accountFields is an account object's stored fields; i varies its country, type and status.
func accountFields(i int, name, email string, created int64) map[string]any {
	p := accountProfiles[i%len(accountProfiles)]
	restricted := i%9 == 8 // a few accounts owe information and cannot be paid out
	requirements := map[string]any{"alternatives": []any{}, "current_deadline": nil, "currently_due": []any{}, "disabled_reason": nil,
		"errors": []any{}, "eventually_due": []any{}, "past_due": []any{}, "pending_verification": []any{}}
	if restricted {
		requirements = map[string]any{"alternatives": []any{}, "current_deadline": nil, "currently_due": []any{"external_account"},
			"disabled_reason": "requirements.past_due", "errors": []any{}, "eventually_due": []any{"external_account"},
			"past_due": []any{"external_account"}, "pending_verification": []any{}}
	}
	descriptor := strings.ToUpper(name)
	if len(descriptor) > 22 {
		descriptor = descriptor[:22]
	}
	return map[string]any{
		"type": p.typ, "country": p.country, "default_currency": p.currency, "email": email, "business_type": p.business,
		"charges_enabled": true, "payouts_enabled": !restricted, "details_submitted": true, "metadata": map[string]any{},
		"business_profile": map[string]any{"mcc": "5734", "name": name, "product_description": name + " sells software",
			"support_address": nil, "support_email": email, "support_phone": nil, "support_url": nil, "url": "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example.com",
			"annual_revenue": nil, "estimated_worker_count": nil, "monthly_estimated_revenue": map[string]any{"amount": int64(0), "currency": p.currency}},
		"capabilities":        map[string]any{"card_payments": "active", "transfers": "active"},
		"controller":          map[string]any{"is_controller": true, "type": "application"},
		"requirements":        requirements,
		"future_requirements": map[string]any{"alternatives": []any{}, "current_deadline": nil, "currently_due": []any{}, "disabled_reason": nil, "errors": []any{}, "eventually_due": []any{}, "past_due": []any{}, "pending_verification": []any{}},
		"settings": map[string]any{
			"branding":      map[string]any{"icon": nil, "logo": nil, "primary_color": nil, "secondary_color": nil},
			"card_payments": map[string]any{"decline_on": map[string]any{"avs_failure": false, "cvc_failure": false}, "statement_descriptor_prefix": nil, "statement_descriptor_prefix_kana": nil, "statement_descriptor_prefix_kanji": nil},
			"dashboard":     map[string]any{"display_name": name, "timezone": "Etc/UTC"},
			"payments":      map[string]any{"statement_descriptor": descriptor, "statement_descriptor_kana": nil, "statement_descriptor_kanji": nil},
			"payouts":       map[string]any{"debit_negative_balances": true, "schedule": map[string]any{"delay_days": int64(2), "interval": "daily"}, "statement_descriptor": nil},
		},
		"tos_acceptance": map[string]any{"date": created + 3600, "ip": "203.0.113.7", "user_agent": nil},
	}
}

// ownAccount answers GET /v1/account: the account the request acts as.
func (e *Emulator) ownAccount() (int, any) {
	root := e
	if e.root != nil {
		root = e.root
	}
	return 200, root.render(root.colls["accounts"], e.self)
}

// deriveAccount fills an account's external accounts: an empty list, as the emulator pays out
// to no bank.
func deriveAccount(e *Emulator, en *entry, out map[string]any) {
	fill(out, "external_accounts", map[string]any{"object": "list", "data": []map[string]any{}, "has_more": false, "total_count": int64(0),
		"url": "/v1/accounts/" + en.id() + "/external_accounts"})
}

// accountInvalid is Stripe's answer to a Stripe-Account header that names no account connected to
// the platform: HTTP 403, invalid_request_error, code account_invalid ("The account ID provided as
// a value for the Stripe-Account header is invalid", https://stripe.com/docs/error-codes); the
// message is Stripe's as reported in github.com/letsrevel/revel-backend/issues/694 (a
// stripe.PermissionError, Stripe's class for 403), with the key left out.
func accountInvalid(acct string) *apiError {
	return &apiError{status: http.StatusForbidden, typ: "invalid_request_error", code: "account_invalid",
		message: fmt.Sprintf("The provided key 'sk_test_…' does not have access to account '%s' (or that account does not exist). Application access may have been revoked.", acct)}
}

// nestedConnect is Stripe's answer when a connected account asks for connected accounts of its own
// ("You cannot access the connected accounts of your platform's connected accounts.", as quoted in
// github.com/stripe/stripe-python/issues/536).
func nestedConnect() *apiError {
	return invalid("", "You cannot access the connected accounts of your platform's connected accounts.")
}

// target returns the store a request acts on: the platform, or the connected account its
// Stripe-Account header names (under the lock).
func (e *Emulator) target(acct string) (*Emulator, *apiError) {
	if acct == "" || acct == e.self.id() {
		return e, nil
	}
	if a := e.accounts[acct]; a != nil && !a.self.deleted {
		return a, nil
	}
	return nil, accountInvalid(acct)
}

// routeAccounts answers /v1/account and, for a connected account, /v1/accounts (which only the
// platform lists); ok is false for other paths.
func (e *Emulator) routeAccounts(method, path string) (status int, v any, ok bool) {
	if path == "/v1/account" {
		if method != http.MethodGet {
			return 0, unrecognized(method, path), true
		}
		status, v = e.ownAccount()
		return status, v, true
	}
	if path != "/v1/accounts" && !strings.HasPrefix(path, "/v1/accounts/") {
		return 0, nil, false
	}
	if method == http.MethodGet && path == "/v1/accounts/"+e.self.id() {
		status, v = e.ownAccount()
		return status, v, true
	}
	if e.root == nil {
		return 0, nil, false
	}
	return 0, nestedConnect(), true
}

// Account returns the store of a connected account, for tests that look at one account's data
// (Objects, Count, Requests), or nil when no such account is connected.
func (e *Emulator) Account(id string) *Emulator {
	root := e
	if e.root != nil {
		root = e.root
	}
	root.rw().RLock()
	defer root.rw().RUnlock()
	if a := root.accounts[id]; a != nil && !a.self.deleted {
		return a
	}
	return nil
}

// AccountID is the id of the account this emulator answers for: the platform's, or the
// connected account's.
func (e *Emulator) AccountID() string { return e.self.id() }

// ConnectedAccounts lists the ids of the platform's connected accounts, newest first as
// GET /v1/accounts lists them.
func (e *Emulator) ConnectedAccounts() []string {
	root := e
	if e.root != nil {
		root = e.root
	}
	root.rw().RLock()
	defer root.rw().RUnlock()
	c := root.colls["accounts"]
	out := make([]string, 0, len(c.order))
	for i := len(c.order) - 1; i >= 0; i-- {
		out = append(out, c.order[i].id())
	}
	return out
}

// rw is the lock of this emulator's data: the platform's, which its accounts share.
func (e *Emulator) rw() *sync.RWMutex {
	if e.root != nil {
		return &e.root.mu
	}
	return &e.mu
}
