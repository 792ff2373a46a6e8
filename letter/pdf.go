package letter

import (
	"bytes"
	"errors"
	"os"
	"time"

	"github.com/go-pdf/fpdf"

	"creditwater/apperr"
)

// FontPackage is the Debian package that provides the default CJK font.
const FontPackage = "fonts-droid-fallback"

// Reasons of the UNAVAILABLE errors of PDF and FindCJKFont.
const (
	// ReasonFontMissing: no CJK TrueType font was found.
	ReasonFontMissing = "CJK_FONT_MISSING"
	// ReasonFontUnusable: the font file exists but could not be loaded.
	ReasonFontUnusable = "CJK_FONT_UNUSABLE"
)

// FontPaths lists the well-known Debian locations of CJK TrueType (.ttf)
// fonts that FindCJKFont tries, in order.
func FontPaths() []string {
	return []string{
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",      // fonts-droid-fallback
		"/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf", // fonts-droid-fallback
	}
}

// FindCJKFont returns the first readable file of FontPaths. It returns an
// UNAVAILABLE *apperr.Error with reason CJK_FONT_MISSING when there is none.
func FindCJKFont() (string, error) {
	for _, p := range FontPaths() {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fontMissing()
}

func fontMissing() *apperr.Error {
	return apperr.New(apperr.Unavailable,
		"没有可用于 PDF 文书的中文 TrueType 字体，请安装 Debian 软件包 %s", FontPackage).
		WithReason(ReasonFontMissing)
}

// PDFOptions tune PDF.
type PDFOptions struct {
	// FontPath is a CJK TrueType (.ttf, not .ttc) font file; empty means
	// FindCJKFont.
	FontPath string
}

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 22.0
	marginTop    = 25.0
	marginBottom = 22.0
	contentW     = pageW - 2*marginX
	bodyPt       = 12.0
	fieldLineH   = 9.0
	paraLineH    = 7.0
	font         = "cjk"
)

// PDF renders the letter with f's values as an A4 PDF laid out like the
// template, with a footer on each page naming hash (the SHA-256 of Text(f))
// and TemplateVersion (R2.2). The same Fields and hash give the same bytes.
// It returns UNAVAILABLE with reason CJK_FONT_MISSING when no CJK font is
// found (install FontPackage) and UNAVAILABLE with reason CJK_FONT_UNUSABLE
// when the font cannot be loaded, and INTERNAL when the PDF cannot be
// written. Characters outside the Basic Multilingual Plane print as 〓 in the
// PDF only; Text and HTML keep them.
func PDF(f Fields, hash string, opts PDFOptions) ([]byte, error) {
	pdf, err := open(opts, f.SignedAt, Title, "SHA-256 "+hash)
	if err != nil {
		return nil, err
	}
	pdf.SetKeywords(TemplateVersion, true)
	pdf.SetFooterFunc(func() { newRenderer(pdf, 7.5).footer(hash) })
	newRenderer(pdf, bodyPt).letter(newDoc(f))
	return finish(pdf, "承诺书 PDF")
}

// open starts an A4 PDF with the CJK font loaded, its dates set to at and
// its title and subject set, so that the same input gives the same bytes.
// It returns UNAVAILABLE (CJK_FONT_MISSING, CJK_FONT_UNUSABLE).
func open(opts PDFOptions, at time.Time, title, subject string) (*fpdf.Fpdf, error) {
	path := opts.FontPath
	if path == "" {
		p, err := FindCJKFont()
		if err != nil {
			return nil, err
		}
		path = p
	} else if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, fontMissing()
	}
	ttf, err := os.ReadFile(path)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "无法读取中文字体").WithReason(ReasonFontUnusable)
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(at.UTC())
	pdf.SetModificationDate(at.UTC())
	pdf.SetTitle(title, true)
	pdf.SetSubject(subject, true)
	pdf.SetCreator("creditwater", true)
	if err := loadFont(pdf, ttf); err != nil {
		return nil, err
	}
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, marginBottom) // the layout breaks pages itself
	pdf.SetCellMargin(0)
	return pdf, nil
}

// finish writes the PDF; INTERNAL when it cannot be rendered.
func finish(pdf *fpdf.Fpdf, what string) ([]byte, error) {
	if err := pdf.Error(); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法生成%s", what)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法写出%s", what)
	}
	return b.Bytes(), nil
}

// loadFont registers ttf as the font family "cjk". A file that is not a
// TrueType font (a .ttc collection, a CFF-based .otf, anything else), or that
// fpdf cannot parse, is CJK_FONT_UNUSABLE.
func loadFont(pdf *fpdf.Fpdf, ttf []byte) (err error) {
	unusable := func(cause error) error {
		return apperr.Wrap(cause, apperr.Unavailable,
			"中文字体不是可用的 TrueType（.ttf）字体，请安装 Debian 软件包 %s", FontPackage).WithReason(ReasonFontUnusable)
	}
	if len(ttf) < 12 || (!bytes.HasPrefix(ttf, []byte{0, 1, 0, 0}) && !bytes.HasPrefix(ttf, []byte("true"))) {
		return unusable(errors.New("no TrueType signature"))
	}
	defer func() {
		if p := recover(); p != nil {
			err = unusable(errors.New("the font parser panicked"))
		}
	}()
	pdf.AddUTF8FontFromBytes(font, "", ttf)
	pdf.SetFont(font, "", bodyPt) // fails when the font was not registered
	if e := pdf.Error(); e != nil {
		return unusable(e)
	}
	return nil
}
