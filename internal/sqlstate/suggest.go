package sqlstate

import "sort"

// EditDistance is the Levenshtein distance between a and b counted in runes. Every "did you mean"
// hint ranks candidates by it, so one definition keeps the hints of the planner, the expression
// binder and the procedure registry consistent with each other.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns the candidates within max edits of name, nearest first; candidates at the same
// distance keep their order in candidates. Callers put the first result (or the first few) in a
// HINT so a typo points at the name the user most likely meant; an empty result means nothing is
// near enough to be a plausible typo. Comparison is exact, so callers fold case first when names
// are case-insensitive.
func Closest(name string, candidates []string, max int) []string {
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	for _, c := range candidates {
		if d := EditDistance(name, c); d <= max {
			cands = append(cands, cand{c, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.name
	}
	return out
}
