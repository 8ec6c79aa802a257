package planner

import "github.com/stripesql/stripesql/internal/sqlstate"

// SettingWorkMemRows names the setting that caps the rows a materialising operator (sort, hash
// table, window partition, set operation, CTE buffer) may hold, so a result too large for memory
// fails with 53200 instead of crashing the server.
const SettingWorkMemRows = "stripesql.work_mem_rows"

// DefaultWorkMemRows is stripesql.work_mem_rows when it is unset.
const DefaultWorkMemRows = 1_000_000

// WorkMemRows is the most rows one materialising operator may hold (stripesql.work_mem_rows).
func (s *Session) WorkMemRows() int64 {
	return int64(s.intSetting(SettingWorkMemRows, DefaultWorkMemRows))
}

// ErrWorkMem is the error an operator returns when it would hold more than limit rows; what names
// the operator ("window", "sort", "union").
func ErrWorkMem(what string, limit int64) *sqlstate.Error {
	return sqlstate.New(sqlstate.OutOfMemory, "out of memory").
		WithDetail("the %s would hold more than %d rows (stripesql.work_mem_rows)", what, limit).
		WithHint("add filters or a LIMIT, or raise stripesql.work_mem_rows")
}
