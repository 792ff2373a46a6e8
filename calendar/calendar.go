// Package calendar answers which days are working days in mainland China,
// from a holiday file of public holidays and make-up working days (调休上班)
// rather than from weekday arithmetic alone (SPEC R5.3, DESIGN convention 6).
//
// All dates are calendar dates in Asia/Shanghai: an instant is first
// converted to Shanghai time and only its date counts.
package calendar

import (
	"bufio"
	"bytes"
	_ "embed" // holidays.csv
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database

	"creditwater/apperr"
)

// Kind classifies a listed day.
type Kind string

// The kinds of listed days.
const (
	// Holiday is a day off that would otherwise be a working day, or a
	// weekend day inside a holiday period.
	Holiday Kind = "HOLIDAY"
	// Workday is a Saturday or Sunday that is a working day (调休上班).
	Workday Kind = "WORKDAY"
)

// Zone is the time zone whose calendar dates the calendar uses.
const Zone = "Asia/Shanghai"

// Day is one listed day of the holiday file.
type Day struct {
	Kind Kind
	Name string // e.g. 国庆节 or 春节调休上班
}

// Calendar is an immutable working-day calendar, safe for concurrent use.
type Calendar struct {
	loc   *time.Location
	days  map[date]Day
	years map[int]bool
}

//go:embed holidays.csv
var holidaysCSV []byte

// defaultCalendar parses the embedded file once.
var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := Load(bytes.NewReader(holidaysCSV))
	if err != nil {
		panic("calendar: embedded holidays.csv is invalid: " + err.Error())
	}
	return c
})

// Default returns the calendar of the embedded holidays.csv (2025–2027,
// 2027 provisional until the State Council notice). The file is checked by
// the package's tests, so Default does not fail at run time.
func Default() *Calendar { return defaultCalendar() }

// Load reads a holiday file: one "date,kind,name" line per listed day, with
// date as YYYY-MM-DD, kind HOLIDAY or WORKDAY and a non-empty name; blank
// lines and lines starting with # are ignored. A WORKDAY must fall on a
// Saturday or Sunday and no date may be listed twice. A year counts as
// covered when at least one of its days is listed.
//
// It returns an INVALID *apperr.Error with Field "calendar", Reason
// MALFORMED_LINE and Details["line"] (1-based) naming the first bad line,
// INVALID with Reason EMPTY when nothing is listed, and INTERNAL when r
// fails or the time zone is unavailable.
func Load(r io.Reader) (*Calendar, error) {
	c := &Calendar{loc: Shanghai, days: map[date]Day{}, years: map[int]bool{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := c.addLine(line); err != nil {
			return nil, apperr.InvalidField("calendar", "节假日文件第 %d 行：%s", n, err.Error()).
				WithReason("MALFORMED_LINE").WithDetail("line", n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取节假日文件")
	}
	if len(c.days) == 0 {
		return nil, apperr.InvalidField("calendar", "节假日文件未列出任何日期").WithReason("EMPTY")
	}
	return c, nil
}

// lineError is a message about one line, wrapped by Load.
type lineError string

func (e lineError) Error() string { return string(e) }

func (c *Calendar) addLine(line string) error {
	fields := strings.SplitN(line, ",", 3)
	if len(fields) != 3 {
		return lineError("应为 date,kind,name，实际为 " + quote(line))
	}
	ds, ks, name := strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1]), strings.TrimSpace(fields[2])
	t, err := time.Parse(time.DateOnly, ds)
	if err != nil {
		return lineError("日期 " + quote(ds) + " 不是真实的 YYYY-MM-DD 日期")
	}
	kind := Kind(ks)
	if kind != Holiday && kind != Workday {
		return lineError("类型 " + quote(ks) + " 须为 HOLIDAY 或 WORKDAY")
	}
	if name == "" {
		return lineError("名称为空")
	}
	d := dateOf(t)
	if kind == Workday && !d.weekend() {
		return lineError("调休上班日（WORKDAY）" + ds + " 是" + weekdayZH[d.weekday()] + "，不是周六或周日")
	}
	if _, dup := c.days[d]; dup {
		return lineError("日期 " + ds + " 重复列出")
	}
	c.days[d] = Day{Kind: kind, Name: name}
	c.years[d.y] = true
	return nil
}

func quote(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return `"` + s + `"`
}

// Location returns the Asia/Shanghai location the calendar uses.
func (c *Calendar) Location() *time.Location { return c.loc }

// Covers reports whether the holiday file lists days of year. Outside the
// covered years the calendar falls back to Monday–Friday working days.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Covered reports whether the year of t's Shanghai date is covered, that is
// whether answers about t come from the holiday file rather than from the
// weekday fallback. Callers computing deadlines should check Covered for the
// start and the result and alert operators when it is false.
func (c *Calendar) Covered(t time.Time) bool { return c.years[c.date(t).y] }

// Years returns the covered years in ascending order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// Lookup returns the listed day of t's Shanghai date, if it is listed.
func (c *Calendar) Lookup(t time.Time) (Day, bool) {
	d, ok := c.days[c.date(t)]
	return d, ok
}

// IsWorkday reports whether t's Shanghai date is a working day: a listed
// WORKDAY, or a Monday to Friday that is not a listed HOLIDAY.
func (c *Calendar) IsWorkday(t time.Time) bool { return c.workday(c.date(t)) }

// AddWorkdays returns the deadline n working days after from: the end of
// the n-th working day after from's Shanghai date, as 23:59:59 in
// Asia/Shanghai (whole seconds, so the value survives DATETIME columns).
// from's own date never counts, so a request made on a Friday evening or on
// a holiday is due on the same day. For n == 0 it returns the end of from's
// date; for n < 0 it counts backwards. Outside the covered years it falls
// back to weekdays (see Covered).
func (c *Calendar) AddWorkdays(from time.Time, n int) time.Time {
	d := c.date(from)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.add(step)
		if c.workday(d) {
			n--
		}
	}
	return time.Date(d.y, d.m, d.d, 23, 59, 59, 0, c.loc)
}

// WorkdaysBetween returns the number of working days after a's Shanghai
// date up to and including b's, negative when b's date is before a's, so
// that WorkdaysBetween(a, AddWorkdays(a, n)) == n.
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	da, db := c.date(a), c.date(b)
	sign := 1
	if db.before(da) {
		da, db, sign = db, da, -1
	}
	n := 0
	for d := da; d.before(db); {
		d = d.add(1)
		if c.workday(d) {
			n++
		}
	}
	return sign * n
}

func (c *Calendar) workday(d date) bool {
	if day, ok := c.days[d]; ok {
		return day.Kind == Workday
	}
	return !d.weekend()
}

func (c *Calendar) date(t time.Time) date { return dateOf(t.In(c.loc)) }

// date is a civil date; arithmetic on it is done in UTC, free of DST.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

func (d date) utc() time.Time { return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC) }

func (d date) add(days int) date { return dateOf(d.utc().AddDate(0, 0, days)) }

func (d date) weekday() time.Weekday { return d.utc().Weekday() }

func (d date) weekend() bool {
	w := d.weekday()
	return w == time.Saturday || w == time.Sunday
}

func (d date) before(e date) bool { return d.utc().Before(e.utc()) }

// weekdayZH names the days of the week in Chinese, Sunday first.
var weekdayZH = [7]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}
