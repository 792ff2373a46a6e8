package rules_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/models"
)

func TestOpenCaseValidation(t *testing.T) {
	// R1.3, R7.3: staff cases need a case number, a kind, evidence and a
	// day; bad input is refused with the field and changes nothing.
	e := ct.New(t)
	s := e.Subject(t, "s", nil)
	other := e.Subject(t, "other", nil)
	e.Account(t, "A1", s.ID)
	e.Account(t, "A2", other.ID)
	valid := credit.CaseInput{CaseNo: "WS-2026-001", SubjectID: s.ID, AccountNo: "A1", Kind: models.KindTheft,
		Severity: models.SeveritySerious, Description: "绕表用水", Evidence: "photos 1-3", OccurredOn: ct.Noon(2026, 1, 5)}
	_, err := e.Cases.Open(ct.StaffCtx(), valid)
	ct.Must(t, err)
	cases := []struct {
		name  string
		ctx   context.Context
		edit  func(*credit.CaseInput)
		code  apperr.Code
		field string
	}{
		{"anonymous", context.Background(), func(*credit.CaseInput) {}, apperr.Unauthenticated, ""},
		{"enterprise user", ct.ActorCtx(models.RoleEnterprise, "u1"), func(*credit.CaseInput) {}, apperr.Forbidden, ""},
		{"duplicate case number", ct.StaffCtx(), func(*credit.CaseInput) {}, apperr.Conflict, ""},
		{"no case number", ct.StaffCtx(), func(c *credit.CaseInput) { c.CaseNo = " " }, apperr.Invalid, "caseNo"},
		{"arrears is not a case kind", ct.StaffCtx(), func(c *credit.CaseInput) { c.Kind = models.KindArrears }, apperr.Invalid, "kind"},
		{"bad severity", ct.StaffCtx(), func(c *credit.CaseInput) { c.Severity = "HUGE" }, apperr.Invalid, "severity"},
		{"no description", ct.StaffCtx(), func(c *credit.CaseInput) { c.Description = "" }, apperr.Invalid, "description"},
		{"no day", ct.StaffCtx(), func(c *credit.CaseInput) { c.OccurredOn = time.Time{} }, apperr.Invalid, "occurredOn"},
		{"future day", ct.StaffCtx(), func(c *credit.CaseInput) { c.OccurredOn = time.Now().AddDate(0, 0, 2) }, apperr.Invalid, "occurredOn"},
		{"commitment on a theft case", ct.StaffCtx(), func(c *credit.CaseInput) { c.CommitmentID = "c1" }, apperr.Invalid, "commitmentId"},
		{"account of another subject", ct.StaffCtx(), func(c *credit.CaseInput) { c.AccountNo = "A2" }, apperr.Invalid, "accountNo"},
		{"unknown account", ct.StaffCtx(), func(c *credit.CaseInput) { c.AccountNo = "A9" }, apperr.NotFound, ""},
		{"unknown subject", ct.StaffCtx(), func(c *credit.CaseInput) { c.SubjectID, c.AccountNo = models.NewID(), "" }, apperr.NotFound, ""},
	}
	for _, c := range cases {
		in := valid
		c.edit(&in)
		if c.code != apperr.Conflict {
			in.CaseNo = strings.ReplaceAll(in.CaseNo, "001", "002")
		}
		_, err := e.Cases.Open(c.ctx, in)
		ae := apperr.As(err)
		if ae == nil || ae.Code != c.code || ae.Field != c.field {
			t.Errorf("%s: got %v, want %s field %q", c.name, err, c.code, c.field)
		}
	}
	var n int64
	ct.Must(t, e.DB.Model(&models.ViolationCase{}).Count(&n).Error)
	if n != 1 {
		t.Fatalf("%d cases stored, want 1", n)
	}
}

func TestConfirmAndDismissCase(t *testing.T) {
	// R1.3, R2.4, R3.1: confirming a case makes a linked record and
	// recomputes the tier; a decided case cannot be decided again.
	e := ct.New(t)
	s := e.Subject(t, "s", ct.Ptr(ct.Day(2020, 1, 1)))
	_, err := e.Grades.Recompute(context.Background(), time.Now())
	ct.Must(t, err)
	theft, err := e.Cases.Open(ct.StaffCtx(), credit.CaseInput{CaseNo: "WS-1", SubjectID: s.ID, Kind: models.KindTheft,
		Severity: models.SeverityGeneral, Description: "私接水管", Evidence: "现场照片", OccurredOn: ct.Noon(2026, 1, 5)})
	ct.Must(t, err)
	commitment := e.Commitment(t, s.ID)
	breach, err := e.Cases.Open(ct.StaffCtx(), credit.CaseInput{CaseNo: "WS-2", SubjectID: s.ID, Kind: models.KindBrokenPromise,
		Severity: models.SeverityGeneral, Description: "承诺期内未补交产权证明", OccurredOn: ct.Noon(2026, 1, 6), CommitmentID: commitment.ID})
	ct.Must(t, err)
	dismissed, err := e.Cases.Open(ct.StaffCtx(), credit.CaseInput{CaseNo: "WS-3", SubjectID: s.ID, Kind: models.KindViolation,
		Severity: models.SeverityMinor, Description: "疑似违约用水", OccurredOn: ct.Noon(2026, 1, 7)})
	ct.Must(t, err)

	_, _, err = e.Cases.Confirm(ct.StaffCtx(), theft.ID, "confirmed", 1)
	ct.WantCode(t, err, apperr.Forbidden) // STAFF opens, a credit officer decides
	_, _, err = e.Cases.Confirm(ct.OfficerCtx(), theft.ID, " ", 1)
	ct.WantCode(t, err, apperr.Invalid)

	vc, rec, err := e.Cases.Confirm(ct.OfficerCtx(), theft.ID, "evidence checked", theft.Version)
	ct.Must(t, err)
	if vc.Status != models.CaseConfirmed || vc.RecordID == nil || *vc.RecordID != rec.ID || vc.DecidedBy != "officer-1" || theft.Version != 1 || vc.Version != 2 {
		t.Fatalf("case %+v", vc)
	}
	if rec.SourceKey != "CASE:"+theft.ID || rec.Source != credit.SourceStaffCase || rec.Kind != models.KindTheft ||
		rec.CaseID == nil || *rec.CaseID != theft.ID || !rec.BehaviourOn.Equal(ct.Day(2026, 1, 5)) || rec.RecordedBy != "officer-1" {
		t.Fatalf("record %+v", rec)
	}
	if e.Reload(t, s.ID).Tier != models.TierStandard {
		t.Fatal("the tier was not recomputed")
	}
	_, rec2, err := e.Cases.Confirm(ct.OfficerCtx(), breach.ID, "breach established", 1)
	ct.Must(t, err)
	if rec2.Source != credit.SourceCommitmentBreach || rec2.CommitmentID == nil || *rec2.CommitmentID != commitment.ID {
		t.Fatalf("breach record %+v", rec2)
	}
	vc, err = e.Cases.Dismiss(ct.OfficerCtx(), dismissed.ID, "no evidence", 1)
	ct.Must(t, err)
	if vc.Status != models.CaseDismissed || vc.RecordID != nil {
		t.Fatalf("dismissed %+v", vc)
	}

	decided := []struct {
		name string
		run  func() error
		want string
	}{
		{"confirm a confirmed case", func() error { _, _, err := e.Cases.Confirm(ct.OfficerCtx(), theft.ID, "again", 2); return err }, "CONFIRMED"},
		{"dismiss a confirmed case", func() error { _, err := e.Cases.Dismiss(ct.OfficerCtx(), theft.ID, "oops", 2); return err }, "CONFIRMED"},
		{"confirm a dismissed case", func() error { _, _, err := e.Cases.Confirm(ct.OfficerCtx(), dismissed.ID, "x", 2); return err }, "DISMISSED"},
	}
	for _, d := range decided {
		err := d.run()
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.FailedPrecondition || ae.Reason != "CASE_DECIDED" || !strings.Contains(ae.Message, d.want) {
			t.Errorf("%s: %v", d.name, err)
		}
	}
	_, err = e.Cases.Dismiss(ct.OfficerCtx(), models.NewID(), "x", 1)
	ct.WantCode(t, err, apperr.NotFound)
	var records int64
	ct.Must(t, e.DB.Model(&models.DishonestyRecord{}).Count(&records).Error)
	if records != 2 {
		t.Fatalf("%d records, want 2", records)
	}
	got, err := e.Cases.Get(ct.StaffCtx(), theft.ID)
	ct.Must(t, err)
	if got.Status != models.CaseConfirmed {
		t.Fatalf("stored case %s", got.Status)
	}
}

func TestR8_1_CaseDecisionNeedsTheVersionSeen(t *testing.T) {
	// R8.1: confirmCase and dismissCase name the case's version; a stale
	// one is CONFLICT (STALE_VERSION) and changes nothing — the case stays
	// OPEN and no record is made. The right one decides and moves it on.
	e := ct.New(t)
	s := e.Subject(t, "s", nil)
	vc, err := e.Cases.Open(ct.StaffCtx(), credit.CaseInput{CaseNo: "WS-V", SubjectID: s.ID, Kind: models.KindTheft,
		Severity: models.SeverityGeneral, Description: "私接水管", Evidence: "现场照片", OccurredOn: ct.Noon(2026, 1, 5)})
	ct.Must(t, err)
	if vc.Version != 1 {
		t.Fatalf("a new case is at version %d, want 1", vc.Version)
	}
	stale := []struct {
		name string
		run  func() error
	}{
		{"confirm", func() error { _, _, err := e.Cases.Confirm(ct.OfficerCtx(), vc.ID, "属实", 2); return err }},
		{"dismiss", func() error { _, err := e.Cases.Dismiss(ct.OfficerCtx(), vc.ID, "不属实", 0); return err }},
	}
	for _, c := range stale {
		ae := apperr.As(c.run())
		if ae == nil || ae.Code != apperr.Conflict || ae.Reason != "STALE_VERSION" {
			t.Fatalf("%s at a stale version: %v", c.name, ae)
		}
	}
	got, err := e.Cases.Get(ct.StaffCtx(), vc.ID)
	ct.Must(t, err)
	var records int64
	ct.Must(t, e.DB.Model(&models.DishonestyRecord{}).Count(&records).Error)
	if got.Status != models.CaseOpen || got.Version != 1 || got.RecordID != nil || records != 0 {
		t.Fatalf("a stale decision changed the case: %+v, %d records", got, records)
	}
	decided, err := e.Cases.Dismiss(ct.OfficerCtx(), vc.ID, "不属实", 1)
	ct.Must(t, err)
	if got, _ = e.Cases.Get(ct.StaffCtx(), vc.ID); decided.Version != 2 || got.Version != 2 || got.Status != models.CaseDismissed {
		t.Fatalf("decided %+v, stored %+v", decided, got)
	}
	// The version seen before the dismissal is stale now.
	_, _, err = e.Cases.Confirm(ct.OfficerCtx(), vc.ID, "属实", 1)
	if ae := apperr.As(err); ae == nil || ae.Reason != "STALE_VERSION" {
		t.Fatalf("confirm after the dismissal at the old version: %v", err)
	}
}

func TestR8_1_ConcurrentConfirmationsOfOneSubjectAllSucceed(t *testing.T) {
	// R8.1, R1.3, R3.1: officers confirming different cases of one subject
	// at the same moment all succeed. Each confirmation makes its record and
	// regrades the subject in one transaction; on MariaDB two of them can
	// deadlock on the subject's row, and the victim's transaction runs again
	// (store.Transaction) instead of failing the officer. Every case gets
	// its own record and the stored grade is the one a fresh evaluation
	// gives.
	e := ct.New(t)
	s := e.Subject(t, "s", ct.Ptr(ct.Day(2020, 1, 1)))
	_, err := e.Grades.Recompute(context.Background(), time.Now())
	ct.Must(t, err)
	const n = 4
	cases := make([]models.ViolationCase, n)
	for i := range cases {
		cases[i], err = e.Cases.Open(ct.StaffCtx(), credit.CaseInput{CaseNo: fmt.Sprintf("WS-C-%d", i), SubjectID: s.ID,
			Kind: models.KindViolation, Severity: models.SeverityGeneral, Description: "违约用水", Evidence: "现场照片",
			OccurredOn: ct.Noon(2026, 1, 5+i)})
		ct.Must(t, err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	recs := make([]models.DishonestyRecord, n)
	for i, vc := range cases {
		wg.Go(func() {
			<-start
			_, recs[i], errs[i] = e.Cases.Confirm(ct.OfficerCtx(), vc.ID, "证据属实", vc.Version)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("confirmation %d: %v", i, err)
		}
		if recs[i].CaseID == nil || *recs[i].CaseID != cases[i].ID {
			t.Fatalf("confirmation %d made record %+v", i, recs[i])
		}
	}
	for _, vc := range cases {
		if got := e.Count(t, &models.DishonestyRecord{}, "case_id = ?", vc.ID); got != 1 {
			t.Fatalf("case %s has %d records, want 1", vc.CaseNo, got)
		}
	}
	if got := e.Count(t, &models.DishonestyRecord{}, "subject_id = ?", s.ID); got != n {
		t.Fatalf("%d records of the subject, want %d", got, n)
	}
	after := e.Reload(t, s.ID)
	if after.Tier != models.TierStandard || after.Grade == models.GradeGood || after.Grade == models.GradeExcellent {
		t.Fatalf("after %d confirmed records the subject is %s/%s", n, after.Tier, after.Grade)
	}
	_, err = e.Grades.Recompute(context.Background(), time.Now(), s.ID)
	ct.Must(t, err)
	if fresh := e.Reload(t, s.ID); fresh.Grade != after.Grade || fresh.Tier != after.Tier {
		t.Fatalf("stored grade %s/%s, a fresh evaluation gives %s/%s", after.Tier, after.Grade, fresh.Tier, fresh.Grade)
	}
}
