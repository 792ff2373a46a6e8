package credit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
)

// Record sources: what created a dishonesty record (R1.4).
const (
	SourceArrearsRule      = "ARREARS_RULE"
	SourceStaffCase        = "STAFF_CASE"
	SourceCommitmentBreach = "COMMITMENT_BREACH"
)

// Record history actions (RecordEvent.Action).
const (
	EventCreated       = "CREATED"
	EventStatusChanged = "STATUS_CHANGED"
)

// Records keeps dishonesty records (失信记录) and their history (R1.3, R1.4).
// Records are never deleted: repairs and objections change their status
// through ChangeStatus, which appends to the history.
type Records struct {
	db    *gorm.DB
	audit *audit.Log
	cfg   Config
	acc   guard
	now   func() time.Time
}

// NewRecords returns the record service over db; cfg's zero fields take
// their defaults.
func NewRecords(db *gorm.DB, log *audit.Log, cfg Config) *Records {
	return &Records{db: db, audit: log, cfg: cfg.withDefaults(), acc: newGuard(db), now: time.Now}
}

// NewRecord is what Create needs to make a record.
type NewRecord struct {
	SubjectID string
	AccountNo string
	Kind      models.RecordKind
	Severity  models.Severity
	// SourceKey makes creation idempotent, e.g. "CASE:<case id>" or
	// "BREACH:<commitment id>".
	SourceKey string
	// Source is one of SourceArrearsRule, SourceStaffCase,
	// SourceCommitmentBreach.
	Source   string
	Evidence string
	Summary  string
	// BehaviourOn is the day of the dishonest behaviour.
	BehaviourOn time.Time
	// DecidedOn is the day the record was decided; zero means today.
	DecidedOn    time.Time
	CaseID       *string
	CommitmentID *string
}

func validKind(k models.RecordKind) bool {
	switch k {
	case models.KindArrears, models.KindTheft, models.KindViolation, models.KindBrokenPromise:
		return true
	}
	return false
}

func validSeverity(s models.Severity) bool {
	switch s {
	case models.SeverityMinor, models.SeverityGeneral, models.SeveritySerious:
		return true
	}
	return false
}

func (in NewRecord) validate() error {
	switch {
	case in.SubjectID == "":
		return apperr.InvalidField("subjectId", "the subject is required")
	case !validKind(in.Kind):
		return apperr.InvalidField("kind", "kind must be ARREARS, THEFT, VIOLATION or BROKEN_PROMISE")
	case !validSeverity(in.Severity):
		return apperr.InvalidField("severity", "severity must be MINOR, GENERAL or SERIOUS")
	case in.SourceKey == "" || len(in.SourceKey) > 100:
		return apperr.InvalidField("sourceKey", "the source key is required (at most 100 characters)")
	case in.Source != SourceArrearsRule && in.Source != SourceStaffCase && in.Source != SourceCommitmentBreach:
		return apperr.InvalidField("source", "unknown record source")
	case in.BehaviourOn.IsZero():
		return apperr.InvalidField("behaviourOn", "the day of the behaviour is required")
	case utf8.RuneCountInString(in.Summary) > 500:
		return apperr.InvalidField("summary", "the summary is at most 500 characters")
	case len(in.AccountNo) > 32:
		return apperr.InvalidField("accountNo", "the account number is at most 32 characters")
	}
	return nil
}

// Create stores a new record, its CREATED history entry and an audit entry,
// computes its publicity period from its severity, and recomputes the
// subject's tier (R3.1). It is idempotent on SourceKey: when a record with
// the key exists, that record is returned with created false and nothing
// changes. Pass tx to run inside a caller's transaction, or nil.
//
// Create is for domain code (the arrears rule, staff cases, commitment
// breaches): it does not check the caller's role; callers authorise. It
// returns INVALID (with the field) for bad input, NOT_FOUND for an unknown
// subject and INTERNAL when the database fails.
func (r *Records) Create(ctx context.Context, tx *gorm.DB, in NewRecord) (rec models.DishonestyRecord, created bool, err error) {
	if err := in.validate(); err != nil {
		return rec, false, err
	}
	run := func(tx *gorm.DB) error {
		var err error
		rec, created, err = r.create(ctx, tx, in)
		return err
	}
	if tx != nil {
		err = run(tx.WithContext(ctx))
	} else {
		err = r.db.WithContext(ctx).Transaction(run)
	}
	if err != nil {
		return models.DishonestyRecord{}, false, internalUnlessTyped(err, "could not store the record")
	}
	return rec, created, nil
}

func (r *Records) create(ctx context.Context, tx *gorm.DB, in NewRecord) (models.DishonestyRecord, bool, error) {
	var rec models.DishonestyRecord
	found := tx.Where("source_key = ?", in.SourceKey).Limit(1).Find(&rec)
	if found.Error != nil {
		return rec, false, apperr.Wrap(found.Error, apperr.Internal, "could not read the records")
	}
	if found.RowsAffected == 1 {
		return rec, false, nil
	}
	var subjects int64
	if err := tx.Model(&models.Subject{}).Where("id = ?", in.SubjectID).Count(&subjects).Error; err != nil {
		return rec, false, apperr.Wrap(err, apperr.Internal, "could not read the subject")
	}
	if subjects == 0 {
		return rec, false, apperr.New(apperr.NotFound, "subject not found")
	}
	now := r.now().UTC()
	decided := in.DecidedOn
	if decided.IsZero() {
		decided = now
	}
	rec = models.DishonestyRecord{
		SubjectID: in.SubjectID, AccountNo: in.AccountNo, Kind: in.Kind, Severity: in.Severity,
		Status: models.RecordActive, SourceKey: in.SourceKey, Source: in.Source,
		Evidence: in.Evidence, Summary: in.Summary,
		BehaviourOn: DayOf(in.BehaviourOn), DecidedOn: DayOf(decided),
		RecordedBy: actorID(ctx), CaseID: in.CaseID, CommitmentID: in.CommitmentID, Version: 1,
	}
	rec.ID = models.NewID()
	rec.CreatedAt, rec.UpdatedAt = now, now
	if p := r.cfg.Publicity(in.Severity, rec.DecidedOn); p.Published {
		rec.PublicityStart, rec.PublicityEnd = &p.Start, &p.End
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rec)
	if res.Error != nil {
		return rec, false, apperr.Wrap(res.Error, apperr.Internal, "could not store the record")
	}
	if res.RowsAffected == 0 { // a concurrent Create with the same key won
		var existing models.DishonestyRecord
		if err := tx.Where("source_key = ?", in.SourceKey).First(&existing).Error; err != nil {
			return rec, false, apperr.Wrap(err, apperr.Internal, "could not read the records")
		}
		return existing, false, nil
	}
	ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: rec.RecordedBy, Action: EventCreated,
		ToStatus: models.RecordActive, Reason: truncate(in.Summary, 1000)}
	if err := tx.Create(&ev).Error; err != nil {
		return rec, false, apperr.Wrap(err, apperr.Internal, "could not store the record history")
	}
	if err := recordAudit(ctx, r.audit, tx, audit.Entry{Action: "record.create", SubjectType: "dishonesty_record",
		SubjectID: rec.ID, Detail: fmt.Sprintf("kind=%s source=%s subject=%s", rec.Kind, rec.Source, rec.SubjectID)}); err != nil {
		return rec, false, err
	}
	if _, err := recomputeTiers(ctx, tx, r.cfg, now, []string{rec.SubjectID}); err != nil {
		return rec, false, err
	}
	return rec, true, nil
}

// Get returns the record with id. Staff see every record; an ENTERPRISE
// user only records of subjects it is bound to. It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (r *Records) Get(ctx context.Context, id string) (models.DishonestyRecord, error) {
	var rec models.DishonestyRecord
	res := r.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return rec, apperr.Wrap(res.Error, apperr.Internal, "could not read the record")
	}
	if res.RowsAffected == 0 {
		return models.DishonestyRecord{}, apperr.New(apperr.NotFound, "record not found")
	}
	if _, err := r.acc.subject(ctx, rec.SubjectID, viewRecords...); err != nil {
		return models.DishonestyRecord{}, err
	}
	return rec, nil
}

// RecordFilter selects records; zero fields match everything. From and To
// bound the day of the behaviour: From ≤ BehaviourOn < To.
type RecordFilter struct {
	SubjectID string
	Kind      models.RecordKind
	Status    models.RecordStatus
	From, To  time.Time
}

// RecordPage is one page of records, newest first.
type RecordPage struct {
	Records    []models.DishonestyRecord
	EndCursor  string
	HasNext    bool
	TotalCount int64
}

// List returns the records matching f, newest first, first at a time (1–100,
// default 20) after the opaque cursor after. An ENTERPRISE user sees only
// records of subjects it is bound to: asking for another subject is
// FORBIDDEN, and without a subject the list is limited to its own. It
// returns INVALID for a bad kind, status or cursor, UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (r *Records) List(ctx context.Context, f RecordFilter, first int, after string) (RecordPage, error) {
	var page RecordPage
	if f.Kind != "" && !validKind(f.Kind) {
		return page, apperr.InvalidField("kind", "unknown record kind")
	}
	if f.Status != "" && !validStatus(f.Status) {
		return page, apperr.InvalidField("status", "unknown record status")
	}
	q := r.db.WithContext(ctx).Model(&models.DishonestyRecord{})
	if f.SubjectID != "" {
		if _, err := r.acc.subject(ctx, f.SubjectID, viewRecords...); err != nil {
			return page, err
		}
		q = q.Where("subject_id = ?", f.SubjectID)
	} else {
		actor, err := auth.Require(ctx)
		if err != nil {
			return page, err
		}
		if !actor.Role.IsStaff() { // an enterprise user: only its own subjects
			q = q.Where("subject_id IN (?)", r.acc.subjects(ctx, actor.UserID, viewRecords...))
		}
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if !f.From.IsZero() {
		q = q.Where("behaviour_on >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("behaviour_on < ?", f.To.UTC())
	}
	if err := q.Count(&page.TotalCount).Error; err != nil {
		return page, apperr.Wrap(err, apperr.Internal, "could not read the records")
	}
	if after != "" {
		id, err := decodeRecordCursor(after)
		if err != nil {
			return page, err
		}
		q = q.Where("id < ?", id)
	}
	first = clampFirst(first)
	if err := q.Order("id DESC").Limit(first + 1).Find(&page.Records).Error; err != nil {
		return page, apperr.Wrap(err, apperr.Internal, "could not read the records")
	}
	if len(page.Records) > first {
		page.Records, page.HasNext = page.Records[:first], true
	}
	if n := len(page.Records); n > 0 {
		page.EndCursor = encodeRecordCursor(page.Records[n-1].ID)
	}
	return page, nil
}

func clampFirst(first int) int {
	switch {
	case first <= 0:
		return 20
	case first > 100:
		return 100
	}
	return first
}

func encodeRecordCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("rec:" + id))
}

func decodeRecordCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "rec:") || len(b) > 4+36 {
		return "", apperr.InvalidField("after", "the cursor is not valid")
	}
	return string(b[4:]), nil
}

// History returns the record's history, oldest first, under the access rule
// of Get. It returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (r *Records) History(ctx context.Context, recordID string) ([]models.RecordEvent, error) {
	if _, err := r.Get(ctx, recordID); err != nil {
		return nil, err
	}
	var evs []models.RecordEvent
	if err := r.db.WithContext(ctx).Where("record_id = ?", recordID).Order("id ASC").Find(&evs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the record history")
	}
	return evs, nil
}

func validStatus(s models.RecordStatus) bool {
	switch s {
	case models.RecordActive, models.RecordUnderObjection, models.RecordRepaired, models.RecordRevoked:
		return true
	}
	return false
}

// transitions lists the allowed status changes (R5.1, R5.2): an objection
// flags an ACTIVE or REPAIRED record and ends by restoring it (upheld or
// corrected) or revoking it; a repair marks an ACTIVE record REPAIRED;
// staff may revoke a record they find wrong. REVOKED is final.
var transitions = map[models.RecordStatus][]models.RecordStatus{
	models.RecordActive:         {models.RecordUnderObjection, models.RecordRepaired, models.RecordRevoked},
	models.RecordUnderObjection: {models.RecordActive, models.RecordRepaired, models.RecordRevoked},
	models.RecordRepaired:       {models.RecordUnderObjection, models.RecordActive, models.RecordRevoked},
}

// CanTransition reports whether a record may go from one status to another.
func CanTransition(from, to models.RecordStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ChangeStatus moves the record from status from to status to, with
// optimistic locking on its Version: the record is read, its status must be
// from, and the update applies only if the version is still the one read.
// It appends a STATUS_CHANGED history entry with the actor and reason,
// writes an audit entry and recomputes the subject's tier (a REVOKED record
// no longer counts, R3.1). Pass tx to run inside the caller's transaction
// (repair and objection workflows), or nil.
//
// It does not check the caller's role; callers authorise. It returns
// INVALID (field "reason" or "to"), NOT_FOUND, CONFLICT (reason
// RECORD_CHANGED, detail "status") when the record is not in status from or
// was changed concurrently, FAILED_PRECONDITION (reason INVALID_TRANSITION)
// for a change the workflow does not allow, and INTERNAL.
func (r *Records) ChangeStatus(ctx context.Context, tx *gorm.DB, recordID string, from, to models.RecordStatus, reason string) (models.DishonestyRecord, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !validStatus(to):
		return models.DishonestyRecord{}, apperr.InvalidField("to", "unknown record status")
	case reason == "" || utf8.RuneCountInString(reason) > 1000:
		return models.DishonestyRecord{}, apperr.InvalidField("reason", "a reason is required (at most 1000 characters)")
	}
	var rec models.DishonestyRecord
	run := func(tx *gorm.DB) error {
		res := tx.Where("id = ?", recordID).Limit(1).Find(&rec)
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "could not read the record")
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "record not found")
		}
		if rec.Status != from {
			return apperr.New(apperr.Conflict, "the record is %s, not %s", rec.Status, from).
				WithReason("RECORD_CHANGED").WithDetail("status", string(rec.Status))
		}
		if !CanTransition(from, to) {
			return apperr.Precondition("INVALID_TRANSITION", "a %s record cannot become %s", from, to)
		}
		now := r.now().UTC()
		upd := tx.Model(&models.DishonestyRecord{}).Where("id = ? AND version = ?", rec.ID, rec.Version).
			Updates(map[string]any{"status": to, "version": gorm.Expr("version + 1"), "updated_at": now})
		if upd.Error != nil {
			return apperr.Wrap(upd.Error, apperr.Internal, "could not update the record")
		}
		if upd.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the record was changed by someone else; reload it").WithReason("RECORD_CHANGED")
		}
		rec.Status, rec.Version, rec.UpdatedAt = to, rec.Version+1, now
		ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: actorID(ctx), Action: EventStatusChanged,
			FromStatus: from, ToStatus: to, Reason: reason}
		if err := tx.Create(&ev).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not store the record history")
		}
		if err := recordAudit(ctx, r.audit, tx, audit.Entry{Action: "record.status", SubjectType: "dishonesty_record",
			SubjectID: rec.ID, Detail: fmt.Sprintf("%s->%s", from, to)}); err != nil {
			return err
		}
		_, err := recomputeTiers(ctx, tx, r.cfg, now, []string{rec.SubjectID})
		return err
	}
	var err error
	if tx != nil {
		err = run(tx.WithContext(ctx))
	} else {
		err = r.db.WithContext(ctx).Transaction(run)
	}
	if err != nil {
		return models.DishonestyRecord{}, internalUnlessTyped(err, "could not change the record")
	}
	return rec, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// RecordCursor is the opaque cursor of a record in a listing.
func RecordCursor(rec models.DishonestyRecord) string { return encodeRecordCursor(rec.ID) }
