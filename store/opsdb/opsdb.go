// Package opsdb is the SQL of the operations API: it implements ops.Store
// with gorm on MySQL/MariaDB and SQLite. Lists are keyset pages, newest
// first, on the table's primary key (UUIDv7 or auto-increment, both grow
// with time); statistics are aggregated in SQL, with the dialect's date
// arithmetic chosen here. Errors are INTERNAL with a caller-safe message,
// or INVALID (field after) for a foreign cursor.
package opsdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/ops"
	"creditwater/page"
	"creditwater/store"
)

// Store implements ops.Store.
type Store struct {
	db    *gorm.DB
	mysql bool
}

var _ ops.Store = (*Store)(nil)

// New returns the store on db.
func New(db *gorm.DB) *Store { return &Store{db: db, mysql: store.IsMySQL(db)} }

// list is the handle of the lists and statistics: a read replica when one
// is configured (store.ReadReplica). Publication, read by key for the
// operations' mutations, stays on the primary.
func (s *Store) list(ctx context.Context) *gorm.DB { return store.ReadReplica(s.db.WithContext(ctx)) }

// keyset reads one page of q (a query on T's table) newest first by the
// key column col, after the cursor of w, with the total count.
func keyset[T any, K any](q *gorm.DB, w ops.Window, col string, key func(T) K) (ops.Page[T], error) {
	var p ops.Page[T]
	var after K
	k := page.NewKey(fmt.Sprintf("%T.%s", *new(T), col), page.Desc(col))
	pos, err := k.Position(w.After, &after)
	if err != nil {
		return p, err
	}
	if p.TotalCount, err = store.CountUpTo(q.Session(&gorm.Session{})); err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法统计列表")
	}
	if err := store.PageQuery(q, k, pos, w.First).Find(&p.Items).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取列表")
	}
	if len(p.Items) > w.First {
		p.Items, p.HasNext = p.Items[:w.First], true
	}
	for _, it := range p.Items {
		p.Cursors = append(p.Cursors, k.Encode(key(it)))
	}
	return p, nil
}

// likeEscape makes s a LIKE pattern matching s anywhere, with '!' as the
// escape character (the same in both dialects).
func likeEscape(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return "%" + r.Replace(s) + "%"
}

// SearchSubjects implements ops.Store.
func (s *Store) SearchSubjects(ctx context.Context, text string, w ops.Window) (ops.Page[models.Subject], error) {
	q := s.list(ctx).Model(&models.Subject{}).
		Where("uscc = ? OR name LIKE ? ESCAPE '!' OR id IN (SELECT subject_id FROM accounts WHERE account_no = ?)",
			strings.ToUpper(text), likeEscape(text), text)
	return keyset(q, w, "id", func(v models.Subject) string { return v.ID })
}

// SubjectRepairs implements ops.Store.
func (s *Store) SubjectRepairs(ctx context.Context, subjectID string, w ops.Window) (ops.Page[models.RepairRequest], error) {
	q := s.list(ctx).Model(&models.RepairRequest{}).Where("subject_id = ?", subjectID)
	return keyset(q, w, "id", func(v models.RepairRequest) string { return v.ID })
}

// SubjectObjections implements ops.Store.
func (s *Store) SubjectObjections(ctx context.Context, subjectID string, w ops.Window) (ops.Page[models.Objection], error) {
	q := s.list(ctx).Model(&models.Objection{}).Where("subject_id = ?", subjectID)
	return keyset(q, w, "id", func(v models.Objection) string { return v.ID })
}

// subjectAggregates are the tables whose rows' outbox messages are about
// their subject_id.
var subjectAggregates = []string{"dishonesty_records", "repair_requests", "commitments", "applications"}

// Publications implements ops.Store.
func (s *Store) Publications(ctx context.Context, f ops.PublicationFilter, w ops.Window) (ops.Page[models.OutboxMessage], error) {
	q := s.list(ctx).Model(&models.OutboxMessage{})
	q = store.Eq(q, "status", f.Status)
	q = store.Eq(q, "kind", f.Kind)
	q = store.Eq(q, "aggregate_id", f.AggregateID)
	if f.SubjectID != "" {
		var ors []string
		var args []any
		for _, t := range subjectAggregates {
			ors = append(ors, "aggregate_id IN (SELECT id FROM "+t+" WHERE subject_id = ?)")
			args = append(args, f.SubjectID)
		}
		q = q.Where(strings.Join(ors, " OR "), args...)
	}
	q = store.Between(q, "created_at", f.From, f.To)
	return keyset(q, w, "id", func(v models.OutboxMessage) uint64 { return v.ID })
}

// Publication implements ops.Store.
func (s *Store) Publication(ctx context.Context, key string) (models.OutboxMessage, bool, error) {
	var m models.OutboxMessage
	err := s.db.WithContext(ctx).Where("`key` = ?", key).Take(&m).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return m, false, nil
	case err != nil:
		return m, false, apperr.Wrap(err, apperr.Internal, "无法读取该待发消息")
	}
	return m, true, nil
}

// JobRuns implements ops.Store.
func (s *Store) JobRuns(ctx context.Context, f ops.JobRunFilter, w ops.Window) (ops.Page[models.JobRun], error) {
	q := s.list(ctx).Model(&models.JobRun{})
	q = store.Eq(q, "job", f.Job)
	q = store.Eq(q, "status", f.Status)
	q = store.Between(q, "started_at", f.From, f.To)
	return keyset(q, w, "id", func(v models.JobRun) uint64 { return v.ID })
}
