package config_test

import (
	"strings"
	"testing"

	"creditwater/config"
)

// R1.5: the maximum publicity period is configured by kind and severity:
// CW_PUBLICITY_MAX_BY_KIND overrides the severity's period for a pair; the
// default (empty) keeps SPEC's table for every kind; a bad entry stops
// start-up with a line naming the variable and the entry.
func TestR1_5_PublicityPeriodsByKind(t *testing.T) {
	c, err := config.Load(nil)
	if err != nil || len(c.Lifecycle.MaxByKind) != 0 {
		t.Fatalf("default: %v %v", c.Lifecycle.MaxByKind, err)
	}
	c, err = config.Load([]string{"CW_PUBLICITY_MAX_BY_KIND=ARREARS:GENERAL=6m, theft:serious=5y,VIOLATION:MINOR=1m"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		kind, severity string
		months         int
		set            bool
	}{{"ARREARS", "GENERAL", 6, true}, {"THEFT", "SERIOUS", 60, true}, {"VIOLATION", "MINOR", 1, true}, {"VIOLATION", "GENERAL", 0, false}} {
		if m, ok := c.Lifecycle.MaxByKind.Months(w.kind, w.severity); m != w.months || ok != w.set {
			t.Errorf("%s:%s = %d %v, want %d %v", w.kind, w.severity, m, ok, w.months, w.set)
		}
	}
	if s := c.String(); !strings.Contains(s, "CW_PUBLICITY_MAX_BY_KIND=ARREARS:GENERAL=6m,THEFT:SERIOUS=60m,VIOLATION:MINOR=1m") {
		t.Errorf("String: %s", s)
	}
	for _, bad := range []struct{ value, want string }{
		{"ARREARS=6m", "KIND:SEVERITY"},
		{"WATER:GENERAL=6m", "kinds are"},
		{"ARREARS:MAJOR=6m", "severities are"},
		{"ARREARS:GENERAL=6", "period"},
		{"ARREARS:GENERAL=0m", "period"},
		{"ARREARS:GENERAL=11y", "10 years"},
		{"ARREARS:GENERAL=6m,ARREARS:GENERAL=7m", "twice"},
		{"ARREARS:GENERAL=2m", "minimum publicity period"},
	} {
		_, err := config.Load([]string{"CW_PUBLICITY_MAX_BY_KIND=" + bad.value})
		if err == nil || !strings.Contains(err.Error(), "CW_PUBLICITY_MAX_BY_KIND") || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want an error naming the variable and %q", bad.value, err, bad.want)
		}
	}
}
