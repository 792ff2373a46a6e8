package credit

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"creditwater/apperr"
	"creditwater/models"
)

func TestAnalyseAnomalies(t *testing.T) {
	// R3.2: usage analysis flags periods far from the baseline.
	cfg := DefaultConfig()
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
	cfg := DefaultConfig()
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

func TestUsageAnalysisAccess(t *testing.T) {
	// R3.2, R7.1: staff analyse any account; an enterprise user only its own
	// EXCELLENT subject's accounts.
	e := newEnv(t)
	good := e.subject(t, "good", ptrTime(day(2020, 1, 1)))
	plain := e.subject(t, "plain", nil)
	e.account(t, "A-GOOD", good.ID)
	e.account(t, "A-PLAIN", plain.ID)
	e.bind(t, "u1", good.ID, true)
	e.bind(t, "u1", plain.ID, true)
	_, err := e.tiers.Recompute(staffCtx(), noon(2026, 6, 1))
	must(t, err)
	for i := range 24 {
		litres := int64(10000)
		if i == 20 {
			litres = 45000 // 2025-09: an anomaly
		}
		p := month(2024*12 + i).String()
		must(t, e.db.Create(&models.Usage{AccountNo: "A-GOOD", Period: p, VolumeL: litres}).Error)
	}
	ent := actorCtx(models.RoleEnterprise, "u1")
	rep, err := e.tiers.UsageAnalysis(ent, "A-GOOD", 12)
	must(t, err)
	if len(rep.Periods) != 12 || rep.Periods[11].Period != "2025-12" || rep.Periods[0].Period != "2025-01" {
		t.Fatalf("periods %d, last %s", len(rep.Periods), rep.Periods[len(rep.Periods)-1].Period)
	}
	var flagged []string
	for _, p := range rep.Periods {
		if p.Anomaly != AnomalyNone {
			flagged = append(flagged, p.Period+":"+string(p.Anomaly))
		}
	}
	if len(flagged) != 1 || flagged[0] != "2025-09:HIGH" || *rep.Periods[8].VolumeM3 != 45 {
		t.Fatalf("flagged %v", flagged)
	}
	cases := []struct {
		name   string
		ctx    context.Context
		acc    string
		months int
		want   apperr.Code
	}{
		{"staff, any account", staffCtx(), "A-PLAIN", 6, ""},
		{"enterprise, STANDARD subject", ent, "A-PLAIN", 6, apperr.FailedPrecondition},
		{"enterprise, unbound", actorCtx(models.RoleEnterprise, "u2"), "A-GOOD", 6, apperr.Forbidden},
		{"months out of range", staffCtx(), "A-GOOD", 0, apperr.Invalid},
		{"unknown account", staffCtx(), "A-NONE", 6, apperr.NotFound},
	}
	for _, c := range cases {
		_, err := e.tiers.UsageAnalysis(c.ctx, c.acc, c.months)
		if apperr.CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestRenderChartSVG(t *testing.T) {
	// R3.2: the chart is well-formed, self-contained XML with escaped text
	// and the anomalies highlighted.
	cfg := DefaultConfig()
	m0, _ := parsePeriod("2024-01")
	vol := map[month]float64{}
	for i := range 30 {
		vol[m0+month(i)] = 10 + float64(i%3)
	}
	vol[m0+26] = 80
	delete(vol, m0+27)
	rep := analyse(cfg, vol, m0+12, m0+29)
	rep.AccountNo = `A<1>&"x"`
	empty := UsageReport{AccountNo: "E"}
	for _, r := range []UsageReport{rep, empty} {
		svg := RenderChartSVG(r)
		dec := xml.NewDecoder(bytes.NewReader(svg))
		var texts []string
		root := ""
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			switch tk := tok.(type) {
			case xml.StartElement:
				if root == "" {
					root = tk.Name.Local
				}
				for _, a := range tk.Attr {
					if a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
						t.Fatalf("external reference or script attribute %s", a.Name.Local)
					}
				}
				if tk.Name.Local == "script" || tk.Name.Local == "image" {
					t.Fatalf("element %s", tk.Name.Local)
				}
			case xml.CharData:
				texts = append(texts, string(tk))
			}
		}
		all := strings.Join(texts, "|")
		if root != "svg" || !strings.Contains(all, r.AccountNo) {
			t.Fatalf("root %q, texts %q", root, all)
		}
		if r.AccountNo == rep.AccountNo {
			if !bytes.Contains(svg, []byte(colourAnomaly)) || !strings.Contains(all, "2026-03: 80 m³ (HIGH)") || !strings.Contains(all, "2026-04: no reading") {
				t.Fatalf("anomaly or gap not shown: %s", all)
			}
		}
	}
}

func ptrF(v float64) *float64 { return &v }
