// Package inbox is every user's in-app inbox (R7.6): notices of the events
// that concern them or their enterprise, in Chinese, paged newest first,
// read or unread.
package inbox

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/page"
)

// Inbox reads and writes notices.
type Inbox struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns the inbox.
func New(db *gorm.DB) *Inbox { return &Inbox{db: db, now: time.Now} }

// Post writes n in tx (or the inbox's database when tx is nil). A notice
// with a DedupKey that was already posted is skipped without error. It
// returns INTERNAL on a database failure.
func (b *Inbox) Post(ctx context.Context, tx *gorm.DB, n models.Notice) error {
	_, err := b.post(ctx, tx, n)
	return err
}

// post is Post, reporting whether n was new.
func (b *Inbox) post(ctx context.Context, tx *gorm.DB, n models.Notice) (bool, error) {
	if tx == nil {
		tx = b.db
	}
	if n.PublicID == "" {
		n.PublicID = models.NewID()
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = b.now().UTC()
	}
	if n.DedupKey != nil {
		var exists int64
		if err := tx.WithContext(ctx).Model(&models.Notice{}).Where("dedup_key = ?", *n.DedupKey).Count(&exists).Error; err != nil {
			return false, apperr.Wrap(err, apperr.Internal, "无法发送站内通知")
		}
		if exists > 0 {
			return false, nil
		}
	}
	err := tx.WithContext(ctx).Create(&n).Error
	if n.DedupKey != nil && errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil
	}
	if err != nil {
		return false, apperr.Wrap(err, apperr.Internal, "无法发送站内通知")
	}
	return true, nil
}

// Page is one page of the caller's notices.
type Page struct {
	Notices     []models.Notice
	HasNext     bool
	TotalCount  int64
	UnreadCount int64
}

// Cursor is the opaque cursor of a notice.
func Cursor(n models.Notice) string { return page.Encode("inbox", n.ID) }

// Mine returns the caller's notices, newest first. It returns
// UNAUTHENTICATED without a session, INVALID (first, after) and INTERNAL.
func (b *Inbox) Mine(ctx context.Context, unreadOnly bool, first *int, after string) (Page, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return Page{}, err
	}
	n, err := page.First(first)
	if err != nil {
		return Page{}, err
	}
	var afterID uint64
	hasAfter, err := page.Decode("inbox", after, &afterID)
	if err != nil {
		return Page{}, err
	}
	base := b.db.WithContext(ctx).Model(&models.Notice{}).Where("user_id = ?", a.UserID)
	var out Page
	if err := base.Session(&gorm.Session{}).Count(&out.TotalCount).Error; err != nil {
		return Page{}, apperr.Wrap(err, apperr.Internal, "无法读取站内消息")
	}
	if err := base.Session(&gorm.Session{}).Where("read_at IS NULL").Count(&out.UnreadCount).Error; err != nil {
		return Page{}, apperr.Wrap(err, apperr.Internal, "无法读取站内消息")
	}
	q := base.Session(&gorm.Session{})
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if hasAfter {
		q = q.Where("id < ?", afterID)
	}
	if err := q.Order("id DESC").Limit(n + 1).Find(&out.Notices).Error; err != nil {
		return Page{}, apperr.Wrap(err, apperr.Internal, "无法读取站内消息")
	}
	if len(out.Notices) > n {
		out.Notices, out.HasNext = out.Notices[:n], true
	}
	return out, nil
}

// MarkRead marks the caller's notices read: the ones named, or all when
// ids is empty. It returns the number marked, UNAUTHENTICATED and INTERNAL.
func (b *Inbox) MarkRead(ctx context.Context, ids []string) (int64, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return 0, err
	}
	q := b.db.WithContext(ctx).Model(&models.Notice{}).Where("user_id = ? AND read_at IS NULL", a.UserID)
	if len(ids) > 0 {
		q = q.Where("public_id IN ?", ids)
	}
	res := q.Update("read_at", b.now().UTC())
	if res.Error != nil {
		return 0, apperr.Wrap(res.Error, apperr.Internal, "无法更新站内消息")
	}
	return res.RowsAffected, nil
}
