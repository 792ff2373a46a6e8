package credit

import (
	"time"

	"creditwater/calendar"
)

// Shanghai is the zone of every credit day: the program's one location,
// calendar.Shanghai.
var Shanghai = calendar.Shanghai

// DayOf returns the start of the Asia/Shanghai calendar day containing t, in
// UTC. The zero time stays zero.
func DayOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai).UTC()
}

// AddMonths adds n calendar months (n may be negative) to the Shanghai day
// of t, clamping the day of month to the length of the target month
// (2026-01-31 + 1 month = 2026-02-28, not March 3 as time.AddDate gives). It
// returns a Shanghai day start in UTC.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.In(Shanghai).Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, Shanghai)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, Shanghai).UTC()
}

// AddDays adds n days to a Shanghai day start (calendar days, so it is
// exact across any clock change).
func AddDays(day time.Time, n int) time.Time {
	y, m, d := day.In(Shanghai).Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, Shanghai).UTC()
}

// DateString formats a day as YYYY-MM-DD in Shanghai.
func DateString(t time.Time) string { return t.In(Shanghai).Format(time.DateOnly) }
