// Package record keeps dishonesty records (失信记录), their history and
// lifecycle (R1.3, R1.4) and their publication on the credit platform
// (R5.1, R5.3). Records are never deleted: repairs and objections change
// their status through ChangeStatus (and Correct), which appends to the
// history; every change re-grades the subject (R3.1).
package record

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/models"
	"creditwater/notice"
	"creditwater/page"
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
	// already bound to one, fn runs in it). A new transaction that the
	// database aborts as a deadlock victim runs fn again from the start
	// (store.Transaction), so fn has no effect outside it and keeps no
	// state across tries.
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
	// Many reads the records with the IDs (those that exist, in no order);
	// INTERNAL.
	Many(ctx context.Context, ids []string) ([]models.DishonestyRecord, error)
	// Events returns the history of the records, oldest first; INTERNAL.
	Events(ctx context.Context, recordIDs ...string) ([]models.RecordEvent, error)
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
	Severity models.Severity
	// After is the position of the keyset cursor in the query's order
	// (Key): an ID for ListKey, a behaviour day and an ID for DayKey; nil
	// for the first page.
	After []any
	Limit int
	// Count asks for the total (capped at page.CountCap+1).
	Count bool
}

// ListKey is the order of the record list: newest first (IDs are
// time-ordered).
var ListKey = page.NewKey("records", page.Desc("id"))

// DayKey is the order of a record list filtered by behaviour day (From or
// To): latest behaviour first, then newest recorded. It is the order of
// the day indexes, so a page of a month a year back reads its 21 index
// entries instead of sorting the month's records by ID (issue 14). Its
// cursors name their own list: a cursor of one order is refused by the
// other.
var DayKey = page.NewKey("records-by-day", page.Desc("behaviour_on"), page.Desc("id"))

// Key is the order of q's list: DayKey when q has a behaviour-day range,
// ListKey otherwise.
func (q Query) Key() page.Key {
	if !q.From.IsZero() || !q.To.IsZero() {
		return DayKey
	}
	return ListKey
}

// Deps are what the record services need.
type Deps struct {
	Store  Store
	Access credit.Access
	// Grades re-grades a subject when its records change.
	Grades *grade.Service
	Config credit.Config
	// Inbox tells the enterprise about its records (R7.6; nil: nobody).
	Inbox notice.Notifier
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service keeps dishonesty records and their history.
type Service struct {
	store  Store
	guard  credit.Guard
	grades *grade.Service
	cfg    credit.Config
	inbox  notice.Notifier
	now    func() time.Time
}

// TellNew tells each record's enterprise that the record was made (R7.6),
// after the records were committed.
func (s *Service) TellNew(ctx context.Context, recs ...models.DishonestyRecord) {
	for _, rec := range recs {
		body := fmt.Sprintf("贵单位新增一条%s失信记录（%s）：%s。如有异议，可在小程序提出异议申请；纠正失信行为后，可申请信用修复。",
			credit.KindLabel(rec.Kind), rec.Severity, rec.Summary)
		s.inbox.Notify(ctx, notice.Event{SubjectID: rec.SubjectID, Kind: notice.RecordNew, Body: body,
			RefType: "record", RefID: rec.ID, Key: "record-new:" + rec.ID})
	}
}

// TellChanged tells the enterprise of rec, as it is after an objection's
// decision, that the decision changed it (R7.6): corrected (changes, by
// field, as Correct returns them) or revoked (to REVOKED). Call it after
// the change was committed; each version of a record is told once (the
// notice's key names it).
func (s *Service) TellChanged(ctx context.Context, rec models.DishonestyRecord, changes map[string]Change) {
	body := fmt.Sprintf("贵单位的一条%s失信记录经异议复核已撤销，不再影响信用办水和优良信用评定；已公示的将撤下公示。", credit.KindLabel(rec.Kind))
	if rec.Status != models.RecordRevoked {
		var parts []string
		if c, ok := changes["summary"]; ok {
			parts = append(parts, "摘要改为「"+credit.Truncate(c.To, 100)+"」")
		}
		if c, ok := changes["severity"]; ok {
			parts = append(parts, "严重程度由「"+credit.SeverityLabel(models.Severity(c.From))+"」改为「"+credit.SeverityLabel(models.Severity(c.To))+"」")
		}
		body = fmt.Sprintf("贵单位的一条%s失信记录经异议复核已更正：%s。", credit.KindLabel(rec.Kind), strings.Join(parts, "，"))
	}
	s.inbox.Notify(ctx, notice.Event{SubjectID: rec.SubjectID, Kind: notice.RecordChanged, Body: body,
		RefType: "record", RefID: rec.ID, Key: fmt.Sprintf("record-changed:%s:v%d", rec.ID, rec.Version)})
}

// New returns the record service; the Config's zero fields take their
// defaults.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, guard: credit.Guard{Policy: d.Access}, grades: d.Grades, cfg: d.Config.WithDefaults(), inbox: notice.Or(d.Inbox), now: d.Now}
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
		return apperr.InvalidField("subjectId", "请指明用水主体")
	case !credit.ValidKind(in.Kind):
		return apperr.InvalidField("kind", "类型须为 ARREARS、THEFT、VIOLATION 或 BROKEN_PROMISE")
	case !credit.ValidSeverity(in.Severity):
		return apperr.InvalidField("severity", "严重程度须为 MINOR、GENERAL 或 SERIOUS")
	case in.SourceKey == "" || len(in.SourceKey) > 100:
		return apperr.InvalidField("sourceKey", "请填写来源编号（最多 100 个字符）")
	case in.Source != credit.SourceArrearsRule && in.Source != credit.SourceStaffCase && in.Source != credit.SourceCommitmentBreach:
		return apperr.InvalidField("source", "未知的记录来源")
	case in.BehaviourOn.IsZero():
		return apperr.InvalidField("behaviourOn", "请填写行为发生日期")
	case utf8.RuneCountInString(in.Summary) > 500:
		return apperr.InvalidField("summary", "摘要最多 500 字")
	case len(in.AccountNo) > 32:
		return apperr.InvalidField("accountNo", "用水户号最多 32 个字符")
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
		return models.DishonestyRecord{}, false, credit.Internal(err, "无法保存失信记录")
	}
	return rec, created, nil
}

func (s *Service) create(ctx context.Context, st Store, in NewRecord) (models.DishonestyRecord, bool, error) {
	if rec, ok, err := st.BySourceKey(ctx, in.SourceKey); err != nil || ok {
		return rec, false, err
	}
	if _, ok, err := st.Subject(ctx, in.SubjectID); err != nil || !ok {
		return models.DishonestyRecord{}, false, credit.NotFound(err, "未找到该用水主体")
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
	if p := s.cfg.Publicity(in.Kind, in.Severity, rec.DecidedOn); p.Published {
		rec.PublicityStart, rec.PublicityEnd = &p.Start, &p.End
	}
	stored, err := st.Insert(ctx, []models.DishonestyRecord{rec})
	if err != nil {
		return rec, false, err
	}
	if len(stored) == 0 { // a concurrent Create with the same key won
		existing, ok, err := st.BySourceKey(ctx, in.SourceKey)
		if err == nil && !ok {
			err = apperr.New(apperr.Internal, "无法读取失信记录")
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
		return models.DishonestyRecord{}, credit.NotFound(err, "未找到该失信记录")
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
	Severity  models.Severity
	From, To  time.Time
	// Count asks for TotalCount (capped at page.CountCap+1).
	Count bool
}

// Page is one page of records in its query's order (Query.Key).
type Page struct {
	Records []models.DishonestyRecord
	page.Info
	key page.Key
}

// Cursor is the opaque cursor of one of the page's records.
func (p Page) Cursor(rec models.DishonestyRecord) string {
	if p.key.List == DayKey.List {
		return DayKey.Encode(rec.BehaviourOn.UTC(), rec.ID)
	}
	return ListKey.Encode(rec.ID)
}

// List returns the records matching f, newest recorded first (with a
// behaviour period, latest behaviour first: Query.Key), first at a time
// (1–100, default 20) after the opaque cursor after. An ENTERPRISE user sees only
// records of subjects it is bound to: asking for another subject is
// FORBIDDEN, and without a subject the list is limited to its own. It
// returns INVALID for a bad kind, status or cursor, UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (s *Service) List(ctx context.Context, f Filter, first int, after string) (Page, error) {
	var out Page
	if f.Kind != "" && !credit.ValidKind(f.Kind) {
		return out, apperr.InvalidField("kind", "未知的记录类型")
	}
	if f.Status != "" && !credit.ValidStatus(f.Status) {
		return out, apperr.InvalidField("status", "未知的记录状态")
	}
	if f.Severity != "" && !credit.ValidSeverity(f.Severity) {
		return out, apperr.InvalidField("severity", "unknown severity")
	}
	q := Query{SubjectID: f.SubjectID, Kind: f.Kind, Status: f.Status, Severity: f.Severity, From: f.From.UTC(), To: f.To.UTC(), Count: f.Count}
	if f.SubjectID != "" {
		if _, err := s.guard.Subject(ctx, f.SubjectID, credit.ViewRecords...); err != nil {
			return out, err
		}
	} else {
		actor, err := auth.Require(ctx)
		if err != nil {
			return out, err
		}
		if !actor.Role.IsStaff() { // an enterprise user: only its own subjects
			q.ViewerID, q.Scopes = actor.UserID, credit.ViewRecords
		}
	}
	out.key = q.Key()
	var day time.Time
	var id string
	pos := []any{&id}
	if out.key.List == DayKey.List {
		pos = []any{&day, &id}
	}
	var err error
	if q.After, err = out.key.Position(after, pos...); err != nil {
		return out, err
	}
	first = page.Clamp(first)
	q.Limit = first + 1
	recs, total, err := s.store.List(ctx, q)
	if err != nil {
		return out, err
	}
	out.Records, out.TotalCount = recs, total
	if len(out.Records) > first {
		out.Records, out.HasNext = out.Records[:first], true
	}
	if n := len(out.Records); n > 0 {
		out.EndCursor = out.Cursor(out.Records[n-1])
	}
	return out, nil
}

// History returns the record's history, oldest first, under the access rule
// of Get. It returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) History(ctx context.Context, recordID string) ([]models.RecordEvent, error) {
	if _, err := s.Get(ctx, recordID); err != nil {
		return nil, err
	}
	return s.store.Events(ctx, recordID)
}

// GetMany returns the records with the IDs by ID (unknown IDs are left
// out) under the access rule of Get, checked once per subject: the batch
// read of a dataloader. It returns UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) GetMany(ctx context.Context, ids []string) (map[string]models.DishonestyRecord, error) {
	recs, err := s.store.Many(ctx, ids)
	if err != nil {
		return nil, err
	}
	subjects := make([]string, len(recs))
	out := make(map[string]models.DishonestyRecord, len(recs))
	for i, r := range recs {
		subjects[i] = r.SubjectID
		out[r.ID] = r
	}
	if err := s.guard.Subjects(ctx, subjects, credit.ViewRecords...); err != nil {
		return nil, err
	}
	return out, nil
}

// Histories returns the histories of the records with the IDs by record ID
// (oldest first) under the access rule of History, in two reads whatever
// the number of records: the batch read of a dataloader. It returns
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) Histories(ctx context.Context, recordIDs []string) (map[string][]models.RecordEvent, error) {
	recs, err := s.GetMany(ctx, recordIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]models.RecordEvent, len(recs))
	if len(recs) == 0 {
		return out, nil
	}
	visible := make([]string, 0, len(recs))
	for id := range recs {
		visible = append(visible, id)
		out[id] = []models.RecordEvent{}
	}
	evs, err := s.store.Events(ctx, visible...)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		out[ev.RecordID] = append(out[ev.RecordID], ev)
	}
	return out, nil
}
