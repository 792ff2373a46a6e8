package inputtext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// R7.3: control characters, bidi controls and broken UTF-8 are refused;
// line breaks only in multi-line text.
func TestCheck_R7_3(t *testing.T) {
	// A lone surrogate as a JSON client sends it: encoding/json turns it
	// into U+FFFD, which must be refused like invalid bytes.
	var lone string
	if err := json.Unmarshal([]byte(`"韶关\ud800市"`), &lone); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		s          string
		lines      Lines
		wantReason string
		wantPos    int
		wantRune   rune
	}{
		{name: "Chinese name", s: "韶关市清源食品有限公司", lines: SingleLine},
		{name: "address with digits and spaces", s: "浈江区工业大道 8 号（东门）", lines: SingleLine},
		{name: "emoji with zero-width joiner", s: "👩‍💻 工作室", lines: SingleLine},
		{name: "empty", s: "", lines: SingleLine},
		{name: "multi-line reason", s: "第一行\r\n第二行\t缩进", lines: MultiLine},
		{name: "paragraph separator in multi-line text", s: "一\u2029二", lines: MultiLine},
		{name: "NUL", s: "清源\x00食品", lines: SingleLine, wantReason: ReasonControl, wantPos: 3, wantRune: 0},
		{name: "NUL in multi-line text", s: "理由\x00", lines: MultiLine, wantReason: ReasonControl, wantPos: 3, wantRune: 0},
		{name: "escape", s: "a\x1b[31m", lines: MultiLine, wantReason: ReasonControl, wantPos: 2, wantRune: 0x1b},
		{name: "DEL", s: "ab\x7f", lines: SingleLine, wantReason: ReasonControl, wantPos: 3, wantRune: 0x7f},
		{name: "C1 next line", s: "甲\u0085乙", lines: MultiLine, wantReason: ReasonControl, wantPos: 2, wantRune: 0x85},
		{name: "tab in a name", s: "张\t三", lines: SingleLine, wantReason: ReasonControl, wantPos: 2, wantRune: '\t'},
		{name: "line feed in a name", s: "张三\n", lines: SingleLine, wantReason: ReasonLineBreak, wantPos: 3, wantRune: '\n'},
		{name: "carriage return in a name", s: "\r张三", lines: SingleLine, wantReason: ReasonLineBreak, wantPos: 1, wantRune: '\r'},
		{name: "line separator in a name", s: "张\u2028三", lines: SingleLine, wantReason: ReasonLineBreak, wantPos: 2, wantRune: 0x2028},
		{name: "right-to-left override", s: "invoice\u202Efdp.exe", lines: SingleLine, wantReason: ReasonBidi, wantPos: 8, wantRune: 0x202E},
		{name: "left-to-right embedding", s: "\u202A名", lines: MultiLine, wantReason: ReasonBidi, wantPos: 1, wantRune: 0x202A},
		{name: "first strong isolate", s: "名\u2068x", lines: SingleLine, wantReason: ReasonBidi, wantPos: 2, wantRune: 0x2068},
		{name: "pop directional isolate", s: "名\u2069", lines: MultiLine, wantReason: ReasonBidi, wantPos: 2, wantRune: 0x2069},
		{name: "right-to-left mark", s: "名\u200F", lines: SingleLine, wantReason: ReasonBidi, wantPos: 2, wantRune: 0x200F},
		{name: "invalid byte", s: "ab\xffcd", lines: MultiLine, wantReason: ReasonInvalidUTF8, wantPos: 3, wantRune: utf8.RuneError},
		{name: "truncated sequence", s: "韶\xe5\x85", lines: SingleLine, wantReason: ReasonInvalidUTF8, wantPos: 2, wantRune: utf8.RuneError},
		{name: "lone surrogate from JSON", s: lone, lines: SingleLine, wantReason: ReasonInvalidUTF8, wantPos: 3, wantRune: utf8.RuneError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Check(tt.s, tt.lines)
			if tt.wantReason == "" {
				if f != nil {
					t.Fatalf("Check = %+v, want nil", f)
				}
				return
			}
			if f == nil {
				t.Fatalf("Check = nil, want %s", tt.wantReason)
			}
			if f.Reason != tt.wantReason || f.Position != tt.wantPos || f.Rune != tt.wantRune {
				t.Errorf("Check = %+v, want reason %s at %d rune %U", f, tt.wantReason, tt.wantPos, tt.wantRune)
			}
			msg := f.Error()
			if !strings.Contains(msg, "第 ") || strings.Contains(msg, tt.s) && tt.s != "" {
				t.Errorf("message %q: want a Chinese description without the text", msg)
			}
		})
	}
}
