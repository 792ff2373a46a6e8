package record

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/models"
)

// transitions lists the allowed status changes (R1.5, R5.1, R5.2): an
// objection flags an ACTIVE or REPAIRED record and ends by restoring it
// (upheld or corrected) or revoking it; a repair marks an ACTIVE record
// REPAIRED; staff may revoke a record they find wrong; an ACTIVE or
// REPAIRED record past its maximum period becomes EXPIRED. REVOKED and
// EXPIRED are final.
var transitions = map[models.RecordStatus][]models.RecordStatus{
	models.RecordActive:         {models.RecordUnderObjection, models.RecordRepaired, models.RecordRevoked, models.RecordExpired},
	models.RecordUnderObjection: {models.RecordActive, models.RecordRepaired, models.RecordRevoked},
	models.RecordRepaired:       {models.RecordUnderObjection, models.RecordActive, models.RecordRevoked, models.RecordExpired},
}

// CanTransition reports whether a record may go from one status to another.
func CanTransition(from, to models.RecordStatus) bool {
	return slices.Contains(transitions[from], to)
}

// update writes rec if the stored row is still at version (and in status,
// unless empty): CONFLICT (reason RECORD_CHANGED) when it is not, or
// INTERNAL.
func update(ctx context.Context, st Store, rec models.DishonestyRecord, version int, status models.RecordStatus) error {
	ok, err := st.Update(ctx, rec, version, status)
	if err == nil && !ok {
		err = apperr.New(apperr.Conflict, "该记录已被他人修改，请刷新后重试").WithReason("RECORD_CHANGED")
	}
	return err
}

// note appends ev to the record's history and writes an audit entry of
// action with detail.
func (s *Service) note(ctx context.Context, st Store, ev models.RecordEvent, detail, action string) error {
	if err := st.AddEvents(ctx, []models.RecordEvent{ev}); err != nil {
		return err
	}
	return st.Audit(ctx, audit.Entry{Action: action, SubjectType: "dishonesty_record", SubjectID: ev.RecordID,
		Detail: credit.Truncate(detail, 1000)})
}

// ChangeStatus moves the record from status from to status to, with
// optimistic locking on its Version: the record is read, its status must be
// from, and the update applies only if the version is still the one read.
// It appends a STATUS_CHANGED history entry with the actor and reason,
// writes an audit entry and re-grades the subject (a REVOKED record no
// longer counts, R3.1). Pass tx, a store bound to the caller's transaction
// (the review workflows), or nil.
//
// It does not check the caller's role; callers authorise. It returns
// INVALID (field "reason" or "to"), NOT_FOUND, CONFLICT (reason
// RECORD_CHANGED, detail "status") when the record is not in status from or
// was changed concurrently, FAILED_PRECONDITION (reason INVALID_TRANSITION)
// for a change the workflow does not allow, and INTERNAL.
func (s *Service) ChangeStatus(ctx context.Context, tx Store, recordID string, from, to models.RecordStatus, reason string) (models.DishonestyRecord, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !credit.ValidStatus(to):
		return models.DishonestyRecord{}, apperr.InvalidField("to", "未知的记录状态")
	case reason == "" || utf8.RuneCountInString(reason) > 1000:
		return models.DishonestyRecord{}, apperr.InvalidField("reason", "请填写理由（最多 1000 字）")
	}
	var rec models.DishonestyRecord
	err := s.inTx(ctx, tx, func(st Store) error {
		var err error
		if rec, err = Find(ctx, st, recordID); err != nil {
			return err
		}
		if rec.Status != from {
			return apperr.New(apperr.Conflict, "该记录状态为 %s，而非 %s", rec.Status, from).
				WithReason("RECORD_CHANGED").WithDetail("status", string(rec.Status))
		}
		if !CanTransition(from, to) {
			return apperr.Precondition("INVALID_TRANSITION", "%s 状态的记录不能变为 %s", from, to)
		}
		now := s.now().UTC()
		read := rec.Version
		rec.Status, rec.Version, rec.UpdatedAt = to, read+1, now
		if err := update(ctx, st, rec, read, ""); err != nil {
			return err
		}
		ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: credit.ActorID(ctx), Action: EventStatusChanged,
			FromStatus: from, ToStatus: to, Reason: reason}
		if err := s.note(ctx, st, ev, fmt.Sprintf("%s->%s", from, to), "record.status"); err != nil {
			return err
		}
		return s.grades.Regrade(ctx, st.Grades(), now, []string{rec.SubjectID})
	})
	if err != nil {
		return models.DishonestyRecord{}, credit.Internal(err, "无法变更失信记录")
	}
	return rec, nil
}

// Correction is what a CORRECTED objection changes on a record; nil fields
// stay as they are.
type Correction struct {
	Summary  *string
	Severity *models.Severity
}

// Change is one corrected field: its old and new value.
type Change struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Correct changes the fields of c on rec, a record UNDER_OBJECTION read on
// tx (a store bound to the objection's transaction): a new severity
// recomputes the publicity period (none for MINOR). It appends a CORRECTED
// history entry listing each change with why, writes an audit entry and
// returns the changes by field name ("summary", "severity"). It returns
// INVALID (field correction) when nothing would change, CONFLICT (reason
// RECORD_CHANGED) when the record changed meanwhile, or INTERNAL.
func (s *Service) Correct(ctx context.Context, tx Store, rec models.DishonestyRecord, c Correction, why string) (map[string]Change, error) {
	changes := map[string]Change{}
	var parts []string
	read := rec
	if c.Summary != nil && *c.Summary != rec.Summary {
		changes["summary"] = Change{From: rec.Summary, To: *c.Summary}
		parts = append(parts, fmt.Sprintf("摘要 %q → %q", credit.Truncate(rec.Summary, 100), credit.Truncate(*c.Summary, 100)))
		rec.Summary = *c.Summary
	}
	if c.Severity != nil && *c.Severity != rec.Severity {
		changes["severity"] = Change{From: string(rec.Severity), To: string(*c.Severity)}
		parts = append(parts, fmt.Sprintf("严重程度 %s → %s", rec.Severity, *c.Severity))
		rec.Severity, rec.PublicityStart, rec.PublicityEnd = *c.Severity, nil, nil
		if p := s.cfg.Publicity(rec.Kind, *c.Severity, rec.DecidedOn); p.Published {
			rec.PublicityStart, rec.PublicityEnd = &p.Start, &p.End
		}
	}
	if len(changes) == 0 {
		return nil, apperr.InvalidField("correction", "该更正未改变记录的任何内容")
	}
	now := s.now().UTC()
	rec.Version, rec.UpdatedAt = read.Version+1, now
	if err := update(ctx, tx, rec, read.Version, models.RecordUnderObjection); err != nil {
		return nil, credit.Internal(err, "无法更正失信记录")
	}
	what := strings.Join(parts, "；")
	ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: credit.ActorID(ctx), Action: EventCorrected,
		FromStatus: read.Status, ToStatus: read.Status, Reason: credit.Truncate(what+"（"+why+"）", 1000)}
	if err := s.note(ctx, tx, ev, what, "record.correct"); err != nil {
		return nil, err
	}
	return changes, nil
}
