package grade_test

import (
	"context"
	"strings"
	"testing"
	"time"

	ct "creditwater/credit/credittest"
	"creditwater/credit/review"
	"creditwater/models"
)

// R3.4, R3.5: the four grades, recomputed with the tier, with their
// reasons: EXCELLENT needs 36 months without a payment later than the
// tolerance (15 days); late payments in the last 12 months or a record in
// force that is not serious make WATCH; a serious record in force or
// repeated records make DISHONEST; an EXPIRED record is not in force.
func TestR3_4_FourGradesWithReasons(t *testing.T) {
	asOf := ct.Noon(2026, 6, 15)
	type rec struct {
		severity models.Severity
		status   models.RecordStatus
		on       time.Time
	}
	type bill struct {
		due  time.Time
		paid *time.Time // nil: unpaid
	}
	cases := []struct {
		name    string
		records []rec
		bills   []bill
		want    models.Grade
		reason  string
	}{
		{"clean, paid on time", nil, []bill{{ct.Day(2026, 3, 20), ct.Ptr(ct.Day(2026, 3, 25))}}, models.GradeExcellent, "近 36 个月无"},
		{"paid within the tolerance (15 days)", nil, []bill{{ct.Day(2026, 3, 20), ct.Ptr(ct.Noon(2026, 4, 4))}}, models.GradeExcellent, ""},
		{"paid 16 days late two years ago (R3.5)", nil, []bill{{ct.Day(2024, 3, 20), ct.Ptr(ct.Noon(2024, 4, 5))}}, models.GradeGood, "逾期超过 15 天的缴费 1 笔"},
		{"paid late this year", nil, []bill{{ct.Day(2026, 1, 20), ct.Ptr(ct.Noon(2026, 3, 1))}}, models.GradeWatch, "近 12 个月逾期超过 15 天的缴费 1 笔"},
		{"unpaid past the tolerance", nil, []bill{{ct.Day(2026, 5, 20), nil}}, models.GradeWatch, "应缴日 2026-05-20"},
		{"unpaid, not yet past the tolerance", nil, []bill{{ct.Day(2026, 6, 5), nil}}, models.GradeExcellent, ""},
		{"general record in force", []rec{{models.SeverityGeneral, models.RecordActive, ct.Day(2026, 2, 1)}}, nil, models.GradeWatch, "有在效的非严重失信记录"},
		{"general record under objection", []rec{{models.SeverityGeneral, models.RecordUnderObjection, ct.Day(2026, 2, 1)}}, nil, models.GradeWatch, ""},
		{"repaired record: not in force, still blocks EXCELLENT", []rec{{models.SeverityGeneral, models.RecordRepaired, ct.Day(2026, 2, 1)}}, nil, models.GradeGood, "暂不能评为优良"},
		{"expired record (R1.5)", []rec{{models.SeverityMinor, models.RecordExpired, ct.Day(2026, 1, 1)}}, nil, models.GradeExcellent, ""},
		{"serious record in force", []rec{{models.SeveritySerious, models.RecordActive, ct.Day(2025, 2, 1)}}, nil, models.GradeDishonest, "严重失信记录"},
		{"repeated records", []rec{{models.SeverityGeneral, models.RecordActive, ct.Day(2026, 2, 1)}, {models.SeverityMinor, models.RecordActive, ct.Day(2026, 3, 1)}},
			nil, models.GradeDishonest, "在效失信记录 2 条"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := ct.NewWorkflow(t, review.Config{})
			w.Clock.Set(asOf)
			s := w.Subject(t, "分级公司", ct.Ptr(ct.Day(2020, 1, 1)))
			acct := "A" + string(rune('0'+i%10)) + s.ID[:8]
			w.Account(t, acct, s.ID)
			for j, b := range c.bills {
				no := acct + "-B" + string(rune('0'+j))
				ct.Must(t, w.DB.Create(&models.Bill{BillNo: no, AccountNo: acct, Period: b.due.Format("2006-01"), AmountFen: 50000,
					IssuedOn: b.due.AddDate(0, 0, -20), DueOn: b.due}).Error)
				if b.paid != nil {
					ct.Must(t, w.DB.Create(&models.Payment{PaymentNo: no + "-P", BillNo: no, AccountNo: acct, AmountFen: 50000, PaidAt: *b.paid}).Error)
				}
			}
			for _, r := range c.records {
				got := w.Record(t, s.ID, models.KindViolation, r.status, r.on)
				ct.Must(t, w.DB.Model(&got).Update("severity", r.severity).Error)
			}
			_, err := w.Grades.Recompute(context.Background(), asOf, s.ID)
			ct.Must(t, err)
			got := w.Reload(t, s.ID)
			if got.Grade != c.want {
				t.Fatalf("grade %s, want %s", got.Grade, c.want)
			}
			if (got.Tier == models.TierExcellent) != (c.want == models.GradeExcellent) {
				t.Errorf("tier %s with grade %s", got.Tier, got.Grade)
			}
			p, err := w.Grades.Profile(ct.StaffCtx(), s.ID)
			ct.Must(t, err)
			if p.Grade == nil || *p.Grade != c.want || len(p.GradeReasons) == 0 || !strings.Contains(strings.Join(p.GradeReasons, "；"), c.reason) {
				t.Errorf("profile grade %v, reasons %q, want one with %q", p.Grade, p.GradeReasons, c.reason)
			}
			if p.Incentives.VIP != (c.want == models.GradeExcellent) || p.Incentives.LenientAcceptance != (c.want == models.GradeExcellent) {
				t.Errorf("incentives of %s: %+v", c.want, p.Incentives)
			}
		})
	}
}

// R3.4, R7.6: a grade change (not the first evaluation) reaches the inbox
// of the subject's users, once per change.
func TestR3_4_GradeChangeReachesTheInbox(t *testing.T) {
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	s := w.Enterprise(t, "通知公司", "914403001922038216")
	w.Clock.Set(ct.Noon(2026, 6, 1))
	_, err := w.Grades.Recompute(ctx, ct.Noon(2026, 6, 1))
	ct.Must(t, err)
	if n := w.Count(t, &models.Notice{}, "kind = ?", "GRADE_CHANGED"); n != 0 {
		t.Fatalf("the first evaluation sent %d notices", n)
	}
	w.NewRecord(t, s.ID, models.KindTheft, models.SeveritySerious, ct.Noon(2026, 6, 1)) // re-grades in its transaction
	if got := w.Reload(t, s.ID); got.Grade != models.GradeDishonest || got.GradePrev != models.GradeExcellent {
		t.Fatalf("after a serious record: %s (was %s)", got.Grade, got.GradePrev)
	}
	_, err = w.Grades.Recompute(ctx, ct.Noon(2026, 6, 1))
	ct.Must(t, err)
	var notices []models.Notice
	ct.Must(t, w.DB.Where("kind = ?", "GRADE_CHANGED").Find(&notices).Error)
	if len(notices) != 1 || notices[0].UserID != ct.EntUser || !strings.Contains(notices[0].Body, "「优良」调整为「失信」") {
		t.Fatalf("notices: %+v", notices)
	}
}
