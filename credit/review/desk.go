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
	"creditwater/page"
)

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

// DeadlineFilter selects deadlines (R8.1); zero fields match all.
type DeadlineFilter struct {
	// Kind keeps one kind (OwnerRepair or OwnerObjection).
	Kind string
	// Status keeps one open status (SUBMITTED or UNDER_REVIEW).
	Status      string
	OverdueOnly bool
	AssigneeID  string
	// DueFrom ≤ DueAt < DueTo, each when set.
	DueFrom, DueTo time.Time
	// Count asks for DeadlinePage.TotalCount (capped at page.CountCap+1
	// per kind).
	Count bool
}

// DeadlinePage is one page of deadlines, earliest first.
type DeadlinePage struct {
	Items []Deadline
	page.Info
}

// deadlineKey is the order of Deadlines across both kinds (request IDs
// are unique across them).
var deadlineKey = page.NewKey("deadlines", page.Asc("due_at"), page.Asc("id"))

// Cursor is the deadline's opaque position in Deadlines.
func (x Deadline) Cursor() string { return deadlineKey.Encode(x.DueAt.UTC(), x.ID) }

// deadlineColumns are the columns a Deadline reads of a request: a page of
// 100 deadlines reads up to 202 rows, and their texts (reasons, decisions)
// would cost the database and the scan more than the rest (issue 14).
var deadlineColumns = []string{"id", "record_id", "subject_id", "status", "due_at", "assignee_id"}

// openItems reads the open requests of one kind matching q, earliest
// deadline first, as deadlines as of now (deadlineColumns only).
func openItems[R any, S ~string](ctx context.Context, f *flow[R, S], q Query, now time.Time) ([]Deadline, int64, error) {
	var rows []R
	q.Statuses, q.Columns = strs(f.kind.open), deadlineColumns
	total, err := f.store.Requests(ctx, q, &rows)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Deadline, len(rows))
	for i := range rows {
		h := f.kind.head(&rows[i])
		out[i] = Deadline{Kind: f.kind.owner, ID: h.entity.ID, RecordID: *h.recordID, SubjectID: *h.subjectID,
			Status: string(*h.status), DueAt: *h.dueAt, Overdue: now.After(*h.dueAt), AssigneeID: credit.Deref(*h.assignee)}
	}
	return out, total, nil
}

// open reads the open items of both kinds matching q, earliest deadline
// first (ties by ID), at most q.Limit of each kind; kind keeps one kind.
func (d *Desk) open(ctx context.Context, q Query, now time.Time, kind string) ([]Deadline, int64, error) {
	var out []Deadline
	var total int64
	if kind == "" || kind == OwnerRepair {
		reps, n, err := openItems(ctx, d.repairs, q, now)
		if err != nil {
			return nil, 0, err
		}
		out, total = append(out, reps...), total+n
	}
	if kind == "" || kind == OwnerObjection {
		objs, n, err := openItems(ctx, d.objections, q, now)
		if err != nil {
			return nil, 0, err
		}
		out, total = append(out, objs...), total+n
	}
	slices.SortStableFunc(out, func(a, b Deadline) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, total, nil
}

// Deadlines returns the open repair requests and objections matching f,
// ordered by DueAt, first (1–100) at a time after the opaque cursor after,
// each with its Overdue flag (now after DueAt) (R5.3, R8.1). Both kinds
// are read from their own index after the cursor and merged, so a page
// reads at most first+1 rows of each. Staff roles only. It returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (field kind, status or after) or
// INTERNAL.
func (d *Desk) Deadlines(ctx context.Context, f DeadlineFilter, first int, after string) (DeadlinePage, error) {
	var out DeadlinePage
	if _, err := credit.RequireStaff(ctx); err != nil {
		return out, err
	}
	if f.Kind != "" && f.Kind != OwnerRepair && f.Kind != OwnerObjection {
		return out, apperr.InvalidField("kind", "未知的期限类型")
	}
	now := d.now().UTC()
	first = page.Clamp(first)
	q := Query{AssigneeID: f.AssigneeID, Limit: first + 1, Count: f.Count}
	if f.Status != "" {
		if f.Status != string(models.RepairSubmitted) && f.Status != string(models.RepairUnderReview) {
			return out, apperr.InvalidField("status", "期限只含待办状态 SUBMITTED、UNDER_REVIEW")
		}
		q.Status = f.Status
	}
	if !f.DueFrom.IsZero() {
		from := f.DueFrom.UTC()
		q.DueFrom = &from
	}
	if !f.DueTo.IsZero() {
		to := f.DueTo.UTC()
		q.DueBefore = &to
	}
	if f.OverdueOnly && (q.DueBefore == nil || q.DueBefore.After(now)) {
		q.DueBefore = &now
	}
	var c DueCursor
	if ok, err := deadlineKey.Decode(after, &c.DueAt, &c.ID); err != nil {
		return out, err
	} else if ok {
		q.After = &c
	}
	items, total, err := d.open(ctx, q, now, f.Kind)
	if err != nil {
		return out, err
	}
	out.TotalCount = total
	if len(items) > first {
		items, out.HasNext = items[:first], true
	}
	out.Items = items
	if n := len(items); n > 0 {
		out.EndCursor = items[n-1].Cursor()
	}
	return out, nil
}

// RemindDue is the scheduled reminder of R5.3: for every open repair
// request or objection with an assignee that is overdue or due within
// Config.RemindWithinWorkdays working days of asOf (by the end of that
// working day), it writes a StaffNotice to the assignee, at most one per
// item per Shanghai day (a unique key; running twice a day adds nothing).
// It returns how many notices it wrote, or INTERNAL.
func (d *Desk) RemindDue(ctx context.Context, asOf time.Time) (int, error) {
	dueBy := d.cal(asOf, d.cfg.RemindWithinWorkdays).Add(time.Second) // due_at ≤ the end of that working day
	items, _, err := d.open(ctx, Query{Assigned: true, DueBefore: &dueBy, Limit: 10000}, asOf, "")
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
