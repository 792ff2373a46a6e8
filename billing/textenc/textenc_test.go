package textenc

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// R1.1: encodings are detected while streaming.
func TestTextReader_R1_1(t *testing.T) {
	t.Parallel()
	const text = "名称,地址\n韶关市测试水务用户有限公司,武江区\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().String(text + "𠀀\n") // outside GBK
	tests := []struct {
		name string
		in   string
		mode Mode
		want string
		enc  string
	}{
		{"ascii", "a,b\n1,2\n", ModeAuto, "a,b\n1,2\n", readAsUTF8},
		{"utf-8", text, ModeAuto, text, readAsUTF8},
		{"utf-8 bom", "\xEF\xBB\xBF" + text, ModeAuto, text, readAsUTF8},
		{"gbk auto", gbk, ModeAuto, text, readAsGB18030},
		{"gbk forced", gbk, ModeGB18030, text, readAsGB18030},
		{"gb18030 auto", gb18030, ModeAuto, text + "𠀀\n", readAsGB18030},
		{"utf-8 forced keeps bytes", gbk, ModeUTF8, gbk, readAsUTF8},
		{"late gbk", strings.Repeat("x", 100000) + gbk, ModeAuto, strings.Repeat("x", 100000) + text, readAsGB18030},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, err := NewReader(io.MultiReader(strings.NewReader(tt.in)), tt.mode)
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
