package credit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/evidence"
	"creditwater/models"
)

// Objections runs objections to dishonesty records (异议申诉, R5.2): an
// enterprise objects to one of its ACTIVE records with a reason and
// evidence; a credit officer accepts it (the record is flagged
// UNDER_OBJECTION) or refuses to accept it, may extend the deadline once,
// and decides: CORRECTED (the record's fields are corrected), REVOKED (the
// record no longer counts and its publication is withdrawn) or UPHELD.
type Objections struct {
	db      *gorm.DB
	audit   *audit.Log
	records *Records
	cal     *calendar.Calendar
	cfg     RepairConfig
	now     func() time.Time
}

// NewObjections returns the objection service working on records'
// database, audit log and credit Config; cal counts working days (nil:
// calendar.Default()).
func NewObjections(records *Records, cal *calendar.Calendar, cfg RepairConfig) *Objections {
	if cal == nil {
		cal = calendar.Default()
	}
	return &Objections{db: records.db, audit: records.audit, records: records, cal: cal, cfg: cfg.withDefaults(), now: time.Now}
}

// FileObjection is what an enterprise sends to object to a record.
type FileObjection struct {
	RecordID string
	// Reason says why the record is wrong (1–2000 characters).
	Reason string
	// Evidence is at most RepairConfig.EvidenceMaxFiles PDF, JPEG or PNG
	// files.
	Evidence []Upload
}

// Correction is what a CORRECTED outcome changes on the record; nil fields
// stay as they are.
type Correction struct {
	Summary  *string
	Severity *models.Severity
}

func (o *Objections) due(t time.Time, n int) time.Time { return o.cal.AddWorkdays(t, n).UTC() }

// File files an objection to one of the caller's records (R5.2). The caller
// must be an ENTERPRISE user actively bound to the record's subject; the
// evidence is checked before anything is stored (see Upload). The
// objection is due for acceptance within ObjectionReviewDays working days.
// It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field recordId, reason or
// evidence), NOT_FOUND, FAILED_PRECONDITION (reason RECORD_NOT_ACTIVE,
// detail "recordStatus") unless the record is ACTIVE, CONFLICT (reason
// OBJECTION_PENDING) when an objection to the record is open, and
// INTERNAL.
func (o *Objections) File(ctx context.Context, in FileObjection) (models.Objection, error) {
	actor, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.Objection{}, err
	}
	in.RecordID, in.Reason = strings.TrimSpace(in.RecordID), strings.TrimSpace(in.Reason)
	switch {
	case in.RecordID == "" || len(in.RecordID) > 36:
		return models.Objection{}, apperr.InvalidField("recordId", "the record is required")
	case in.Reason == "" || utf8.RuneCountInString(in.Reason) > maxStatementRunes:
		return models.Objection{}, apperr.InvalidField("reason", "a reason is required (at most %d characters)", maxStatementRunes)
	}
	if rec, err := o.records.Get(ctx, in.RecordID); err != nil { // NOT_FOUND or not bound
		return models.Objection{}, err
	} else if _, err := o.records.acc.subject(ctx, rec.SubjectID, dispute...); err != nil { // R6.6: DISPUTE scope
		return models.Objection{}, err
	}
	now := o.now().UTC()
	files, err := evidence.Read(in.Evidence, o.cfg.evidenceLimits(), actor.UserID, now)
	if err != nil {
		return models.Objection{}, err
	}
	var obj models.Objection
	err = o.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rec, err := lockRecord(tx, in.RecordID)
		if err != nil {
			return err
		}
		var open models.Objection
		res := tx.Select("id").Where("open_key = ?", rec.ID).Limit(1).Find(&open)
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "could not read the objections")
		}
		if res.RowsAffected > 0 {
			return apperr.New(apperr.Conflict, "an objection to this record is already open").
				WithReason("OBJECTION_PENDING").WithDetail("objectionId", open.ID)
		}
		if rec.Status != models.RecordActive {
			return apperr.Precondition("RECORD_NOT_ACTIVE", "the record is %s; only an ACTIVE record can be objected to", rec.Status).
				WithDetail("recordStatus", string(rec.Status))
		}
		key := rec.ID
		obj = models.Objection{RecordID: rec.ID, SubjectID: rec.SubjectID, FiledBy: actor.UserID, Reason: in.Reason,
			Status: models.ObjectionSubmitted, DueAt: o.due(now, o.cfg.ObjectionReviewDays), OpenKey: &key, Version: 1}
		obj.ID = models.NewID()
		obj.CreatedAt, obj.UpdatedAt = now, now
		if err := tx.Create(&obj).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.New(apperr.Conflict, "an objection to this record is already open").WithReason("OBJECTION_PENDING")
			}
			return apperr.Wrap(err, apperr.Internal, "could not store the objection")
		}
		if err := evidence.Store(tx, OwnerObjection, obj.ID, files); err != nil {
			return err
		}
		if err := addEvent(tx, OwnerObjection, obj.ID, now, actor.UserID, ActionFiled, "", string(models.ObjectionSubmitted), in.Reason, nil); err != nil {
			return err
		}
		return recordAudit(ctx, o.audit, tx, audit.Entry{Action: "objection.file", SubjectType: "objection", SubjectID: obj.ID,
			Detail: fmt.Sprintf("record=%s files=%d", rec.ID, len(files))})
	})
	if err != nil {
		return models.Objection{}, internalUnlessTyped(err, "could not file the objection")
	}
	return obj, nil
}

// objectionStep is one transition of an objection.
type objectionStep struct {
	from   []models.ObjectionStatus
	to     models.ObjectionStatus // "" keeps the status (an extension)
	verb   string
	action string
	reason string
	detail any
	apply  func(tx *gorm.DB, obj *models.Objection, now time.Time, set map[string]any) error
}

// transition moves objection id through st in one transaction, like
// Repairs.transition.
func (o *Objections) transition(ctx context.Context, id string, st objectionStep) (models.Objection, error) {
	var obj models.Objection
	err := o.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockFind(tx, &obj, id, "objection"); err != nil {
			return err
		}
		if !slices.Contains(st.from, obj.Status) {
			return apperr.Precondition("INVALID_STATE", "the objection is %s; only a %s objection can be %s",
				obj.Status, joinStatuses(st.from), st.verb).WithDetail("status", string(obj.Status))
		}
		now, from := o.now().UTC(), obj.Status
		to := st.to
		if to == "" {
			to = from
		}
		set := map[string]any{"status": to, "version": gorm.Expr("version + 1"), "updated_at": now}
		if st.apply != nil {
			if err := st.apply(tx, &obj, now, set); err != nil {
				return err
			}
		}
		upd := tx.Model(&models.Objection{}).Where("id = ? AND version = ?", obj.ID, obj.Version).Updates(set)
		if upd.Error != nil {
			return apperr.Wrap(upd.Error, apperr.Internal, "could not update the objection")
		}
		if upd.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the objection was changed by someone else; reload it").WithReason("REQUEST_CHANGED")
		}
		if err := tx.Where("id = ?", obj.ID).Take(&obj).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not read the objection")
		}
		if err := addEvent(tx, OwnerObjection, obj.ID, now, actorID(ctx), st.action, string(from), string(to), st.reason, st.detail); err != nil {
			return err
		}
		return recordAudit(ctx, o.audit, tx, audit.Entry{Action: "objection." + strings.ToLower(st.action), SubjectType: "objection",
			SubjectID: obj.ID, Detail: fmt.Sprintf("%s->%s record=%s", from, to, obj.RecordID)})
	})
	if err != nil {
		return models.Objection{}, internalUnlessTyped(err, "could not change the objection")
	}
	return obj, nil
}

// Accept accepts a SUBMITTED objection for review (→ UNDER_REVIEW) with
// the caller as assignee and, in the same transaction, flags the record
// UNDER_OBJECTION (Records.ChangeStatus); the decision is due
// ObjectionReviewDays working days after acceptance (R5.2, R5.3).
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, FAILED_PRECONDITION (reason INVALID_STATE, or
// RECORD_NOT_ACTIVE when the record changed meanwhile), CONFLICT and
// INTERNAL.
func (o *Objections) Accept(ctx context.Context, id string) (models.Objection, error) {
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.Objection{}, err
	}
	return o.transition(ctx, id, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionSubmitted}, to: models.ObjectionUnderReview,
		verb: "accepted", action: ActionAccepted, reason: "objection accepted for review",
		apply: func(tx *gorm.DB, obj *models.Objection, now time.Time, set map[string]any) error {
			rec, err := lockRecord(tx, obj.RecordID)
			if err != nil {
				return err
			}
			if rec.Status != models.RecordActive {
				return apperr.Precondition("RECORD_NOT_ACTIVE", "the record is %s; only an ACTIVE record can be put under objection", rec.Status).
					WithDetail("recordStatus", string(rec.Status))
			}
			if _, err := o.records.ChangeStatus(ctx, tx, rec.ID, models.RecordActive, models.RecordUnderObjection,
				"objection "+obj.ID+" accepted"); err != nil {
				return err
			}
			set["accepted_at"], set["assignee_id"], set["due_at"] = now, uid, o.due(now, o.cfg.ObjectionReviewDays)
			return nil
		},
	})
}

// NotAccept refuses to accept a SUBMITTED objection (→ NOT_ACCEPTED), with
// a reason; the record is unchanged. CREDIT_OFFICER and ADMIN only. It
// returns UNAUTHENTICATED, FORBIDDEN, INVALID (field reason), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE), CONFLICT and INTERNAL.
func (o *Objections) NotAccept(ctx context.Context, id, reason string) (models.Objection, error) {
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.Objection{}, err
	}
	if reason, err = decisionReason(reason); err != nil {
		return models.Objection{}, err
	}
	return o.transition(ctx, id, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionSubmitted}, to: models.ObjectionNotAccepted,
		verb: "refused", action: ActionNotAccepted, reason: reason,
		apply: func(_ *gorm.DB, _ *models.Objection, now time.Time, set map[string]any) error {
			decide(set, uid, now, reason)
			return nil
		},
	})
}

// Extend extends the deadline of an objection UNDER_REVIEW by days working
// days (1 to ObjectionMaxExtensionDays), once, with a reason (R5.3).
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field days or reason), NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE, or ALREADY_EXTENDED), CONFLICT and INTERNAL.
func (o *Objections) Extend(ctx context.Context, id string, days int, reason string) (models.Objection, error) {
	if _, err := requireReviewer(ctx); err != nil {
		return models.Objection{}, err
	}
	if days < 1 || days > o.cfg.ObjectionMaxExtensionDays {
		return models.Objection{}, apperr.InvalidField("days", "an extension is 1 to %d working days", o.cfg.ObjectionMaxExtensionDays)
	}
	reason, err := decisionReason(reason)
	if err != nil {
		return models.Objection{}, err
	}
	return o.transition(ctx, id, objectionStep{
		from: []models.ObjectionStatus{models.ObjectionUnderReview}, verb: "extended", action: ActionExtended,
		reason: reason, detail: map[string]any{"days": days},
		apply: func(_ *gorm.DB, obj *models.Objection, _ time.Time, set map[string]any) error {
			if obj.Extended {
				return apperr.Precondition("ALREADY_EXTENDED", "the deadline of this objection was already extended once").
					WithDetail("dueAt", obj.DueAt)
			}
			set["extended"], set["extension_reason"], set["due_at"] = true, reason, o.due(obj.DueAt, days)
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
//     WITHDRAW_PUBLICATION, key WithdrawKey) when it was published or
//     queued;
//   - UPHELD: the record is ACTIVE again, unchanged.
//
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field outcome, reason or correction), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE), CONFLICT and INTERNAL.
func (o *Objections) Decide(ctx context.Context, id string, outcome models.ObjectionStatus, reason string, correction *Correction) (models.Objection, error) {
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.Objection{}, err
	}
	switch outcome {
	case models.ObjectionCorrected:
		if correction == nil || (correction.Summary == nil && correction.Severity == nil) {
			return models.Objection{}, apperr.InvalidField("correction", "a CORRECTED outcome needs the corrected summary or severity")
		}
		if correction.Summary != nil {
			s := strings.TrimSpace(*correction.Summary)
			if s == "" || utf8.RuneCountInString(s) > 500 {
				return models.Objection{}, apperr.InvalidField("correction", "the corrected summary is 1 to 500 characters")
			}
			correction = &Correction{Summary: &s, Severity: correction.Severity}
		}
		if correction.Severity != nil && !validSeverity(*correction.Severity) {
			return models.Objection{}, apperr.InvalidField("correction", "the corrected severity must be MINOR, GENERAL or SERIOUS")
		}
	case models.ObjectionRevoked, models.ObjectionUpheld:
		if correction != nil {
			return models.Objection{}, apperr.InvalidField("correction", "only a CORRECTED outcome carries a correction")
		}
	default:
		return models.Objection{}, apperr.InvalidField("outcome", "the outcome must be CORRECTED, REVOKED or UPHELD")
	}
	if reason, err = decisionReason(reason); err != nil {
		return models.Objection{}, err
	}
	var changes map[string]map[string]string
	step := objectionStep{
		from: []models.ObjectionStatus{models.ObjectionUnderReview}, to: outcome,
		verb: "decided", action: ActionDecided, reason: reason, detail: map[string]any{"outcome": outcome},
		apply: func(tx *gorm.DB, obj *models.Objection, now time.Time, set map[string]any) error {
			rec, err := lockRecord(tx, obj.RecordID)
			if err != nil {
				return err
			}
			why := truncate(fmt.Sprintf("objection %s %s: %s", obj.ID, outcome, reason), maxDecisionRunes)
			switch outcome {
			case models.ObjectionCorrected:
				if changes, err = o.correct(ctx, tx, rec, *correction, why, now); err != nil {
					return err
				}
				b, _ := json.Marshal(changes)
				set["correction"] = string(b)
				if _, err := o.records.ChangeStatus(ctx, tx, rec.ID, models.RecordUnderObjection, models.RecordActive, why); err != nil {
					return err
				}
				if correction.Severity != nil && !o.records.cfg.Publicity(*correction.Severity, rec.DecidedOn).Published {
					if _, err := queueWithdrawal(ctx, tx, rec, "异议更正 (corrected on objection)"); err != nil {
						return err
					}
				}
			case models.ObjectionRevoked:
				if _, err := o.records.ChangeStatus(ctx, tx, rec.ID, models.RecordUnderObjection, models.RecordRevoked, why); err != nil {
					return err
				}
				if _, err := queueWithdrawal(ctx, tx, rec, "异议撤销 (revoked on objection)"); err != nil {
					return err
				}
			case models.ObjectionUpheld:
				if _, err := o.records.ChangeStatus(ctx, tx, rec.ID, models.RecordUnderObjection, models.RecordActive, why); err != nil {
					return err
				}
			}
			decide(set, uid, now, reason)
			return nil
		},
	}
	return o.transition(ctx, id, step)
}

// correct changes the record's fields named in c, appends a CORRECTED
// history entry listing each change and returns the changes as
// field → {from, to}. It returns INVALID (field correction) when nothing
// would change, CONFLICT when the record changed meanwhile, or INTERNAL.
func (o *Objections) correct(ctx context.Context, tx *gorm.DB, rec models.DishonestyRecord, c Correction, why string, now time.Time) (map[string]map[string]string, error) {
	changes := map[string]map[string]string{}
	set := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}
	var parts []string
	if c.Summary != nil && *c.Summary != rec.Summary {
		changes["summary"] = map[string]string{"from": rec.Summary, "to": *c.Summary}
		set["summary"] = *c.Summary
		parts = append(parts, fmt.Sprintf("summary %q → %q", truncate(rec.Summary, 100), truncate(*c.Summary, 100)))
	}
	if c.Severity != nil && *c.Severity != rec.Severity {
		changes["severity"] = map[string]string{"from": string(rec.Severity), "to": string(*c.Severity)}
		set["severity"] = *c.Severity
		parts = append(parts, fmt.Sprintf("severity %s → %s", rec.Severity, *c.Severity))
		if p := o.records.cfg.Publicity(*c.Severity, rec.DecidedOn); p.Published {
			set["publicity_start"], set["publicity_end"] = p.Start, p.End
		} else {
			set["publicity_start"], set["publicity_end"] = nil, nil
		}
	}
	if len(changes) == 0 {
		return nil, apperr.InvalidField("correction", "the correction changes nothing on the record")
	}
	upd := tx.Model(&models.DishonestyRecord{}).Where("id = ? AND version = ? AND status = ?", rec.ID, rec.Version, models.RecordUnderObjection).Updates(set)
	if upd.Error != nil {
		return nil, apperr.Wrap(upd.Error, apperr.Internal, "could not correct the record")
	}
	if upd.RowsAffected == 0 {
		return nil, apperr.New(apperr.Conflict, "the record was changed by someone else; reload it").WithReason("RECORD_CHANGED")
	}
	ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: actorID(ctx), Action: EventCorrected,
		FromStatus: rec.Status, ToStatus: rec.Status, Reason: truncate(strings.Join(parts, "; ")+" ("+why+")", 1000)}
	if err := tx.Create(&ev).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not store the record history")
	}
	if err := recordAudit(ctx, o.audit, tx, audit.Entry{Action: "record.correct", SubjectType: "dishonesty_record", SubjectID: rec.ID,
		Detail: truncate(strings.Join(parts, "; "), 1000)}); err != nil {
		return nil, err
	}
	return changes, nil
}

// Get returns an objection. Staff see every objection; an ENTERPRISE user
// only objections of subjects it is bound to. It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (o *Objections) Get(ctx context.Context, id string) (models.Objection, error) {
	var obj models.Objection
	if err := findByID(o.db.WithContext(ctx), &obj, id, "objection"); err != nil {
		return models.Objection{}, err
	}
	if _, err := o.records.acc.subject(ctx, obj.SubjectID, dispute...); err != nil {
		return models.Objection{}, err
	}
	return obj, nil
}

// ListForSubject returns the subject's objections, newest first (at most
// 200), under the access rule of Get. It returns UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (o *Objections) ListForSubject(ctx context.Context, subjectID string) ([]models.Objection, error) {
	if _, err := o.records.acc.subject(ctx, subjectID, dispute...); err != nil {
		return nil, err
	}
	var out []models.Objection
	if err := o.db.WithContext(ctx).Where("subject_id = ?", subjectID).Order("created_at DESC, id DESC").Limit(200).Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the objections")
	}
	return out, nil
}

// History returns the objection's history, oldest first, under the access
// rule of Get. It returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or
// INTERNAL.
func (o *Objections) History(ctx context.Context, id string) ([]models.RequestEvent, error) {
	if _, err := o.Get(ctx, id); err != nil {
		return nil, err
	}
	return listEvents(ctx, o.db, OwnerObjection, id)
}

// Evidence lists the objection's evidence without file contents (see
// Reviews.EvidenceFile), under the access rule of Get. It returns
// NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (o *Objections) Evidence(ctx context.Context, id string) ([]models.Evidence, error) {
	if _, err := o.Get(ctx, id); err != nil {
		return nil, err
	}
	return evidence.List(ctx, o.db, OwnerObjection, id)
}

// ObjectionFilter selects objections of the staff queue; zero fields match
// all.
type ObjectionFilter struct {
	Status     models.ObjectionStatus
	AssigneeID string
	// OverdueOnly keeps open (SUBMITTED or UNDER_REVIEW) objections past
	// their DueAt.
	OverdueOnly bool
}

// QueuedObjection is an objection in the staff queue.
type QueuedObjection struct {
	models.Objection
	// Overdue: the objection is open and now is after its DueAt.
	Overdue bool
}

// ObjectionPage is one page of the staff queue, earliest deadline first.
type ObjectionPage struct {
	Items      []QueuedObjection
	EndCursor  string
	HasNext    bool
	TotalCount int64
}

func openObjection(st models.ObjectionStatus) bool {
	return st == models.ObjectionSubmitted || st == models.ObjectionUnderReview
}

// Queue returns the staff queue of objections matching f, ordered by
// DueAt, first at a time (1–100, default 20) after the opaque cursor after.
// Staff roles only. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field
// status or after) and INTERNAL.
func (o *Objections) Queue(ctx context.Context, f ObjectionFilter, first int, after string) (ObjectionPage, error) {
	var page ObjectionPage
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return page, err
	}
	q := o.db.WithContext(ctx).Model(&models.Objection{})
	if f.Status != "" {
		if !slices.Contains([]models.ObjectionStatus{models.ObjectionSubmitted, models.ObjectionUnderReview, models.ObjectionCorrected,
			models.ObjectionRevoked, models.ObjectionUpheld, models.ObjectionNotAccepted}, f.Status) {
			return page, apperr.InvalidField("status", "unknown objection status")
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.AssigneeID != "" {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	now := o.now().UTC()
	if f.OverdueOnly {
		q = q.Where("status IN ? AND due_at < ?", []models.ObjectionStatus{models.ObjectionSubmitted, models.ObjectionUnderReview}, now)
	}
	res, err := pageByDue(q, first, after, &page.TotalCount, func(x models.Objection) (time.Time, string) { return x.DueAt, x.ID })
	if err != nil {
		return page, err
	}
	for _, x := range res.rows {
		page.Items = append(page.Items, QueuedObjection{Objection: x, Overdue: openObjection(x.Status) && now.After(x.DueAt)})
	}
	page.EndCursor, page.HasNext = res.end, res.hasNext
	return page, nil
}
