// Package names knows how people's names are written in Cyrillic and Latin
// script across Russian, Uzbek and Karakalpak: script detection,
// transliteration, name parsing, equivalent given names, and the keys used
// for blocking and search. It is pure Go and imports no other package of ours.
package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Exact returns s as it is stored "exactly as written": Unicode NFC with
// surrounding space trimmed. Nothing else is changed, so the source's own
// spelling, case and punctuation survive.
func Exact(s string) string {
	return strings.TrimSpace(norm.NFC.String(s))
}

// Normalize returns the form used to compare two spellings in the same
// script: NFC, lower case, runs of space and punctuation other than
// apostrophes folded into one space.
func Normalize(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || isApostrophe(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}
