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
	percent, limit = h.GCPercent, math.MaxInt64
	if h.GCMemoryLimit > 0 {
		limit = int64(h.GCMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	} else {
		percent = debug.SetGCPercent(-1) // reads GOGC's, puts it back below
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	} else {
		limit = debug.SetMemoryLimit(-1) // a negative limit only reads it
	}
	return percent, limit
}
