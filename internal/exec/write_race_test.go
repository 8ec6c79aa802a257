//go:build race

package exec_test

// raceDetector is true in -race builds, where the stripe-mock contract test (single-threaded
// request checks, slow to load under the detector) is skipped to keep the package under a minute.
const raceDetector = true
