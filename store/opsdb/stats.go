package opsdb

import (
	"context"
	"slices"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/ops"
	"creditwater/store"
)

// hours is the SQL of the hours from the instant a to the instant b.
func (s *Store) hours(a, b string) string { return store.HoursSQL(s.db, a, b) }

// week is the SQL of the Monday (YYYY-MM-DD, Asia/Shanghai, which keeps
// UTC+8 all year) of the week of the instant col.
func (s *Store) week(col string) string {
	if s.mysql {
		local := "DATE_ADD(" + col + ", INTERVAL 8 HOUR)"
		return "DATE_FORMAT(DATE_SUB(" + local + ", INTERVAL WEEKDAY(" + local + ") DAY), '%Y-%m-%d')"
	}
	return "date(" + col + ", '+8 hours', '-6 days', 'weekday 1')"
}

func path(wantsCredit bool) ops.Path {
	if wantsCredit {
		return ops.ZeroDocument
	}
	return ops.Ordinary
}

// Stats implements ops.Store.
func (s *Store) Stats(ctx context.Context, p ops.Period, now time.Time) (ops.Stats, error) {
	var st ops.Stats
	db := s.list(ctx)
	from, to := p.From.UTC(), p.To.UTC()
	fail := func(err error) (ops.Stats, error) {
		return ops.Stats{}, apperr.Wrap(err, apperr.Internal, "无法计算统计数据")
	}

	// Applications per week: submitted and accepted.
	type weekRow struct {
		Wk string
		N  int64
	}
	weeks := map[string]*ops.WeekCount{}
	for _, c := range []struct {
		col string
		add func(*ops.WeekCount, int64)
	}{
		{"submitted_at", func(w *ops.WeekCount, n int64) { w.Submitted = n }},
		{"accepted_at", func(w *ops.WeekCount, n int64) { w.Accepted = n }},
	} {
		var rows []weekRow
		if err := db.Model(&models.Application{}).Select(s.week(c.col)+" AS wk, COUNT(*) AS n").
			Where(c.col+" >= ? AND "+c.col+" < ?", from, to).Group("wk").Scan(&rows).Error; err != nil {
			return fail(err)
		}
		for _, r := range rows {
			day, err := time.ParseInLocation(time.DateOnly, r.Wk, credit.Shanghai)
			if err != nil {
				return fail(err)
			}
			if weeks[r.Wk] == nil {
				weeks[r.Wk] = &ops.WeekCount{WeekStart: day}
			}
			c.add(weeks[r.Wk], r.N)
		}
	}
	for _, w := range weeks {
		st.ApplicationsPerWeek = append(st.ApplicationsPerWeek, *w)
	}
	slices.SortFunc(st.ApplicationsPerWeek, func(a, b ops.WeekCount) int { return a.WeekStart.Compare(b.WeekStart) })

	// Handling time from submission to acceptance, by path.
	var paths []struct {
		WantsCredit bool
		N           int64
		AvgHours    float64
	}
	// FORCE INDEX on MariaDB here and below: grouping by a column that leads
	// another index tempts the optimizer into reading that whole index
	// instead of the period's range (20 s for a million applications).
	if err := db.Model(&models.Application{}).Table(store.ForceIndex(s.db, "applications", "ix_app_s_accepted")).
		Select("wants_credit, COUNT(*) AS n, AVG("+s.hours("submitted_at", "accepted_at")+") AS avg_hours").
		Where("accepted_at >= ? AND accepted_at < ?", from, to).Group("wants_credit").Order("wants_credit DESC").Scan(&paths).Error; err != nil {
		return fail(err)
	}
	for _, r := range paths {
		st.Paths = append(st.Paths, ops.PathTime{Path: path(r.WantsCredit), Accepted: r.N, AvgHours: r.AvgHours})
	}

	// Time in each step: from the event entering it to the next event,
	// for the steps left in the period.
	var steps []struct {
		WantsCredit bool
		Step        models.AppStatus
		N           int64
		AvgHours    float64
	}
	// Only the applications with an event in the period can have a step
	// that ended in it (its next event), so the window reads their events
	// only, found by the index on the event time (migration 0031).
	inPeriod := db.Model(&models.ApplicationEvent{}).Select("application_id").Where("at >= ? AND at < ?", from, to)
	events := db.Model(&models.ApplicationEvent{}).Where("application_id IN (?)", inPeriod).
		Select("application_id, to_status, at, LEAD(at) OVER (PARTITION BY application_id ORDER BY at, id) AS next_at")
	if err := db.Table("(?) AS e", events).Joins("JOIN applications a ON a.id = e.application_id").
		Select("a.wants_credit AS wants_credit, e.to_status AS step, COUNT(*) AS n, AVG("+s.hours("e.at", "e.next_at")+") AS avg_hours").
		Where("e.next_at >= ? AND e.next_at < ?", from, to).
		Group("a.wants_credit, e.to_status").Order("a.wants_credit DESC, e.to_status").Scan(&steps).Error; err != nil {
		return fail(err)
	}
	for _, r := range steps {
		st.Steps = append(st.Steps, ops.StepTime{Path: path(r.WantsCredit), Step: r.Step, Count: r.N, AvgHours: r.AvgHours})
	}

	// Records of the period by kind and status.
	if err := db.Model(&models.DishonestyRecord{}).Table(store.ForceIndex(s.db, "dishonesty_records", "ix_rec_s_created")).Select("kind, status, COUNT(*) AS count").
		Where("created_at >= ? AND created_at < ?", from, to).Group("kind, status").Order("kind, status").Scan(&st.Records).Error; err != nil {
		return fail(err)
	}
	// Tiers now, and the ratings the period's credit checks found.
	if err := db.Model(&models.Subject{}).Select("tier, COUNT(*) AS count").Group("tier").Order("tier").Scan(&st.Tiers).Error; err != nil {
		return fail(err)
	}
	if err := db.Model(&models.Subject{}).Select("grade, COUNT(*) AS count").Where("grade <> ''").Group("grade").Scan(&st.Grades).Error; err != nil {
		return fail(err)
	}
	if err := db.Model(&models.Application{}).Table(store.ForceIndex(s.db, "applications", "ix_app_s_checked")).Select("rating, COUNT(*) AS count").
		Where("credit_checked_at >= ? AND credit_checked_at < ? AND rating <> ''", from, to).Group("rating").Order("rating").Scan(&st.Ratings).Error; err != nil {
		return fail(err)
	}

	// Repairs and objections filed in the period against their deadlines.
	for _, k := range []struct {
		kind  ops.ReviewKind
		model any
	}{{ops.ReviewRepair, &models.RepairRequest{}}, {ops.ReviewObjection, &models.Objection{}}} {
		d := ops.DeadlineCount{Kind: k.kind}
		if err := db.Model(k.model).Select(`COALESCE(SUM(CASE WHEN decided_at IS NOT NULL AND decided_at <= due_at THEN 1 ELSE 0 END), 0) AS on_time,
			COALESCE(SUM(CASE WHEN decided_at IS NOT NULL AND decided_at > due_at THEN 1 ELSE 0 END), 0) AS late,
			COALESCE(SUM(CASE WHEN decided_at IS NULL AND due_at >= ? THEN 1 ELSE 0 END), 0) AS open_on_time,
			COALESCE(SUM(CASE WHEN decided_at IS NULL AND due_at < ? THEN 1 ELSE 0 END), 0) AS open_overdue`, now, now).
			Where("created_at >= ? AND created_at < ?", from, to).Scan(&d).Error; err != nil {
			return fail(err)
		}
		d.Kind = k.kind
		st.Deadlines = append(st.Deadlines, d)
	}
	return st, nil
}
