package billing

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
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

// R1.1: encodings are detected while streaming.
func TestTextReader_R1_1(t *testing.T) {
	t.Parallel()
	const text = "名称,地址\n韶关市测试水务用户有限公司,武江区\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().String(text + "𠀀\n") // outside GBK
	tests := []struct {
		name string
		in   string
		mode encMode
		want string
		enc  string
	}{
		{"ascii", "a,b\n1,2\n", encAuto, "a,b\n1,2\n", readAsUTF8},
		{"utf-8", text, encAuto, text, readAsUTF8},
		{"utf-8 bom", "\xEF\xBB\xBF" + text, encAuto, text, readAsUTF8},
		{"gbk auto", gbk, encAuto, text, readAsGB18030},
		{"gbk forced", gbk, encGB18030, text, readAsGB18030},
		{"gb18030 auto", gb18030, encAuto, text + "𠀀\n", readAsGB18030},
		{"utf-8 forced keeps bytes", gbk, encUTF8, gbk, readAsUTF8},
		{"late gbk", strings.Repeat("x", 100000) + gbk, encAuto, strings.Repeat("x", 100000) + text, readAsGB18030},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, err := newTextReader(io.MultiReader(strings.NewReader(tt.in)), tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			// Read in small pieces to cross buffer boundaries.
			var out bytes.Buffer
			buf := make([]byte, 7)
			for {
				n, err := tr.Read(buf)
				out.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if out.String() != tt.want || tr.Encoding() != tt.enc {
				t.Fatalf("got %q as %s, want %q as %s", out.String(), tr.Encoding(), tt.want, tt.enc)
			}
		})
	}
}

func TestValidUTF8Prefix(t *testing.T) {
	t.Parallel()
	s := []byte("ab中文")
	cut := s[:len(s)-1] // 文 cut in the middle
	if !validUTF8Prefix(cut, false) {
		t.Error("a rune cut by the window end should be ignored")
	}
	if validUTF8Prefix(cut, true) {
		t.Error("a rune cut at the end of the file is invalid")
	}
	if validUTF8Prefix([]byte{0xB2, 0xE2, 0xCA, 0xD4}, false) { // "测试" in GBK
		t.Error("GBK accepted as UTF-8")
	}
}
