package exec

import "testing"

// SequentialScans switches partitioned scans off for the rest of a test, for tests of the
// sequential reader (which every scan that cannot be split still uses). Tests in this package
// run one at a time, so the switch is safe.
func SequentialScans(t testing.TB) {
	partitioning = false
	t.Cleanup(func() { partitioning = true })
}
