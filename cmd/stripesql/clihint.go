package main

import (
	"regexp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// budgetSetting matches the advice the engine gives SQL clients when a plan or a running query
// would go over its request budget ("SET stripesql.max_requests = 2000").
var budgetSetting = regexp.MustCompile(`SET stripesql\.max_requests = (\d+)`)

// cliHint rewrites the engine's hints for the command line: "stripesql query" takes its budget
// as --max-requests N, and a SET in its one statement could not help, so an over-budget error
// says "--max-requests N" instead. The engine's text is not changed for SQL clients; other
// errors pass through as they are.
func cliHint(err error) error {
	e, ok := sqlstate.As(err)
	if !ok || !budgetSetting.MatchString(e.Hint) {
		return err
	}
	c := *e
	c.Hint = budgetSetting.ReplaceAllString(e.Hint, "run with --max-requests $1")
	return &c
}
