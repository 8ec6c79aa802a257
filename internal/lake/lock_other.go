//go:build !unix

package lake

// lockDir does not lock where flock is missing: only one sync may run on a lake at a time, and
// on these systems that is the user's to ensure.
func lockDir(path string) (func(), error) { return func() {}, nil }
