// Package record keeps dishonesty records (失信记录), their history and
// lifecycle (R1.3, R1.4) and their publication on the credit platform
// (R5.1, R5.3). Records are never deleted: repairs and objections change
// their status through ChangeStatus (and Correct), which appends to the
// history; every change re-grades the subject (R3.1).
package record

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/models"
)

// Record history actions (RecordEvent.Action).
const (
	EventCreated       = "CREATED"
	EventStatusChanged = "STATUS_CHANGED"
	EventPublished     = "PUBLISHED"
	EventWithdrawn     = "PUBLICATION_WITHDRAWN"
	EventCorrected     = "CORRECTED"
)

// Store keeps records, their history and the state of their publication.
// Implementations: store/creditdb.
type Store interface {
	// Tx runs fn in one transaction with a Store bound to it (on a Store
	// already bound to one, fn runs in it).
	Tx(ctx context.Context, fn func(Store) error) error
	// Grades is the tier store on the same database or transaction.
	Grades() grade.Store
	credit.Effects
	// Get reads a record; inside Tx it locks the row. INTERNAL.
	Get(ctx context.Context, id string) (models.DishonestyRecord, bool, error)
	// BySourceKey reads the record with a source key; INTERNAL.
	BySourceKey(ctx context.Context, key string) (models.DishonestyRecord, bool, error)
	// Insert stores the records whose source key is new and returns those
	// it stored (a concurrent insert of the same key wins); INTERNAL.
	Insert(ctx context.Context, recs []models.DishonestyRecord) ([]models.DishonestyRecord, error)
	// Update writes rec's status, severity, summary, publicity period,
	// Version and UpdatedAt when the stored row is still at version (and in
	// status, unless empty); false when it is not. INTERNAL.
	Update(ctx context.Context, rec models.DishonestyRecord, version int, status models.RecordStatus) (bool, error)
	// List returns the records of q, newest first, and how many match q
	// without its cursor; INTERNAL.
	List(ctx context.Context, q Query) ([]models.DishonestyRecord, int64, error)
	// AddEvents appends history entries; INTERNAL.
	AddEvents(ctx context.Context, evs []models.RecordEvent) error
	// Events returns a record's history, oldest first; INTERNAL.
	Events(ctx context.Context, recordID string) ([]models.RecordEvent, error)
	// Subject reads a subject; INTERNAL.
	Subject(ctx context.Context, id string) (models.Subject, bool, error)
	// QueueDue enqueues the publications of q in one set-based statement
	// and returns how many it queued; INTERNAL.
	QueueDue(ctx context.Context, q DueQuery) (int, error)
	// Message reads the outbox message with a key; INTERNAL.
	Message(ctx context.Context, key string) (models.OutboxMessage, bool, error)
	// Expiring returns the IDs of the records of q (R1.5); INTERNAL.
	Expiring(ctx context.Context, q ExpiryQuery) ([]string, error)
	// SetPublication stores the platform's ID of a record's publication;
	// INTERNAL.
	SetPublication(ctx context.Context, recordID, publicationID string, at time.Time) error
}

// Query selects records; zero fields match everything.
type Query struct {
	SubjectID string
	// ViewerID, when set, keeps the subjects this ENTERPRISE user may act
	// for with one of Scopes (access.Policy.Subjects).
	ViewerID string
	Scopes   []models.AgentScope
	Kind     models.RecordKind
	Status   models.RecordStatus
	// From ≤ BehaviourOn < To.
	From, To time.Time
	// Before keeps IDs lower than it (the keyset cursor).
	Before string
	Limit  int
}

// Deps are what the record services need.
type Deps struct {
	Store  Store
	Access credit.Access
	// Grades re-grades a subject when its records change.
	Grades *grade.Service
	Config credit.Config
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service keeps dishonesty records and their history.
type Service struct {
	store  Store
	guard  credit.Guard
	grades *grade.Service
	cfg    credit.Config
	now    func() time.Time
}

// New returns the record service; the Config's zero fields take their
// defaults.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, guard: credit.Guard{Policy: d.Access}, grades: d.Grades, cfg: d.Config.WithDefaults(), now: d.Now}
}

// Config returns the thresholds the service uses.
func (s *Service) Config() credit.Config { return s.cfg }

// inTx runs fn on tx, a store bound to the caller's transaction, or in a
// transaction of its own when tx is nil.
func (s *Service) inTx(ctx context.Context, tx Store, fn func(Store) error) error {
	if tx != nil {
		return fn(tx)
	}
	return s.store.Tx(ctx, fn)
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
	// Source is one of credit.SourceArrearsRule, SourceStaffCase,
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

func (in NewRecord) validate() error {
	switch {
	case in.SubjectID == "":
		return apperr.InvalidField("subjectId", "the subject is required")
	case !credit.ValidKind(in.Kind):
		return apperr.InvalidField("kind", "kind must be ARREARS, THEFT, VIOLATION or BROKEN_PROMISE")
	case !credit.ValidSeverity(in.Severity):
		return apperr.InvalidField("severity", "severity must be MINOR, GENERAL or SERIOUS")
	case in.SourceKey == "" || len(in.SourceKey) > 100:
		return apperr.InvalidField("sourceKey", "the source key is required (at most 100 characters)")
	case in.Source != credit.SourceArrearsRule && in.Source != credit.SourceStaffCase && in.Source != credit.SourceCommitmentBreach:
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
// computes its publicity period from its severity, and re-grades the
// subject (R3.1). It is idempotent on SourceKey: when a record with the
// key exists, that record is returned with created false and nothing
// changes. Pass tx, a store bound to the caller's transaction, or nil.
//
// Create is for domain code (the arrears rule, staff cases, commitment
// breaches): it does not check the caller's role; callers authorise. It
// returns INVALID (with the field) for bad input, NOT_FOUND for an unknown
// subject and INTERNAL when the database fails.
func (s *Service) Create(ctx context.Context, tx Store, in NewRecord) (rec models.DishonestyRecord, created bool, err error) {
	if err := in.validate(); err != nil {
		return rec, false, err
	}
	err = s.inTx(ctx, tx, func(st Store) error {
		var err error
		rec, created, err = s.create(ctx, st, in)
		return err
	})
	if err != nil {
		return models.DishonestyRecord{}, false, credit.Internal(err, "could not store the record")
	}
	return rec, created, nil
}

func (s *Service) create(ctx context.Context, st Store, in NewRecord) (models.DishonestyRecord, bool, error) {
	if rec, ok, err := st.BySourceKey(ctx, in.SourceKey); err != nil || ok {
		return rec, false, err
	}
	if _, ok, err := st.Subject(ctx, in.SubjectID); err != nil || !ok {
		return models.DishonestyRecord{}, false, credit.NotFound(err, "subject not found")
	}
	now := s.now().UTC()
	decided := in.DecidedOn
	if decided.IsZero() {
		decided = now
	}
	rec := models.DishonestyRecord{
		SubjectID: in.SubjectID, AccountNo: in.AccountNo, Kind: in.Kind, Severity: in.Severity,
		Status: models.RecordActive, SourceKey: in.SourceKey, Source: in.Source,
		Evidence: in.Evidence, Summary: in.Summary,
		BehaviourOn: credit.DayOf(in.BehaviourOn), DecidedOn: credit.DayOf(decided),
		RecordedBy: credit.ActorID(ctx), CaseID: in.CaseID, CommitmentID: in.CommitmentID, Version: 1,
	}
	rec.ID = models.NewID()
	rec.CreatedAt, rec.UpdatedAt = now, now
	if p := s.cfg.Publicity(in.Severity, rec.DecidedOn); p.Published {
		rec.PublicityStart, rec.PublicityEnd = &p.Start, &p.End
	}
	stored, err := st.Insert(ctx, []models.DishonestyRecord{rec})
	if err != nil {
		return rec, false, err
	}
	if len(stored) == 0 { // a concurrent Create with the same key won
		existing, ok, err := st.BySourceKey(ctx, in.SourceKey)
		if err == nil && !ok {
			err = apperr.New(apperr.Internal, "could not read the records")
		}
		return existing, false, err
	}
	ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: rec.RecordedBy, Action: EventCreated,
		ToStatus: models.RecordActive, Reason: credit.Truncate(in.Summary, 1000)}
	if err := s.note(ctx, st, ev, fmt.Sprintf("kind=%s source=%s subject=%s", rec.Kind, rec.Source, rec.SubjectID), "record.create"); err != nil {
		return rec, false, err
	}
	return rec, true, s.grades.Regrade(ctx, st.Grades(), now, []string{rec.SubjectID})
}

// Find reads the record with id on st; on a store bound to a transaction
// the row is locked. It returns NOT_FOUND or INTERNAL.
func Find(ctx context.Context, st Store, id string) (models.DishonestyRecord, error) {
	rec, ok, err := st.Get(ctx, id)
	if err != nil || !ok {
		return models.DishonestyRecord{}, credit.NotFound(err, "record not found")
	}
	return rec, nil
}

// Get returns the record with id. Staff see every record; an ENTERPRISE
// user only records of subjects it is bound to. It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) Get(ctx context.Context, id string) (models.DishonestyRecord, error) {
	rec, err := Find(ctx, s.store, id)
	if err != nil {
		return models.DishonestyRecord{}, err
	}
	if _, err := s.guard.Subject(ctx, rec.SubjectID, credit.ViewRecords...); err != nil {
		return models.DishonestyRecord{}, err
	}
	return rec, nil
}

// Filter selects records; zero fields match everything. From and To bound
// the day of the behaviour: From ≤ BehaviourOn < To.
type Filter struct {
	SubjectID string
	Kind      models.RecordKind
	Status    models.RecordStatus
	From, To  time.Time
}

// Page is one page of records, newest first.
type Page struct {
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
func (s *Service) List(ctx context.Context, f Filter, first int, after string) (Page, error) {
	var page Page
	if f.Kind != "" && !credit.ValidKind(f.Kind) {
		return page, apperr.InvalidField("kind", "unknown record kind")
	}
	if f.Status != "" && !credit.ValidStatus(f.Status) {
		return page, apperr.InvalidField("status", "unknown record status")
	}
	q := Query{SubjectID: f.SubjectID, Kind: f.Kind, Status: f.Status, From: f.From.UTC(), To: f.To.UTC()}
	if f.SubjectID != "" {
		if _, err := s.guard.Subject(ctx, f.SubjectID, credit.ViewRecords...); err != nil {
			return page, err
		}
	} else {
		actor, err := auth.Require(ctx)
		if err != nil {
			return page, err
		}
		if !actor.Role.IsStaff() { // an enterprise user: only its own subjects
			q.ViewerID, q.Scopes = actor.UserID, credit.ViewRecords
		}
	}
	if after != "" {
		id, err := decodeCursor(after)
		if err != nil {
			return page, err
		}
		q.Before = id
	}
	first = credit.ClampFirst(first)
	q.Limit = first + 1
	recs, total, err := s.store.List(ctx, q)
	if err != nil {
		return page, err
	}
	page.Records, page.TotalCount = recs, total
	if len(page.Records) > first {
		page.Records, page.HasNext = page.Records[:first], true
	}
	if n := len(page.Records); n > 0 {
		page.EndCursor = Cursor(page.Records[n-1])
	}
	return page, nil
}

// Cursor is the opaque cursor of a record in a listing.
func Cursor(rec models.DishonestyRecord) string {
	return base64.RawURLEncoding.EncodeToString([]byte("rec:" + rec.ID))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "rec:") || len(b) > 4+36 {
		return "", apperr.InvalidField("after", "the cursor is not valid")
	}
	return string(b[4:]), nil
}

// History returns the record's history, oldest first, under the access rule
// of Get. It returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) History(ctx context.Context, recordID string) ([]models.RecordEvent, error) {
	if _, err := s.Get(ctx, recordID); err != nil {
		return nil, err
	}
	return s.store.Events(ctx, recordID)
}
