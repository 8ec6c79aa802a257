package stripeapi

import (
	"strings"
	"unicode"
)

// reservedIDs are path words that sit where an object id goes ("/v1/customers/search",
// "/v1/invoices/upcoming"): an id equal to one of them would reach a different endpoint.
var reservedIDs = map[string]bool{
	"search":   true,
	"upcoming": true,
	".":        true,
	"..":       true,
}

// PlausibleID reports whether s can be an object id placed into an API path. It is false for the
// empty string, for ids with a path or query delimiter ('/', '?', '#', '%', '\\'), whitespace or
// control characters, and for the path words that name other endpoints ("search"). Such an id
// cannot name any Stripe object, and sending it would reach a different endpoint — the list, a
// create or a search — so callers treat it as matching no object and send nothing.
func PlausibleID(s string) bool {
	if s == "" || len(s) > 255 || reservedIDs[strings.ToLower(s)] {
		return false
	}
	for _, r := range s {
		switch {
		case r == '/' || r == '?' || r == '#' || r == '%' || r == '\\':
			return false
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar:
			return false
		}
	}
	return true
}
