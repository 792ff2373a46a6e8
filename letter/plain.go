package letter

import (
	"strconv"
	"time"
)

// Plain is a printable document other than the letter — a title, headed
// sections of paragraphs and a footer line — set the way the letter is
// (A4, the CJK font with Latin text in a core font, the same wrapping
// rules), e.g. the e-credit report (package render).
type Plain struct {
	Title string
	// Subject is the PDF's subject metadata.
	Subject string
	// At is the document's date: the PDF's dates are set to it, so the same
	// document gives the same bytes.
	At       time.Time
	Sections []Section
	// Footer is printed at the foot of every page with the page number.
	Footer string
}

// Section is a heading and its paragraphs.
type Section struct {
	Heading    string
	Paragraphs []string
}

// PlainPDF renders d as an A4 PDF. It returns what PDF returns.
func PlainPDF(d Plain, opts PDFOptions) ([]byte, error) {
	pdf, err := open(opts, d.At, d.Title, d.Subject)
	if err != nil {
		return nil, err
	}
	pdf.SetFooterFunc(func() {
		r := newRenderer(pdf, 7.5)
		y := pageH - marginBottom + 6
		pdf.SetDrawColor(150, 150, 150)
		pdf.SetLineWidth(0.2)
		pdf.Line(marginX, y, pageW-marginX, y)
		pdf.SetTextColor(80, 80, 80)
		r.draw(marginX, y+4.5, safe(d.Footer))
		page := "第 " + strconv.Itoa(pdf.PageNo()) + " 页"
		r.draw(pageW-marginX-r.width(page), y+4.5, page)
		pdf.SetTextColor(0, 0, 0)
		pdf.SetDrawColor(0, 0, 0)
	})
	pdf.AddPage()
	title := newRenderer(pdf, 18)
	t := safe(d.Title)
	title.draw((pageW-title.width(t))/2, marginTop+8, t)
	pdf.SetY(marginTop + 16)
	head := newRenderer(pdf, 13)
	body := newRenderer(pdf, 10.5)
	for _, s := range d.Sections {
		head.ensure(paraLineH * 2)
		y := pdf.GetY() + 3
		head.draw(marginX, y+paraLineH-2, safe(s.Heading))
		pdf.SetXY(marginX, y+paraLineH+1)
		body.cur = ""
		for _, p := range s.Paragraphs {
			body.paragraph(p, 0)
		}
		head.cur = ""
	}
	return finish(pdf, "PDF 文书")
}
