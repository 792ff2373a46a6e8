package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/models"
)

// objectionKind is the objection (异议申诉) kind of the workflow.
var objectionKind = kind[models.Objection, models.ObjectionStatus]{owner: OwnerObjection, noun: "异议申请", short: "异议",
	label: "objection", auditType: "objection", head: objectionHead, filed: models.ObjectionSubmitted,
	pending: "OBJECTION_PENDING", pendingMsg: "该记录已有正在办理的异议", pendingID: "objectionId",
	open: []models.ObjectionStatus{models.ObjectionSubmitted, models.ObjectionUnderReview}, all: []models.ObjectionStatus{models.ObjectionSubmitted,
		models.ObjectionUnderReview, models.ObjectionCorrected, models.ObjectionRevoked, models.ObjectionUpheld, models.ObjectionNotAccepted}}

// Objections runs objections to dishonesty records (异议申诉, R5.2): an
// enterprise objects to one of its ACTIVE records with a reason and
// evidence; a credit officer accepts it (the record is flagged
// UNDER_OBJECTION) or refuses to accept it, may extend the deadline once,
// and decides: CORRECTED (the record's fields are corrected), REVOKED (the
// record no longer counts and its publication is withdrawn) or UPHELD.
// Get, ListForSubject, History, Evidence and Queue are the workflow's.
type Objections struct {
	*flow[models.Objection, models.ObjectionStatus]
}

// NewObjections returns the objection service.
func NewObjections(d Deps) *Objections { return &Objections{newFlow(objectionKind, d)} }

// FileObjection is what an enterprise sends to object to a record.
type FileObjection struct {
	RecordID string
	// Reason says why the record is wrong (1–2000 characters).
	Reason string
	// Evidence is at most Config.EvidenceMaxFiles PDF, JPEG or PNG files.
	Evidence []credit.Upload
}

// File files an objection to one of the caller's records (R5.2). The caller
// must be an ENTERPRISE user actively bound to the record's subject; the
// evidence is checked before anything is stored (see evidence.Read). The
// objection is due for acceptance within ObjectionReviewDays working days.
// It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field recordId, reason or
// evidence), NOT_FOUND, FAILED_PRECONDITION (reason RECORD_NOT_ACTIVE,
// detail "recordStatus") unless the record is ACTIVE, CONFLICT (reason
// OBJECTION_PENDING) when an objection to the record is open, and
// INTERNAL.
func (o *Objections) File(ctx context.Context, in FileObjection) (models.Objection, error) {
	return o.file(ctx, filing[models.Objection]{recordID: in.RecordID, text: in.Reason, field: "reason",
		textMsg: "请填写理由（最多 %d 字）", uploads: in.Evidence,
		build: func(_ Store, rec models.DishonestyRecord, now time.Time, actor string) (models.Objection, error) {
			if rec.Status != models.RecordActive {
				return models.Objection{}, apperr.Precondition("RECORD_NOT_ACTIVE", "该记录状态为 %s，只有 ACTIVE（生效中）的记录才能提出异议", rec.Status).
					WithDetail("recordStatus", string(rec.Status))
			}
			return models.Objection{FiledBy: actor, Reason: strings.TrimSpace(in.Reason), DueAt: o.due(now, o.cfg.ObjectionReviewDays)}, nil
		},
		detail: func(obj *models.Objection, files int) string {
			return fmt.Sprintf("record=%s files=%d", obj.RecordID, files)
		},
	})
}

func objectionHead(o *models.Objection) head[models.ObjectionStatus] {
	return head[models.ObjectionStatus]{&o.Entity, &o.RecordID, &o.SubjectID, &o.Status, &o.Version, &o.DueAt,
		&o.AssigneeID, &o.DecidedBy, &o.DecidedAt, &o.Decision, &o.OpenKey}
}

// objectionStep is one transition of an objection.
type objectionStep = step[models.Objection, models.ObjectionStatus]

// Accept accepts a SUBMITTED objection for review (→ UNDER_REVIEW) with
// the caller as assignee and, in the same transaction, flags the record
// UNDER_OBJECTION (record.Service.ChangeStatus); the decision is due
// ObjectionReviewDays working days after acceptance (R5.2, R5.3).
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, FAILED_PRECONDITION (reason INVALID_STATE, or
// RECORD_NOT_ACTIVE when the record changed meanwhile), CONFLICT and
// INTERNAL.
func (o *Objections) Accept(ctx context.Context, id string, version *int) (models.Objection, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.Objection{}, err
	}
	return o.transition(ctx, id, version, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionSubmitted}, to: models.ObjectionUnderReview,
		verb: "受理", action: ActionAccepted, reason: "异议已受理，进入复核",
		apply: func(st Store, obj *models.Objection, now time.Time) error {
			rec, err := activeRecord(ctx, st, obj.RecordID, "提出异议")
			if err != nil {
				return err
			}
			if _, err := o.records.ChangeStatus(ctx, st.Records(), rec.ID, models.RecordActive, models.RecordUnderObjection,
				"异议申请 "+obj.ID+" 已受理"); err != nil {
				return err
			}
			obj.AcceptedAt, obj.AssigneeID, obj.DueAt = &now, &uid, o.due(now, o.cfg.ObjectionReviewDays)
			return nil
		},
	})
}

// NotAccept refuses to accept a SUBMITTED objection (→ NOT_ACCEPTED), with
// a reason; the record is unchanged. CREDIT_OFFICER and ADMIN only. It
// returns UNAUTHENTICATED, FORBIDDEN, INVALID (field reason), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE), CONFLICT and INTERNAL.
func (o *Objections) NotAccept(ctx context.Context, id, reason string, version *int) (models.Objection, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.Objection{}, err
	}
	if reason, err = decisionReason(reason); err != nil {
		return models.Objection{}, err
	}
	return o.transition(ctx, id, version, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionSubmitted}, to: models.ObjectionNotAccepted,
		verb: "不予受理", action: ActionNotAccepted, reason: reason,
		apply: func(_ Store, obj *models.Objection, now time.Time) error {
			o.decide(obj, uid, now, reason)
			return nil
		},
	})
}

// Extend extends the deadline of an objection UNDER_REVIEW by days working
// days (1 to ObjectionMaxExtensionDays), once, with a reason (R5.3).
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field days or reason), NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE, or ALREADY_EXTENDED), CONFLICT and INTERNAL.
func (o *Objections) Extend(ctx context.Context, id string, days int, reason string, version *int) (models.Objection, error) {
	if _, err := credit.RequireReviewer(ctx); err != nil {
		return models.Objection{}, err
	}
	if days < 1 || days > o.cfg.ObjectionMaxExtensionDays {
		return models.Objection{}, apperr.InvalidField("days", "延期须为 1 至 %d 个工作日", o.cfg.ObjectionMaxExtensionDays)
	}
	reason, err := decisionReason(reason)
	if err != nil {
		return models.Objection{}, err
	}
	return o.transition(ctx, id, version, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionUnderReview}, verb: "延期", action: ActionExtended,
		reason: reason, detail: map[string]any{"days": days},
		apply: func(_ Store, obj *models.Objection, _ time.Time) error {
			if obj.Extended {
				return apperr.Precondition("ALREADY_EXTENDED", "该异议的办理期限已延长过一次").
					WithDetail("dueAt", obj.DueAt)
			}
			obj.Extended, obj.ExtensionReason, obj.DueAt = true, reason, o.due(obj.DueAt, days)
			return nil
		},
	})
}

// Decide decides an objection UNDER_REVIEW with outcome CORRECTED, REVOKED
// or UPHELD and a reason (R5.2), changing the record in the same
// transaction:
//   - CORRECTED: the fields of correction (at least one, each different
//     from the record's) are changed, the record's history and the
//     objection's Correction say what changed (old → new), a new severity
//     recomputes the publicity period, and the record is ACTIVE again; a
//     record corrected to MINOR (not published) has its publication
//     withdrawn;
//   - REVOKED: the record becomes REVOKED (it no longer counts for tiers,
//     which are recomputed) and its publication is withdrawn (outbox kind
//     WITHDRAW_PUBLICATION, key record.WithdrawKey) when it was published or
//     queued;
//   - UPHELD: the record is ACTIVE again, unchanged.
//
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field outcome, reason or correction), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE), CONFLICT and INTERNAL.
func (o *Objections) Decide(ctx context.Context, id string, outcome models.ObjectionStatus, reason string, correction *record.Correction, version *int) (models.Objection, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.Objection{}, err
	}
	if correction, err = checkOutcome(outcome, correction); err != nil {
		return models.Objection{}, err
	}
	if reason, err = decisionReason(reason); err != nil {
		return models.Objection{}, err
	}
	var changed *models.DishonestyRecord
	var changes map[string]record.Change
	obj, err := o.transition(ctx, id, version, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionUnderReview}, to: outcome,
		verb: "作出决定", action: ActionDecided, reason: reason, detail: map[string]any{"outcome": outcome},
		apply: func(st Store, obj *models.Objection, now time.Time) error {
			rec, err := record.Find(ctx, st.Records(), obj.RecordID)
			if err != nil {
				return err
			}
			why := credit.Truncate(fmt.Sprintf("异议申请 %s 结论 %s：%s", obj.ID, outcome, reason), maxDecisionRunes)
			to, withdraw := models.RecordActive, ""
			switch outcome {
			case models.ObjectionCorrected:
				changes, err = o.records.Correct(ctx, st.Records(), rec, *correction, why)
				if err != nil {
					return err
				}
				b, _ := json.Marshal(changes)
				obj.Correction = string(b)
				if correction.Severity != nil && !o.records.Config().Publicity(rec.Kind, *correction.Severity, rec.DecidedOn).Published {
					withdraw = "异议更正"
				}
			case models.ObjectionRevoked:
				to, withdraw = models.RecordRevoked, "异议撤销"
			}
			after, err := o.records.ChangeStatus(ctx, st.Records(), rec.ID, models.RecordUnderObjection, to, why)
			if err != nil {
				return err
			}
			if outcome != models.ObjectionUpheld {
				changed = &after
			}
			if withdraw != "" {
				if _, err := record.QueueWithdrawal(ctx, st.Records(), rec, withdraw); err != nil {
					return err
				}
			} else if outcome == models.ObjectionCorrected {
				// R1.5: a published record, corrected, is published again.
				if _, err := record.QueueRepublish(ctx, st.Records(), rec, rec.Version+1); err != nil {
					return err
				}
			}
			o.decide(obj, uid, now, reason)
			return nil
		},
	})
	if err == nil && changed != nil {
		// R7.6: a corrected or revoked record is news to its enterprise.
		o.records.TellChanged(ctx, *changed, changes)
	}
	return obj, err
}

// checkOutcome checks an outcome and its correction (only CORRECTED has
// one, with a trimmed summary of 1–500 characters or a valid severity) and
// returns the cleaned correction, or INVALID (field outcome or
// correction).
func checkOutcome(outcome models.ObjectionStatus, c *record.Correction) (*record.Correction, error) {
	switch outcome {
	case models.ObjectionCorrected:
		if c == nil || (c.Summary == nil && c.Severity == nil) {
			return nil, apperr.InvalidField("correction", "更正（CORRECTED）结论须给出更正后的摘要或严重程度")
		}
		if c.Summary != nil {
			s := strings.TrimSpace(*c.Summary)
			if s == "" || utf8.RuneCountInString(s) > 500 {
				return nil, apperr.InvalidField("correction", "更正后的摘要须为 1 至 500 字")
			}
			c = &record.Correction{Summary: &s, Severity: c.Severity}
		}
		if c.Severity != nil && !credit.ValidSeverity(*c.Severity) {
			return nil, apperr.InvalidField("correction", "更正后的严重程度须为 MINOR、GENERAL 或 SERIOUS")
		}
		return c, nil
	case models.ObjectionRevoked, models.ObjectionUpheld:
		if c != nil {
			return nil, apperr.InvalidField("correction", "只有更正（CORRECTED）结论才带更正内容")
		}
		return nil, nil
	}
	return nil, apperr.InvalidField("outcome", "结论须为 CORRECTED（更正）、REVOKED（撤销）或 UPHELD（维持）")
}
