// Package textenc reads the text of a billing-system file: UTF-8 (with or
// without a byte-order mark) or GBK/GB18030, declared or detected from the
// bytes.
package textenc

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"creditwater/apperr"
)

// Encodings a file may be declared in (Meta.Encoding).
const (
	Auto = "auto"
	UTF8 = "utf-8"
	GBK  = "gbk"
)

// Encoding names recorded in ImportJob.Encoding: what the file was read as.
const (
	readAsUTF8    = "utf-8"
	readAsGB18030 = "gb18030"
)

type Mode int

const (
	ModeAuto Mode = iota
	ModeUTF8
	ModeGB18030
)

// ParseMode maps Meta.Encoding to a mode; "" means auto. It returns an
// INVALID *apperr.Error with Field "encoding" for anything else.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", Auto:
		return ModeAuto, nil
	case UTF8, "utf8":
		return ModeUTF8, nil
	case GBK, "gb18030", "gb2312", "cp936":
		return ModeGB18030, nil
	}
	return 0, apperr.InvalidField("encoding", "编码须为 auto、utf-8 或 gbk").WithReason("UNKNOWN_ENCODING")
}

// sniffSize is how many bytes from the first non-ASCII byte decide between
// UTF-8 and GB18030 in auto mode.
const sniffSize = 4096

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Reader turns the raw file into UTF-8. In auto mode it passes ASCII
// through undecided and decides at the first non-ASCII byte: if the next
// sniffSize bytes are valid UTF-8 the file is UTF-8, otherwise GB18030 (a
// superset of GBK and GB2312). ASCII reads the same in both, so deciding
// late loses nothing and keeps the file streamed. A UTF-8 byte order mark is
// dropped and fixes UTF-8. Text that is still not valid afterwards (a stray
// byte in a UTF-8 file, an invalid GB18030 sequence, which the decoder turns
// into U+FFFD) is caught per field by Valid.
type Reader struct {
	br  *bufio.Reader
	out io.Reader // nil while undecided
	enc string
}

func NewReader(r io.Reader, mode Mode) (*Reader, error) {
	t := &Reader{br: bufio.NewReaderSize(r, 64<<10)}
	if mode != ModeGB18030 {
		head, err := t.br.Peek(len(utf8BOM))
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, err
		}
		if bytes.Equal(head, utf8BOM) {
			_, _ = t.br.Discard(len(utf8BOM))
			mode = ModeUTF8
		}
	}
	switch mode {
	case ModeUTF8:
		t.decide(readAsUTF8)
	case ModeGB18030:
		t.decide(readAsGB18030)
	}
	return t, nil
}

// Encoding returns what the file was read as; a file of pure ASCII counts
// as UTF-8.
func (t *Reader) Encoding() string {
	if t.enc == "" {
		return readAsUTF8
	}
	return t.enc
}

func (t *Reader) decide(enc string) {
	t.enc = enc
	if enc == readAsGB18030 {
		t.out = transform.NewReader(t.br, simplifiedchinese.GB18030.NewDecoder())
		return
	}
	t.out = t.br
}

func (t *Reader) Read(p []byte) (int, error) {
	if t.out != nil {
		return t.out.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := t.br.Peek(1); err != nil {
		return 0, err
	}
	buf, _ := t.br.Peek(t.br.Buffered())
	n := 0
	for n < len(buf) && n < len(p) && buf[n] < utf8.RuneSelf {
		n++
	}
	if n > 0 {
		copy(p, buf[:n])
		_, _ = t.br.Discard(n)
		return n, nil
	}
	win, err := t.br.Peek(sniffSize)
	if err != nil && err != io.EOF {
		return 0, err
	}
	if validUTF8Prefix(win, err == io.EOF) {
		t.decide(readAsUTF8)
	} else {
		t.decide(readAsGB18030)
	}
	return t.out.Read(p)
}

// validUTF8Prefix reports whether b is valid UTF-8, ignoring a rune cut off
// at the end of b unless b ends the file.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if !atEOF {
		for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
			if utf8.RuneStart(b[len(b)-k]) {
				if !utf8.FullRune(b[len(b)-k:]) {
					b = b[:len(b)-k]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// Valid reports whether a decoded field is clean text: valid UTF-8 with
// no replacement character left by the GB18030 decoder.
func Valid(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.ValidString(s[i:]) && !strings.ContainsRune(s[i:], utf8.RuneError)
		}
	}
	return true
}
