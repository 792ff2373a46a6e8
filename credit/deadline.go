package credit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/models"
	"creditwater/store"
)

// Kinds of deadlines (Deadline.Kind).
const (
	DeadlineRepair    = "REPAIR"
	DeadlineObjection = "OBJECTION"
)

// Kinds of staff notices (StaffNotice.Kind).
const (
	NoticeRepairDue        = "REPAIR_DUE"
	NoticeRepairOverdue    = "REPAIR_OVERDUE"
	NoticeObjectionDue     = "OBJECTION_DUE"
	NoticeObjectionOverdue = "OBJECTION_OVERDUE"
)

// maxDeadlines caps one Deadlines answer.
const maxDeadlines = 500

// Reviews is the staff side of repairs and objections across both kinds:
// their deadlines (R5.3), reminders to the assignees and evidence files.
type Reviews struct {
	db    *gorm.DB
	audit *audit.Log
	acc   guard
	cal   *calendar.Calendar
	cfg   RepairConfig
	now   func() time.Time
}

// NewReviews returns the review desk on records' database; cal counts
// working days (nil: calendar.Default()).
func NewReviews(records *Records, cal *calendar.Calendar, cfg RepairConfig) *Reviews {
	if cal == nil {
		cal = calendar.Default()
	}
	return &Reviews{db: records.db, audit: records.audit, acc: records.acc, cal: cal, cfg: cfg.withDefaults(), now: time.Now}
}

// Deadline is one open repair request or objection that staff owe a
// decision (SUBMITTED or UNDER_REVIEW; a repair waiting for a supplement
// is the subject's turn and not listed).
type Deadline struct {
	// Kind is REPAIR or OBJECTION.
	Kind       string
	ID         string
	RecordID   string
	SubjectID  string
	Status     string
	DueAt      time.Time
	Overdue    bool
	AssigneeID string
}

// DeadlineFilter selects deadlines; zero fields match all.
type DeadlineFilter struct {
	OverdueOnly bool
	AssigneeID  string
}

type deadlineRow struct {
	ID         string
	RecordID   string
	SubjectID  string
	Status     string
	DueAt      time.Time
	AssigneeID *string
}

// openRows reads the open items of both kinds matching the conditions,
// earliest deadline first, at most limit of each kind.
func (r *Reviews) openRows(ctx context.Context, assignee string, dueBefore *time.Time, needAssignee bool, limit int) (repairs, objections []deadlineRow, err error) {
	q := func(model any, statuses any) *gorm.DB {
		db := r.db.WithContext(ctx).Model(model).Select("id, record_id, subject_id, status, due_at, assignee_id").
			Where("status IN ?", statuses)
		if assignee != "" {
			db = db.Where("assignee_id = ?", assignee)
		}
		if needAssignee {
			db = db.Where("assignee_id IS NOT NULL AND assignee_id <> ''")
		}
		if dueBefore != nil {
			db = db.Where("due_at < ?", *dueBefore)
		}
		return db.Order("due_at ASC, id ASC").Limit(limit)
	}
	if err := q(&models.RepairRequest{}, []models.RepairStatus{models.RepairSubmitted, models.RepairUnderReview}).Scan(&repairs).Error; err != nil {
		return nil, nil, apperr.Wrap(err, apperr.Internal, "could not read the repair requests")
	}
	if err := q(&models.Objection{}, []models.ObjectionStatus{models.ObjectionSubmitted, models.ObjectionUnderReview}).Scan(&objections).Error; err != nil {
		return nil, nil, apperr.Wrap(err, apperr.Internal, "could not read the objections")
	}
	return repairs, objections, nil
}

// Deadlines returns the open repair requests and objections matching f,
// ordered by DueAt (at most 500), each with its Overdue flag (now after
// DueAt) (R5.3). Staff roles only. It returns UNAUTHENTICATED, FORBIDDEN
// or INTERNAL.
func (r *Reviews) Deadlines(ctx context.Context, f DeadlineFilter) ([]Deadline, error) {
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return nil, err
	}
	now := r.now().UTC()
	var before *time.Time
	if f.OverdueOnly {
		before = &now
	}
	reps, objs, err := r.openRows(ctx, f.AssigneeID, before, false, maxDeadlines)
	if err != nil {
		return nil, err
	}
	out := make([]Deadline, 0, len(reps)+len(objs))
	add := func(kind string, rows []deadlineRow) {
		for _, x := range rows {
			out = append(out, Deadline{Kind: kind, ID: x.ID, RecordID: x.RecordID, SubjectID: x.SubjectID, Status: x.Status,
				DueAt: x.DueAt, Overdue: now.After(x.DueAt), AssigneeID: deref(x.AssigneeID)})
		}
	}
	add(DeadlineRepair, reps)
	add(DeadlineObjection, objs)
	slices.SortStableFunc(out, func(a, b Deadline) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > maxDeadlines {
		out = out[:maxDeadlines]
	}
	return out, nil
}

// RemindDue is the scheduled reminder of R5.3: for every open repair
// request or objection with an assignee that is overdue or due within
// RepairConfig.RemindWithinWorkdays working days of asOf (by the end of
// that working day), it writes a StaffNotice to the assignee, at most one
// per item per Shanghai day (a unique key; running twice a day adds
// nothing). It returns how many notices it wrote, or INTERNAL.
func (r *Reviews) RemindDue(ctx context.Context, asOf time.Time) (int, error) {
	dueBy := r.cal.AddWorkdays(asOf, r.cfg.RemindWithinWorkdays).UTC().Add(time.Second) // due_at ≤ the end of that working day
	reps, objs, err := r.openRows(ctx, "", &dueBy, true, 10000)
	if err != nil {
		return 0, err
	}
	day := dateString(asOf)
	now := r.now().UTC()
	var notices []models.StaffNotice
	add := func(dueKind, overdueKind, label string, rows []deadlineRow) {
		for _, x := range rows {
			n := models.StaffNotice{UserID: deref(x.AssigneeID), RefID: x.ID, Day: day, CreatedAt: now}
			due := x.DueAt.In(shanghai).Format("2006-01-02 15:04")
			if asOf.After(x.DueAt) {
				n.Kind, n.Text = overdueKind, fmt.Sprintf("%s %s 已超期：应于 %s 前办结（记录 %s）", label, x.ID, due, x.RecordID)
			} else {
				n.Kind, n.Text = dueKind, fmt.Sprintf("%s %s 即将到期：请于 %s 前办结（记录 %s）", label, x.ID, due, x.RecordID)
			}
			notices = append(notices, n)
		}
	}
	add(NoticeRepairDue, NoticeRepairOverdue, "信用修复申请", reps)
	add(NoticeObjectionDue, NoticeObjectionOverdue, "异议申诉", objs)
	return r.insertNotices(ctx, notices)
}

// insertNotices writes the notices with one multi-row INSERT per 500,
// skipping those whose (RefID, Day) exists, and returns how many it wrote.
// A raw INSERT keeps the affected-row count exact: GORM adds RETURNING on
// MariaDB, which also returns the rows of skipped duplicates.
func (r *Reviews) insertNotices(ctx context.Context, notices []models.StaffNotice) (int, error) {
	db := r.db.WithContext(ctx)
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
			args = append(args, n.UserID, n.Kind, n.RefID, n.Day, truncate(n.Text, 500), n.CreatedAt)
		}
		res := db.Exec(sb.String()+suffix, args...)
		if res.Error != nil {
			return written, apperr.Wrap(res.Error, apperr.Internal, "could not store the staff notices")
		}
		written += int(res.RowsAffected)
	}
	return written, nil
}

// Notices returns the calling staff user's notices, newest first (at most
// 100). Staff roles only. It returns UNAUTHENTICATED, FORBIDDEN or
// INTERNAL.
func (r *Reviews) Notices(ctx context.Context) ([]models.StaffNotice, error) {
	actor, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var out []models.StaffNotice
	if err := r.db.WithContext(ctx).Where("user_id = ?", actor.UserID).Order("id DESC").Limit(100).Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the notices")
	}
	return out, nil
}

// MarkNoticeRead marks one of the caller's notices read. Staff roles only.
// It returns UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for another
// user's notice) or INTERNAL.
func (r *Reviews) MarkNoticeRead(ctx context.Context, id uint64) error {
	actor, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return err
	}
	var n models.StaffNotice
	res := r.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, actor.UserID).Limit(1).Find(&n)
	if res.Error != nil {
		return apperr.Wrap(res.Error, apperr.Internal, "could not read the notice")
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "notice not found")
	}
	if n.ReadAt != nil {
		return nil
	}
	if err := r.db.WithContext(ctx).Model(&models.StaffNotice{}).Where("id = ?", id).Update("read_at", r.now().UTC()).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not update the notice")
	}
	return nil
}
