package apply

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/page"
	"creditwater/store"
)

// QueueFilter selects applications for the staff queue (R8.1); zero
// fields match everything.
type QueueFilter struct {
	Statuses []models.AppStatus
	VIPOnly  bool
	Assignee string
	// SubjectID keeps one subject's applications.
	SubjectID string
	// ZeroDocument keeps applications that asked for credit handling (the
	// zero-document path, true) or not (false).
	ZeroDocument *bool
	// SubmittedFrom and SubmittedTo bound the submission time [from, to).
	SubmittedFrom, SubmittedTo time.Time
	// Keyword is the start of an application ID, of the unit's USCC or of
	// the unit's name (a prefix match, server-side, R8.1).
	Keyword string
	// Count asks for TotalCount (capped at page.CountCap+1).
	Count bool
}

// Order is the queue order.
type Order string

// Orders: VIP (EXCELLENT) first then oldest (the default), oldest, newest.
const (
	OrderVIPFirst Order = "VIP_FIRST"
	OrderOldest   Order = "OLDEST"
	OrderNewest   Order = "NEWEST"
)

// queueKeys are the sort keys of the orders; each has an index that
// matches it (migration 0030).
var queueKeys = map[Order]page.Key{
	OrderVIPFirst: page.NewKey("applications.vip", page.Desc("vip"), page.Asc("submitted_at"), page.Asc("id")),
	OrderOldest:   page.NewKey("applications.oldest", page.Asc("submitted_at"), page.Asc("id")),
	OrderNewest:   page.NewKey("applications.newest", page.Desc("submitted_at"), page.Desc("id")),
}

// QueueItem is an application with its step deadline (SLA).
type QueueItem struct {
	Application models.Application
	// Cursor is the item's opaque position in the queue.
	Cursor string
	// Age is the time since submission.
	Age time.Duration
	// StepDue is when the current step should be done (working days from
	// the calendar); nil in a final state.
	StepDue *time.Time
	Overdue bool
}

// QueuePage is one page of the queue.
type QueuePage struct {
	Items      []QueueItem
	EndCursor  string
	HasNext    bool
	TotalCount int64
}

// Queue lists applications for staff (R3.2 VIP green channel, R8.1): by
// default VIP first, then oldest first, with the SLA of the current step,
// first (1–100) at a time after the opaque keyset cursor after. It returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (field after, or filter.keyword
// over 64 characters) and INTERNAL.
func (s *Service) Queue(ctx context.Context, f QueueFilter, order Order, first int, after string) (QueuePage, error) {
	var p QueuePage
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return p, err
	}
	key, ok := queueKeys[order]
	if !ok {
		key = queueKeys[OrderVIPFirst]
	}
	q := store.ReadReplica(s.db.WithContext(ctx)).Model(&models.Application{})
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.VIPOnly {
		q = q.Where("vip = ?", true)
	}
	if f.Assignee != "" {
		q = q.Where("survey_assignee = ?", f.Assignee)
	}
	if f.SubjectID != "" {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if f.ZeroDocument != nil {
		q = q.Where("wants_credit = ?", *f.ZeroDocument)
	}
	if !f.SubmittedFrom.IsZero() {
		q = q.Where("submitted_at >= ?", f.SubmittedFrom.UTC())
	}
	if !f.SubmittedTo.IsZero() {
		q = q.Where("submitted_at < ?", f.SubmittedTo.UTC())
	}
	if kw := strings.TrimSpace(f.Keyword); kw != "" {
		if utf8.RuneCountInString(kw) > 64 {
			return p, apperr.InvalidField("filter.keyword", "关键词最多 64 个字符")
		}
		// Prefix matches only, each a range scan of an index: the primary
		// key, subjects' unique USCC index and their name index (migration
		// 0034); no %term% scan of a big table.
		prefix := store.LikeEscape(kw) + "%"
		q = q.Where("id LIKE ? ESCAPE '!' OR subject_id IN (?)", prefix, s.db.Model(&models.Subject{}).Select("id").
			Where("uscc LIKE ? ESCAPE '!' OR name LIKE ? ESCAPE '!'", store.LikeEscape(strings.ToUpper(kw))+"%", prefix))
	}
	if f.Count {
		n, err := store.CountUpTo(q)
		if err != nil {
			return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
		}
		p.TotalCount = n
	}
	var pos []any
	if key.List == queueKeys[OrderVIPFirst].List {
		var vip bool
		var at time.Time
		var id string
		if ok, err := key.Decode(after, &vip, &at, &id); err != nil {
			return p, err
		} else if ok {
			pos = []any{vip, at, id}
		}
	} else {
		var at time.Time
		var id string
		if ok, err := key.Decode(after, &at, &id); err != nil {
			return p, err
		} else if ok {
			pos = []any{at, id}
		}
	}
	first = page.Clamp(first)
	var apps []models.Application
	if err := store.PageQuery(q, key, pos, first).Find(&apps).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
	}
	if len(apps) > first {
		apps, p.HasNext = apps[:first], true
	}
	now := s.now()
	for _, app := range apps {
		it := QueueItem{Application: app, Age: now.Sub(app.SubmittedAt), Cursor: queueCursor(key, app)}
		if days, ok := s.cfg.SLA[app.Status]; ok && !Terminal(app.Status) {
			due := s.cal.AddWorkdays(app.StepSince, days)
			it.StepDue, it.Overdue = &due, now.After(due)
		}
		p.Items = append(p.Items, it)
		p.EndCursor = it.Cursor
	}
	return p, nil
}

func queueCursor(k page.Key, app models.Application) string {
	if len(k.Cols) == 3 {
		return k.Encode(app.VIP, app.SubmittedAt.UTC(), app.ID)
	}
	return k.Encode(app.SubmittedAt.UTC(), app.ID)
}

// Stats is the handling time of accepted applications (R3.3).
type Stats struct {
	VIP      bool
	Accepted int64
	// AvgHours is the mean time from submission to acceptance.
	AvgHours float64
}

// HandlingStats returns the handling time from submission to acceptance,
// for VIP (EXCELLENT) and other subjects, so that the shorter handling of
// good subjects can be shown (R3.3).
func (s *Service) HandlingStats(ctx context.Context, from, to time.Time) ([]Stats, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return nil, err
	}
	var apps []struct {
		VIP         bool `gorm:"column:vip"`
		SubmittedAt time.Time
		AcceptedAt  time.Time
	}
	q := store.ReadReplica(s.db.WithContext(ctx)).Model(&models.Application{}).Select("vip, submitted_at, accepted_at").Where("status = ?", models.AppAccepted)
	if !from.IsZero() {
		q = q.Where("accepted_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("accepted_at < ?", to.UTC())
	}
	if err := q.Find(&apps).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取统计数据")
	}
	out := []Stats{{VIP: true}, {VIP: false}}
	for _, a := range apps {
		i := 1
		if a.VIP {
			i = 0
		}
		out[i].Accepted++
		out[i].AvgHours += a.AcceptedAt.Sub(a.SubmittedAt).Hours()
	}
	for i := range out {
		if out[i].Accepted > 0 {
			out[i].AvgHours /= float64(out[i].Accepted)
		}
	}
	return out, nil
}
