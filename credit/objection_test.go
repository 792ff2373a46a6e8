package credit

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"creditwater/apperr"
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
		correction     *Correction
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
		{"corrected to minor", models.ObjectionCorrected, &Correction{Summary: ptr("  更正后的记录 "), Severity: ptr(models.SeverityMinor)}, true,
			models.RecordActive, 1, models.TierStandard, models.SeverityMinor, "更正后的记录", "severity GENERAL → MINOR"},
		{"corrected summary", models.ObjectionCorrected, &Correction{Summary: ptr("新摘要")}, true,
			models.RecordActive, 0, models.TierStandard, models.SeverityGeneral, "新摘要", `summary "案件记录" → "新摘要"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWF(t, RepairConfig{})
			ctx := context.Background()
			s := w.enterprise(t, "己公司", "914403001922038216")
			rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 2))
			if c.published {
				n, err := w.pubs.QueueDue(ctx, w.clock.now())
				must(t, err)
				if n != 1 {
					t.Fatalf("queued %d", n)
				}
			}
			obj, err := w.objections.File(entCtx(), FileObjection{RecordID: rec.ID, Reason: "该记录认定有误",
				Evidence: []Upload{upload("说明.pdf", pdfBody(300))}})
			must(t, err)
			_, err = w.objections.File(entCtx(), FileObjection{RecordID: rec.ID, Reason: "again"})
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Reason != "OBJECTION_PENDING" {
				t.Fatalf("second objection: %v", err)
			}
			_, err = w.objections.Decide(officerCtx(), obj.ID, c.outcome, "x", c.correction)
			if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "SUBMITTED" {
				t.Fatalf("decide before acceptance: %v", err)
			}
			_, err = w.objections.Accept(entCtx(), obj.ID)
			wantCode(t, err, apperr.Forbidden)
			obj, err = w.objections.Accept(officerCtx(), obj.ID)
			must(t, err)
			if obj.Status != models.ObjectionUnderReview || obj.AcceptedAt == nil || obj.AssigneeID == nil {
				t.Fatalf("accepted: %+v", obj)
			}
			seen, err := w.records.Get(entCtx(), rec.ID) // the flag is visible to the subject
			must(t, err)
			if seen.Status != models.RecordUnderObjection {
				t.Fatalf("record %s while under objection", seen.Status)
			}
			_, err = w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "x", SignCommitment: true})
			if codes := conditionCodes(t, err); !slices.Contains(codes, "RECORD_NOT_ACTIVE") {
				t.Fatalf("repair of a record under objection: %v", codes)
			}
			_, err = w.objections.Decide(officerCtx(), obj.ID, c.outcome, " ", c.correction)
			if e := apperr.As(err); e == nil || e.Field != "reason" {
				t.Fatalf("decision without reason: %v", err)
			}

			obj, err = w.objections.Decide(officerCtx(), obj.ID, c.outcome, "经核查的结论", c.correction)
			must(t, err)
			if obj.Status != c.outcome || obj.OpenKey != nil || obj.DecidedBy != officerUser || obj.Decision != "经核查的结论" {
				t.Fatalf("decided: %+v", obj)
			}
			got := w.loadRecord(t, rec.ID)
			if got.Status != c.wantStatus || got.Severity != c.wantSeverity || got.Summary != c.wantSummary {
				t.Fatalf("record %s %s %q, want %s %s %q", got.Status, got.Severity, got.Summary, c.wantStatus, c.wantSeverity, c.wantSummary)
			}
			if tier := w.reload(t, s.ID).Tier; tier != c.wantTier {
				t.Fatalf("tier %s, want %s (R3.1)", tier, c.wantTier)
			}
			if n := w.messages(t, WithdrawKey(rec.ID)); n != c.wantWithdrawal {
				t.Fatalf("%d withdrawal messages, want %d", n, c.wantWithdrawal)
			}
			if c.outcome == models.ObjectionCorrected {
				var changes map[string]map[string]string
				must(t, json.Unmarshal([]byte(obj.Correction), &changes))
				if changes["summary"]["to"] != c.wantSummary || (c.correction.Severity != nil && changes["severity"]["from"] != "GENERAL") {
					t.Fatalf("correction %s", obj.Correction)
				}
				hist, err := w.records.History(staffCtx(), rec.ID)
				must(t, err)
				i := slices.IndexFunc(hist, func(e models.RecordEvent) bool { return e.Action == EventCorrected })
				if i < 0 || !strings.Contains(hist[i].Reason, c.wantHistory) {
					t.Fatalf("record history %+v lacks %q", hist, c.wantHistory)
				}
				if (got.PublicityEnd == nil) != (c.wantSeverity == models.SeverityMinor) {
					t.Fatalf("publicity end %v for severity %s", got.PublicityEnd, got.Severity)
				}
			}
			_, err = w.objections.Decide(officerCtx(), obj.ID, c.outcome, "again", c.correction)
			wantCode(t, err, apperr.FailedPrecondition)
		})
	}
}

func TestObjectionValidationAndExtension(t *testing.T) {
	// R5.2, R5.3, R7.3: bad input is refused and changes nothing; a
	// refused objection leaves the record alone; the deadline is extended
	// once.
	w := newWF(t, RepairConfig{})
	s := w.enterprise(t, "庚公司", "914403001922038216")
	rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 2))
	repaired := w.record(t, s.ID, models.KindTheft, models.RecordRepaired, day(2026, 3, 1))

	_, err := w.objections.File(entCtx(), FileObjection{RecordID: rec.ID, Reason: "  "})
	if e := apperr.As(err); e == nil || e.Field != "reason" {
		t.Fatalf("empty reason: %v", err)
	}
	_, err = w.objections.File(entCtx(), FileObjection{RecordID: repaired.ID, Reason: "有误"})
	if e := apperr.As(err); e == nil || e.Reason != "RECORD_NOT_ACTIVE" || e.Details["recordStatus"] != "REPAIRED" {
		t.Fatalf("objection to a repaired record: %v", err)
	}
	_, err = w.objections.File(officerCtx(), FileObjection{RecordID: rec.ID, Reason: "有误"})
	wantCode(t, err, apperr.Forbidden)

	obj, err := w.objections.File(entCtx(), FileObjection{RecordID: rec.ID, Reason: "有误"})
	must(t, err)
	_, err = w.objections.NotAccept(officerCtx(), obj.ID, "")
	wantCode(t, err, apperr.Invalid)
	obj, err = w.objections.NotAccept(officerCtx(), obj.ID, "未提供任何依据")
	must(t, err)
	if obj.Status != models.ObjectionNotAccepted || w.loadRecord(t, rec.ID).Status != models.RecordActive {
		t.Fatalf("not accepted: %s, record %s", obj.Status, w.loadRecord(t, rec.ID).Status)
	}

	obj, err = w.objections.File(entCtx(), FileObjection{RecordID: rec.ID, Reason: "补充依据后再次申诉"})
	must(t, err)
	obj, err = w.objections.Accept(officerCtx(), obj.ID)
	must(t, err)
	for _, days := range []int{0, 6} {
		_, err = w.objections.Extend(officerCtx(), obj.ID, days, "现场核查")
		if e := apperr.As(err); e == nil || e.Field != "days" {
			t.Fatalf("extend by %d: %v", days, err)
		}
	}
	due := obj.DueAt
	obj, err = w.objections.Extend(officerCtx(), obj.ID, 3, "需要现场核查")
	must(t, err)
	if !obj.Extended || obj.ExtensionReason != "需要现场核查" || !obj.DueAt.Equal(w.objections.cal.AddWorkdays(due, 3)) {
		t.Fatalf("extended: %+v", obj)
	}
	_, err = w.objections.Extend(officerCtx(), obj.ID, 1, "再次延期")
	if e := apperr.As(err); e == nil || e.Reason != "ALREADY_EXTENDED" {
		t.Fatalf("second extension: %v", err)
	}

	bad := []struct {
		name       string
		outcome    models.ObjectionStatus
		correction *Correction
		field      string
	}{
		{"unknown outcome", models.ObjectionNotAccepted, nil, "outcome"},
		{"corrected without correction", models.ObjectionCorrected, nil, "correction"},
		{"corrected with nothing set", models.ObjectionCorrected, &Correction{}, "correction"},
		{"corrected to a bad severity", models.ObjectionCorrected, &Correction{Severity: ptr(models.Severity("HUGE"))}, "correction"},
		{"corrected to the same values", models.ObjectionCorrected, &Correction{Summary: ptr("案件记录"), Severity: ptr(models.SeverityGeneral)}, "correction"},
		{"upheld with a correction", models.ObjectionUpheld, &Correction{Summary: ptr("x")}, "correction"},
	}
	for _, b := range bad {
		_, err := w.objections.Decide(officerCtx(), obj.ID, b.outcome, "理由", b.correction)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != b.field {
			t.Errorf("%s: %v", b.name, err)
		}
	}
	if got, _ := w.objections.Get(entCtx(), obj.ID); got.Status != models.ObjectionUnderReview {
		t.Fatalf("objection %s after refused decisions", got.Status)
	}
	if got := w.loadRecord(t, rec.ID); got.Status != models.RecordUnderObjection || got.Summary != "案件记录" {
		t.Fatalf("record %s %q after refused decisions", got.Status, got.Summary)
	}
	hist, err := w.objections.History(entCtx(), obj.ID)
	must(t, err)
	var actions []string
	for _, h := range hist {
		actions = append(actions, h.Action)
	}
	if want := []string{ActionFiled, ActionAccepted, ActionExtended}; !slices.Equal(actions, want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
	list, err := w.objections.ListForSubject(entCtx(), s.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("%d objections listed", len(list))
	}
	p, err := w.objections.Queue(staffCtx(), ObjectionFilter{Status: models.ObjectionUnderReview}, 10, "")
	must(t, err)
	if len(p.Items) != 1 || p.Items[0].ID != obj.ID {
		t.Fatalf("queue %+v", p.Items)
	}
	_, err = w.objections.Get(actorCtx(models.RoleEnterprise, "stranger"), obj.ID)
	wantCode(t, err, apperr.Forbidden)
}
