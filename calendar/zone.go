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
