package usage

import (
	"math"
	"testing"

	"creditwater/credit"
)

func TestAnalyseAnomalies(t *testing.T) {
	// R3.2: usage analysis flags periods far from the baseline.
	cfg := credit.DefaultConfig()
	base, _ := parsePeriod("2025-01")
	cases := []struct {
		name     string
		history  int // months of 10 m³ before the analysed period
		volume   *float64
		want     Anomaly
		baseline bool
	}{
		{"normal", 12, ptrF(15), AnomalyNone, true},
		{"more than twice the baseline", 12, ptrF(20.5), AnomalyHigh, true},
		{"exactly twice is not flagged", 12, ptrF(20), AnomalyNone, true},
		{"below 0.3 of the baseline", 12, ptrF(2.9), AnomalyLow, true},
		{"zero while usually positive", 12, ptrF(0), AnomalyZero, true},
		{"no reading is not an anomaly", 12, nil, AnomalyNone, true},
		{"too little history to judge", 2, ptrF(100), AnomalyNone, false},
		{"just enough history", 3, ptrF(100), AnomalyHigh, true},
	}
	for _, c := range cases {
		vol := map[month]float64{}
		at := base + 12
		for m := at - month(c.history); m < at; m++ {
			vol[m] = 10
		}
		if c.volume != nil {
			vol[at] = *c.volume
		}
		rep := analyse(cfg, vol, at, at)
		p := rep.Periods[0]
		if p.Anomaly != c.want || (p.BaselineM3 != nil) != c.baseline {
			t.Errorf("%s: anomaly %q baseline %v", c.name, p.Anomaly, p.BaselineM3)
		}
	}
}

func TestAnalyseTrendAndYearOverYear(t *testing.T) {
	// R3.2: year-over-year change and trailing average per period.
	cfg := credit.DefaultConfig()
	m0, _ := parsePeriod("2025-01")
	vol := map[month]float64{m0: 10, m0 + 12: 15, m0 + 13: 30, m0 + 14: 0}
	rep := analyse(cfg, vol, m0+12, m0+15)
	if len(rep.Periods) != 4 || rep.Periods[0].Period != "2026-01" || rep.Periods[3].Period != "2026-04" {
		t.Fatalf("periods %+v", rep.Periods)
	}
	p := rep.Periods[0]
	if p.YoYChange == nil || math.Abs(*p.YoYChange-0.5) > 1e-9 || *p.LastYearM3 != 10 {
		t.Fatalf("2026-01 yoy %v", p.YoYChange)
	}
	if rep.Periods[1].YoYChange != nil {
		t.Fatal("2026-02 has no previous year: YoY must be nil")
	}
	if avg := rep.Periods[2].TrailingAvgM3; avg == nil || math.Abs(*avg-15) > 1e-9 {
		t.Fatalf("trailing average of 15, 30, 0 = %v", avg)
	}
	if rep.Periods[3].VolumeM3 != nil || rep.Periods[3].TrailingAvgM3 == nil {
		t.Fatalf("2026-04 %+v", rep.Periods[3])
	}
}

func ptrF(v float64) *float64 { return &v }
