// Package review runs credit repairs (信用修复, R5.1) and objections (异议申诉,
// R5.2) as one review-request workflow with two kinds: filing with
// evidence, a state machine under optimistic locking with its history,
// assignment, working-day deadlines (R5.3), decisions that change the
// record, the staff queue, reminders and the access checks of the
// evidence. Repairs and Objections add what differs: a repair's
// preconditions and signed commitment and its publication; an objection's
// acceptance, extension and outcomes.
package review

import (
	"context"
	"time"

	"creditwater/calendar"
	"creditwater/config"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/notice"
)

// Config holds the deadlines and evidence limits of repairs and objections
// (R5.1–R5.3, R7.4). A zero field takes the default documented on it (SPEC
// "Defaults drawn from the rules").
type Config struct {
	// Review is the configured deadlines in working days
	// (CW_REPAIR_REVIEW_DAYS 10, 信用中国 practice; CW_OBJECTION_REVIEW_DAYS
	// 5, Shanghai Art. 36, Guangzhou, Shenzhen Art. 48–51: a new objection is
	// also due for acceptance within as many working days of its filing;
	// CW_OBJECTION_MAX_EXTENSION_DAYS 5, the one extension), passed whole.
	config.Review
	// RemindWithinWorkdays: Desk.RemindDue notifies the assignees of open
	// items due within this many working days, and of overdue ones.
	// Default 1.
	RemindWithinWorkdays int `default:"1"`
	// Evidence bounds one request's evidence files (evidence.Limits:
	// 5 MiB a file, 10 files by default).
	Evidence evidence.Limits
}

// WithDefaults returns c with every zero (or negative) field set to its
// default (evidence.Read applies the evidence limits' own).
func (c Config) WithDefaults() Config {
	credit.Defaults(&c)
	return c
}

// Kinds of review requests: the owner types of their history
// (RequestEvent.OwnerType) and evidence (Evidence.OwnerType), and the kinds
// of deadlines (Deadline.Kind).
const (
	OwnerRepair    = "REPAIR"
	OwnerObjection = "OBJECTION"
)

// Request history actions (RequestEvent.Action).
const (
	ActionFiled           = "FILED"
	ActionReviewStarted   = "REVIEW_STARTED"
	ActionSupplementAsked = "SUPPLEMENT_REQUESTED"
	ActionSupplemented    = "SUPPLEMENTED"
	ActionApproved        = "APPROVED"
	ActionDenied          = "DENIED"
	ActionAccepted        = "ACCEPTED"
	ActionNotAccepted     = "NOT_ACCEPTED"
	ActionExtended        = "EXTENDED"
	ActionDecided         = "DECIDED"
)

// noticeKinds are the inbox events of each action, by owner (R7.6).
var noticeKinds = map[string]map[string]notice.Kind{
	OwnerRepair: {ActionFiled: notice.RepairFiled, ActionReviewStarted: notice.RepairStep, ActionSupplementAsked: notice.RepairSupplementAsked,
		ActionSupplemented: notice.RepairStep, ActionApproved: notice.RepairDecided, ActionDenied: notice.RepairDecided},
	OwnerObjection: {ActionFiled: notice.ObjectionFiled, ActionAccepted: notice.ObjectionStep, ActionExtended: notice.ObjectionStep,
		ActionNotAccepted: notice.ObjectionDecided, ActionDecided: notice.ObjectionDecided},
}

// actionText says in Chinese what an action did to a request.
var actionText = map[string]string{
	ActionFiled: "已提交", ActionReviewStarted: "已进入复核", ActionSupplementAsked: "需要补充材料", ActionSupplemented: "已补充材料",
	ActionApproved: "已批准", ActionDenied: "未予批准", ActionAccepted: "已受理", ActionNotAccepted: "不予受理",
	ActionExtended: "办理期限已延长", ActionDecided: "已作出决定",
}

// Kinds of staff notices (StaffNotice.Kind).
const (
	NoticeRepairDue        = "REPAIR_DUE"
	NoticeRepairOverdue    = "REPAIR_OVERDUE"
	NoticeObjectionDue     = "OBJECTION_DUE"
	NoticeObjectionOverdue = "OBJECTION_OVERDUE"
)

// Input limits of the workflow.
const (
	maxMissingItems     = 20
	maxMissingItemRunes = 200
	maxStatementRunes   = 2000
	maxDecisionRunes    = 1000
)

// Store keeps review requests of both kinds with their history and
// evidence. A request row is a *models.RepairRequest or *models.Objection
// (a slice pointer of them for lists). Implementations: store/creditdb.
type Store interface {
	// Tx runs fn in one transaction with a Store bound to it (on a Store
	// already bound to one, fn runs in it). A new transaction that the
	// database aborts as a deadlock victim runs fn again from the start
	// (store.Transaction), so fn has no effect outside it and keeps no
	// state across tries.
	Tx(ctx context.Context, fn func(Store) error) error
	// Records is the record store on the same database or transaction.
	Records() record.Store
	credit.Effects
	// Request reads the request with id into row; inside Tx it locks the
	// row. INTERNAL.
	Request(ctx context.Context, id string, row any) (bool, error)
	// OpenRequest returns the ID of the open request of row's kind for a
	// record ("" for none); INTERNAL.
	OpenRequest(ctx context.Context, row any, recordID string) (string, error)
	// InsertRequest stores a new request: credit.ErrDuplicate when the
	// record has an open request of its kind, or INTERNAL.
	InsertRequest(ctx context.Context, row any) error
	// UpdateRequest writes the workflow's columns of row when the stored
	// row is still at version; false when it is not. INTERNAL.
	UpdateRequest(ctx context.Context, row any, version int) (bool, error)
	// Requests lists the requests of q into rows (a slice pointer) and,
	// when q.Count, returns how many match q without its cursor; INTERNAL.
	Requests(ctx context.Context, q Query, rows any) (int64, error)
	// AddEvent appends a history entry; INTERNAL.
	AddEvent(ctx context.Context, ev models.RequestEvent) error
	// Events returns the history of the requests, oldest first; INTERNAL.
	Events(ctx context.Context, owner string, ids ...string) ([]models.RequestEvent, error)
	// AddEvidence stores evidence of a request; INTERNAL.
	AddEvidence(ctx context.Context, owner, id string, files []models.Evidence) error
	// Evidence lists the requests' evidence without file contents, oldest
	// first; INTERNAL.
	Evidence(ctx context.Context, owner string, ids ...string) ([]models.Evidence, error)
	// Bills reads the bills with the numbers and what was paid of them
	// (AmountFen, PaidFen); INTERNAL.
	Bills(ctx context.Context, nos []string) ([]credit.ArrearsBill, error)
	// SetRepairPublication stores the platform's ID of a repair's
	// publication; INTERNAL.
	SetRepairPublication(ctx context.Context, repairID, publicationID string) error
}

// Query selects requests of one kind; zero fields match everything.
type Query struct {
	SubjectID string
	// IDs keeps the requests with these IDs.
	IDs    []string
	Status string
	// Statuses keeps requests in one of them.
	Statuses   []string
	AssigneeID string
	// Assigned keeps requests with an assignee.
	Assigned bool
	// DueFrom ≤ DueAt < DueBefore, each when set.
	DueFrom, DueBefore *time.Time
	// With OverdueAt set, Overdue true keeps requests in one of Open due
	// before OverdueAt; false keeps the others.
	OverdueAt *time.Time
	Open      []string
	Overdue   bool
	// After is the keyset cursor of the (DueAt, ID) order.
	After *DueCursor
	Limit int
	Count bool
	// Columns, when set, are the only columns read (the others stay zero).
	Columns []string
}

// DueCursor is a position in the (DueAt, ID) order.
type DueCursor struct {
	DueAt time.Time
	ID    string
}

// Notices keeps staff notices. Implementations: store/creditdb.
type Notices interface {
	// Insert writes the notices, skipping those whose (RefID, Day) exists,
	// and returns how many it wrote; INTERNAL.
	Insert(ctx context.Context, notices []models.StaffNotice) (int, error)
	// ForUser returns a user's notices, newest first; INTERNAL.
	ForUser(ctx context.Context, userID string, limit int) ([]models.StaffNotice, error)
	// MarkRead sets ReadAt of the user's notice when unset; false when the
	// user has no such notice. INTERNAL.
	MarkRead(ctx context.Context, id uint64, userID string, at time.Time) (bool, error)
}

// Deps are what the review services need.
type Deps struct {
	Store   Store
	Notices Notices
	// Inbox tells the enterprise each step of its requests (R7.6; nil:
	// nobody is told).
	Inbox  notice.Notifier
	Access credit.Access
	// Records changes the records under review.
	Records *record.Service
	// Calendar counts working days (nil: calendar.Default()).
	Calendar *calendar.Calendar
	Config   Config
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}
