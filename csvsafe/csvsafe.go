// Package csvsafe keeps CSV cells from being run as formulas when a person
// opens the file in a spreadsheet (CSV or formula injection, R1.1).
//
// Excel, WPS and LibreOffice treat a cell that begins with '=', '+', '-' or
// '@' as a formula, and one that begins with a tab or carriage return may
// become one after the application trims it; a cell like
// =cmd|' /C calc'!A0 can then run a program on the reader's machine. This
// package is the one place that knows those characters: the billing import
// refuses such text cells (Formula), and every CSV export writes its cells
// through Cell or Writer, which neutralise them as OWASP recommends, by
// prefixing a single quote so the spreadsheet shows the text as text.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strings"
)

// Formula reports whether a spreadsheet could read cell as a formula: its
// first character, after any leading spaces, is '=', '+', '-', '@', a tab
// or a carriage return. A plain number such as -12.50 or +86 is a formula
// by this test; use Cell, which leaves numbers alone, when writing.
func Formula(cell string) bool {
	s := strings.TrimLeft(cell, " ")
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Cell returns cell as it may be written to a CSV export: unchanged, unless
// Formula reports it and it is not a plain decimal number (-12.50 stays a
// number), in which case it is prefixed with a single quote ('=1+2).
func Cell(cell string) string {
	if !Formula(cell) || number(cell) {
		return cell
	}
	return "'" + cell
}

// number reports whether s is a plain decimal number: an optional sign,
// digits, and at most one decimal point followed by digits.
func number(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	whole, frac, point := strings.Cut(s, ".")
	return digitsOnly(whole) && (!point || digitsOnly(frac))
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Writer writes CSV records (encoding/csv) with every cell passed through
// Cell. Exports use it instead of csv.Writer so that no cell is left out.
type Writer struct {
	w   *csv.Writer
	rec []string
}

// NewWriter returns a Writer writing comma-separated records to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: csv.NewWriter(w)}
}

// Write writes one record with its cells neutralised. Like csv.Writer it
// buffers: call Flush. It returns the writer's I/O error, if any.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, c := range record {
		w.rec = append(w.rec, Cell(c))
	}
	return w.w.Write(w.rec)
}

// WriteAll writes records with their cells neutralised and flushes. It
// returns the first write error.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

// Flush writes any buffered data to the underlying io.Writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports an error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
