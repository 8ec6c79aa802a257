package emulator

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
)

//go:embed methods.tsv
var methodsTSV string

// postParams is one POST endpoint of stripe-go v76 with the top-level parameter names its params
// struct can send.
type postParams struct {
	segs    []string // path segments after /v1/, "%s" for ids
	allowed map[string]bool
}

var (
	postParamsOnce sync.Once
	postParamsList []postParams
)

// knownPostParams parses the embedded method inventory (generated from stripe-go v76) once.
func knownPostParams() []postParams {
	postParamsOnce.Do(func() {
		for _, line := range strings.Split(methodsTSV, "\n")[1:] {
			cols := strings.Split(line, "\t")
			if len(cols) < 9 || cols[4] != "POST" {
				continue
			}
			// source is encoded by a custom appender the inventory does not list.
			allowed := map[string]bool{"expand": true, "metadata": true, "source": true}
			for _, f := range strings.Split(cols[8], ",") {
				name, typ, _ := strings.Cut(f, ":")
				if name == "" || strings.Contains(typ, "(path)") {
					continue
				}
				top, _, _ := strings.Cut(name, ".")
				allowed[top] = true
			}
			for _, p := range strings.Split(cols[5], " | ") {
				p = strings.TrimPrefix(strings.TrimSpace(p), "/v1/")
				postParamsList = append(postParamsList, postParams{segs: strings.Split(p, "/"), allowed: allowed})
			}
		}
	})
	return postParamsList
}

// checkPostParams answers Stripe's "Received unknown parameter" for a POST whose parameters
// stripe-go v76 could not have sent. Paths the inventory does not know are not checked.
func checkPostParams(path string, params map[string]any) *apiError {
	segs := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	var allowed map[string]bool
	for _, p := range knownPostParams() {
		if len(p.segs) != len(segs) {
			continue
		}
		match := true
		for i, s := range p.segs {
			if s != "%s" && s != segs[i] {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		// A literal match beats a %s match (/v1/customers/search vs /v1/customers/%s).
		if allowed == nil {
			allowed = map[string]bool{}
		}
		for k := range p.allowed {
			allowed[k] = true
		}
	}
	if allowed == nil {
		return nil
	}
	var unknown []string
	for k := range params {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return invalid(unknown[0], "Received unknown parameter: %s", unknown[0])
}
