package synth

import (
	"strings"
	"unicode"
)

// Names are stored in a small phonemic notation and rendered per writing
// scheme, so that one person comes out the way each kind of source really
// spells them. Lower-case letters are themselves; capitals are sounds that
// the schemes write differently:
//
//	Q қ/q   X х/x/kh   H ҳ/h/kh   G ғ/g'/ǵ   N ң/ng/ń
//	O Uzbek o, Russian and Karakalpak a (Lolagul / Лалагул / Lalagul)
//	U Uzbek o', Karakalpak ó (Po'lat / Пулат / Pólat)
//	W Karakalpak w (Dawlet / Даулет / Davlet)
//	I Karakalpak ı (Qallıxan / Каллыхан / Qallixan)
//	A Karakalpak á (Ámet / Амет)
//	S sh   C ch (Karakalpak sh)   J j (Russian ж or дж)
type scheme int

const (
	russianCyrillic scheme = iota
	karakalpakCyrillic
	uzbekCyrillic
	karakalpakLatin
	uzbekLatin
	russianICAO  // Latin from the Russian form, ICAO 9303 (passports)
	russianPress // Latin from the Russian form, press style
	numSchemes
)

var schemeNames = [numSchemes]string{"ru-cyr", "kaa-cyr", "uz-cyr", "kaa-lat", "uz-lat", "ru-icao", "ru-press"}

var special = map[rune][5]string{ // ru-cyr, kaa-cyr, uz-cyr, kaa-lat, uz-lat
	'Q': {"к", "қ", "қ", "q", "q"},
	'X': {"х", "х", "х", "x", "x"},
	'H': {"х", "ҳ", "ҳ", "h", "h"},
	'G': {"г", "ғ", "ғ", "ǵ", "g'"},
	'N': {"н", "ң", "нг", "ń", "ng"},
	'O': {"а", "а", "о", "a", "o"},
	'U': {"у", "ө", "ў", "ó", "o'"},
	'W': {"у", "ў", "в", "w", "v"},
	'I': {"ы", "ы", "и", "ı", "i"},
	'A': {"а", "ә", "а", "á", "a"},
	'S': {"ш", "ш", "ш", "sh", "sh"},
	'C': {"ч", "ш", "ч", "sh", "ch"},
	'J': {"дж", "ж", "ж", "j", "j"},
}

var plainCyrillic = map[rune]string{
	'a': "а", 'b': "б", 'd': "д", 'e': "е", 'f': "ф", 'g': "г", 'h': "х", 'i': "и", 'j': "ж",
	'k': "к", 'l': "л", 'm': "м", 'n': "н", 'o': "о", 'p': "п", 'r': "р", 's': "с", 't': "т",
	'u': "у", 'v': "в", 'y': "й", 'z': "з", 'x': "х", 'q': "к", 'w': "в",
}

var icao = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

var press = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

var iotated = map[string]string{"ya": "я", "yu": "ю", "yo": "ё", "ye": "е"}

// render writes one word of notation in a scheme, capitalised.
func render(word string, s scheme) string {
	switch s {
	case russianICAO, russianPress:
		table := icao
		if s == russianPress {
			table = press
		}
		var b strings.Builder
		for _, r := range strings.ToLower(render(word, russianCyrillic)) {
			if t, ok := table[r]; ok {
				b.WriteString(t)
			} else {
				b.WriteRune(r)
			}
		}
		return capitalise(b.String())
	}
	col := int(s)
	cyr := s <= uzbekCyrillic
	rs := []rune(word)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if cyr && r == 'y' && i+1 < len(rs) {
			if t, ok := iotated[string(rs[i:i+2])]; ok {
				// Russian drops й before е after a vowel: Saparbayev → Сапарбаев
				b.WriteString(t)
				i++
				continue
			}
		}
		if sp, ok := special[r]; ok {
			b.WriteString(sp[col])
			continue
		}
		if cyr {
			if t, ok := plainCyrillic[r]; ok {
				b.WriteString(t)
				continue
			}
		}
		b.WriteRune(r)
	}
	out := b.String()
	if s == russianCyrillic {
		out = strings.ReplaceAll(out, "ыйе", "ые")
	}
	return capitalise(out)
}

func capitalise(s string) string {
	rs := []rune(s)
	if len(rs) == 0 {
		return s
	}
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

func isCyrillicScheme(s scheme) bool { return s <= uzbekCyrillic }
