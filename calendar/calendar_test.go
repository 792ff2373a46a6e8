package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, shanghai(t))
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(10 * time.Hour) // 10:00 Shanghai, an ordinary office hour
}

// endOf is 23:59:59 Shanghai on date s.
func endOf(t *testing.T, s string) time.Time {
	return day(t, s).Add(13*time.Hour + 59*time.Minute + 59*time.Second)
}

// R5.3: deadlines count working days from the State Council calendar.
func TestAddWorkdays_R5_3(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		// Oct 1–7 off, Oct 8, 9, Sat Oct 10 (make-up), Mon 12, Tue 13.
		{"across National Day 2026", day(t, "2026-09-30"), 5, "2026-10-13"},
		{"onto make-up Saturday", day(t, "2026-02-13"), 1, "2026-02-14"},
		{"across Spring Festival 2026", day(t, "2026-02-14"), 1, "2026-02-24"},
		{"across Spring Festival 2025", day(t, "2025-01-24"), 3, "2025-02-05"}, // Sun Jan 26 make-up, Jan 27, then Feb 5
		{"ordinary weekend", day(t, "2026-03-06"), 1, "2026-03-09"},
		{"from a holiday", day(t, "2026-10-03"), 1, "2026-10-08"},
		{"zero is end of same day", day(t, "2026-10-03"), 0, "2026-10-03"},
		{"backwards over a holiday", day(t, "2026-10-08"), -1, "2026-09-30"},
		{"backwards onto make-up Sunday", day(t, "2026-09-21"), -1, "2026-09-20"},
		{"into the next year onto make-up Sunday", day(t, "2025-12-31"), 1, "2026-01-04"},
		// 16:30 UTC on Sep 30 is already Oct 1 in Shanghai.
		{"Shanghai date of a UTC instant", time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC), 1, "2026-10-08"},
		{"uncovered year falls back to weekdays", day(t, "2030-10-04"), 1, "2030-10-07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := c.AddWorkdays(tt.from, tt.n)
			if want := endOf(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorkdays(%v, %d) = %v, want %v", tt.from, tt.n, got, want)
			}
			if got.Location() != c.Location() || got.Nanosecond() != 0 {
				t.Errorf("deadline %v is not whole seconds in %s", got, Zone)
			}
			if back := c.WorkdaysBetween(tt.from, got); back != tt.n {
				t.Errorf("WorkdaysBetween(from, deadline) = %d, want %d", back, tt.n)
			}
		})
	}
}

// R5.3: holidays and make-up working days of the official notices.
func TestIsWorkdayOfficialDays_R5_3(t *testing.T) {
	t.Parallel()
	c := Default()
	off := []string{
		"2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-05", "2025-05-31", "2025-06-02", "2025-10-08",
		"2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-05", "2026-06-19", "2026-09-25", "2026-10-07",
		"2027-01-01", "2027-02-05", "2027-02-08", "2027-06-09", "2027-09-15", "2027-10-01",
		"2026-03-07", "2026-03-08", // ordinary weekend
	}
	on := []string{
		"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
		"2026-02-13", "2026-03-09", "2026-10-08", // ordinary weekdays
	}
	for _, s := range off {
		if c.IsWorkday(day(t, s)) {
			t.Errorf("%s is a working day, want off", s)
		}
	}
	for _, s := range on {
		if !c.IsWorkday(day(t, s)) {
			t.Errorf("%s is off, want a working day", s)
		}
	}
	if d, ok := c.Lookup(day(t, "2026-10-10")); !ok || d.Kind != Workday || d.Name != "国庆节调休上班" {
		t.Errorf("Lookup(2026-10-10) = %+v, %v", d, ok)
	}
	if _, ok := c.Lookup(day(t, "2026-03-09")); ok {
		t.Error("an ordinary day is listed")
	}
}

// The embedded file holds the number of days off each notice grants.
func TestDefaultTotals(t *testing.T) {
	t.Parallel()
	c := Default()
	want := map[int][2]int{ // year: holidays, make-up days
		2025: {28, 5}, // 1+8+3+5+3+8
		2026: {33, 6}, // 3+9+3+5+3+3+7
		2027: {13, 0}, // statutory days only, provisional
	}
	got := map[int][2]int{}
	for d, v := range c.days {
		n := got[d.y]
		if v.Kind == Holiday {
			n[0]++
		} else {
			n[1]++
		}
		got[d.y] = n
	}
	for y, w := range want {
		if got[y] != w {
			t.Errorf("%d: %d holidays and %d make-up days, want %v", y, got[y][0], got[y][1], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("years %v, want %v", c.Years(), want)
	}
	if Default() != c {
		t.Error("Default parses the file more than once")
	}
}

// R5.3: a date outside the file's years is flagged, not silently trusted.
func TestCovered_R5_3(t *testing.T) {
	t.Parallel()
	c := Default()
	for _, y := range []int{2025, 2026, 2027} {
		if !c.Covers(y) {
			t.Errorf("Covers(%d) = false", y)
		}
	}
	for _, y := range []int{2024, 2028} {
		if c.Covers(y) {
			t.Errorf("Covers(%d) = true", y)
		}
	}
	if !c.Covered(day(t, "2027-12-31")) || c.Covered(day(t, "2028-01-01")) {
		t.Error("Covered wrong at the end of 2027")
	}
	// 2027-12-31 16:00 UTC is 2028-01-01 in Shanghai.
	if c.Covered(time.Date(2027, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Error("Covered uses the UTC year, want the Shanghai year")
	}
	if got := c.Years(); len(got) != 3 || got[0] != 2025 || got[2] != 2027 {
		t.Errorf("Years() = %v", got)
	}
	// Fallback: weekdays only.
	if !c.IsWorkday(day(t, "2030-10-01")) || c.IsWorkday(day(t, "2030-10-05")) {
		t.Error("uncovered year does not fall back to weekdays")
	}
}

func TestWorkdaysBetween_R5_3(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-09-30", "2026-10-13", 5},
		{"2026-10-13", "2026-09-30", -5},
		{"2026-10-01", "2026-10-07", 0},
		{"2026-10-01", "2026-10-01", 0},
		{"2026-02-13", "2026-02-14", 1},
		{"2026-01-01", "2027-01-01", 248}, // 365 - 104 weekend days - 19 weekday holidays + 6 make-up days
	}
	for _, tt := range tests {
		if got := c.WorkdaysBetween(day(t, tt.a), day(t, tt.b)); got != tt.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// R5.3: the holiday file is data; a bad line is rejected with its number.
func TestLoadRejectsMalformedLine_R5_3(t *testing.T) {
	t.Parallel()
	const head = "# comment\n\n2026-10-01,HOLIDAY,国庆节\n"
	tests := []struct {
		name, file string
		line       int
		msg        string
	}{
		{"too few fields", head + "2026-10-02,HOLIDAY\n", 4, "应为 date,kind,name"},
		{"not a date", head + "2026/10/02,HOLIDAY,国庆节\n", 4, "不是真实的 YYYY-MM-DD 日期"},
		{"impossible date", head + "2026-02-30,HOLIDAY,x\n", 4, `日期 "2026-02-30"`},
		{"unknown kind", head + "2026-10-02,OFF,国庆节\n", 4, `类型 "OFF" 须为 HOLIDAY 或 WORKDAY`},
		{"lower-case kind", head + "2026-10-02,holiday,国庆节\n", 4, "须为 HOLIDAY 或 WORKDAY"},
		{"empty name", head + "2026-10-02,HOLIDAY, \n", 4, "名称为空"},
		{"make-up on a weekday", head + "2026-10-09,WORKDAY,x\n", 4, "是星期五，不是周六或周日"},
		{"duplicate", head + "2026-10-02,HOLIDAY,a\n2026-10-01,HOLIDAY,b\n", 5, "重复列出"},
		{"first line", "garbage\n", 1, "应为 date,kind,name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(strings.NewReader(tt.file))
			e := apperr.As(err)
			if c != nil || e == nil {
				t.Fatalf("Load = %v, %v; want an error", c, err)
			}
			if e.Code != apperr.Invalid || e.Field != "calendar" || e.Reason != "MALFORMED_LINE" || e.Details["line"] != tt.line {
				t.Fatalf("got %s field %q reason %q details %v, want INVALID calendar MALFORMED_LINE line %d", e.Code, e.Field, e.Reason, e.Details, tt.line)
			}
			if !strings.Contains(e.Message, "行") || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q lacks the line or %q", e.Message, tt.msg)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

func TestLoad(t *testing.T) {
	t.Parallel()
	c, err := Load(strings.NewReader("\uFEFF# BOM and spaces are fine\r\n 2030-10-01 , HOLIDAY , 国庆节, with a comma\r\n2030-09-29,WORKDAY,调休上班\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := c.Lookup(day(t, "2030-10-01")); !ok || d.Name != "国庆节, with a comma" || c.IsWorkday(day(t, "2030-10-01")) {
		t.Errorf("Lookup = %+v, %v", d, ok)
	}
	if !c.IsWorkday(day(t, "2030-09-29")) || !c.Covers(2030) || c.Covers(2026) {
		t.Error("loaded calendar answers wrongly")
	}
	if _, err := Load(strings.NewReader("# only comments\n\n")); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Reason != "EMPTY" {
		t.Errorf("empty file: %v, want INVALID EMPTY", err)
	}
	if _, err := Load(failingReader{}); !apperr.Is(err, apperr.Internal) || strings.Contains(apperr.As(err).Message, "disk gone") {
		t.Errorf("failing reader: %v, want INTERNAL without the cause in the message", err)
	}
}
