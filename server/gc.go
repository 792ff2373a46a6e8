package server

import (
	"os"
	"runtime/debug"
)

// TuneGC sets the garbage collector's target to CW_GC_PERCENT
// (config.HTTP.GCPercent) unless GOGC is set in the environment, which the
// Go runtime has applied already and which then wins. `serve` calls it once
// at start; bench/rating's baseline calls it with the same default, so that
// both processes collect alike. It returns the target in force.
func TuneGC(percent int) int {
	if os.Getenv("GOGC") != "" {
		old := debug.SetGCPercent(100)
		debug.SetGCPercent(old)
		return old
	}
	debug.SetGCPercent(percent)
	return percent
}
