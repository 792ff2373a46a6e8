package apply

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/page"
	"creditwater/store"
	"creditwater/store/writestamp"
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

// keywordSubjects is how many subjects a queue keyword may match to be
// looked up by their IDs (more: by a subquery).
const keywordSubjects = 200

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
	Items []QueueItem
	page.Info
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
	if f.VIPOnly {
		q = q.Where("vip = ?", true)
	}
	q = store.Eq(q, "survey_assignee", f.Assignee)
	q = store.Eq(q, "subject_id", f.SubjectID)
	if f.ZeroDocument != nil {
		q = q.Where("wants_credit = ?", *f.ZeroDocument)
	}
	if !f.SubmittedFrom.IsZero() {
		q = q.Where("submitted_at >= ?", f.SubmittedFrom.UTC())
	}
	if !f.SubmittedTo.IsZero() {
		q = q.Where("submitted_at < ?", f.SubmittedTo.UTC())
	}
	if (!f.SubmittedFrom.IsZero() || !f.SubmittedTo.IsZero()) && !f.VIPOnly && key.List == queueKeys[OrderVIPFirst].List {
		// Naming both VIP values lets the database read the submission
		// range as two ranges of the (…, vip DESC, submitted_at, id)
		// indexes, already in the queue's order, instead of walking the
		// whole queue and testing every row's time (issue 14).
		q = q.Where("vip IN ?", []bool{true, false})
	}
	if kw := strings.TrimSpace(f.Keyword); kw != "" {
		if utf8.RuneCountInString(kw) > 64 {
			return p, apperr.InvalidField("filter.keyword", "关键词最多 64 个字符")
		}
		// Prefix matches only, each a range scan of an index: the primary
		// key, subjects' unique USCC index and their name index (migration
		// 0034); no %term% scan of a big table.
		prefix := store.LikeEscape(kw) + "%"
		subjects := s.db.WithContext(ctx).Model(&models.Subject{}).Select("id").
			Where("uscc LIKE ? ESCAPE '!' OR name LIKE ? ESCAPE '!'", store.LikeEscape(strings.ToUpper(kw))+"%", prefix)
		// The matching subjects are read first when they are few, so that
		// the applications are found by the primary key and the subject
		// index (an OR with a subquery would read the whole subject index
		// of the applications for every page).
		var ids []string
		if err := subjects.Session(&gorm.Session{}).Limit(keywordSubjects+1).Pluck("id", &ids).Error; err != nil {
			return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
		}
		if len(ids) <= keywordSubjects {
			q = q.Where("id LIKE ? ESCAPE '!' OR subject_id IN ?", prefix, ids)
		} else {
			q = q.Where("id LIKE ? ESCAPE '!' OR subject_id IN (?)", prefix, subjects)
		}
	}
	// Several statuses are read one index range per status in the queue's
	// order and merged (issue 14): an IN list would sort every matching
	// application for each page. All the open ones (the console's default)
	// are one range of the is_open indexes (migration 0035) instead.
	var statuses []any
	for _, st := range f.Statuses {
		if !slices.Contains(statuses, any(st)) {
			statuses = append(statuses, st)
		}
	}
	open := len(statuses) == len(openStatuses)
	for _, st := range openStatuses {
		open = open && slices.Contains(statuses, any(st))
	}
	if open {
		q, statuses = q.Where("is_open = ?", 1), nil
	}
	if f.Count {
		counted := q
		if len(statuses) > 0 {
			counted = q.Session(&gorm.Session{}).Where("status IN ?", statuses)
		}
		n, err := store.CountUpTo(counted)
		if err != nil {
			return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
		}
		p.TotalCount = n
	}
	var vip bool
	var at time.Time
	var id string
	dst := []any{&at, &id}
	if key.List == queueKeys[OrderVIPFirst].List {
		dst = []any{&vip, &at, &id}
	}
	pos, err := key.Position(after, dst...)
	if err != nil {
		return p, err
	}
	first = page.Clamp(first)
	apps := make([]models.Application, 0, first+1) // scanned in place: no regrowth of wide rows
	var read *gorm.DB
	switch {
	case len(statuses) > 0:
		read = store.PageQueryEach(q, "applications", "status", statuses, key, pos, first)
	case f.Assignee != "" && key.List == queueKeys[OrderVIPFirst].List:
		// One surveyor's applications in the queue's order are a range of
		// (survey_assignee, vip DESC, submitted_at, id); MariaDB would
		// rather walk the whole queue in order testing each row's surveyor
		// (17 ms instead of 3 for a million applications, issue 14).
		idx := "ix_app_q_assignee"
		if open {
			idx = "ix_app_q_assignee_open"
		}
		read = store.PageQuery(q.Table(store.ForceIndex(s.db, "applications", idx)), key, pos, first)
	case open && key.List != queueKeys[OrderVIPFirst].List && f.Assignee == "" && f.SubjectID == "" && strings.TrimSpace(f.Keyword) == "":
		// The open applications oldest or newest first are a range of
		// (is_open, submitted_at, id), read forwards or backwards; MariaDB
		// would rather walk all applications by time testing each row.
		// (With a surveyor, a subject or a keyword their own indexes read
		// fewer rows: the database chooses.)
		read = store.PageQuery(q.Table(store.ForceIndex(s.db, "applications", "ix_app_q_open_time")), key, pos, first)
	default:
		read = store.PageQuery(q, key, pos, first)
	}
	if err := read.Scan(&apps).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取队列")
	}
	if len(apps) > first {
		apps, p.HasNext = apps[:first], true
	}
	now := s.now()
	p.Items = make([]QueueItem, len(apps))
	for i, app := range apps {
		it := &p.Items[i]
		*it = QueueItem{Application: app, Age: now.Sub(app.SubmittedAt), Cursor: queueCursor(key, app)}
		if days, ok := s.cfg.SLA[app.Status]; ok && !Terminal(app.Status) {
			due := s.cal.AddWorkdays(app.StepSince, days)
			it.StepDue, it.Overdue = &due, now.After(due)
		}
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
// good subjects can be shown (R3.3), over the applications accepted from
// from (inclusive) to to (exclusive): to defaults to now, from to
// CW_STATS_DEFAULT_DAYS before to. It is aggregated in SQL, one index range
// of the period (migration 0031), never the accepted applications loaded
// into Go (issue 14).
func (s *Service) HandlingStats(ctx context.Context, from, to time.Time) ([]Stats, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return nil, err
	}
	// The default period is cached as such (the last N days up to when it
	// was computed); a named one by its bounds.
	key := "handling:v1:" + writestamp.PeriodKey(from, to, from.IsZero() && to.IsZero(), s.cfg.StatsDefaultDays)
	if to.IsZero() {
		to = s.now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -s.cfg.StatsDefaultDays)
	}
	return writestamp.CachedValue(ctx, writestamp.Of(s.db), key, s.cfg.StatsCacheTTL, []string{"applications"}, func() ([]Stats, error) {
		var rows []struct {
			VIP      bool `gorm:"column:vip"`
			N        int64
			AvgHours float64
		}
		if err := store.ReadReplica(s.db.WithContext(ctx)).Model(&models.Application{}).Table(store.ForceIndex(s.db, "applications", "ix_app_s_accepted")).
			Select("vip, COUNT(*) AS n, AVG("+store.HoursSQL(s.db, "submitted_at", "accepted_at")+") AS avg_hours").
			Where("accepted_at >= ? AND accepted_at < ? AND status = ?", from.UTC(), to.UTC(), models.AppAccepted).
			Group("vip").Scan(&rows).Error; err != nil {
			return nil, apperr.Wrap(err, apperr.Internal, "无法读取统计数据")
		}
		out := []Stats{{VIP: true}, {VIP: false}}
		for _, r := range rows {
			i := 1
			if r.VIP {
				i = 0
			}
			out[i].Accepted, out[i].AvgHours = r.N, r.AvgHours
		}
		return out, nil
	})
}
