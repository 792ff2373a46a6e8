// Package ops is the operations API's domain (R8.1, R8.3): what staff,
// credit officers and admins need to do their work without database
// access — finding a subject by USCC, name or account number, the pieces
// of a subject's whole picture that no other package lists (accounts,
// bills, payments, repairs, objections), the publication outbox with the
// retry of DEAD messages, the job runs, and the management statistics with
// their CSV export. The SQL lives behind Store (store/opsdb); this package
// owns who may ask, the defaults and limits, and the shapes of the answers.
package ops

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/config"
	"creditwater/models"
	"creditwater/page"
)

// staff are the roles that see the operations API.
var staff = []models.Role{models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin}

// retriers are the roles that may requeue a DEAD publication.
var retriers = []models.Role{models.RoleCreditOfficer, models.RoleAdmin}

// Window is one page asked for: its size (already clamped by page.First)
// and the opaque cursor of the last item seen ("" for the first page).
type Window struct {
	First int
	After string
}

// Page is one page of a keyset connection, newest first.
type Page[T any] struct {
	Items []T
	// Cursors[i] is the cursor of Items[i].
	Cursors    []string
	HasNext    bool
	TotalCount int64
}

// EndCursor is the cursor of the last item ("" on an empty page).
func (p Page[T]) EndCursor() string {
	if len(p.Cursors) == 0 {
		return ""
	}
	return p.Cursors[len(p.Cursors)-1]
}

// PublicationFilter selects outbox messages; empty fields match all.
type PublicationFilter struct {
	Status models.OutboxStatus
	Kind   string
	// SubjectID matches messages about the subject's records, repairs,
	// commitments and applications.
	SubjectID string
	// AggregateID matches the messages about one entity.
	AggregateID string
	// From (inclusive) and To (exclusive) bound the creation time.
	From, To time.Time
}

// JobRunFilter selects job runs; empty fields match all.
type JobRunFilter struct {
	Job    string
	Status string
	From   time.Time
	To     time.Time
}

// Store is the SQL the operations API needs. Its errors are INTERNAL, or
// INVALID (field after) for a cursor it did not make; "not found" is a
// false result.
type Store interface {
	// SearchSubjects finds subjects whose USCC or an account number
	// equals text, or whose name contains it.
	SearchSubjects(ctx context.Context, text string, w Window) (Page[models.Subject], error)
	SubjectRepairs(ctx context.Context, subjectID string, w Window) (Page[models.RepairRequest], error)
	SubjectObjections(ctx context.Context, subjectID string, w Window) (Page[models.Objection], error)
	Publications(ctx context.Context, f PublicationFilter, w Window) (Page[models.OutboxMessage], error)
	// Publication reads the message of an idempotency key.
	Publication(ctx context.Context, key string) (models.OutboxMessage, bool, error)
	JobRuns(ctx context.Context, f JobRunFilter, w Window) (Page[models.JobRun], error)
	Stats(ctx context.Context, p Period, now time.Time) (Stats, error)
}

// Retrier requeues a DEAD outbox message (outbox.Worker).
type Retrier interface {
	Retry(ctx context.Context, id uint64) error
}

// Service answers the operations API.
type Service struct {
	store Store
	retry Retrier
	cfg   config.Ops
	cache *StatsCache
	now   func() time.Time
}

// New returns the service; cache keeps the statistics (nil: none).
func New(store Store, retry Retrier, cfg config.Ops, cache *StatsCache) *Service {
	return &Service{store: store, retry: retry, cfg: cfg, cache: cache, now: time.Now}
}

// window checks first and after.
func window(first *int, after string) (Window, error) {
	n, err := page.First(first)
	if err != nil {
		return Window{}, err
	}
	return Window{First: n, After: after}, nil
}

// SearchSubjects finds subjects by USCC, account number (exact) or name
// (part), newest first (R8.1). It returns UNAUTHENTICATED/FORBIDDEN for
// non-staff, INVALID (field query) for text under 2 or over 100 characters,
// INVALID (first, after) for a bad page, and INTERNAL.
func (s *Service) SearchSubjects(ctx context.Context, text string, first *int, after string) (Page[models.Subject], error) {
	if _, err := auth.Require(ctx, staff...); err != nil {
		return Page[models.Subject]{}, err
	}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n < 2 || n > 100 {
		return Page[models.Subject]{}, apperr.InvalidField("query", "检索内容须为 2–100 个字符")
	}
	w, err := window(first, after)
	if err != nil {
		return Page[models.Subject]{}, err
	}
	return s.store.SearchSubjects(ctx, text, w)
}

// subjectList runs one of a subject's lists for staff.
func subjectList[T any](ctx context.Context, subjectID string, first *int, after string, list func(context.Context, string, Window) (Page[T], error)) (Page[T], error) {
	if _, err := auth.Require(ctx, staff...); err != nil {
		return Page[T]{}, err
	}
	w, err := window(first, after)
	if err != nil {
		return Page[T]{}, err
	}
	return list(ctx, subjectID, w)
}

// Repairs lists a subject's repair requests, newest first (staff).
func (s *Service) Repairs(ctx context.Context, subjectID string, first *int, after string) (Page[models.RepairRequest], error) {
	return subjectList(ctx, subjectID, first, after, s.store.SubjectRepairs)
}

// Objections lists a subject's objections, newest first (staff).
func (s *Service) Objections(ctx context.Context, subjectID string, first *int, after string) (Page[models.Objection], error) {
	return subjectList(ctx, subjectID, first, after, s.store.SubjectObjections)
}

// Publications lists outbox messages, newest first (staff, R8.1). It
// returns INVALID (field status) for an unknown status, and errors as
// SearchSubjects.
func (s *Service) Publications(ctx context.Context, f PublicationFilter, first *int, after string) (Page[models.OutboxMessage], error) {
	if _, err := auth.Require(ctx, staff...); err != nil {
		return Page[models.OutboxMessage]{}, err
	}
	switch f.Status {
	case "", models.OutboxPending, models.OutboxDone, models.OutboxDead:
	default:
		return Page[models.OutboxMessage]{}, apperr.InvalidField("status", "状态须为 PENDING、DONE 或 DEAD")
	}
	w, err := window(first, after)
	if err != nil {
		return Page[models.OutboxMessage]{}, err
	}
	return s.store.Publications(ctx, f, w)
}

// RetryPublication requeues a DEAD publication for delivery now, with an
// audit entry (a credit officer or an admin, R8.1); key is the message's
// idempotency key, its public ID. It is idempotent: a
// message already PENDING again, or delivered since, is returned as it is.
// It returns UNAUTHENTICATED/FORBIDDEN, NOT_FOUND for an unknown id, and
// INTERNAL.
func (s *Service) RetryPublication(ctx context.Context, key string) (models.OutboxMessage, error) {
	if _, err := auth.Require(ctx, retriers...); err != nil {
		return models.OutboxMessage{}, err
	}
	msg, ok, err := s.store.Publication(ctx, key)
	switch {
	case err != nil:
		return msg, err
	case !ok:
		return msg, apperr.New(apperr.NotFound, "没有这条发布消息")
	case msg.Status != models.OutboxDead:
		return msg, nil
	}
	if err := s.retry.Retry(ctx, msg.ID); err != nil {
		if e := apperr.As(err); e == nil || e.Reason != "NOT_DEAD" { // NOT_DEAD: someone retried it meanwhile
			return msg, err
		}
	}
	msg, _, err = s.store.Publication(ctx, key)
	return msg, err
}

// JobRuns lists job runs, newest first (ADMIN). Errors as SearchSubjects.
func (s *Service) JobRuns(ctx context.Context, f JobRunFilter, first *int, after string) (Page[models.JobRun], error) {
	if _, err := auth.Require(ctx, models.RoleAdmin); err != nil {
		return Page[models.JobRun]{}, err
	}
	w, err := window(first, after)
	if err != nil {
		return Page[models.JobRun]{}, err
	}
	return s.store.JobRuns(ctx, f, w)
}
