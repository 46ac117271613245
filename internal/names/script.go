package names

import "unicode"

// Script is the writing system a string is in.
type Script int

const (
	ScriptEmpty    Script = iota // no letters at all
	ScriptLatin                  // only Latin letters
	ScriptCyrillic               // only Cyrillic letters
	ScriptMixed                  // letters of more than one script (often a typing accident: Latin "a" in a Cyrillic word)
	ScriptOther                  // letters of one script that is neither Latin nor Cyrillic
)

func (s Script) String() string {
	switch s {
	case ScriptEmpty:
		return "empty"
	case ScriptLatin:
		return "latin"
	case ScriptCyrillic:
		return "cyrillic"
	case ScriptMixed:
		return "mixed"
	case ScriptOther:
		return "other"
	}
	return "unknown"
}

// DetectScript reports which script the letters of s are written in.
// Digits, spaces, punctuation and combining marks are ignored.
func DetectScript(s string) Script {
	var latin, cyr, other bool
	for _, r := range s {
		switch {
		case r < 0x80:
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				latin = true
			}
			continue
		case !unicode.IsLetter(r) || unicode.Is(unicode.Lm, r):
			// modifier letters (ʻ ʼ) are the apostrophes of Uzbek and
			// Karakalpak Latin: Boʻrimuradov is Latin
			continue
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r):
			cyr = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range [...]bool{latin, cyr, other} {
		if b {
			n++
		}
	}
	switch {
	case n == 0:
		return ScriptEmpty
	case n > 1:
		return ScriptMixed
	case latin:
		return ScriptLatin
	case cyr:
		return ScriptCyrillic
	}
	return ScriptOther
}

// Language is the language whose Cyrillic alphabet a string uses.
type Language int

const (
	LangUnknown    Language = iota // no Cyrillic letters
	LangRussian                    // only letters of the Russian alphabet (also the default for plain Cyrillic)
	LangUzbek                      // Uzbek-only letters ў қ ғ ҳ and none of Karakalpak's own
	LangKarakalpak                 // Karakalpak letters ә ң ө ү, or ы together with ў қ ғ ҳ
)

func (l Language) String() string {
	switch l {
	case LangRussian:
		return "ru"
	case LangUzbek:
		return "uz"
	case LangKarakalpak:
		return "kaa"
	}
	return "und"
}

// DetectCyrillicLanguage guesses the alphabet of a Cyrillic string from its
// letters.
//
// The alphabets (1940s–today, as used in lists):
//
//	Russian     а–я ё
//	Uzbek       Russian without щ ы, plus ў қ ғ ҳ
//	Karakalpak  Russian plus ә ғ қ ң ө ү ў ҳ
//
// So ә ң ө ү mean Karakalpak; ў қ ғ ҳ mean Uzbek unless ы or щ is also
// present (Uzbek has neither), which means Karakalpak. Kazakh letters
// ұ і һ are counted as Karakalpak: Karakalpak is often typed on a Kazakh
// keyboard. Plain Russian letters give LangRussian: a Karakalpak or Uzbek
// name written without its own letters (very common in Russian-language
// lists) cannot be told apart, and Russian rules are then the right ones to
// read it with.
func DetectCyrillicLanguage(s string) Language {
	var cyr, turkic, kaaOnly, ruOnly bool
	for _, r := range s {
		if r < 0x400 || r > 0x4FF {
			continue
		}
		cyr = true
		switch unicode.ToLower(r) {
		case 'ә', 'ң', 'ө', 'ү', 'ұ', 'і', 'һ':
			kaaOnly = true
		case 'ў', 'қ', 'ғ', 'ҳ':
			turkic = true
		case 'ы', 'щ':
			ruOnly = true
		}
	}
	switch {
	case !cyr:
		return LangUnknown
	case kaaOnly:
		return LangKarakalpak
	case turkic && ruOnly:
		return LangKarakalpak
	case turkic:
		return LangUzbek
	}
	return LangRussian
}
