package metrics

import (
	"strings"
	"sync"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/procedures"
)

// maxEndpointSegments bounds the segments of an endpoint label ("/v1/customers/{id}/sources/{id}/verify"
// has six after the leading slash); a longer path is labelled "other", so no value can grow the
// number of label values by adding slashes.
const maxEndpointSegments = 8

// endpointLabel turns an endpoint template from stripeapi.Endpoint into a label value that cannot
// carry customer data. Endpoint replaces segments shaped like ids; a value a query put into a
// path can still look like a word (WHERE id = 'hello' asks for /v1/customers/hello), so every
// segment that is not a word of some Stripe path stripesql knows becomes {id} as well. A path
// that does not start with /v1/ is "other".
func endpointLabel(endpoint string) string {
	segs := strings.Split(endpoint, "/")
	if len(segs) < 3 || segs[0] != "" || segs[1] != "v1" || len(segs)-1 > maxEndpointSegments {
		return "other"
	}
	words := pathWords()
	changed := false
	for i := 2; i < len(segs); i++ {
		if segs[i] != "{id}" && !words[segs[i]] {
			segs[i] = "{id}"
			changed = true
		}
	}
	if !changed {
		return endpoint
	}
	return strings.Join(segs, "/")
}

// readinessPath is the request Readiness sends (GET /v1/account, the key's own account).
const readinessPath = "/v1/account"

// pathWords is the set of literal segments of every Stripe path stripesql sends requests to: the
// list, retrieve, search and write endpoints of the catalog's tables, the procedures' endpoints
// and the readiness check. Placeholders (%s) are not words.
var pathWords = sync.OnceValue(func() map[string]bool {
	words := map[string]bool{}
	add := func(path string) {
		for _, s := range strings.Split(path, "/") {
			if s != "" && !strings.Contains(s, "%") {
				words[s] = true
			}
		}
	}
	for _, t := range catalog.StripeTables() {
		if t.List != nil {
			add(t.List.Path)
		}
		if t.Retrieve != nil {
			add(t.Retrieve.Path)
		}
		if t.Search != nil {
			add(t.Search.Path)
		}
		if t.Create != nil {
			add(t.Create.Path)
		}
		if t.Update != nil {
			add(t.Update.Path)
		}
		if t.Delete != nil {
			add(t.Delete.Path)
		}
	}
	for _, p := range procedures.Default().All() {
		add(p.Path)
	}
	add(readinessPath)
	return words
})
