package exec

import "github.com/stripesql/stripesql/planner"

// workMemStride is how often holdRows consults stripesql.work_mem_rows: a sort, hash aggregate or
// hash join overshoots the limit by fewer rows than this, and pays for one settings lookup per
// stride instead of one per row.
const workMemStride = 1024

// holdRows fails with 53200 when an operator that already holds n rows (or groups) would take one
// more past the session's stripesql.work_mem_rows; what names the operator in the error.
func (r *runner) holdRows(what string, n int) error {
	if n%workMemStride != 0 || n == 0 {
		return nil
	}
	if limit := r.sess.WorkMemRows(); int64(n) >= limit {
		return planner.ErrWorkMem(what, limit)
	}
	return nil
}
