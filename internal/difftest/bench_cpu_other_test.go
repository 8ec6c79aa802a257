//go:build !linux

package difftest

import "time"

// processCPU is not measured off Linux: the benchmark reports wall-time ratios only.
func processCPU() (time.Duration, bool) { return 0, false }

// backendCPU is not measured off Linux (it reads /proc).
func backendCPU(uint32) (time.Duration, bool) { return 0, false }
