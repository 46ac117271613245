// Package safecsv is the one CSV writer of Rollcall: encoding/csv with
// OWASP's rule against spreadsheet formulas. A cell that begins with
// =, +, -, @, a tab, a carriage return or a line feed (after any apostrophes) is written
// with one more apostrophe in front, so a spreadsheet program shows it as
// text and never runs it. A plain negative number (-5, -12.50) is the one
// exception: a spreadsheet reads it as the number it is, and nothing in it
// can call anything. Unescape takes the apostrophe off again, so
// Unescape(Escape(s)) == s for every s (the interchange import reads
// Rollcall's own exports back unchanged).
package safecsv

import (
	"encoding/csv"
	"io"
)

// formula tells whether a cell beginning with c is guarded: OWASP's list
// (=, +, -, @, tab, carriage return) and a line feed, because CSV readers
// (encoding/csv among them) read a carriage return and line feed inside a
// quoted cell as a line feed alone, and such a cell must still lose its
// apostrophe when read back.
func formula(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return true
	}
	return false
}

// guarded tells whether s is zero or more apostrophes and then a formula
// character: the cells Escape gives one more apostrophe.
func guarded(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i < len(s) && formula(s[i])
}

// plainNegative tells whether s is a minus sign, digits, and at most one
// decimal point with digits after it.
func plainNegative(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	digits, point := 0, false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// Escape returns the cell as it is written: with one more apostrophe in
// front when it begins (after any apostrophes) with a formula character,
// unless it is a plain negative number.
func Escape(s string) string {
	if !guarded(s) || plainNegative(s) {
		return s
	}
	return "'" + s
}

// Unescape returns a written cell's original value: a cell of one or more
// apostrophes followed by a formula character loses one apostrophe; every
// other cell is unchanged.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && guarded(s[1:]) {
		return s[1:]
	}
	return s
}

// Writer is csv.Writer with every cell escaped.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter writes comma-separated RFC 4180 CSV to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row, each cell through Escape.
func (w *Writer) Write(row []string) error {
	w.buf = w.buf[:0]
	for _, c := range row {
		w.buf = append(w.buf, Escape(c))
	}
	return w.w.Write(w.buf)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error of an earlier Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
