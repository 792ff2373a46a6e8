package server

import (
	"runtime/debug"
	"testing"

	"creditwater/config"
)

// serve collects at CW_GC_PERCENT (400 by default) unless GOGC is set.
func TestTuneGCAppliesTheConfiguredTargetUnlessGOGCIsSet(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	t.Setenv("GOGC", "")
	defaults, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := TuneGC(defaults.HTTP.GCPercent); got != 400 || debug.SetGCPercent(400) != 400 {
		t.Errorf("TuneGC(default) = %d, want 400 in force", got)
	}
	if cfg, err := config.Load([]string{"CW_GC_PERCENT=-1"}); err != nil || TuneGC(cfg.HTTP.GCPercent) != -1 || debug.SetGCPercent(-1) != -1 {
		t.Errorf("CW_GC_PERCENT=-1: %v, want the collector off", err)
	}

	debug.SetGCPercent(150) // as the runtime set it from GOGC=150 at start
	t.Setenv("GOGC", "150")
	if got := TuneGC(400); got != 150 || debug.SetGCPercent(150) != 150 {
		t.Errorf("with GOGC=150, TuneGC(400) = %d, want GOGC's 150 kept", got)
	}
}
