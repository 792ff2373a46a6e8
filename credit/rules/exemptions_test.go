package rules_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/calendar"
	ct "creditwater/credit/credittest"
	"creditwater/credit/rules"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/notice"
)

// arrearsEnv is a subject with account A1 whose reminder R1 (served
// 2026-01-10) leaves 1,500 元 unpaid.
func arrearsEnv(t *testing.T) (*ct.Env, models.Subject) {
	t.Helper()
	e := ct.New(t)
	s := e.Subject(t, "甲公司", ct.Ptr(ct.Day(2020, 1, 1)))
	e.Account(t, "A1", s.ID)
	e.Bill(t, "B1", "A1", 150000)
	e.Reminder(t, "R1", "A1", ct.Day(2026, 1, 10), "B1")
	return e, s
}

func TestR1_6_OnlyApprovedExemptionStopsArrears(t *testing.T) {
	// R1.6: an APPROVED exemption in force stops the ARREARS rule; a
	// PENDING or REJECTED one does not.
	cases := []struct {
		name     string
		in       rules.ExemptionInput
		decide   *bool // nil: left PENDING
		wantRecs int
	}{
		{"pending", rules.ExemptionInput{AccountNo: "A1", Reason: "水表故障待核", ValidFrom: ct.Day(2026, 1, 1)}, nil, 1},
		{"rejected", rules.ExemptionInput{AccountNo: "A1", Reason: "水表故障待核", ValidFrom: ct.Day(2026, 1, 1)}, ct.Ptr(false), 1},
		{"approved, whole account", rules.ExemptionInput{AccountNo: "A1", Reason: "水表故障待核", ValidFrom: ct.Day(2026, 1, 1)}, ct.Ptr(true), 0},
		{"approved, the bill", rules.ExemptionInput{AccountNo: "A1", BillNo: "B1", Reason: "账单争议", ValidFrom: ct.Day(2026, 1, 1)}, ct.Ptr(true), 0},
		{"approved, another bill", rules.ExemptionInput{AccountNo: "A1", BillNo: "B9", Reason: "账单争议", ValidFrom: ct.Day(2026, 1, 1)}, ct.Ptr(true), 1},
		{"approved, expired", rules.ExemptionInput{AccountNo: "A1", Reason: "账单争议", ValidFrom: ct.Day(2026, 1, 1),
			ValidTo: ct.Ptr(ct.Day(2026, 2, 28))}, ct.Ptr(true), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e, _ := arrearsEnv(t)
			e.Noticed(t, "R1", ct.Day(2026, 1, 20))
			c.in.Evidence = scan()
			ex, err := e.Exemptions.Record(ct.StaffCtx(), c.in)
			ct.Must(t, err)
			if ex.Status != models.ExemptionPending || ex.Version != 1 || ex.RecordedBy != "staff-1" {
				t.Fatalf("recorded %+v", ex)
			}
			if c.decide != nil {
				_, err := e.Exemptions.Decide(ct.OfficerCtx(), ex.ID, *c.decide, "已核实", ex.Version)
				ct.Must(t, err)
			}
			n, err := e.Arrears.Detect(context.Background(), ct.Noon(2026, 3, 1))
			ct.Must(t, err)
			if n != c.wantRecs {
				t.Fatalf("created %d records, want %d", n, c.wantRecs)
			}
		})
	}
}

func TestR1_6_OfficerDecidesExemption(t *testing.T) {
	// R1.6: staff record an exemption but cannot approve it; a credit
	// officer can, at the version read, once; both steps are audited.
	e, _ := arrearsEnv(t)
	ex, err := e.Exemptions.Record(ct.StaffCtx(), rules.ExemptionInput{AccountNo: "A1", Reason: "账单争议", ValidFrom: ct.Day(2026, 1, 1)})
	ct.Must(t, err)
	_, err = e.Exemptions.Record(ct.EntCtx(), rules.ExemptionInput{AccountNo: "A1", Reason: "x", ValidFrom: ct.Day(2026, 1, 1)})
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Exemptions.Record(ct.StaffCtx(), rules.ExemptionInput{AccountNo: "NOPE", Reason: "x", ValidFrom: ct.Day(2026, 1, 1)})
	ct.WantCode(t, err, apperr.NotFound)
	_, err = e.Exemptions.Record(ct.StaffCtx(), rules.ExemptionInput{AccountNo: "A1", Reason: "x", ValidFrom: ct.Day(2026, 2, 1), ValidTo: ct.Ptr(ct.Day(2026, 1, 1))})
	ct.WantCode(t, err, apperr.Invalid)
	_, err = e.Exemptions.Decide(ct.StaffCtx(), ex.ID, true, "同意", ex.Version)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Exemptions.Decide(ct.OfficerCtx(), ex.ID, true, "同意", ex.Version+1)
	ct.WantCode(t, err, apperr.Conflict)
	// No evidence yet: not approved.
	_, err = e.Exemptions.Decide(ct.OfficerCtx(), ex.ID, true, "同意", ex.Version)
	ct.WantCode(t, err, apperr.FailedPrecondition)
	if e := apperr.As(err); e == nil || e.Reason != "EVIDENCE_REQUIRED" {
		t.Fatalf("approval without evidence: %v", err)
	}
	ex, err = e.Exemptions.AddEvidence(ct.StaffCtx(), ex.ID, scan(), ex.Version)
	ct.Must(t, err)
	got, err := e.Exemptions.Decide(ct.OfficerCtx(), ex.ID, true, "同意", ex.Version)
	ct.Must(t, err)
	if got.Status != models.ExemptionApproved || got.Version != 3 || got.DecidedBy != ct.OfficerUser || got.DecidedAt == nil {
		t.Fatalf("decided %+v", got)
	}
	_, err = e.Exemptions.Decide(ct.OfficerCtx(), ex.ID, false, "撤回", got.Version)
	ct.WantCode(t, err, apperr.FailedPrecondition)
	if n := e.Count(t, &models.AuditEntry{}, "subject_id = ? AND action IN ?", ex.ID, []string{"exemption.record", "exemption.evidence", "exemption.decide"}); n != 3 {
		t.Fatalf("%d audit entries, want 3", n)
	}
}

func TestR1_6_NoticeBeforeArrearsRecord(t *testing.T) {
	// R1.6: the rule first gives the prior notice (a notice row and an
	// ARREARS_COMING inbox event) and makes the record only when the
	// configured working days have passed and the bill is still unpaid.
	e, s := arrearsEnv(t)
	e.Bind(t, ct.EntUser, s.ID, true)
	ctx := context.Background()
	first := ct.Noon(2026, 2, 11) // the day after the grace period
	n, err := e.Arrears.Detect(ctx, first)
	ct.Must(t, err)
	if n != 0 || e.Count(t, &models.DishonestyRecord{}, "1 = 1") != 0 {
		t.Fatalf("a record was made before the notice period: %d", n)
	}
	if e.Count(t, &models.ArrearsNotice{}, "reminder_no = ? AND subject_id = ?", "R1", s.ID) != 1 {
		t.Fatal("no prior notice stored")
	}
	if e.Count(t, &models.Notice{}, "kind = ? AND user_id = ? AND ref_id = ?", string(notice.ArrearsComing), ct.EntUser, "R1") != 1 {
		t.Fatal("no ARREARS_COMING inbox event")
	}
	due := calendar.Default().AddWorkdays(ct.Day(2026, 2, 11), 5) // CW_ARREARS_NOTICE_WORKING_DAYS default
	lastDay := ct.Noon(due.Year(), due.Month(), due.Day())
	for _, asOf := range []time.Time{ct.Noon(2026, 2, 13), lastDay} {
		n, err := e.Arrears.Detect(ctx, asOf)
		ct.Must(t, err)
		if n != 0 {
			t.Fatalf("record made on %s, within the notice period ending %s", asOf, due)
		}
	}
	if e.Count(t, &models.Notice{}, "kind = ?", string(notice.ArrearsComing)) != 1 {
		t.Fatal("the notice was sent twice")
	}
	n, err = e.Arrears.Detect(ctx, lastDay.AddDate(0, 0, 1))
	ct.Must(t, err)
	if n != 1 || e.Count(t, &models.DishonestyRecord{}, "source_key = ?", "ARREARS:R1") != 1 {
		t.Fatalf("after the notice period: created %d, want 1", n)
	}
}

func TestR1_6_PaidDuringNoticeNoRecord(t *testing.T) {
	// R1.6: paying within the notice period prevents the record.
	e, _ := arrearsEnv(t)
	ctx := context.Background()
	_, err := e.Arrears.Detect(ctx, ct.Noon(2026, 2, 11))
	ct.Must(t, err)
	e.Pay(t, "P1", "B1", "A1", 150000)
	n, err := e.Arrears.Detect(ctx, ct.Noon(2026, 4, 1))
	ct.Must(t, err)
	if n != 0 {
		t.Fatalf("created %d after payment, want 0", n)
	}
}

// scan is one PDF evidence file.
func scan() []evidence.Upload {
	return []evidence.Upload{{FileName: "核实说明.pdf", Body: strings.NewReader("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")}}
}

func TestR1_6_ExemptionEvidence(t *testing.T) {
	// R1.6: an exemption carries its evidence: files are checked before
	// anything is stored, added only while PENDING at the version read
	// (which moves it on), listed for staff and readable by staff only.
	e, _ := arrearsEnv(t)
	_, err := e.Exemptions.Record(ct.StaffCtx(), rules.ExemptionInput{AccountNo: "A1", Reason: "账单争议", ValidFrom: ct.Day(2026, 1, 1),
		Evidence: []evidence.Upload{{FileName: "说明.txt", Body: strings.NewReader("纯文本不是证明材料")}}})
	ct.WantCode(t, err, apperr.Invalid)
	if n := e.Count(t, &models.Exemption{}, "1 = 1") + e.Count(t, &models.Evidence{}, "1 = 1"); n != 0 {
		t.Fatalf("a refused file stored %d rows", n)
	}
	ex, err := e.Exemptions.Record(ct.StaffCtx(), rules.ExemptionInput{AccountNo: "A1", Reason: "账单争议", ValidFrom: ct.Day(2026, 1, 1), Evidence: scan()})
	ct.Must(t, err)
	_, err = e.Exemptions.AddEvidence(ct.StaffCtx(), ex.ID, nil, ex.Version)
	ct.WantCode(t, err, apperr.Invalid)
	_, err = e.Exemptions.AddEvidence(ct.EntCtx(), ex.ID, scan(), ex.Version)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Exemptions.AddEvidence(ct.StaffCtx(), ex.ID, scan(), ex.Version+1)
	ct.WantCode(t, err, apperr.Conflict)
	ex, err = e.Exemptions.AddEvidence(ct.StaffCtx(), ex.ID, scan(), ex.Version)
	ct.Must(t, err)
	byID, err := e.Exemptions.EvidenceOf(ct.StaffCtx(), []string{ex.ID, "none"})
	ct.Must(t, err)
	if files := byID[ex.ID]; len(files) != 2 || files[0].ContentType != "application/pdf" || files[0].Data != nil || len(byID["none"]) != 0 {
		t.Fatalf("evidence %+v", byID)
	}
	_, err = e.Exemptions.EvidenceOf(ct.EntCtx(), []string{ex.ID})
	ct.WantCode(t, err, apperr.Forbidden)
	if _, err := e.Exemptions.EvidenceCheck(ct.StaffCtx(), ex.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.Exemptions.EvidenceCheck(ct.EntCtx(), ex.ID)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Exemptions.EvidenceCheck(ct.StaffCtx(), "gone")
	ct.WantCode(t, err, apperr.NotFound)
	got, err := e.Exemptions.Decide(ct.OfficerCtx(), ex.ID, false, "理由不成立", ex.Version)
	ct.Must(t, err)
	_, err = e.Exemptions.AddEvidence(ct.StaffCtx(), ex.ID, scan(), got.Version)
	ct.WantCode(t, err, apperr.FailedPrecondition)
}
