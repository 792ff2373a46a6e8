package letter

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"creditwater/apperr"
)

// R2.2: the printable HTML shows every value, the ticked box, the pledges,
// the hash and the template version.
func TestHTMLReproducesTemplate_R2_2(t *testing.T) {
	f := sample()
	f.Relation = Tenant
	hash := Hash(Text(f))
	page := string(HTML(f, hash))
	want := []string{
		"<!DOCTYPE html>", `<meta charset="utf-8">`, "@page { size: A4;", "serif",
		"<h1>信用办水承诺书</h1>",
		"申请用水单位名称：", f.UnitName, f.Address, f.USCC, f.LegalRepName, f.IDTypeLabel, f.IDNumberMasked, f.NoProofReason,
		`<span class="box">☐</span>业主/<span class="box">☑</span>租户`,
		"我单位郑重承诺：", "承诺人：", "（签章）", "法定代表人：", "（签字）",
		"2026 年 11 月 26 日", hash, TemplateVersion,
	}
	for _, p := range Pledges() {
		want = append(want, p)
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if !bytes.Equal(HTML(f, hash), []byte(page)) {
		t.Error("HTML is not deterministic")
	}
}

// R2.2: values are escaped, never markup.
func TestHTMLEscapesValues_R2_2(t *testing.T) {
	f := sample()
	f.NoProofReason = `<script>alert("x")</script>`
	f.UnitName = `A&B <img src=x onerror=alert(1)>`
	page := string(HTML(f, `"><script>`))
	for _, bad := range []string{"<script>", "<img"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "A&amp;B &lt;img"} {
		if !strings.Contains(page, good) {
			t.Errorf("HTML lacks escaped %q", good)
		}
	}
}

// fontOrSkip returns the CJK font, skipping only where none is installed.
func fontOrSkip(t *testing.T) string {
	t.Helper()
	p, err := FindCJKFont()
	if err != nil {
		t.Skipf("no CJK font (install the Debian package %s): %v", FontPackage, err)
	}
	return p
}

// R2.2: the PDF is a real, deterministic A4 document.
func TestPDF_R2_2(t *testing.T) {
	font := fontOrSkip(t)
	f := sample()
	hash := Hash(Text(f))
	doc, err := PDF(f, hash, PDFOptions{})
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) || !bytes.Contains(doc, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", doc[:min(len(doc), 16)])
	}
	if len(doc) < 10_000 {
		t.Fatalf("PDF is only %d bytes; the CJK font subset is missing", len(doc))
	}
	if !bytes.Contains(doc, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Error("the page is not A4")
	}
	again, err := PDF(f, hash, PDFOptions{FontPath: font})
	if err != nil {
		t.Fatalf("PDF with FontPath: %v", err)
	}
	if !bytes.Equal(doc, again) {
		t.Error("the same fields gave different PDFs")
	}
	f.NoProofReason += "补充"
	other, err := PDF(f, Hash(Text(f)), PDFOptions{})
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if bytes.Equal(doc, other) {
		t.Error("a changed reason gave the same PDF")
	}
}

// R2.2: the PDF's text, as a reader extracts it, is the letter's text.
func TestPDFText_R2_2(t *testing.T) {
	fontOrSkip(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (Debian package poppler-utils) is not installed")
	}
	f := sample()
	f.Relation = Tenant
	f.NoProofReason = strings.Repeat("历史遗留建筑，产权证书正在补办中。", 6) // wraps
	hash := Hash(Text(f))
	doc, err := PDF(f, hash, PDFOptions{})
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	got := squash(string(out))
	want := []string{Title, f.UnitName, f.Address, f.USCC, f.IDNumberMasked, f.NoProofReason,
		Intro, "承诺人：", "（签章）", "法定代表人：", "（签字）", "2026年11月26日", "SHA-256：" + hash, TemplateVersion}
	for _, p := range Pledges() {
		want = append(want, p)
	}
	for _, w := range want {
		if !strings.Contains(got, squash(w)) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
}

// squash drops all white space, which PDF text extraction places freely.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// R2.2: long values flow onto more pages; characters beyond the BMP do not
// break the PDF.
func TestPDFLongValues_R2_2(t *testing.T) {
	fontOrSkip(t)
	f := sample()
	f.UnitName = strings.Repeat("超长单位名称", 33)
	f.Signer = f.UnitName
	f.Address = strings.Repeat("Building 7, Road ", 11)
	f.NoProofReason = strings.Repeat("因", 499) + "𠀀"
	if err := Validate(f); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	doc, err := PDF(f, Hash(Text(f)), PDFOptions{})
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if n := bytes.Count(doc, []byte("/Type /Page\n")); n < 2 {
		t.Errorf("PDF has %d pages, want the long letter on at least 2", n)
	}
}

// The font is found at run time; without it PDF says which package to
// install.
func TestPDFFont(t *testing.T) {
	dir := t.TempDir()
	notFont := filepath.Join(dir, "not-a-font.ttf")
	if err := os.WriteFile(notFont, []byte("this is not a TrueType font"), 0o600); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.ttf")
	if err := os.WriteFile(truncated, append([]byte{0, 1, 0, 0}, bytes.Repeat([]byte{0xff}, 64)...), 0o600); err != nil {
		t.Fatal(err)
	}
	collection := filepath.Join(dir, "fonts.ttc")
	if err := os.WriteFile(collection, append([]byte("ttcf"), make([]byte, 64)...), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, reason string
	}{
		{"truncated TrueType", truncated, ReasonFontUnusable},
		{"collection", collection, ReasonFontUnusable},
		{"missing file", filepath.Join(dir, "absent.ttf"), ReasonFontMissing},
		{"directory", dir, ReasonFontMissing},
		{"not a font", notFont, ReasonFontUnusable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PDF(sample(), "00", PDFOptions{FontPath: tt.path})
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Unavailable || e.Reason != tt.reason {
				t.Fatalf("PDF = %v, want UNAVAILABLE %s", err, tt.reason)
			}
			if !strings.Contains(e.Message, FontPackage) {
				t.Errorf("message %q does not name the package %s", e.Message, FontPackage)
			}
			if strings.Contains(e.Message, dir) {
				t.Errorf("message %q leaks the path", e.Message)
			}
		})
	}
	if p, err := FindCJKFont(); err == nil {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("FindCJKFont = %s, which does not exist", p)
		}
	} else if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || e.Reason != ReasonFontMissing {
		t.Errorf("FindCJKFont error = %v, want UNAVAILABLE CJK_FONT_MISSING", err)
	}
}

// R6.1: a plain document (the e-credit report) renders with the letter's
// font, deterministically.
func TestPlainPDF_R6_1(t *testing.T) {
	font := fontOrSkip(t)
	d := Plain{Title: "企业电子信用报告", Subject: "报告编号 X1", At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Sections: []Section{{Heading: "一、基本信息", Paragraphs: []string{"企业名称：韶关市清源食品有限公司 ABC", strings.Repeat("长文本换行。", 80)}}},
		Footer:   "信用中国（广东韶关）"}
	a, err := PlainPDF(d, PDFOptions{FontPath: font})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := PlainPDF(d, PDFOptions{FontPath: font})
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
		t.Fatal("not a deterministic PDF")
	}
}
