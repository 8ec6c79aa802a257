//go:build race

package emulator

// raceEnabled is true under the race detector, which makes the 100,000-charge seed too slow for CI.
const raceEnabled = true
