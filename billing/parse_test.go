package billing

import (
	"strings"
	"testing"
	"time"
)

// R1.1: amounts and volumes are exact decimals, never floats.
func TestParseDecimal_R1_1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		scale  int
		want   int64
		reason string
	}{
		{"0", 2, 0, ""},
		{"1234.56", 2, 123456, ""},
		{"99.9", 2, 9990, ""},
		{"0.01", 2, 1, ""},
		{"12.345", 3, 12345, ""},
		{"7", 3, 7000, ""},
		{"9999999999999.99", 2, 999999999999999, ""},
		{"1.234", 2, 0, "最多 2 位小数"},
		{"-1", 2, 0, "不能为负数"},
		{"1,000", 2, 0, "的数字"},
		{"1.", 2, 0, "的数字"},
		{".5", 2, 0, "的数字"},
		{"1.2.3", 2, 0, "的数字"},
		{"1e3", 2, 0, "的数字"},
		{"", 2, 0, "必填"},
		{"99999999999999", 2, 0, "过大"},
	}
	for _, tt := range tests {
		got, reason := parseDecimal(tt.in, tt.scale)
		if got != tt.want || !strings.Contains(reason, tt.reason) || (tt.reason == "") != (reason == "") {
			t.Errorf("parseDecimal(%q, %d) = %d, %q; want %d, %q", tt.in, tt.scale, got, reason, tt.want, tt.reason)
		}
	}
}

func TestTimeParser(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	p := newTimeParser(loc)
	tests := []struct {
		in       string
		dateTime bool
		want     time.Time
		bad      bool
	}{
		{"2024-02-29", false, time.Date(2024, 2, 28, 16, 0, 0, 0, time.UTC), false},
		{"2023-02-29", false, time.Time{}, true},
		{"2024-13-01", false, time.Time{}, true},
		{"2024-1-01", false, time.Time{}, true},
		{"1899-12-31", false, time.Time{}, true},
		{"2024-02-10 14:30:00", true, time.Date(2024, 2, 10, 6, 30, 0, 0, time.UTC), false},
		{"2024-02-10T14:30:00", true, time.Date(2024, 2, 10, 6, 30, 0, 0, time.UTC), false},
		{"2024-02-10", true, time.Date(2024, 2, 9, 16, 0, 0, 0, time.UTC), false},
		{"2024-02-10 24:00:00", true, time.Time{}, true},
		{"2024-02-10 14:30", true, time.Time{}, true},
	}
	for range 2 { // the second round hits the cache
		for _, tt := range tests {
			var got time.Time
			var reason string
			if tt.dateTime {
				got, reason = p.dateTime(tt.in)
			} else {
				got, reason = p.date(tt.in)
			}
			if (reason != "") != tt.bad || !got.Equal(tt.want) {
				t.Errorf("parse %q = %v, %q; want %v bad=%v", tt.in, got, reason, tt.want, tt.bad)
			}
		}
	}
}

func TestParsePeriodAndKey(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"2024-01": true, "2024-12": true, "2024-00": false, "2024-1": false, "202401": false, "": false} {
		if _, reason := parsePeriod(in); (reason == "") != ok {
			t.Errorf("parsePeriod(%q) reason %q", in, reason)
		}
	}
	for in, ok := range map[string]bool{"A-1_2.3/4": true, strings.Repeat("x", 32): true, strings.Repeat("x", 33): false, "a b": false, "账号": false, "": false} {
		if _, reason := parseKey(in); (reason == "") != ok {
			t.Errorf("parseKey(%q) reason %q", in, reason)
		}
	}
}
