package exec

import "context"

// demandKey marks a statement's context whose consumer reads rows in chunks it asks for.
type demandKey struct{}

// WithBoundedDemand marks ctx, passed to Run, as belonging to a consumer that asks for rows in
// chunks and may stop at any chunk: a cursor read with FETCH n, a portal executed with a row
// limit (JDBC setMaxRows or setFetchSize), a preview. Such a statement is charged for the pages
// its consumer actually makes it read: a streaming plan is not refused on the estimate of a
// table it may never finish, and stops with 54000 only when the pages it has fetched reach
// stripesql.max_requests. Without the mark, a consumer is expected to read every row, and a plan
// whose estimate passes the budget is refused as soon as that is known.
func WithBoundedDemand(ctx context.Context) context.Context {
	return context.WithValue(ctx, demandKey{}, true)
}

// boundedDemand reports whether ctx carries WithBoundedDemand.
func boundedDemand(ctx context.Context) bool {
	b, _ := ctx.Value(demandKey{}).(bool)
	return b
}
