package billing

import (
	"fmt"
	"time"
)

// Field parsers. Each returns the parsed value and an empty reason, or a
// reason (a caller-safe sentence fragment that never repeats the value) for
// the ImportError.

// maxKeyLen is the longest natural key (account, bill, payment, reminder
// number) the tables hold.
const maxKeyLen = 32

// parseKey checks a natural key: 1–32 characters of ASCII letters, digits,
// '-', '_', '.' and '/'.
func parseKey(s string) (string, string) {
	if s == "" {
		return "", "为必填项"
	}
	if len(s) > maxKeyLen {
		return "", fmt.Sprintf("最多 %d 个字符，实际为 %d 个", maxKeyLen, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' || c == '.' || c == '/') {
			return "", "只能包含字母、数字、'-'、'_'、'.' 和 '/'"
		}
	}
	return s, ""
}

// maxIntDigits bounds the integer part of a decimal so that the scaled value
// fits in int64 with room to spare.
const maxIntDigits = 13

// parseDecimal parses a non-negative decimal number with at most scale
// digits after the point and returns it multiplied by 10^scale (yuan → fen
// with scale 2, m³ → litres with scale 3).
func parseDecimal(s string, scale int) (int64, string) {
	if s == "" {
		return 0, "为必填项"
	}
	var v int64
	intDigits, fracDigits, seenPoint := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if seenPoint {
				fracDigits++
				if fracDigits > scale {
					return 0, fmt.Sprintf("最多 %d 位小数", scale)
				}
			} else {
				intDigits++
				if intDigits > maxIntDigits {
					return 0, "数值过大"
				}
			}
			v = v*10 + int64(c-'0')
		case c == '.' && !seenPoint:
			seenPoint = true
		case c == '-' && i == 0:
			return 0, "不能为负数"
		default:
			return 0, fmt.Sprintf("须为最多 %d 位小数的数字", scale)
		}
	}
	if intDigits == 0 || seenPoint && fracDigits == 0 {
		return 0, fmt.Sprintf("须为最多 %d 位小数的数字", scale)
	}
	for ; fracDigits < scale; fracDigits++ {
		v *= 10
	}
	return v, ""
}

// Accepted years of dates and periods.
const (
	minYear = 1900
	maxYear = 2199
)

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month m in year y.
func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseYMD checks the shape YYYY-MM-DD and the calendar.
func parseYMD(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// parsePeriod checks a billing period YYYY-MM.
func parsePeriod(s string) (string, string) {
	if s == "" {
		return "", "为必填项"
	}
	if len(s) == 7 && s[4] == '-' {
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		if ok1 && ok2 && y >= minYear && y <= maxYear && m >= 1 && m <= 12 {
			return s, ""
		}
	}
	return "", "须为 YYYY-MM 格式的期间"
}

// timeParser parses dates and times in the billing system's zone, caching
// recent results: files repeat the same few dates on many rows.
type timeParser struct {
	loc   *time.Location
	cache map[string]time.Time
}

const timeCacheSize = 4096

func newTimeParser(loc *time.Location) *timeParser {
	return &timeParser{loc: loc, cache: make(map[string]time.Time, 64)}
}

// date parses YYYY-MM-DD as the instant 00:00 of that day, in UTC.
func (p *timeParser) date(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "为必填项"
	}
	if t, ok := p.cache[s]; ok {
		return t, ""
	}
	y, m, d, ok := parseYMD(s)
	if !ok {
		return time.Time{}, "须为 YYYY-MM-DD 格式的日期"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, p.loc).UTC()
	p.remember(s, t)
	return t, ""
}

// dateTime parses YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (a 'T' may separate
// date and time) in the billing zone, returned in UTC.
func (p *timeParser) dateTime(s string) (time.Time, string) {
	if len(s) <= 10 {
		t, reason := p.date(s)
		if reason != "" && s != "" {
			reason = "须为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM:SS 格式"
		}
		return t, reason
	}
	if t, ok := p.cache[s]; ok {
		return t, ""
	}
	const bad = "须为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM:SS 格式"
	if len(s) != 19 || s[10] != ' ' && s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, bad
	}
	y, mo, d, ok := parseYMD(s[:10])
	hh, ok1 := digits(s[11:13])
	mi, ok2 := digits(s[14:16])
	ss, ok3 := digits(s[17:19])
	if !ok || !ok1 || !ok2 || !ok3 || hh > 23 || mi > 59 || ss > 59 {
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(mo), d, hh, mi, ss, 0, p.loc).UTC()
	p.remember(s, t)
	return t, ""
}

func (p *timeParser) remember(s string, t time.Time) {
	if len(p.cache) >= timeCacheSize {
		clear(p.cache)
	}
	p.cache[s] = t
}
