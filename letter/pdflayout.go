package letter

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// Fonts of the PDF: CJK fallback fonts often lack Latin glyphs, so ASCII and
// Latin-1 text is set in a built-in PDF core font and the rest in the CJK
// font.
const (
	latinFont = "Helvetica"
	monoFont  = "Courier"
)

// renderer lays text out on pdf at one font size, switching between the CJK
// and the Latin font run by run.
type renderer struct {
	pdf    *fpdf.Fpdf
	size   float64 // points
	cur    string  // the family last selected by use
	latin  func(string) string
	widths map[rune]float64
}

func newRenderer(pdf *fpdf.Fpdf, size float64) *renderer {
	return &renderer{pdf: pdf, size: size, latin: pdf.UnicodeTranslatorFromDescriptor(""), widths: map[rune]float64{}}
}

// use selects family at the renderer's size unless it is already selected.
func (r *renderer) use(family string) {
	if r.cur != family {
		r.pdf.SetFont(family, "", r.size)
		r.cur = family
	}
}

// isLatin reports whether the core font sets r (cp1252's Latin-1 range).
func isLatin(r rune) bool { return (r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xFF) }

// run is a piece of text set in one font.
type run struct {
	text  string
	latin bool
}

func runs(s string) []run {
	var out []run
	var b strings.Builder
	latin := false
	for i, c := range s {
		l := isLatin(c)
		if i > 0 && l != latin && b.Len() > 0 {
			out = append(out, run{b.String(), latin})
			b.Reset()
		}
		latin = l
		b.WriteRune(c)
	}
	if b.Len() > 0 {
		out = append(out, run{b.String(), latin})
	}
	return out
}

// runeWidth is the width of c in millimetres.
func (r *renderer) runeWidth(c rune) float64 {
	if w, ok := r.widths[c]; ok {
		return w
	}
	var w float64
	if isLatin(c) {
		r.use(latinFont)
		w = r.pdf.GetStringWidth(r.latin(string(c)))
	} else {
		r.use(font)
		w = r.pdf.GetStringWidth(string(c))
	}
	r.widths[c] = w
	return w
}

// width is the width of s in millimetres.
func (r *renderer) width(s string) float64 {
	w := 0.0
	for _, c := range s {
		w += r.runeWidth(c)
	}
	return w
}

// draw sets s with its left end at x on the baseline base.
func (r *renderer) draw(x, base float64, s string) {
	for _, rn := range runs(safe(s)) {
		if rn.latin {
			r.use(latinFont)
			r.pdf.Text(x, base, r.latin(rn.text))
		} else {
			r.use(font)
			r.pdf.Text(x, base, rn.text)
		}
		x += r.width(rn.text)
	}
}

// safe replaces what fpdf cannot index (runes beyond U+FFFF, which would
// make it panic) with 〓, the conventional mark for an unavailable character.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF || r == unicode.ReplacementChar {
			return '〓'
		}
		return r
	}, s)
}

// footer prints the text's hash, the template version and the page number
// at the foot of the page.
func (r *renderer) footer(hash string) {
	p := r.pdf
	y := pageH - marginBottom + 6
	p.SetDrawColor(150, 150, 150)
	p.SetLineWidth(0.2)
	p.Line(marginX, y, pageW-marginX, y)
	p.SetTextColor(80, 80, 80)
	label := "文本 SHA-256："
	r.draw(marginX, y+4.5, label)
	p.SetFont(monoFont, "", r.size)
	r.cur = monoFont
	p.Text(marginX+r.width(label), y+4.5, r.latin(safe(hash)))
	r.draw(marginX, y+8.5, "模板版本："+TemplateVersion)
	page := "第 " + strconv.Itoa(p.PageNo()) + " 页"
	r.draw(pageW-marginX-r.width(page), y+8.5, page)
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
}

// letter lays out the whole letter from the current page's top.
func (r *renderer) letter(d doc) {
	p := r.pdf
	p.AddPage()
	r.cur = ""
	p.SetLineWidth(0.3)

	// Title, centred and emboldened by stroking the glyph outlines.
	title := newRenderer(p, 20)
	t := spaced(Title)
	p.SetTextRenderingMode(2)
	p.SetLineWidth(0.25)
	title.draw((pageW-title.width(t))/2, marginTop+8, t)
	p.SetTextRenderingMode(0)
	p.SetLineWidth(0.3)
	r.cur = ""
	p.SetY(marginTop + 16)

	// Field lines: label, then the value on an underline to the right margin.
	for _, fl := range d.Fields {
		r.underlined(marginX, r.width(fl.Label), pageW-marginX, fl.Label, fl.Value, "", false)
	}

	// Relation with check boxes.
	r.ensure(fieldLineH)
	y := p.GetY()
	base := y + fieldLineH - 2.6
	x := marginX
	r.draw(x, base, relationLabel)
	x += r.width(relationLabel) + 1.5
	for i, opt := range []struct {
		on    bool
		label string
	}{{d.Owner, "业主"}, {d.Tenant, "租户"}} {
		if i > 0 {
			r.draw(x, base, "/")
			x += r.width("/") + 1
		}
		r.checkbox(x, base, opt.on)
		x += 4.6
		r.draw(x, base, opt.label)
		x += r.width(opt.label) + 1
	}
	p.SetXY(marginX, y+fieldLineH)

	// Intro and the five pledges, paragraphs with a two-character indent.
	p.Ln(3)
	r.paragraph(Intro, 0)
	p.Ln(1)
	for _, pl := range pledges {
		r.paragraph(pl, 2*r.width("一"))
		p.Ln(1.2)
	}

	// Signature block on the right: both values start in one column; the
	// block moves left when a long name needs the room.
	p.Ln(6)
	right := pageW - marginX
	lw := max(r.width(signerLabel), r.width(legalLabel))
	sw := max(r.width(signerMark), r.width(legalMark))
	vw := max(45, r.width(d.Signer)+6, r.width(d.LegalRep)+6)
	x0 := max(marginX, min(marginX+contentW*0.45, right-lw-vw-sw))
	// Keep the signatures and the date together when they fit on a page.
	n := len(r.wrap(safe(d.Signer), right-x0-lw-sw-2, right-x0-lw-sw-2)) +
		len(r.wrap(safe(d.LegalRep), right-x0-lw-sw-2, right-x0-lw-sw-2)) + 1
	r.ensure(min(float64(n)*fieldLineH+10, pageH-marginTop-marginBottom))
	r.underlined(x0, lw, right, signerLabel, d.Signer, signerMark, true)
	p.Ln(4)
	r.underlined(x0, lw, right, legalLabel, d.LegalRep, legalMark, true)

	// Date, right-aligned under the signatures.
	p.Ln(6)
	r.ensure(fieldLineH)
	y = p.GetY()
	r.draw(right-sw-r.width(d.Date), y+fieldLineH-2.6, d.Date)
	p.SetXY(marginX, y+fieldLineH)
}

// spaced puts a gap between the title's characters, as printed forms do.
func spaced(s string) string {
	return strings.Join(strings.Split(s, ""), " ")
}

// ensure starts a new page when h millimetres do not fit on this one.
func (r *renderer) ensure(h float64) {
	if r.pdf.GetY()+h > pageH-marginBottom {
		r.pdf.AddPage()
		r.cur = ""
		r.pdf.SetY(marginTop)
	}
}

// checkbox draws a square box whose bottom sits on the baseline, ticked when on.
func (r *renderer) checkbox(x, baseline float64, on bool) {
	p := r.pdf
	const s = 3.6
	top := baseline - s + 0.4
	p.SetLineWidth(0.25)
	p.Rect(x, top, s, s, "D")
	if on {
		p.SetLineWidth(0.45)
		p.Line(x+0.7, top+1.9, x+1.5, top+2.9)
		p.Line(x+1.5, top+2.9, x+3.0, top+0.6)
	}
	p.SetLineWidth(0.3)
}

// underlined prints label at x0 and value on underlined lines from x0+lw to
// x1 less the suffix, which follows the last line; the value wraps as needed
// and centred centres it on its line.
func (r *renderer) underlined(x0, lw, x1 float64, label, value, suffix string, centred bool) {
	p := r.pdf
	vx := x0 + lw
	vw := x1 - vx - r.width(suffix)
	lines := r.wrap(safe(value), vw-2, vw-2)
	for i, ln := range lines {
		r.ensure(fieldLineH)
		y := p.GetY()
		base := y + fieldLineH - 2.6
		if i == 0 {
			r.draw(x0, base, label)
		}
		tx := vx + 1
		if centred {
			tx = vx + (vw-r.width(ln))/2
		}
		r.draw(tx, base, ln)
		p.Line(vx, base+1.4, vx+vw, base+1.4)
		if i == len(lines)-1 && suffix != "" {
			r.draw(vx+vw, base, suffix)
		}
		p.SetXY(marginX, y+fieldLineH)
	}
}

// paragraph prints text across the content width with the first line
// indented by indent millimetres.
func (r *renderer) paragraph(text string, indent float64) {
	p := r.pdf
	for i, ln := range r.wrap(safe(text), contentW-indent, contentW) {
		r.ensure(paraLineH)
		x := marginX
		if i == 0 {
			x += indent
		}
		y := p.GetY()
		r.draw(x, y+paraLineH-2, ln)
		p.SetXY(marginX, y+paraLineH)
	}
}

// noLineStart are the closing punctuation marks that must not begin a line
// (避头); they hang past the right edge instead.
const noLineStart = "，。、；：！？）》」』”’%,.;:!?)]"

// wrap splits s into lines no wider than first (the first line) and rest
// (the others). It may break between two CJK characters and at spaces,
// keeps Latin words and digit runs whole when they fit on a line, and lets
// closing punctuation hang. An empty s gives one empty line.
func (r *renderer) wrap(s string, first, rest float64) []string {
	var lines []string
	rs := []rune(s)
	width := first
	start := 0
	for start < len(rs) {
		w := 0.0
		end := start
		lastBreak := -1 // an index where the next line may start
		for end < len(rs) {
			cw := r.runeWidth(rs[end])
			if w+cw > width && end > start && !strings.ContainsRune(noLineStart, rs[end]) {
				break
			}
			w += cw
			end++
			if end < len(rs) && breakable(rs[end-1], rs[end]) {
				lastBreak = end
			}
		}
		if end < len(rs) && lastBreak > start && !breakable(rs[end-1], rs[end]) {
			end = lastBreak
		}
		lines = append(lines, strings.TrimRight(string(rs[start:end]), " "))
		start = end
		for start < len(rs) && rs[start] == ' ' {
			start++
		}
		width = rest
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// breakable reports whether a line may break between a and b.
func breakable(a, b rune) bool {
	if strings.ContainsRune(noLineStart, b) {
		return false
	}
	return a == ' ' || b == ' ' || wide(a) || wide(b)
}

// wide reports whether r is a CJK (or other full-width) character.
func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x30FF) || (r >= 0xFF00 && r <= 0xFFEF)
}
