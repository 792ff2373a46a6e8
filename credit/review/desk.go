package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/evidence"
	"creditwater/models"
)

// maxDeadlines caps one Deadlines answer.
const maxDeadlines = 500

// Desk is the staff side of the review workflow across both kinds: the
// deadlines (R5.3), reminders to the assignees, staff notices and the
// access checks of the evidence.
type Desk struct {
	repairs    *flow[models.RepairRequest, models.RepairStatus]
	objections *flow[models.Objection, models.ObjectionStatus]
	notices    Notices
	cal        func(asOf time.Time, n int) time.Time
	cfg        Config
	now        func() time.Time
}

// NewDesk returns the review desk.
func NewDesk(d Deps) *Desk {
	r, o := newFlow(repairKind, d), newFlow(objectionKind, d)
	return &Desk{repairs: r, objections: o, notices: d.Notices, cal: r.due, cfg: r.cfg, now: r.now}
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

// reminders are, by kind of deadline, the notice kinds of an item due and
// overdue and the kind's name in the notice.
var reminders = map[string]struct{ due, overdue, title string }{
	OwnerRepair:    {NoticeRepairDue, NoticeRepairOverdue, "信用修复申请"},
	OwnerObjection: {NoticeObjectionDue, NoticeObjectionOverdue, "异议申诉"},
}

// DeadlineFilter selects deadlines; zero fields match all.
type DeadlineFilter struct {
	OverdueOnly bool
	AssigneeID  string
}

// openItems reads the open requests of one kind matching q, earliest
// deadline first, as deadlines as of now.
func openItems[R any, S ~string](ctx context.Context, f *flow[R, S], q Query, now time.Time) ([]Deadline, error) {
	var rows []R
	q.Statuses = strs(f.kind.open)
	if _, err := f.store.Requests(ctx, q, &rows); err != nil {
		return nil, err
	}
	out := make([]Deadline, len(rows))
	for i := range rows {
		h := f.kind.head(&rows[i])
		out[i] = Deadline{Kind: f.kind.owner, ID: h.entity.ID, RecordID: *h.recordID, SubjectID: *h.subjectID,
			Status: string(*h.status), DueAt: *h.dueAt, Overdue: now.After(*h.dueAt), AssigneeID: credit.Deref(*h.assignee)}
	}
	return out, nil
}

// open reads the open items of both kinds matching q, earliest deadline
// first (ties by ID), at most q.Limit of each kind.
func (d *Desk) open(ctx context.Context, q Query, now time.Time) ([]Deadline, error) {
	reps, err := openItems(ctx, d.repairs, q, now)
	if err != nil {
		return nil, err
	}
	objs, err := openItems(ctx, d.objections, q, now)
	if err != nil {
		return nil, err
	}
	out := append(reps, objs...)
	slices.SortStableFunc(out, func(a, b Deadline) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Deadlines returns the open repair requests and objections matching f,
// ordered by DueAt (at most 500), each with its Overdue flag (now after
// DueAt) (R5.3). Staff roles only. It returns UNAUTHENTICATED, FORBIDDEN
// or INTERNAL.
func (d *Desk) Deadlines(ctx context.Context, f DeadlineFilter) ([]Deadline, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return nil, err
	}
	now := d.now().UTC()
	q := Query{AssigneeID: f.AssigneeID, Limit: maxDeadlines}
	if f.OverdueOnly {
		q.DueBefore = &now
	}
	out, err := d.open(ctx, q, now)
	if len(out) > maxDeadlines {
		out = out[:maxDeadlines]
	}
	return out, err
}

// RemindDue is the scheduled reminder of R5.3: for every open repair
// request or objection with an assignee that is overdue or due within
// Config.RemindWithinWorkdays working days of asOf (by the end of that
// working day), it writes a StaffNotice to the assignee, at most one per
// item per Shanghai day (a unique key; running twice a day adds nothing).
// It returns how many notices it wrote, or INTERNAL.
func (d *Desk) RemindDue(ctx context.Context, asOf time.Time) (int, error) {
	dueBy := d.cal(asOf, d.cfg.RemindWithinWorkdays).Add(time.Second) // due_at ≤ the end of that working day
	items, err := d.open(ctx, Query{Assigned: true, DueBefore: &dueBy, Limit: 10000}, asOf)
	if err != nil {
		return 0, err
	}
	day, now := credit.DateString(asOf), d.now().UTC()
	notices := make([]models.StaffNotice, len(items))
	for i, x := range items {
		n := models.StaffNotice{UserID: x.AssigneeID, RefID: x.ID, Day: day, CreatedAt: now}
		due, r := x.DueAt.In(credit.Shanghai).Format("2006-01-02 15:04"), reminders[x.Kind]
		if x.Overdue {
			n.Kind, n.Text = r.overdue, fmt.Sprintf("%s %s 已超期：应于 %s 前办结（记录 %s）", r.title, x.ID, due, x.RecordID)
		} else {
			n.Kind, n.Text = r.due, fmt.Sprintf("%s %s 即将到期：请于 %s 前办结（记录 %s）", r.title, x.ID, due, x.RecordID)
		}
		n.Text = credit.Truncate(n.Text, 500)
		notices[i] = n
	}
	return d.notices.Insert(ctx, notices)
}

// Notices returns the calling staff user's notices, newest first (at most
// 100). Staff roles only. It returns UNAUTHENTICATED, FORBIDDEN or
// INTERNAL.
func (d *Desk) Notices(ctx context.Context) ([]models.StaffNotice, error) {
	actor, err := credit.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	return d.notices.ForUser(ctx, actor.UserID, 100)
}

// MarkNoticeRead marks one of the caller's notices read. Staff roles only.
// It returns UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for another
// user's notice) or INTERNAL.
func (d *Desk) MarkNoticeRead(ctx context.Context, id uint64) error {
	actor, err := credit.RequireStaff(ctx)
	if err != nil {
		return err
	}
	ok, err := d.notices.MarkRead(ctx, id, actor.UserID, d.now().UTC())
	if err != nil || !ok {
		return credit.NotFound(err, "未找到该提醒")
	}
	return nil
}

// EvidenceCheck is the evidence.OwnerCheck of repairs (ownerType REPAIR)
// and objections (OBJECTION): staff, and enterprise users who act for the
// request's subject with the DISPUTE scope, may read their evidence.
func (d *Desk) EvidenceCheck(ownerType string) evidence.OwnerCheck {
	if ownerType == OwnerObjection {
		return evidenceCheck(d.objections)
	}
	return evidenceCheck(d.repairs)
}

func evidenceCheck[R any, S ~string](f *flow[R, S]) evidence.OwnerCheck {
	return func(ctx context.Context, ownerID string) (string, error) {
		var req R
		ok, err := f.store.Request(ctx, ownerID, &req)
		if err != nil {
			return "", apperr.Wrap(err, apperr.Internal, "无法读取证明材料的归属")
		}
		if !ok {
			return "", apperr.New(apperr.NotFound, "证据文件不存在")
		}
		if _, err := f.guard.Subject(ctx, *f.kind.head(&req).subjectID, credit.Dispute...); err != nil {
			return "", err
		}
		return f.kind.noun + "复核：" + ownerID, nil
	}
}
