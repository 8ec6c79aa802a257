package exec

import "testing"

// SequentialScans switches partitioned scans off for the rest of a test, for tests of the
// sequential reader (which every scan that cannot be split still uses). Tests in this package
// run one at a time, so the switch is safe.
func SequentialScans(t testing.TB) {
	partitioning = false
	t.Cleanup(func() { partitioning = true })
}

// SequentialFanOuts makes Connect fan-outs read their accounts one after the other for the rest
// of a test, as they did before they read them concurrently (a test compares the two).
func SequentialFanOuts(t testing.TB) {
	fanOutConcurrency = false
	t.Cleanup(func() { fanOutConcurrency = true })
}

// EveryProgress makes the session's progress callback hear of every page for the rest of a test.
func EveryProgress(t testing.TB) {
	old := ProgressInterval
	ProgressInterval = 0
	t.Cleanup(func() { ProgressInterval = old })
}
