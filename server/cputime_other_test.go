//go:build !linux

package server_test

import "time"

// onThreadCPU runs f and returns its wall time (per-thread CPU time is read
// on Linux only).
func onThreadCPU(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}
