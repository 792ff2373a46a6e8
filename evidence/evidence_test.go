package evidence

import (
	"strings"
	"testing"
)

func TestSanitizeFileName(t *testing.T) {
	long := strings.Repeat("长", 150) + ".pdf"
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\system.ini`, "system.ini"},
		{".hidden.pdf", "hidden.pdf"},
		{"a\x00b\r\n.pdf", "ab.pdf"},
		{"evil\u202egnp.pdf", "evilgnp.pdf"},
		{`what?*:"<>|.pdf`, "what_______.pdf"},
		{"   ", ""},
		{"/", ""},
		{long, strings.Repeat("长", 96) + ".pdf"},
	}
	for _, c := range cases {
		if got := SanitizeFileName(c.in); got != c.want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
