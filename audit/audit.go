// Package audit writes and reads the append-only audit log: every credit
// report read, unmasked personal-data read and decision is recorded with who,
// whose, why, when and the request ID (R6.2, R7.2).
package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/reqctx"
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
}

// Page is one page of entries, newest first.
type Page struct {
	Entries    []models.AuditEntry
	EndCursor  string
	HasNext    bool
	TotalCount int64
}

// List returns entries matching f, newest first, after the opaque cursor.
// It returns INVALID (field "after") for a malformed cursor.
func (l *Log) List(ctx context.Context, f Filter, first int, after string) (Page, error) {
	q := l.db.WithContext(ctx).Model(&models.AuditEntry{})
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.SubjectID != "" {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	var p Page
	if err := q.Count(&p.TotalCount).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取审计日志")
	}
	if after != "" {
		id, err := DecodeCursor(after)
		if err != nil {
			return p, err
		}
		q = q.Where("id < ?", id)
	}
	first = clampFirst(first)
	if err := q.Order("id DESC").Limit(first + 1).Find(&p.Entries).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取审计日志")
	}
	if len(p.Entries) > first {
		p.Entries, p.HasNext = p.Entries[:first], true
	}
	if n := len(p.Entries); n > 0 {
		p.EndCursor = EncodeCursor(p.Entries[n-1].ID)
	}
	return p, nil
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

// EncodeCursor makes an opaque cursor of an internal key.
func EncodeCursor(id uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("a:" + strconv.FormatUint(id, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor; INVALID otherwise.
func DecodeCursor(c string) (uint64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), "a:") {
		if id, err := strconv.ParseUint(string(b[2:]), 10, 64); err == nil {
			return id, nil
		}
	}
	return 0, apperr.InvalidField("after", "%s", fmt.Sprintf("游标 %q 无效", c))
}
