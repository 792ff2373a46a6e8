package server

import (
	"math"
	"os"
	"runtime/debug"

	"creditwater/config"
)

// TuneGC sets the garbage collector's target to CW_GC_PERCENT and its soft
// memory limit to CW_GC_MEMORY_LIMIT (config.HTTP), each unless GOGC or
// GOMEMLIMIT is set in the environment, which the Go runtime has applied
// already and which then wins. `serve` calls it once at start;
// bench/rating's baseline and bench/import's queued import call it with
// the same defaults, so that they collect as `serve` does. It returns the
// target and the limit in force (math.MaxInt64: none).
func TuneGC(h config.HTTP) (percent int, limit int64) {
	percent = debug.SetGCPercent(h.GCPercent)
	if os.Getenv("GOGC") != "" {
		debug.SetGCPercent(percent)
	} else {
		percent = h.GCPercent
	}
	limit = debug.SetMemoryLimit(-1) // reads it
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = math.MaxInt64
		if h.GCMemoryLimit > 0 {
			limit = int64(h.GCMemoryLimit)
		}
		debug.SetMemoryLimit(limit)
	}
	return percent, limit
}
