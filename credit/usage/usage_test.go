package usage_test

import (
	"context"
	"fmt"
	"testing"

	"creditwater/apperr"
	ct "creditwater/credit/credittest"
	"creditwater/credit/usage"
	"creditwater/models"
)

func TestUsageAnalysisAccess(t *testing.T) {
	// R3.2, R7.1: staff analyse any account; an enterprise user only its own
	// EXCELLENT subject's accounts.
	e := ct.New(t)
	good := e.Subject(t, "good", ct.Ptr(ct.Day(2020, 1, 1)))
	plain := e.Subject(t, "plain", nil)
	e.Account(t, "A-GOOD", good.ID)
	e.Account(t, "A-PLAIN", plain.ID)
	e.Bind(t, "u1", good.ID, true)
	e.Bind(t, "u1", plain.ID, true)
	_, err := e.Grades.Recompute(ct.StaffCtx(), ct.Noon(2026, 6, 1))
	ct.Must(t, err)
	for i := range 24 {
		litres := int64(10000)
		if i == 20 {
			litres = 45000 // 2025-09: an anomaly
		}
		p := fmt.Sprintf("%04d-%02d", 2024+i/12, i%12+1)
		ct.Must(t, e.DB.Create(&models.Usage{AccountNo: "A-GOOD", Period: p, VolumeL: litres}).Error)
	}
	ent := ct.ActorCtx(models.RoleEnterprise, "u1")
	rep, err := e.Usage.Analyse(ent, "A-GOOD", 12)
	ct.Must(t, err)
	if len(rep.Periods) != 12 || rep.Periods[11].Period != "2025-12" || rep.Periods[0].Period != "2025-01" {
		t.Fatalf("periods %d, last %s", len(rep.Periods), rep.Periods[len(rep.Periods)-1].Period)
	}
	var flagged []string
	for _, p := range rep.Periods {
		if p.Anomaly != usage.AnomalyNone {
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
		{"staff, any account", ct.StaffCtx(), "A-PLAIN", 6, ""},
		{"enterprise, STANDARD subject", ent, "A-PLAIN", 6, apperr.FailedPrecondition},
		{"enterprise, unbound", ct.ActorCtx(models.RoleEnterprise, "u2"), "A-GOOD", 6, apperr.Forbidden},
		{"months out of range", ct.StaffCtx(), "A-GOOD", 0, apperr.Invalid},
		{"unknown account", ct.StaffCtx(), "A-NONE", 6, apperr.NotFound},
	}
	for _, c := range cases {
		_, err := e.Usage.Analyse(c.ctx, c.acc, c.months)
		if apperr.CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
