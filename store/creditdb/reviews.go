package creditdb

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/page"
	"creditwater/store"
)

// Records is the record store on the same handle.
func (s *Reviews) Records() record.Store { return &Records{s.conn} }

// noun names the kind of a request row (or slice of rows) in messages.
func noun(row any) string {
	switch row.(type) {
	case *models.Objection, *[]models.Objection:
		return "objection"
	}
	return "repair request"
}

// Request reads a request, locked inside a transaction.
func (s *Reviews) Request(ctx context.Context, id string, row any) (bool, error) {
	return s.find(ctx, true, row, noun(row), "id = ?", id)
}

// OpenRequest returns the ID of the record's open request of row's kind.
func (s *Reviews) OpenRequest(ctx context.Context, row any, recordID string) (string, error) {
	var open []string
	if err := s.q(ctx).Model(row).Where("open_key = ?", recordID).Limit(1).Pluck("id", &open).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法读取%s", noun(row))
	}
	if len(open) == 0 {
		return "", nil
	}
	return open[0], nil
}

// InsertRequest stores a new request; the unique open key makes a second
// open request of a record credit.ErrDuplicate.
func (s *Reviews) InsertRequest(ctx context.Context, row any) error {
	return s.create(ctx, row, noun(row))
}

// UpdateRequest writes the workflow's columns of a request under
// optimistic locking.
func (s *Reviews) UpdateRequest(ctx context.Context, row any, version int) (bool, error) {
	var model any
	var id string
	var cols map[string]any
	switch r := row.(type) {
	case *models.RepairRequest:
		model, id = &models.RepairRequest{}, r.ID
		cols = map[string]any{"status": r.Status, "missing_items": r.MissingItems, "assignee_id": r.AssigneeID, "due_at": r.DueAt,
			"decided_by": r.DecidedBy, "decided_at": r.DecidedAt, "decision": r.Decision, "open_key": r.OpenKey,
			"version": r.Version, "updated_at": r.UpdatedAt}
	case *models.Objection:
		model, id = &models.Objection{}, r.ID
		cols = map[string]any{"status": r.Status, "accepted_at": r.AcceptedAt, "due_at": r.DueAt, "extended": r.Extended,
			"extension_reason": r.ExtensionReason, "assignee_id": r.AssigneeID, "decided_by": r.DecidedBy, "decided_at": r.DecidedAt,
			"decision": r.Decision, "correction": r.Correction, "open_key": r.OpenKey, "version": r.Version, "updated_at": r.UpdatedAt}
	default:
		return false, apperr.New(apperr.Internal, "不是复核申请：%T", row)
	}
	res := s.q(ctx).Model(model).Where("id = ? AND version = ?", id, version).Updates(cols)
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法更新%s", noun(row))
	}
	return res.RowsAffected > 0, nil
}

// Requests lists the requests of q into rows. A list (q without IDs: the
// repair and objection queues, the deadlines) reads a replica when one is
// configured (store.ReadReplica); reads by ID stay on the primary.
func (s *Reviews) Requests(ctx context.Context, q review.Query, rows any) (int64, error) {
	db := s.q(ctx).Model(rows)
	if q.IDs == nil {
		db = store.ReadReplica(db)
	}
	if q.Columns != nil {
		db = db.Select(q.Columns)
	}
	if q.SubjectID != "" {
		db = db.Where("subject_id = ?", q.SubjectID)
	}
	if q.IDs != nil {
		db = db.Where("id IN ?", q.IDs)
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	if q.Statuses != nil {
		db = db.Where("status IN ?", q.Statuses)
	}
	if q.AssigneeID != "" {
		db = db.Where("assignee_id = ?", q.AssigneeID)
	}
	if q.Assigned {
		db = db.Where("assignee_id IS NOT NULL AND assignee_id <> ''")
	}
	if q.DueFrom != nil {
		db = db.Where("due_at >= ?", *q.DueFrom)
	}
	if q.DueBefore != nil {
		db = db.Where("due_at < ?", *q.DueBefore)
	}
	if q.OverdueAt != nil {
		if q.Overdue {
			db = db.Where("status IN ? AND due_at < ?", q.Open, *q.OverdueAt)
		} else {
			db = db.Where("(status NOT IN ? OR due_at >= ?)", q.Open, *q.OverdueAt)
		}
	}
	var total int64
	if q.Count {
		n, err := store.CountUpTo(db)
		if err != nil {
			return 0, apperr.Wrap(err, apperr.Internal, "could not count the queue")
		}
		total = n
	}
	var after []any
	if q.After != nil {
		after = []any{q.After.DueAt, q.After.ID}
	}
	// Several statuses (the deadlines: the open ones) are read one index
	// range per status in (due_at, id) order and merged (issue 14): an IN
	// list would sort all the open requests for each page.
	statuses := q.Statuses
	if statuses == nil && q.OverdueAt != nil && q.Overdue {
		statuses = q.Open
	}
	var read *gorm.DB
	if len(statuses) > 1 && q.IDs == nil {
		if err := db.Statement.Parse(rows); err != nil {
			return 0, apperr.Wrap(err, apperr.Internal, "无法读取%s", noun(rows))
		}
		vals := make([]any, len(statuses))
		for i, st := range statuses {
			vals[i] = st
		}
		read = store.PageQueryEach(db, db.Statement.Table, "status", vals, dueKey, after, q.Limit-1)
	} else {
		read = store.PageQuery(db, dueKey, after, q.Limit-1)
	}
	if err := read.Find(rows).Error; err != nil {
		return 0, apperr.Wrap(err, apperr.Internal, "无法读取%s", noun(rows))
	}
	return total, nil
}

// dueKey is the order of the request lists (the cursor's list name is the
// domain's; only the columns matter here).
var dueKey = page.NewKey("", page.Asc("due_at"), page.Asc("id"))

// AddEvent appends a history entry.
func (s *Reviews) AddEvent(ctx context.Context, ev models.RequestEvent) error {
	if err := s.q(ctx).Create(&ev).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法保存申请历史")
	}
	return nil
}

// Events returns a request's history, oldest first.
func (s *Reviews) Events(ctx context.Context, owner string, ids ...string) ([]models.RequestEvent, error) {
	return list[models.RequestEvent](ctx, s.conn, "request history", "id ASC", 0, "owner_type = ? AND owner_id IN ?", owner, ids)
}

// AddEvidence stores evidence (evidence.Store: one INSERT each).
func (s *Reviews) AddEvidence(ctx context.Context, owner, id string, files []models.Evidence) error {
	return evidence.Store(s.q(ctx), owner, id, files)
}

// Evidence lists a request's evidence without contents (evidence.List).
func (s *Reviews) Evidence(ctx context.Context, owner string, ids ...string) ([]models.Evidence, error) {
	return evidence.List(ctx, s.db, owner, ids...)
}

// Bills reads bills with the sum of their payments.
func (s *Reviews) Bills(ctx context.Context, nos []string) ([]credit.ArrearsBill, error) {
	var rows []credit.ArrearsBill
	err := s.q(ctx).Raw(`SELECT b.bill_no, b.amount_fen, `+paidSQL+` AS paid_fen FROM bills b WHERE b.bill_no IN ?`, nos).Scan(&rows).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取账单")
	}
	return rows, nil
}

// SetRepairPublication stores a repair's publication ID.
func (s *Reviews) SetRepairPublication(ctx context.Context, repairID, publicationID string) error {
	if err := s.q(ctx).Model(&models.RepairRequest{}).Where("id = ?", repairID).Update("publication_id", publicationID).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法保存公示编号")
	}
	return nil
}

// Insert writes the notices with one multi-row INSERT per 500, skipping
// those whose (RefID, Day) exists (ON CONFLICT DO NOTHING; ON DUPLICATE
// KEY UPDATE on MySQL). A raw INSERT keeps the affected-row count exact:
// GORM adds RETURNING on MariaDB, which also returns the rows of skipped
// duplicates.
func (s *Notices) Insert(ctx context.Context, notices []models.StaffNotice) (int, error) {
	db := s.q(ctx)
	suffix := " ON CONFLICT DO NOTHING"
	if store.IsMySQL(db) {
		suffix = " ON DUPLICATE KEY UPDATE id = id"
	}
	var written int
	for start := 0; start < len(notices); start += 500 {
		batch := notices[start:min(start+500, len(notices))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO staff_notices (user_id, kind, ref_id, day, text, created_at) VALUES ")
		args := make([]any, 0, 6*len(batch))
		for i, n := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, n.UserID, n.Kind, n.RefID, n.Day, n.Text, n.CreatedAt)
		}
		res := db.Exec(sb.String()+suffix, args...)
		if res.Error != nil {
			return written, apperr.Wrap(res.Error, apperr.Internal, "无法保存工作人员提醒")
		}
		written += int(res.RowsAffected)
	}
	return written, nil
}

// ForUser returns a user's notices, newest first.
func (s *Notices) ForUser(ctx context.Context, userID string, limit int) ([]models.StaffNotice, error) {
	return list[models.StaffNotice](ctx, s.conn, "notices", "id DESC", limit, "user_id = ?", userID)
}

// MarkRead sets ReadAt of the user's notice when unset.
func (s *Notices) MarkRead(ctx context.Context, id uint64, userID string, at time.Time) (bool, error) {
	n, ok, err := one[models.StaffNotice](ctx, s.conn, false, "notice", "id = ? AND user_id = ?", id, userID)
	if err != nil || !ok || n.ReadAt != nil {
		return ok, err
	}
	if err := s.q(ctx).Model(&models.StaffNotice{}).Where("id = ?", id).Update("read_at", at).Error; err != nil {
		return false, apperr.Wrap(err, apperr.Internal, "无法更新提醒")
	}
	return true, nil
}
