package server

import (
	"math"
	"runtime/debug"
	"testing"

	"creditwater/config"
)

// serve collects at CW_GC_PERCENT (400) within CW_GC_MEMORY_LIMIT (140
// MiB) by default, each unless GOGC or GOMEMLIMIT is set.
func TestTuneGCAppliesTheConfigurationUnlessTheRuntimeVariablesAreSet(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	inForce := func() (int, int64) {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p, debug.SetMemoryLimit(-1)
	}

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defaults, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, l := TuneGC(defaults.HTTP); p != 400 || l != 140<<20 {
		t.Errorf("TuneGC(defaults) = %d, %d; want 400, 140 MiB", p, l)
	}
	if p, l := inForce(); p != 400 || l != 140<<20 {
		t.Errorf("in force: %d, %d; want 400, 140 MiB", p, l)
	}
	cfg, err := config.Load([]string{"CW_GC_PERCENT=-1", "CW_GC_MEMORY_LIMIT=1GiB"})
	if err != nil {
		t.Fatal(err)
	}
	if p, l := TuneGC(cfg.HTTP); p != -1 || l != 1<<30 {
		t.Errorf("CW_GC_PERCENT=-1, CW_GC_MEMORY_LIMIT=1GiB: %d, %d", p, l)
	}
	if cfg, err = config.Load([]string{"CW_GC_MEMORY_LIMIT=0"}); err != nil {
		t.Fatal(err)
	}
	if _, l := TuneGC(cfg.HTTP); l != math.MaxInt64 {
		t.Errorf("CW_GC_MEMORY_LIMIT=0: limit %d, want none", l)
	}

	// As the runtime set them at start from GOGC=150 and GOMEMLIMIT=300MiB.
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(300 << 20)
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "300MiB")
	if p, l := TuneGC(defaults.HTTP); p != 150 || l != 300<<20 {
		t.Errorf("with GOGC and GOMEMLIMIT set: %d, %d; want theirs", p, l)
	}
	if p, l := inForce(); p != 150 || l != 300<<20 {
		t.Errorf("in force with GOGC and GOMEMLIMIT set: %d, %d", p, l)
	}
}
