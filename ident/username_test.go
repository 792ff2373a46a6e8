package ident

import "testing"

// R7.1: spellings that look alike or that a database collation treats as
// equal have one key, so logins, login limits and uniqueness agree.
func TestUsernameKey_R7_1(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"officer", "officer"},
		{"  Officer ", "officer"},
		{"officer\u200b", "officer"},                              // zero-width space
		{"off\u00adicer", "officer"},                              // soft hyphen
		{"o\u200dfficer\ufe0f", "officer"},                        // zero-width joiner, variation selector
		{"\u202eofficer", "officer"},                              // bidi override
		{"of\ufb01cer", "officer"},                                // ligature ﬁ
		{"\uff4f\uff46\uff46\uff49\uff43\uff45\uff52", "officer"}, // full width
		{"OFFICER", "officer"},
		{"o\ufb01cer", "oficer"}, // one f: another name
		{"Straße", "strasse"},
		{"张伟", "张伟"},
		{"\u200b\u200c", ""},
	} {
		if got := UsernameKey(tt.in); got != tt.want {
			t.Errorf("UsernameKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDefaultIgnorable(t *testing.T) {
	for r, want := range map[rune]bool{
		0x200B: true, 0x00AD: true, 0x034F: true, 0x2060: true, 0xFEFF: true, 0x180E: true, 0xE0001: true, 0x3164: true,
		'a': false, ' ': false, 0x0600: false, 0xFFF9: false, 0x13430: false, '张': false,
	} {
		if got := DefaultIgnorable(r); got != want {
			t.Errorf("DefaultIgnorable(%U) = %v, want %v", r, got, want)
		}
	}
}
