//go:build !race

package exec_test

// raceDetector is true in -race builds; see write_race_test.go.
const raceDetector = false
