package ops

import (
	"context"
	"net/url"
	"time"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/docurl"
	"creditwater/models"
	"creditwater/store/writestamp"
)

// Period is a statistics period: From inclusive, To exclusive.
type Period struct{ From, To time.Time }

// Path is how an application is handled.
type Path string

// The handling paths (R8.3).
const (
	// ZeroDocument is the credit-commitment path (信用承诺免材料): the
	// applicant asked for it (Application.WantsCredit).
	ZeroDocument Path = "ZERO_DOCUMENT"
	// Ordinary is handling with the usual documents.
	Ordinary Path = "ORDINARY"
)

// WeekCount is the applications of one week (Monday 00:00 Asia/Shanghai).
type WeekCount struct {
	WeekStart time.Time
	Submitted int64
	Accepted  int64
}

// StepTime is the mean time applications of a path spent in one step (the
// status an event entered, until the next event), over the steps left in
// the period.
type StepTime struct {
	Path     Path
	Step     models.AppStatus
	Count    int64
	AvgHours float64
}

// PathTime is the mean time from submission to acceptance of the
// applications of a path accepted in the period.
type PathTime struct {
	Path     Path
	Accepted int64
	AvgHours float64
}

// RecordCount is the dishonesty records of a kind and status created in
// the period.
type RecordCount struct {
	Kind   models.RecordKind
	Status models.RecordStatus
	Count  int64
}

// TierCount is how many subjects have a tier now.
type TierCount struct {
	Tier  models.Tier
	Count int64
}

// GradeCount is how many subjects have one of the four credit grades
// (分级分类, R3.4) now.
type GradeCount struct {
	Grade models.Grade
	Count int64
}

// Grades are the four grades, best first: the order of Stats.Grades.
var Grades = []models.Grade{models.GradeExcellent, models.GradeGood, models.GradeWatch, models.GradeDishonest}

// fourGrades returns the counts of the four grades, best first, with zero
// for a grade no subject has; subjects not yet graded are left out.
func fourGrades(counts []GradeCount) []GradeCount {
	out := make([]GradeCount, len(Grades))
	for i, g := range Grades {
		out[i].Grade = g
		for _, c := range counts {
			if c.Grade == g {
				out[i].Count += c.Count
			}
		}
	}
	return out
}

// RatingCount is how many credit checks of the period found a rating.
type RatingCount struct {
	Rating string
	Count  int64
}

// ReviewKind says whether a DeadlineCount counts repairs or objections.
type ReviewKind string

// Review kinds of DeadlineCount.
const (
	ReviewRepair    ReviewKind = "REPAIR"
	ReviewObjection ReviewKind = "OBJECTION"
)

// DeadlineCount is the repairs or objections filed in the period against
// their deadlines: decided on time, decided late, open within the
// deadline, open past it.
type DeadlineCount struct {
	Kind        ReviewKind
	OnTime      int64
	Late        int64
	OpenOnTime  int64
	OpenOverdue int64
}

// Stats is the management statistics of a period (R8.3).
type Stats struct {
	Period              Period
	ApplicationsPerWeek []WeekCount
	Steps               []StepTime
	Paths               []PathTime
	Records             []RecordCount
	Tiers               []TierCount
	// Grades is the grade distribution: the four grades, best first (R3.4).
	Grades    []GradeCount
	Ratings   []RatingCount
	Deadlines []DeadlineCount
}

// period resolves the asked bounds: To defaults to now, From to
// CW_STATS_DEFAULT_DAYS before To. It returns INVALID (field from) when
// From is not before To or the period is longer than CW_STATS_MAX_DAYS.
func (s *Service) period(from, to *time.Time) (Period, error) {
	p := Period{To: s.now().UTC()}
	if to != nil {
		p.To = to.UTC()
	}
	p.From = p.To.AddDate(0, 0, -s.cfg.StatsDefaultDays)
	if from != nil {
		p.From = from.UTC()
	}
	if !p.From.Before(p.To) {
		return p, apperr.InvalidField("from", "起始时间须早于结束时间")
	}
	if p.To.Sub(p.From) > time.Duration(s.cfg.StatsMaxDays)*24*time.Hour {
		return p, apperr.InvalidField("from", "统计期间不得超过 %d 天", s.cfg.StatsMaxDays)
	}
	return p, nil
}

// Statistics returns the management statistics of the period from–to
// (default: the last CW_STATS_DEFAULT_DAYS days), aggregated in SQL, for
// staff (R8.3). The cache answers as long as no write to the aggregated
// tables happened since it computed them, for at most CW_STATS_CACHE_TTL
// (the default period's bounds then are those it was computed for). It
// returns UNAUTHENTICATED/FORBIDDEN, INVALID (field from) for a bad
// period, and INTERNAL.
func (s *Service) Statistics(ctx context.Context, from, to *time.Time) (Stats, error) {
	if _, err := auth.Require(ctx, staff...); err != nil {
		return Stats{}, err
	}
	p, err := s.period(from, to)
	if err != nil {
		return Stats{}, err
	}
	return s.cache.get(ctx, writestamp.PeriodKey(p.From, p.To, from == nil && to == nil, s.cfg.StatsDefaultDays), func() (Stats, error) {
		st, err := s.store.Stats(ctx, p, s.now().UTC())
		st.Period = p
		st.Grades = fourGrades(st.Grades)
		return st, err
	})
}

// CSVPath is the path of the CSV export of the statistics of p (served by
// the server with the API's session; R8.3).
func CSVPath(p Period) string {
	q := url.Values{"from": {calendar.Format(p.From)}, "to": {calendar.Format(p.To)}}
	return docurl.StatisticsCSV + "?" + q.Encode()
}

// ParseTime reads an optional RFC 3339 time of a query string. It returns
// INVALID (the field) for anything else.
func ParseTime(field, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, apperr.InvalidField(field, "时间须为带时区的 RFC 3339 格式")
	}
	return &t, nil
}
