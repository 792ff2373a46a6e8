package apply

import (
	"context"
	"encoding/base64"
	"strconv"
	"time"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
)

// QueueFilter selects applications for the staff queue.
type QueueFilter struct {
	Statuses []models.AppStatus
	VIPOnly  bool
	Assignee string
	// SubjectID limits the queue to one subject's applications.
	SubjectID string
}

// Order is the queue order.
type Order string

// Orders: VIP (EXCELLENT) first then oldest (the default), oldest, newest.
const (
	OrderVIPFirst Order = "VIP_FIRST"
	OrderOldest   Order = "OLDEST"
	OrderNewest   Order = "NEWEST"
)

// QueueItem is an application with its step deadline (SLA).
type QueueItem struct {
	Application models.Application
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

// Queue lists applications for staff (R3.2 VIP green channel): by default
// VIP first, then oldest first, with the SLA of the current step. It
// returns INVALID for a bad cursor.
func (s *Service) Queue(ctx context.Context, f QueueFilter, order Order, first int, after string) (QueuePage, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return QueuePage{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Application{})
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
	var p QueuePage
	if err := q.Count(&p.TotalCount).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
	}
	switch order {
	case OrderOldest:
		q = q.Order("submitted_at ASC").Order("id ASC")
	case OrderNewest:
		q = q.Order("submitted_at DESC").Order("id DESC")
	default:
		q = q.Order("vip DESC").Order("submitted_at ASC").Order("id ASC")
	}
	offset := 0
	if after != "" {
		b, err := base64.RawURLEncoding.DecodeString(after)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 {
			return p, apperr.InvalidField("after", "游标无效")
		}
		offset = n
	}
	if first <= 0 || first > 100 {
		first = 20
	}
	var apps []models.Application
	if err := q.Offset(offset).Limit(first + 1).Find(&apps).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
	}
	if len(apps) > first {
		apps, p.HasNext = apps[:first], true
	}
	now := s.now()
	for _, app := range apps {
		it := QueueItem{Application: app, Age: now.Sub(app.SubmittedAt)}
		if days, ok := s.cfg.SLA[app.Status]; ok && !Terminal(app.Status) {
			due := s.cal.AddWorkdays(app.StepSince, days)
			it.StepDue, it.Overdue = &due, now.After(due)
		}
		p.Items = append(p.Items, it)
	}
	p.EndCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset + len(apps))))
	return p, nil
}

// CursorAt is the cursor of the item at index i of a page that started
// after the cursor after.
func CursorAt(after string, i int) string {
	offset := 0
	if b, err := base64.RawURLEncoding.DecodeString(after); err == nil {
		offset, _ = strconv.Atoi(string(b))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset + i + 1)))
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
	q := s.db.WithContext(ctx).Model(&models.Application{}).Select("vip, submitted_at, accepted_at").Where("status = ?", models.AppAccepted)
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
