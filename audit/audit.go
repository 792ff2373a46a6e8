// Package audit writes and reads the append-only audit log: every credit
// report read, unmasked personal-data read and decision is recorded with who,
// whose, why, when and the request ID (R6.2, R7.2).
package audit

import (
	"context"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/page"
	"creditwater/reqctx"
	"creditwater/store"
)

// Entry is what a caller records; the actor, time and request ID come from
// the context.
type Entry struct {
	Action      string
	SubjectType string
	SubjectID   string
	Purpose     string
	Detail      string
}

// Log is the audit log.
type Log struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns the audit log stored in db.
func New(db *gorm.DB) *Log { return &Log{db: db, now: time.Now} }

// Record appends e. Pass tx to write inside a caller's transaction, or nil.
// It returns INTERNAL when the entry cannot be stored: callers treat that as
// a failure of the audited action.
func (l *Log) Record(ctx context.Context, tx *gorm.DB, e Entry) error {
	if tx == nil {
		tx = l.db
	}
	row := models.AuditEntry{
		PublicID: models.NewID(), At: l.now().UTC(), Action: e.Action,
		SubjectType: e.SubjectType, SubjectID: e.SubjectID, Purpose: e.Purpose, Detail: e.Detail,
		RequestID: reqctx.RequestID(ctx),
	}
	if a := reqctx.ActorFrom(ctx); a != nil {
		row.ActorID, row.ActorRole = a.UserID, a.Role
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法写入审计日志")
	}
	return nil
}

// Filter selects audit entries; zero fields match everything.
type Filter struct {
	ActorID   string
	Action    string
	SubjectID string
	From, To  time.Time
	// Count asks for Page.TotalCount (capped at page.CountCap+1).
	Count bool
}

// listKey is the order of the audit log: newest first, by time and then
// ID, so that a time range and each filter read one index range in order
// (migration 0030).
var listKey = page.NewKey("audit", page.Desc("at"), page.Desc("id"))

// Page is one page of entries, newest first.
type Page struct {
	Entries []models.AuditEntry
	page.Info
}

// List returns entries matching f, newest first, after the opaque cursor.
// It returns INVALID (field "after") for a malformed cursor.
func (l *Log) List(ctx context.Context, f Filter, first int, after string) (Page, error) {
	q := store.ReadReplica(l.db.WithContext(ctx)).Model(&models.AuditEntry{})
	q = store.Eq(q, "actor_id", f.ActorID)
	q = store.Eq(q, "action", f.Action)
	q = store.Eq(q, "subject_id", f.SubjectID)
	q = store.Between(q, "at", f.From, f.To)
	var p Page
	if f.Count {
		n, err := store.CountUpTo(q)
		if err != nil {
			return p, apperr.Wrap(err, apperr.Internal, "无法读取审计日志")
		}
		p.TotalCount = n
	}
	var at time.Time
	var id uint64
	pos, err := listKey.Position(after, &at, &id)
	if err != nil {
		return p, err
	}
	first = page.Clamp(first)
	p.Entries = make([]models.AuditEntry, 0, first+1)
	if err := store.PageQuery(q, listKey, pos, first).Find(&p.Entries).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取审计日志")
	}
	if len(p.Entries) > first {
		p.Entries, p.HasNext = p.Entries[:first], true
	}
	if n := len(p.Entries); n > 0 {
		p.EndCursor = Cursor(p.Entries[n-1])
	}
	return p, nil
}

// Cursor is the opaque cursor of an entry in the list.
func Cursor(e models.AuditEntry) string { return listKey.Encode(e.At.UTC(), e.ID) }
