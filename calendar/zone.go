package calendar

import "time"

// Shanghai is the one Asia/Shanghai location of the program: every
// calendar date, working day, cron schedule and printed time uses it. The
// zone database is linked in (time/tzdata), so loading cannot fail; the
// fixed UTC+8 fallback (China has had no daylight saving since 1991) only
// keeps the variable non-nil.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Layout is the one format of every time the program shows: RFC 3339 with
// seconds and the Asia/Shanghai offset, e.g. "2026-03-01T08:00:00+08:00".
const Layout = time.RFC3339

// Format writes t in Layout, in Asia/Shanghai; digits below the second are
// dropped. Every time the API returns goes through it (the Time scalar).
func Format(t time.Time) string { return t.In(Shanghai).Format(Layout) }
