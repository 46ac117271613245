package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Scheme is a romanisation: a way to write Cyrillic names in Latin letters.
type Scheme int

const (
	// RussianICAO is ICAO Doc 9303 part 3 (7th ed., 2015), the scheme of
	// Russian and Uzbek machine-readable passports: Ж→ZH Х→KH Ц→TS Щ→SHCH
	// Ъ→IE Ы→Y Й→I Ю→IU Я→IA, Ё→E, Ь dropped.
	RussianICAO Scheme = iota
	// RussianPress is the spelling of the English-language press (close to
	// BGN/PCGN without diacritics): Е→YE at word start and after vowels,
	// Ё→YO, Й and Ы→Y, Ю→YU, Я→YA, -ий/-ый at word end→Y, Ь Ъ dropped.
	RussianPress
	// UzbekLatin is the Uzbek Latin alphabet of 1995 (as amended): ў→o‘
	// ғ→g‘ қ→q ҳ→h х→x ж→j й→y ш→sh ч→ch ё→yo ю→yu я→ya; е→ye at word
	// start and after a vowel, else e; ц→ts after a vowel, else s; ъ→’.
	UzbekLatin
	// KarakalpakLatin is the Karakalpak Latin alphabet of 2016: ә→á ғ→ǵ
	// ң→ń ө→ó ү→ú ы→ı ў→w қ→q ҳ→h х→x ж→j й→y ц→c ш→sh ч→ch.
	KarakalpakLatin
)

func (sc Scheme) String() string {
	switch sc {
	case RussianICAO:
		return "ru-icao"
	case RussianPress:
		return "ru-press"
	case UzbekLatin:
		return "uz-latn"
	case KarakalpakLatin:
		return "kaa-latn"
	}
	return "unknown"
}

// Schemes lists every scheme, for tests and for generating variants.
var Schemes = []Scheme{RussianICAO, RussianPress, UzbekLatin, KarakalpakLatin}

// Apostrophe forms that stand for the ‘ of Uzbek o‘ g‘ and the old
// Karakalpak a' n' o' u' g' i'. Typists use all of them.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', 'ʻ', 'ʼ', '‘', '’', '`', '´', 'ʹ', '′':
		return true
	}
	return false
}

func isCyrillic(r rune) bool { return r >= 0x400 && r <= 0x4FF }

// Output apostrophes. Uzbek o‘ g‘ are written with U+2018 in most printed
// sources (the decree's ʻ U+02BB is rare on keyboards); the tutuq belgisi
// (for ъ) with U+2019.
const (
	uzOkina = "‘"
	uzTutuq = "’"
)

var icaoTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu",
	'я': "ia",
	// Letters of other Cyrillic alphabets, as ICAO 9303 gives them (ў, і)
	// or as Russian-language lists render them (қ→к, ғ→г, ҳ→х …).
	'ў': "u", 'і': "i", 'ї': "i", 'є': "ie", 'ґ': "g", 'қ': "k", 'ғ': "g", 'ҳ': "kh",
	'һ': "kh", 'ә': "a", 'ө': "o", 'ү': "u", 'ұ': "u", 'ң': "n",
}

var uzTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ё': "yo", 'ж': "j",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "x",
	'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': uzTutuq, 'ы': "i", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'ў': "o" + uzOkina, 'қ': "q", 'ғ': "g" + uzOkina, 'ҳ': "h",
	'ә': "a", 'ө': "o‘", 'ү': "u", 'ұ': "u", 'ң': "ng", 'һ': "h", 'і': "i",
}

var kaaTable = map[rune]string{
	'а': "a", 'ә': "á", 'б': "b", 'в': "v", 'г': "g", 'ғ': "ǵ", 'д': "d", 'е': "e",
	'ё': "yo", 'ж': "j", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'қ': "q", 'л': "l",
	'м': "m", 'н': "n", 'ң': "ń", 'о': "o", 'ө': "ó", 'п': "p", 'р': "r", 'с': "s",
	'т': "t", 'у': "u", 'ү': "ú", 'ў': "w", 'ф': "f", 'х': "x", 'ҳ': "h", 'ц': "c",
	'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "ı", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'ұ': "u", 'і': "i", 'һ': "h",
}

func isCyrVowel(r rune) bool {
	switch r {
	case 'а', 'е', 'ё', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я', 'ў', 'ә', 'ө', 'ү', 'ұ', 'і':
		return true
	}
	return false
}

func isLetterRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

// ToLatin writes the Cyrillic letters of s in Latin letters under scheme
// sc. Everything else (Latin letters, digits, punctuation) is copied.
// Case follows the source: Щербаков→Shcherbakov, ЩЕРБАКОВ→SHCHERBAKOV.
func ToLatin(s string, sc Scheme) string {
	rs := []rune(norm.NFC.String(s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	at := func(i int) rune {
		if i < 0 || i >= len(rs) {
			return 0
		}
		return unicode.ToLower(rs[i])
	}
	for i, r := range rs {
		lr := unicode.ToLower(r)
		if !isCyrillic(lr) {
			b.WriteRune(r)
			continue
		}
		prev, next := at(i-1), at(i+1)
		wordStart := !isLetterRune(prev)
		var lat string
		switch sc {
		case RussianICAO:
			lat = icaoTable[lr]
		case RussianPress:
			lat = pressLatin(lr, prev, next, at(i+2), wordStart)
		case UzbekLatin:
			switch lr {
			case 'е':
				if wordStart || isCyrVowel(prev) || prev == 'ъ' || prev == 'ь' {
					lat = "ye"
				} else {
					lat = "e"
				}
			case 'ц':
				if isCyrVowel(prev) {
					lat = "ts"
				} else {
					lat = "s"
				}
			default:
				lat = uzTable[lr]
			}
		case KarakalpakLatin:
			lat = kaaTable[lr]
		}
		if lat == "" {
			if _, known := icaoTable[lr]; !known {
				b.WriteRune(r) // a Cyrillic letter no scheme knows: keep it visible
			}
			continue
		}
		writeCased(&b, lat, unicode.IsUpper(r), allUpperAround(rs, i))
	}
	return b.String()
}

func pressLatin(lr, prev, next, next2 rune, wordStart bool) string {
	switch lr {
	case 'е':
		if wordStart || isCyrVowel(prev) || prev == 'ъ' || prev == 'ь' {
			return "ye"
		}
		return "e"
	case 'ё':
		return "yo"
	case 'й':
		if prev == 'и' || prev == 'ы' {
			if !isLetterRune(next) {
				return "" // Дмитрий→Dmitry: the и already wrote y
			}
		}
		return "y"
	case 'и':
		if next == 'й' && !isLetterRune(next2) {
			return "y"
		}
		return "i"
	case 'ы':
		return "y"
	case 'ь':
		if next == 'и' || next == 'о' {
			return "y" // Ильич→Ilyich, Воробьов→Vorobyov
		}
		return ""
	case 'ъ':
		return ""
	case 'ю':
		return "yu"
	case 'я':
		return "ya"
	case 'ҳ', 'һ':
		return "kh"
	}
	return icaoTable[lr]
}

// allUpperAround reports whether the letter at i is part of a word written
// in capitals, so that a digraph is written SH rather than Sh.
func allUpperAround(rs []rune, i int) bool {
	if !unicode.IsUpper(rs[i]) {
		return false
	}
	if i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
		return unicode.IsUpper(rs[i+1])
	}
	if i > 0 && unicode.IsLetter(rs[i-1]) {
		return unicode.IsUpper(rs[i-1])
	}
	return false
}

func writeCased(b *strings.Builder, lat string, upper, allUpper bool) {
	switch {
	case !upper:
		b.WriteString(lat)
	case allUpper:
		for _, r := range lat {
			b.WriteRune(upperLatin(r))
		}
	default:
		first := true
		for _, r := range lat {
			if first {
				b.WriteRune(upperLatin(r))
				first = false
			} else {
				b.WriteRune(r)
			}
		}
	}
}

// upperLatin is unicode.ToUpper except that Karakalpak ı becomes Í (the
// 2016 alphabet's capital), not the Turkish I.
func upperLatin(r rune) rune {
	if r == 'ı' {
		return 'Í'
	}
	return unicode.ToUpper(r)
}

// ToCyrillic writes Latin letters of s in Cyrillic, reading them under
// scheme sc. UzbekLatin and KarakalpakLatin are exact inverses of ToLatin
// for native words; the Russian schemes are best effort (ICAO and press
// spellings are both accepted: zh/j→ж, kh/h→х, iu/yu→ю, ia/ya→я).
// Letters that are not Latin are copied.
func ToCyrillic(s string, sc Scheme) string {
	rs := []rune(norm.NFC.String(s))
	var b strings.Builder
	b.Grow(len(s) * 2)
	at := func(i int) rune {
		if i < 0 || i >= len(rs) {
			return 0
		}
		return unicode.ToLower(rs[i])
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		lr := unicode.ToLower(r)
		if !unicode.Is(unicode.Latin, lr) && !isApostrophe(lr) {
			b.WriteRune(r)
			i++
			continue
		}
		var cyr string
		var n int
		switch sc {
		case UzbekLatin:
			cyr, n = uzCyr(at, i)
		case KarakalpakLatin:
			cyr, n = kaaCyr(at, i)
		default:
			cyr, n = ruCyr(at, i)
		}
		if n == 0 {
			b.WriteRune(r)
			i++
			continue
		}
		up := unicode.IsUpper(r)
		all := false // the whole word in capitals: ДЖ, not Дж
		if up {
			if i+n < len(rs) && unicode.IsLetter(rs[i+n]) {
				all = unicode.IsUpper(rs[i+n])
			} else if i > 0 && unicode.IsLetter(rs[i-1]) {
				all = unicode.IsUpper(rs[i-1])
			}
		}
		for j, c := range cyr {
			if up && (j == 0 || all) {
				b.WriteRune(unicode.ToUpper(c))
			} else {
				b.WriteRune(c)
			}
		}
		i += n
	}
	return b.String()
}

func isLatVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'á', 'ó', 'ú', 'ı', 'í':
		return true
	}
	return false
}

// uzCyr reads one Uzbek Latin letter at position i and returns its Cyrillic
// form and how many runes it used.
func uzCyr(at func(int) rune, i int) (string, int) {
	c, n1, n2 := at(i), at(i+1), at(i+2)
	prev := at(i - 1)
	wordStart := !isLetterRune(prev) && !isApostrophe(prev)
	switch c {
	case 'o':
		if isApostrophe(n1) {
			return "ў", 2
		}
		return "о", 1
	case 'g':
		if isApostrophe(n1) {
			return "ғ", 2
		}
		return "г", 1
	case 's':
		if n1 == 'h' {
			return "ш", 2
		}
		return "с", 1
	case 'c':
		if n1 == 'h' {
			return "ч", 2
		}
		return "ц", 1
	case 't':
		if n1 == 's' && isLatVowel(prev) && isLatVowel(n2) {
			return "ц", 2 // litsey→лицей
		}
		return "т", 1
	case 'y':
		switch n1 {
		case 'o':
			if isApostrophe(n2) {
				return "й", 1 // yo‘l→йўл
			}
			return "ё", 2
		case 'u':
			return "ю", 2
		case 'a':
			return "я", 2
		case 'e':
			return "е", 2
		}
		return "й", 1
	case 'e':
		if wordStart {
			return "э", 1
		}
		return "е", 1
	}
	if isApostrophe(c) {
		if isLatVowel(prev) || (prev != 0 && isLetterRune(prev) && isLatVowel(n1)) {
			return "ъ", 1 // Ma’mur→Маъмур; s’h→сҳ needs no sign
		}
		return "", 1
	}
	if s, ok := uzSimple[c]; ok {
		return s, 1
	}
	return "", 0
}

var uzSimple = map[rune]string{
	'a': "а", 'b': "б", 'd': "д", 'f': "ф", 'h': "ҳ", 'i': "и", 'j': "ж", 'k': "к",
	'l': "л", 'm': "м", 'n': "н", 'p': "п", 'q': "қ", 'r': "р", 'u': "у", 'v': "в",
	'x': "х", 'z': "з", 'w': "в",
}

// kaaCyr reads one Karakalpak Latin letter (2016 alphabet, or the older
// apostrophe spellings a' g' n' o' u' i') at position i.
func kaaCyr(at func(int) rune, i int) (string, int) {
	c, n1 := at(i), at(i+1)
	apos := isApostrophe(n1)
	switch c {
	case 'a':
		if apos {
			return "ә", 2
		}
	case 'g':
		if apos {
			return "ғ", 2
		}
	case 'n':
		if apos {
			return "ң", 2
		}
	case 'o':
		if apos {
			return "ө", 2
		}
	case 'u':
		if apos {
			return "ү", 2
		}
	case 'i':
		if apos {
			return "ы", 2
		}
	case 's':
		if n1 == 'h' {
			return "ш", 2
		}
	case 'c':
		if n1 == 'h' {
			return "ч", 2
		}
	case 'y':
		// After a consonant, ya yu yo are written with ь (Ámiwdárya →
		// Әмиўдәрья): Karakalpak has no native consonant + я.
		sign := ""
		if p := at(i - 1); isLetterRune(p) && !isLatVowel(p) && p != 'y' {
			sign = "ь"
		}
		switch n1 {
		case 'o':
			return sign + "ё", 2
		case 'u':
			return sign + "ю", 2
		case 'a':
			return sign + "я", 2
		}
	}
	if isApostrophe(c) {
		return "", 1
	}
	if s, ok := kaaSimple[c]; ok {
		return s, 1
	}
	return "", 0
}

var kaaSimple = map[rune]string{
	'a': "а", 'á': "ә", 'ä': "ә", 'b': "б", 'c': "ц", 'd': "д", 'e': "е", 'f': "ф",
	'g': "г", 'ǵ': "ғ", 'ğ': "ғ", 'h': "ҳ", 'x': "х", 'ı': "ы", 'í': "ы", 'i': "и",
	'j': "ж", 'k': "к", 'l': "л", 'm': "м", 'n': "н", 'ń': "ң", 'ñ': "ң", 'o': "о",
	'ó': "ө", 'ö': "ө", 'p': "п", 'q': "қ", 'r': "р", 's': "с", 't': "т", 'u': "у",
	'ú': "ү", 'ü': "ү", 'v': "в", 'w': "ў", 'y': "й", 'z': "з",
}

// ruCyr reads ICAO or press Russian romanisation.
func ruCyr(at func(int) rune, i int) (string, int) {
	c, n1, n2, n3 := at(i), at(i+1), at(i+2), at(i+3)
	prev := at(i - 1)
	switch c {
	case 's':
		if n1 == 'h' && n2 == 'c' && n3 == 'h' {
			return "щ", 4
		}
		if n1 == 'h' {
			return "ш", 2
		}
	case 'z':
		if n1 == 'h' {
			return "ж", 2
		}
	case 'k':
		if n1 == 'h' {
			return "х", 2
		}
	case 't':
		if n1 == 's' {
			return "ц", 2
		}
	case 'c':
		if n1 == 'h' {
			return "ч", 2
		}
		return "ц", 1
	case 'd':
		if n1 == 'z' && n2 == 'h' {
			return "дж", 3
		}
	case 'i', 'y':
		switch n1 {
		case 'u':
			return "ю", 2
		case 'a':
			return "я", 2
		}
		if c == 'y' {
			switch n1 {
			case 'o':
				return "ё", 2
			case 'e':
				return "е", 2
			}
			if isLatVowel(prev) || !isLetterRune(prev) {
				return "й", 1
			}
			if !isLetterRune(n1) && prev == 'r' || prev == 'l' && !isLetterRune(n1) {
				return "ий", 1 // Dmitry→Дмитрий
			}
			return "ы", 1
		}
		if isLatVowel(prev) && !isLatVowel(n1) && prev != 'i' {
			return "й", 1 // Andrei→Андрей
		}
	case 'x':
		return "кс", 1
	case 'e':
		if !isLetterRune(prev) && !isApostrophe(prev) {
			return "е", 1
		}
	}
	if s, ok := ruSimple[c]; ok {
		return s, 1
	}
	if isApostrophe(c) {
		return "ь", 1
	}
	return "", 0
}

var ruSimple = map[rune]string{
	'a': "а", 'b': "б", 'v': "в", 'g': "г", 'd': "д", 'e': "е", 'z': "з", 'i': "и",
	'k': "к", 'l': "л", 'm': "м", 'n': "н", 'o': "о", 'p': "п", 'r': "р", 's': "с",
	't': "т", 'u': "у", 'f': "ф", 'h': "х", 'j': "ж", 'w': "в", 'q': "к", 'y': "ы",
}
