// Package inputtext decides which characters untrusted text may hold before
// it is stored (R7.3): names, addresses and notes from the API and from
// billing files.
//
// Text is refused when it is not valid UTF-8 or holds U+FFFD (what JSON
// decoders and the GB18030 decoder leave for invalid bytes and unpaired
// surrogates), a control character (Unicode category Cc: C0 including NUL,
// DEL, C1), or a bidirectional formatting character (Unicode Bidi_Control:
// the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069,
// and the marks U+061C, U+200E, U+200F), which can make a name display as
// another. Multi-line text may also hold tab, line feed and carriage return;
// single-line text may not, nor the line and paragraph separators U+2028
// and U+2029. The classification uses the standard library's Unicode
// tables.
package inputtext

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Lines says whether a text may span lines.
type Lines bool

// The two kinds of text.
const (
	// SingleLine text (names, addresses, codes) holds no control character
	// and no line break at all.
	SingleLine Lines = false
	// MultiLine text (reasons, statements, descriptions, notes) may also
	// hold tab, line feed and carriage return.
	MultiLine Lines = true
)

// Reasons of a Fault: stable machine codes, shown as extensions.reason.
const (
	ReasonInvalidUTF8 = "INVALID_UTF8"
	ReasonControl     = "CONTROL_CHARACTER"
	ReasonLineBreak   = "LINE_BREAK"
	ReasonBidi        = "BIDI_CONTROL"
)

// Fault describes the first character of a text that may not be stored.
type Fault struct {
	// Position is the 1-based position of the character, counted in
	// characters (runes).
	Position int
	// Rune is the character; utf8.RuneError for bytes that are not UTF-8.
	Rune rune
	// Reason is one of the Reason constants.
	Reason string
}

// Error describes the fault in Chinese for the person who typed the text,
// without repeating the text.
func (f *Fault) Error() string {
	switch f.Reason {
	case ReasonLineBreak:
		return fmt.Sprintf("第 %d 个字符是换行符（U+%04X），此处只能填写一行文字", f.Position, f.Rune)
	case ReasonBidi:
		return fmt.Sprintf("第 %d 个字符是双向文本控制字符 U+%04X，它会改变文字的显示顺序，不允许使用", f.Position, f.Rune)
	case ReasonControl:
		return fmt.Sprintf("第 %d 个字符是控制字符 U+%04X，不允许使用", f.Position, f.Rune)
	}
	return fmt.Sprintf("第 %d 个字符不是有效的 UTF-8 文字（乱码或不成对的代理项）", f.Position)
}

// Check returns nil when s may be stored as text of the given kind, and the
// first offending character otherwise (see the package doc).
func Check(s string, lines Lines) *Fault {
	pos := 0
	for i := 0; i < len(s); {
		pos++
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c >= 0x20 && c != 0x7F {
				continue
			}
			if lines == MultiLine && (c == '\t' || c == '\n' || c == '\r') {
				continue
			}
			reason := ReasonControl
			if c == '\n' || c == '\r' {
				reason = ReasonLineBreak
			}
			return &Fault{Position: pos, Rune: rune(c), Reason: reason}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError:
			return &Fault{Position: pos, Rune: utf8.RuneError, Reason: ReasonInvalidUTF8}
		case unicode.Is(unicode.Cc, r):
			return &Fault{Position: pos, Rune: r, Reason: ReasonControl}
		case unicode.Is(unicode.Bidi_Control, r):
			return &Fault{Position: pos, Rune: r, Reason: ReasonBidi}
		case lines == SingleLine && (r == '\u2028' || r == '\u2029'):
			return &Fault{Position: pos, Rune: r, Reason: ReasonLineBreak}
		}
	}
	return nil
}
