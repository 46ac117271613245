package names

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold maps a name written in any script or romanisation to one
// script-independent skeleton: lower-case ASCII letters and digits, words
// separated by single spaces. «Лалагул Каллыханова», "Lalagul Kallykhanova",
// "Lalagul Kallıxanova" and "KALLYKHANOVA Lalagul" all give the words
// "lalagul" and "kalihanova".
//
// What it merges, and why (each rule turns spellings that lists really use
// for one Cyrillic letter into one letter):
//
//	х ҳ kh x h      → h    Russian х is KH (ICAO) or H; Uzbek/Karakalpak x, h
//	ж дж zh j dj dzh → j   ICAO ZH, press J, Uzbek J; Russian Дж for Uzbek J
//	ц ts c          → s    ICAO TS; Uzbek writes ц as s; Karakalpak c
//	щ shch ш sh     → sh   ICAO SHCH; Karakalpak and Uzbek have only sh
//	ч ch            → ch
//	й ы y ı i       → i    ICAO I and Y, press Y, Karakalpak ı
//	я ya ia, ю yu iu → ia, iu (follows from й/y → i)
//	ё yo            → io   but word-initially e, as ICAO writes Ё (Ёдгор:
//	                       Yodgor/Edgor); medial ICAO e stays near, not equal
//	е ye e э        → e    "ie" at word start or after a vowel drops its i:
//	                       Yevgeny/Evgenii, Sergeyev/Sergeev, Aliyev/Aliev
//	қ q к           → k    ғ g‘ gh g → g;  ң ń n' → n
//	ә á a'          → a    ө ó → o;  ү ú u' ұ → u
//	ў o‘ w          → v    next to a vowel: Karakalpak w (Даўлет, Dawlet,
//	                       and Daulet, Давлет → davlet: u between a/e/o/u
//	                       and a consonant is w too) …
//	ў o‘ w          → u    … elsewhere the Uzbek vowel ў, which
//	                       Russian-language lists write у (Ўткир, O‘tkir,
//	                       O'tkir, Уткир, Utkir → utkir; only the
//	                       apostrophe-less Otkir stays otkir, one letter off).
//	                       So the old Karakalpak o' (ө) also reads as u.
//	ъ ь ' ‘ ’ ` -   → dropped (hyphens join: Ali-zade = Alizade)
//	double letters  → single (Kallykhanova/Kalykhanova)
//
// What it does NOT merge: o and a, o and u, e and i. Uzbek o (Toshkent) is
// Russian а (Ташкент), and Karakalpak a is often Uzbek o (Daulet/Dovlat),
// but folding vowels would also merge many different surnames; those
// differences are left to Jaro–Winkler, to the equivalents table for given
// names, and to Phonetic (which drops vowels) for blocking.
//
// Fold allocates only the result string for typical names.
func Fold(s string) string {
	var a1, a2 [96]byte
	return string(foldBytes(a1[:0], a2[:0], s))
}

// foldBytes runs stage 1, then stage 2 until nothing changes, so that Fold
// is idempotent: a rule's output can form another rule's input ("zx" →
// "zh" → "j"), and a stored fold must fold to itself. Names need one or
// two passes.
func foldBytes(b1, b2 []byte, s string) []byte {
	in := foldStage1(b1, s)
	out := foldStage2(b2, in)
	for pass := 0; pass < 8 && !bytesEqual(in, out); pass++ {
		in, out = out, foldStage2(in[:0], out)
	}
	return out
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// FoldToken is Fold with spaces removed: the folded form of one word of a
// name (a hyphenated or spaced particle stays inside the word).
func FoldToken(s string) string {
	var a1, a2 [96]byte
	out := foldBytes(a1[:0], a2[:0], s)
	w := 0
	for _, c := range out {
		if c != ' ' {
			out[w] = c
			w++
		}
	}
	return string(out[:w])
}

// foldStage1 maps every rune to lower-case ASCII: Cyrillic through
// cyrFold, Latin letters with diacritics to their base (with a few
// digraphs: ş→sh), separators to one space. Apostrophes, hyphens,
// soft/hard signs and combining marks vanish without splitting the word.
func foldStage1(dst []byte, s string) []byte {
	if hasCombining(s) {
		s = norm.NFC.String(s)
	}
	sep := func() {
		if n := len(dst); n > 0 && dst[n-1] != ' ' {
			dst = append(dst, ' ')
		}
	}
	for _, r := range s {
		if r < 0x80 {
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				dst = append(dst, byte(r))
			case 'A' <= r && r <= 'Z':
				dst = append(dst, byte(r)+('a'-'A'))
			case r == '\'' || r == '`':
				dst = apostrophe(dst)
			case r == '-':
			default:
				sep()
			}
			continue
		}
		lr := unicode.ToLower(r)
		if isCyrillic(lr) {
			dst = append(dst, cyrFold[lr-0x400]...)
			continue
		}
		if lr < 0x250 {
			if m := latinFold[lr]; m != "" {
				dst = append(dst, m...)
				continue
			}
		} else if m, ok := latinFoldExtra[lr]; ok {
			dst = append(dst, m...)
			continue
		}
		switch {
		case isApostrophe(lr):
			dst = apostrophe(dst)
		case lr == '‐', lr == '‑', lr == '–':
			// a hyphenated name: no split
		case unicode.Is(unicode.Mn, lr):
		case unicode.IsLetter(lr):
			// a letter of another script: no skeleton for it, dropped
		case unicode.IsDigit(lr):
			if v := lr - '0'; v >= 0 && v <= 9 {
				dst = append(dst, byte(v)+'0')
			}
		default:
			sep()
		}
	}
	return dst
}

// apostrophe handles an apostrophe in stage 1: it never splits a word, and
// after o it makes Uzbek o‘ (the letter ў), which is written 'w' here and
// resolved in stage 2 like Cyrillic ў.
func apostrophe(dst []byte) []byte {
	if n := len(dst); n > 0 && dst[n-1] == 'o' {
		dst[n-1] = 'w'
	}
	return dst
}

// hasCombining reports whether s may hold a combining diacritic
// (U+0300–U+036F, UTF-8 lead bytes 0xCC and 0xCD), i.e. may not be NFC.
func hasCombining(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0xCC || s[i] == 0xCD {
			return true
		}
	}
	return false
}

func isFoldVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

func isFoldVowelNotI(c byte) bool {
	switch c {
	case 'a', 'e', 'o', 'u':
		return true
	}
	return false
}

// foldStage2 applies the digraph and context rules to the ASCII output of
// stage 1 and collapses double letters.
func foldStage2(dst []byte, in []byte) []byte {
	n := len(in)
	at := func(i int) byte {
		if i < n {
			c := in[i]
			if c == 'y' {
				return 'i'
			}
			return c
		}
		return ' '
	}
	emit := func(c byte) {
		if l := len(dst); l > 0 && dst[l-1] == c {
			return // double letter, or double space
		}
		if c == ' ' && len(dst) == 0 {
			return
		}
		dst = append(dst, c)
	}
	prev := func() byte {
		if l := len(dst); l > 0 {
			return dst[l-1]
		}
		return ' '
	}
	for i := 0; i < n; {
		c, n1 := at(i), at(i+1)
		switch c {
		case 'd':
			if n1 == 'z' && at(i+2) == 'h' {
				emit('j')
				i += 3
				continue
			}
			if n1 == 'j' {
				emit('j')
				i += 2
				continue
			}
		case 'z':
			if n1 == 'h' {
				emit('j')
				i += 2
				continue
			}
		case 'k':
			if n1 == 'h' {
				emit('h')
				i += 2
				continue
			}
		case 'g':
			if n1 == 'h' {
				emit('g')
				i += 2
				continue
			}
		case 't':
			if n1 == 's' {
				emit('s')
				i += 2
				continue
			}
		case 'c':
			if n1 == 'h' {
				emit('c')
				emit('h')
				i += 2
				continue
			}
			c = 's'
		case 's':
			if n1 == 'h' {
				emit('s')
				emit('h')
				i += 2
				if at(i) == 'c' && at(i+1) == 'h' {
					i += 2 // shch → sh
				}
				continue
			}
		case 'x':
			c = 'h'
		case 'q':
			c = 'k'
		case 'w':
			// ў, o‘ and w: Karakalpak consonant w next to a vowel
			// (Даўлет, Dawlet → davlet), else the Uzbek vowel ў, which
			// Russian-language lists write у (Ўткир, O‘tkir, Уткир → utkir).
			if isFoldVowelNotI(prev()) || isFoldVowel(n1) {
				c = 'v'
			} else {
				c = 'u'
			}
		case 'i':
			if n1 == 'o' && prev() == ' ' && i+2 < n {
				// Word-initial ё/yo/io: ICAO writes Ё as E (Ёдгор:
				// Yodgor, Edgor → edgor).
				emit('e')
				i += 2
				continue
			}
			if n1 == 'e' {
				if p := prev(); p == ' ' || isFoldVowel(p) {
					i++ // Yevgeny→evgeni, Sergeyev→sergeev
					continue
				}
			}
		case 'u':
			if isFoldVowelNotI(prev()) && !isFoldVowel(n1) {
				c = 'v' // Daulet→davlet (Karakalpak w)
			}
		}
		emit(c)
		i++
	}
	if l := len(dst); l > 0 && dst[l-1] == ' ' {
		dst = dst[:l-1]
	}
	return dst
}

// cyrFold is the stage-1 map for U+0400–U+04FF (lower case). ў is
// contextual and handled in foldStage1.
var cyrFold [0x100]string

// latinFold maps lower-case Latin letters U+0080–U+024F to ASCII.
var latinFold [0x250]string

// latinFoldExtra maps the few letters beyond U+024F that names use.
var latinFoldExtra = map[rune]string{
	'ə': "a", 'ǵ': "g", 'ḩ': "h", 'ḥ': "h", 'ẖ': "h", 'ṣ': "s", 'ṭ': "t", 'ẓ': "z",
}

func init() {
	cyr := map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "io", 'ж': "j",
		'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
		'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "s",
		'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "i", 'ь': "", 'э': "e", 'ю': "iu",
		'я': "ia", 'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ү': "u", 'ұ': "u",
		'ҳ': "h", 'һ': "h", 'і': "i", 'ї': "i", 'є': "e", 'ґ': "g", 'ѐ': "e", 'ѝ': "i",
		'ӣ': "i", 'ӯ': "u", 'ҷ': "j", 'ҹ': "ch", 'ӂ': "j", 'ӝ': "j", 'ӧ': "o", 'ӱ': "u",
		'ӓ': "a", 'ӛ': "a", 'ӫ': "o", 'ҫ': "s", 'ҡ': "k", 'ҙ': "z", 'ӑ': "a", 'ӗ': "e",
		'ў': "w", 'ј': "i", 'љ': "l", 'њ': "n", 'ћ': "ch", 'ђ': "j", 'џ': "j", 'ѕ': "z",
	}
	for r, s := range cyr {
		cyrFold[r-0x400] = s
	}
	special := map[rune]string{
		'ı': "i", 'ş': "sh", 'ș': "sh", 'ç': "ch", 'š': "sh", 'č': "ch", 'ž': "zh",
		'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ł': "l", 'ħ': "h",
		'ŋ': "n", 'ð': "d", 'þ': "th", 'ĳ': "ij", 'ſ': "s", 'ŉ': "n",
	}
	for r := rune(0x80); r < 0x250; r++ {
		if s, ok := special[r]; ok {
			latinFold[r] = s
			continue
		}
		if !unicode.IsLetter(r) || !unicode.Is(unicode.Latin, r) {
			continue
		}
		d := norm.NFD.String(string(unicode.ToLower(r)))
		if b := d[0]; len(d) > 0 && b >= 'a' && b <= 'z' {
			latinFold[r] = string(b)
		}
	}
}
