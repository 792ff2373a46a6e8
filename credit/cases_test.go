package credit

import (
	"context"
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/models"
)

func TestOpenCaseValidation(t *testing.T) {
	// R1.3, R7.3: staff cases need a case number, a kind, evidence and a
	// day; bad input is refused with the field and changes nothing.
	e := newEnv(t)
	s := e.subject(t, "s", nil)
	other := e.subject(t, "other", nil)
	e.account(t, "A1", s.ID)
	e.account(t, "A2", other.ID)
	valid := CaseInput{CaseNo: "WS-2026-001", SubjectID: s.ID, AccountNo: "A1", Kind: models.KindTheft,
		Severity: models.SeveritySerious, Description: "绕表用水", Evidence: "photos 1-3", OccurredOn: noon(2026, 1, 5)}
	_, err := e.cases.Open(staffCtx(), valid)
	must(t, err)
	cases := []struct {
		name  string
		ctx   context.Context
		edit  func(*CaseInput)
		code  apperr.Code
		field string
	}{
		{"anonymous", context.Background(), func(*CaseInput) {}, apperr.Unauthenticated, ""},
		{"enterprise user", actorCtx(models.RoleEnterprise, "u1"), func(*CaseInput) {}, apperr.Forbidden, ""},
		{"duplicate case number", staffCtx(), func(*CaseInput) {}, apperr.Conflict, ""},
		{"no case number", staffCtx(), func(c *CaseInput) { c.CaseNo = " " }, apperr.Invalid, "caseNo"},
		{"arrears is not a case kind", staffCtx(), func(c *CaseInput) { c.Kind = models.KindArrears }, apperr.Invalid, "kind"},
		{"bad severity", staffCtx(), func(c *CaseInput) { c.Severity = "HUGE" }, apperr.Invalid, "severity"},
		{"no description", staffCtx(), func(c *CaseInput) { c.Description = "" }, apperr.Invalid, "description"},
		{"no day", staffCtx(), func(c *CaseInput) { c.OccurredOn = time.Time{} }, apperr.Invalid, "occurredOn"},
		{"future day", staffCtx(), func(c *CaseInput) { c.OccurredOn = time.Now().AddDate(0, 0, 2) }, apperr.Invalid, "occurredOn"},
		{"commitment on a theft case", staffCtx(), func(c *CaseInput) { c.CommitmentID = "c1" }, apperr.Invalid, "commitmentId"},
		{"account of another subject", staffCtx(), func(c *CaseInput) { c.AccountNo = "A2" }, apperr.Invalid, "accountNo"},
		{"unknown account", staffCtx(), func(c *CaseInput) { c.AccountNo = "A9" }, apperr.NotFound, ""},
		{"unknown subject", staffCtx(), func(c *CaseInput) { c.SubjectID, c.AccountNo = models.NewID(), "" }, apperr.NotFound, ""},
	}
	for _, c := range cases {
		in := valid
		c.edit(&in)
		if c.code != apperr.Conflict {
			in.CaseNo = strings.ReplaceAll(in.CaseNo, "001", "002")
		}
		_, err := e.cases.Open(c.ctx, in)
		ae := apperr.As(err)
		if ae == nil || ae.Code != c.code || ae.Field != c.field {
			t.Errorf("%s: got %v, want %s field %q", c.name, err, c.code, c.field)
		}
	}
	var n int64
	must(t, e.db.Model(&models.ViolationCase{}).Count(&n).Error)
	if n != 1 {
		t.Fatalf("%d cases stored, want 1", n)
	}
}

func TestConfirmAndDismissCase(t *testing.T) {
	// R1.3, R2.4, R3.1: confirming a case makes a linked record and
	// recomputes the tier; a decided case cannot be decided again.
	e := newEnv(t)
	s := e.subject(t, "s", ptrTime(day(2020, 1, 1)))
	_, err := e.tiers.Recompute(context.Background(), time.Now())
	must(t, err)
	theft, err := e.cases.Open(staffCtx(), CaseInput{CaseNo: "WS-1", SubjectID: s.ID, Kind: models.KindTheft,
		Severity: models.SeverityGeneral, Description: "私接水管", Evidence: "现场照片", OccurredOn: noon(2026, 1, 5)})
	must(t, err)
	breach, err := e.cases.Open(staffCtx(), CaseInput{CaseNo: "WS-2", SubjectID: s.ID, Kind: models.KindBrokenPromise,
		Severity: models.SeverityGeneral, Description: "承诺期内未补交产权证明", OccurredOn: noon(2026, 1, 6), CommitmentID: "commit-1"})
	must(t, err)
	dismissed, err := e.cases.Open(staffCtx(), CaseInput{CaseNo: "WS-3", SubjectID: s.ID, Kind: models.KindViolation,
		Severity: models.SeverityMinor, Description: "疑似违约用水", OccurredOn: noon(2026, 1, 7)})
	must(t, err)

	_, _, err = e.cases.Confirm(staffCtx(), theft.ID, "confirmed")
	wantCode(t, err, apperr.Forbidden) // STAFF opens, a credit officer decides
	_, _, err = e.cases.Confirm(officerCtx(), theft.ID, " ")
	wantCode(t, err, apperr.Invalid)

	vc, rec, err := e.cases.Confirm(officerCtx(), theft.ID, "evidence checked")
	must(t, err)
	if vc.Status != models.CaseConfirmed || vc.RecordID == nil || *vc.RecordID != rec.ID || vc.DecidedBy != "officer-1" {
		t.Fatalf("case %+v", vc)
	}
	if rec.SourceKey != "CASE:"+theft.ID || rec.Source != SourceStaffCase || rec.Kind != models.KindTheft ||
		rec.CaseID == nil || *rec.CaseID != theft.ID || !rec.BehaviourOn.Equal(day(2026, 1, 5)) || rec.RecordedBy != "officer-1" {
		t.Fatalf("record %+v", rec)
	}
	if e.reload(t, s.ID).Tier != models.TierStandard {
		t.Fatal("the tier was not recomputed")
	}
	_, rec2, err := e.cases.Confirm(officerCtx(), breach.ID, "breach established")
	must(t, err)
	if rec2.Source != SourceCommitmentBreach || rec2.CommitmentID == nil || *rec2.CommitmentID != "commit-1" {
		t.Fatalf("breach record %+v", rec2)
	}
	vc, err = e.cases.Dismiss(officerCtx(), dismissed.ID, "no evidence")
	must(t, err)
	if vc.Status != models.CaseDismissed || vc.RecordID != nil {
		t.Fatalf("dismissed %+v", vc)
	}

	decided := []struct {
		name string
		run  func() error
		want string
	}{
		{"confirm a confirmed case", func() error { _, _, err := e.cases.Confirm(officerCtx(), theft.ID, "again"); return err }, "CONFIRMED"},
		{"dismiss a confirmed case", func() error { _, err := e.cases.Dismiss(officerCtx(), theft.ID, "oops"); return err }, "CONFIRMED"},
		{"confirm a dismissed case", func() error { _, _, err := e.cases.Confirm(officerCtx(), dismissed.ID, "x"); return err }, "DISMISSED"},
	}
	for _, d := range decided {
		err := d.run()
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.FailedPrecondition || ae.Reason != "CASE_DECIDED" || !strings.Contains(ae.Message, d.want) {
			t.Errorf("%s: %v", d.name, err)
		}
	}
	_, err = e.cases.Dismiss(officerCtx(), models.NewID(), "x")
	wantCode(t, err, apperr.NotFound)
	var records int64
	must(t, e.db.Model(&models.DishonestyRecord{}).Count(&records).Error)
	if records != 2 {
		t.Fatalf("%d records, want 2", records)
	}
	got, err := e.cases.Get(staffCtx(), theft.ID)
	must(t, err)
	if got.Status != models.CaseConfirmed {
		t.Fatalf("stored case %s", got.Status)
	}
}
