package review_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"creditwater/apperr"
	"creditwater/calendar"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
)

func TestObjectionOutcomes(t *testing.T) {
	// R5.2: an accepted objection flags the record UNDER_OBJECTION; the
	// outcome corrects it (history says what changed), revokes it (it no
	// longer counts: the tier is recomputed, the publication withdrawn) or
	// upholds it, with reasons.
	cases := []struct {
		name           string
		outcome        models.ObjectionStatus
		correction     *record.Correction
		published      bool
		wantStatus     models.RecordStatus
		wantWithdrawal int64
		wantTier       models.Tier
		wantSeverity   models.Severity
		wantSummary    string
		wantHistory    string
	}{
		{"upheld", models.ObjectionUpheld, nil, true, models.RecordActive, 0, models.TierStandard, models.SeverityGeneral, "案件记录", ""},
		{"revoked", models.ObjectionRevoked, nil, true, models.RecordRevoked, 1, models.TierExcellent, models.SeverityGeneral, "案件记录", ""},
		{"revoked, never published", models.ObjectionRevoked, nil, false, models.RecordRevoked, 0, models.TierExcellent, models.SeverityGeneral, "案件记录", ""},
		{"corrected to minor", models.ObjectionCorrected, &record.Correction{Summary: ct.Ptr("  更正后的记录 "), Severity: ct.Ptr(models.SeverityMinor)}, true,
			models.RecordActive, 1, models.TierStandard, models.SeverityMinor, "更正后的记录", "严重程度 GENERAL → MINOR"},
		{"corrected summary", models.ObjectionCorrected, &record.Correction{Summary: ct.Ptr("新摘要")}, true,
			models.RecordActive, 0, models.TierStandard, models.SeverityGeneral, "新摘要", `摘要 "案件记录" → "新摘要"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := ct.NewWorkflow(t, review.Config{})
			ctx := context.Background()
			s := w.Enterprise(t, "己公司", "914403001922038216")
			rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, ct.Noon(2026, 3, 2))
			if c.published {
				n, err := w.Pubs.QueueDue(ctx, w.Clock.Now())
				ct.Must(t, err)
				if n != 1 {
					t.Fatalf("queued %d", n)
				}
			}
			obj, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "该记录认定有误",
				Evidence: []credit.Upload{ct.Upload("说明.pdf", ct.PDFBody(300))}})
			ct.Must(t, err)
			_, err = w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "again"})
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Reason != "OBJECTION_PENDING" {
				t.Fatalf("second objection: %v", err)
			}
			_, err = w.Objections.Decide(ct.OfficerCtx(), obj.ID, c.outcome, "x", c.correction, nil)
			if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "SUBMITTED" {
				t.Fatalf("decide before acceptance: %v", err)
			}
			_, err = w.Objections.Accept(ct.EntCtx(), obj.ID, nil)
			ct.WantCode(t, err, apperr.Forbidden)
			obj, err = w.Objections.Accept(ct.OfficerCtx(), obj.ID, nil)
			ct.Must(t, err)
			if obj.Status != models.ObjectionUnderReview || obj.AcceptedAt == nil || obj.AssigneeID == nil {
				t.Fatalf("accepted: %+v", obj)
			}
			seen, err := w.Records.Get(ct.EntCtx(), rec.ID) // the flag is visible to the subject
			ct.Must(t, err)
			if seen.Status != models.RecordUnderObjection {
				t.Fatalf("record %s while under objection", seen.Status)
			}
			_, err = w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "x", SignCommitment: true})
			if codes := ct.ConditionCodes(t, err); !slices.Contains(codes, "RECORD_NOT_ACTIVE") {
				t.Fatalf("repair of a record under objection: %v", codes)
			}
			_, err = w.Objections.Decide(ct.OfficerCtx(), obj.ID, c.outcome, " ", c.correction, nil)
			if e := apperr.As(err); e == nil || e.Field != "reason" {
				t.Fatalf("decision without reason: %v", err)
			}

			obj, err = w.Objections.Decide(ct.OfficerCtx(), obj.ID, c.outcome, "经核查的结论", c.correction, nil)
			ct.Must(t, err)
			if obj.Status != c.outcome || obj.OpenKey != nil || obj.DecidedBy != ct.OfficerUser || obj.Decision != "经核查的结论" {
				t.Fatalf("decided: %+v", obj)
			}
			got := w.LoadRecord(t, rec.ID)
			if got.Status != c.wantStatus || got.Severity != c.wantSeverity || got.Summary != c.wantSummary {
				t.Fatalf("record %s %s %q, want %s %s %q", got.Status, got.Severity, got.Summary, c.wantStatus, c.wantSeverity, c.wantSummary)
			}
			if tier := w.Reload(t, s.ID).Tier; tier != c.wantTier {
				t.Fatalf("tier %s, want %s (R3.1)", tier, c.wantTier)
			}
			if n := w.Messages(t, record.WithdrawKey(rec.ID)); n != c.wantWithdrawal {
				t.Fatalf("%d withdrawal messages, want %d", n, c.wantWithdrawal)
			}
			if c.outcome == models.ObjectionCorrected {
				var changes map[string]map[string]string
				ct.Must(t, json.Unmarshal([]byte(obj.Correction), &changes))
				if changes["summary"]["to"] != c.wantSummary || (c.correction.Severity != nil && changes["severity"]["from"] != "GENERAL") {
					t.Fatalf("correction %s", obj.Correction)
				}
				hist, err := w.Records.History(ct.StaffCtx(), rec.ID)
				ct.Must(t, err)
				i := slices.IndexFunc(hist, func(e models.RecordEvent) bool { return e.Action == record.EventCorrected })
				if i < 0 || !strings.Contains(hist[i].Reason, c.wantHistory) {
					t.Fatalf("record history %+v lacks %q", hist, c.wantHistory)
				}
				if (got.PublicityEnd == nil) != (c.wantSeverity == models.SeverityMinor) {
					t.Fatalf("publicity end %v for severity %s", got.PublicityEnd, got.Severity)
				}
			}
			_, err = w.Objections.Decide(ct.OfficerCtx(), obj.ID, c.outcome, "again", c.correction, nil)
			ct.WantCode(t, err, apperr.FailedPrecondition)
		})
	}
}

func TestObjectionValidationAndExtension(t *testing.T) {
	// R5.2, R5.3, R7.3: bad input is refused and changes nothing; a
	// refused objection leaves the record alone; the deadline is extended
	// once.
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "庚公司", "914403001922038216")
	rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, ct.Noon(2026, 3, 2))
	repaired := w.Record(t, s.ID, models.KindTheft, models.RecordRepaired, ct.Day(2026, 3, 1))

	_, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "  "})
	if e := apperr.As(err); e == nil || e.Field != "reason" {
		t.Fatalf("empty reason: %v", err)
	}
	_, err = w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: repaired.ID, Reason: "有误"})
	if e := apperr.As(err); e == nil || e.Reason != "RECORD_NOT_ACTIVE" || e.Details["recordStatus"] != "REPAIRED" {
		t.Fatalf("objection to a repaired record: %v", err)
	}
	_, err = w.Objections.File(ct.OfficerCtx(), review.FileObjection{RecordID: rec.ID, Reason: "有误"})
	ct.WantCode(t, err, apperr.Forbidden)

	obj, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "有误"})
	ct.Must(t, err)
	_, err = w.Objections.NotAccept(ct.OfficerCtx(), obj.ID, "", nil)
	ct.WantCode(t, err, apperr.Invalid)
	obj, err = w.Objections.NotAccept(ct.OfficerCtx(), obj.ID, "未提供任何依据", nil)
	ct.Must(t, err)
	if obj.Status != models.ObjectionNotAccepted || w.LoadRecord(t, rec.ID).Status != models.RecordActive {
		t.Fatalf("not accepted: %s, record %s", obj.Status, w.LoadRecord(t, rec.ID).Status)
	}

	obj, err = w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "补充依据后再次申诉"})
	ct.Must(t, err)
	obj, err = w.Objections.Accept(ct.OfficerCtx(), obj.ID, nil)
	ct.Must(t, err)
	for _, days := range []int{0, 6} {
		_, err = w.Objections.Extend(ct.OfficerCtx(), obj.ID, days, "现场核查", nil)
		if e := apperr.As(err); e == nil || e.Field != "days" {
			t.Fatalf("extend by %d: %v", days, err)
		}
	}
	due := obj.DueAt
	obj, err = w.Objections.Extend(ct.OfficerCtx(), obj.ID, 3, "需要现场核查", nil)
	ct.Must(t, err)
	if !obj.Extended || obj.ExtensionReason != "需要现场核查" || !obj.DueAt.Equal(calendar.Default().AddWorkdays(due, 3)) {
		t.Fatalf("extended: %+v", obj)
	}
	_, err = w.Objections.Extend(ct.OfficerCtx(), obj.ID, 1, "再次延期", nil)
	if e := apperr.As(err); e == nil || e.Reason != "ALREADY_EXTENDED" {
		t.Fatalf("second extension: %v", err)
	}

	bad := []struct {
		name       string
		outcome    models.ObjectionStatus
		correction *record.Correction
		field      string
	}{
		{"unknown outcome", models.ObjectionNotAccepted, nil, "outcome"},
		{"corrected without correction", models.ObjectionCorrected, nil, "correction"},
		{"corrected with nothing set", models.ObjectionCorrected, &record.Correction{}, "correction"},
		{"corrected to a bad severity", models.ObjectionCorrected, &record.Correction{Severity: ct.Ptr(models.Severity("HUGE"))}, "correction"},
		{"corrected to the same values", models.ObjectionCorrected, &record.Correction{Summary: ct.Ptr("案件记录"), Severity: ct.Ptr(models.SeverityGeneral)}, "correction"},
		{"upheld with a correction", models.ObjectionUpheld, &record.Correction{Summary: ct.Ptr("x")}, "correction"},
	}
	for _, b := range bad {
		_, err := w.Objections.Decide(ct.OfficerCtx(), obj.ID, b.outcome, "理由", b.correction, nil)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != b.field {
			t.Errorf("%s: %v", b.name, err)
		}
	}
	if got, _ := w.Objections.Get(ct.EntCtx(), obj.ID); got.Status != models.ObjectionUnderReview {
		t.Fatalf("objection %s after refused decisions", got.Status)
	}
	if got := w.LoadRecord(t, rec.ID); got.Status != models.RecordUnderObjection || got.Summary != "案件记录" {
		t.Fatalf("record %s %q after refused decisions", got.Status, got.Summary)
	}
	hist, err := w.Objections.History(ct.EntCtx(), obj.ID)
	ct.Must(t, err)
	actions := ct.Pluck(hist, func(h models.RequestEvent) string { return h.Action })
	if want := []string{review.ActionFiled, review.ActionAccepted, review.ActionExtended}; !slices.Equal(actions, want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
	list, err := w.Objections.Queue(ct.EntCtx(), review.ObjectionFilter{SubjectID: s.ID}, 20, "")
	ct.Must(t, err)
	if len(list.Items) != 2 {
		t.Fatalf("%d objections listed", len(list.Items))
	}
	p, err := w.Objections.Queue(ct.StaffCtx(), review.ObjectionFilter{Status: models.ObjectionUnderReview}, 10, "")
	ct.Must(t, err)
	if len(p.Items) != 1 || p.Items[0].Request.ID != obj.ID {
		t.Fatalf("queue %+v", p.Items)
	}
	_, err = w.Objections.Get(ct.ActorCtx(models.RoleEnterprise, "stranger"), obj.ID)
	ct.WantCode(t, err, apperr.Forbidden)
}
