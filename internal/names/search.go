package names

import (
	"slices"
	"strings"
	"unicode"
)

// Search: one matching for every place a person looks for a name (the
// public list, the API, the workspace's records and a report's "already in
// the registry?"). A record's spellings give keys (SearchKeys); a query
// gives, per word, the keys that match it at each tier (ParseQuery). The
// store finds the ids that hold, for every required word, a key of some
// tier, and ranks them by their weakest word, then by all words.
//
// Key kinds of the index (one of each per word; "i:" per initial):
//
//	w:LOOSE   Loose(search form): given names by their class, surnames
//	          without gender ending, patronymics as the father's name
//	x:LOOSE   Loose(the word as written), for prefixes (as people type)
//	f:PHON    Phonetic(Loose(search form))
//	i:L       the first letter of an initial ("D." in "Tajimuratov D.")
//	d:TYPO    typoForm(search form) and each of it with one letter
//	          deleted (appendTypoKeys), for words of 4 letters or more
//	          (a query's of 5 or more)
//
// Tiers, best first: exact (the word in any script, with or without
// Karakalpak letters), prefix (the word is the start of a name part, 3
// letters or more), phonetic (sounds alike), and near — the word's first
// three letters, or its initial — which only the second pass of a search
// uses (when the first finds less than a page), and only beside another
// word that matched better.
const (
	TierNear     = 0
	TierPhonetic = 1
	TierPrefix   = 2
	TierExact    = 3
)

// Key kinds of the search index.
const (
	keySearchExact   = "w:"
	keySearchWritten = "x:"
	keySearchPhon    = "f:"
	keySearchInitial = "i:"
	keySearchTypo    = "d:"
)

// KeyRangeEnd is the upper bound of a key range that starts with prefix p:
// keys are lower-case ASCII letters, digits and ':', all below '~'.
func KeyRangeEnd(p string) string { return p + "~" }

// MinPrefixLetters is how long a word must be to match as a prefix.
const MinPrefixLetters = 3

// MaxQueryWords bounds the words of a query that are searched for; the
// rest are ignored (no name has more, and each word costs a lookup).
const MaxQueryWords = 6

// QueryWord is what one word of a query matches at each tier.
type QueryWord struct {
	Word     string   // as typed
	Exact    []string // keys
	Prefixes []string // key prefixes (a range each)
	Phonetic []string // keys
	// NearPrefixes and NearKeys are the near tier: the first letters of
	// the word (a typo further on), and the initial.
	NearPrefixes []string
	NearKeys     []string
	// Optional words are patronymics ("Бахтиярович", "Baxtiyar uli"):
	// they raise a match that has them and exclude none that lacks them,
	// since most lists write no patronymic.
	Optional bool
}

// Query is a parsed search query. No words: nothing to search for (one
// letter, initials, punctuation, another script).
type Query struct {
	Words []QueryWord
}

// Required returns how many words must match.
func (q Query) Required() int {
	n := 0
	for _, w := range q.Words {
		if !w.Optional {
			n++
		}
	}
	return n
}

// Empty says the query has nothing to search for.
func (q Query) Empty() bool { return q.Required() == 0 }

// MayMiss returns how many required words a match may lack. A name has
// three parts at most (surname, given name, patronymic), and a patronymic
// cut as people type ("Утеп Даул Бахт") is no longer recognisable as one:
// so of three words or more, one may match nothing (most records have no
// patronymic, and a cut one may stop where no spelling of it does). Such
// a match ranks as phonetic at best: after every match of all words
// exactly or as prefixes; a near word in it stands, as anywhere, only
// beside a word that matched as a prefix or better. Of two words both
// must match, or a surname alone would find everyone who bears it.
func (q Query) MayMiss() int {
	if q.Required() >= 3 {
		return 1
	}
	return 0
}

// Loose maps a folded word (Fold output) to the form in which Karakalpak,
// Uzbek and Russian spellings of one name meet: the vowels a, o and u are
// one (Karakalpak ó ө is Russian у or о, Uzbek o is Russian а: Ótepbergenov
// Өтепбергенов Утепбергенов; Sulton Султан), ng is n (ң typed нг or ng),
// ch is sh (Karakalpak writes sh for Russian ч: Shımbay Чимбай), v that
// touches no vowel is the vowel u (Uzbek в, Karakalpak ў, Russian у: Vmbet
// Ўмбет Умбет), v between vowels is dropped (Тилеуов Tilewov Tilevov),
// and double letters are single. It is coarser than Fold and
// used for search only: linkage compares on Fold.
func Loose(folded string) string {
	var a [48]byte
	out := a[:0]
	n := len(folded)
	for i := 0; i < n; i++ {
		c := folded[i]
		switch c {
		case 'o', 'u':
			c = 'a'
		case 'n':
			if i+1 < n && folded[i+1] == 'g' {
				i++
			}
		case 'c':
			if i+1 < n && folded[i+1] == 'h' {
				out = appendLoose(out, 's')
				c = 'h'
				i++
			}
		case 'v':
			prevVowel := len(out) > 0 && isFoldVowel(out[len(out)-1])
			nextVowel := i+1 < n && isFoldVowel(folded[i+1])
			switch {
			case !prevVowel && !nextVowel:
				c = 'a'
			case prevVowel && nextVowel:
				continue // Тилеуов Tilewov Tilevov: the glide between vowels
			}
		}
		out = appendLoose(out, c)
	}
	return string(out)
}

func appendLoose(out []byte, c byte) []byte {
	if l := len(out); l > 0 && out[l-1] == c {
		return out
	}
	return append(out, c)
}

// searchToken is one word of a name or query, prepared for search.
type searchToken struct {
	fold    string // FoldToken, look-alike letters of the other script mended
	initial bool
	letters int // letters as typed: "Джо" is three, folded "jo" two
	// patronymic: a word with a patronymic ending, or the word before a
	// Turkic "son/daughter of" particle; particle: the particle itself.
	patronymic, particle bool
}

func searchTokens(full string) []searchToken {
	var buf [8]token
	toks := tokenize(buf[:0], full)
	out := make([]searchToken, 0, len(toks))
	for _, t := range toks {
		f := t.fold
		if mended := mendLookalikes(t.raw); mended != t.raw {
			f = FoldToken(mended)
		}
		if f == "" {
			continue
		}
		st := searchToken{fold: f, initial: t.initial, letters: countLetters(t.raw)}
		if _, ok := turkicParticle(f); ok {
			st.particle = true
			if l := len(out); l > 0 && !out[l-1].initial {
				out[l-1].patronymic = true
			}
		} else if !t.initial && isPatronymicFold(f) {
			st.patronymic = true
		}
		out = append(out, st)
	}
	return out
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// isPatronymicFold recognises a folded one-word patronymic: -ovich -evich
// -ovna -evna -ichna, the Turkic particles written together (-ugli, -kizi),
// and a bare -ich (Ильич, Кузьмич).
func isPatronymicFold(f string) bool {
	if _, _, ok := patronymicStem(f); ok {
		return true
	}
	return len(f) >= 5 && strings.HasSuffix(f, "ich")
}

// SearchKeys returns the keys to store beside a spelling (DefaultEquivalents).
func SearchKeys(full string) []string { return DefaultEquivalents().SearchKeys(full) }

// SearchKeys returns the keys to store beside one spelling of a name so
// that ParseQuery(q) of any query for it matches: per word a "w:", an "x:"
// and an "f:" key; per initial an "i:" key. The particles ugli/qizi give
// none. Sorted and distinct.
func (e *Equivalents) SearchKeys(full string) []string {
	toks := searchTokens(full)
	keys := make([]string, 0, 3*len(toks))
	for _, t := range toks {
		switch {
		case t.particle:
		case t.initial:
			if l := Loose(t.fold); l != "" {
				keys = append(keys, keySearchInitial+l[:1])
			}
		default:
			sf := Loose(e.searchForm(t.fold))
			keys = append(keys, keySearchExact+sf, keySearchWritten+Loose(t.fold), keySearchPhon+Phonetic(sf))
			keys = appendTypoKeys(keys, e.searchForm(t.fold), MinTypoLetters-1)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// ParseQuery parses a query (DefaultEquivalents).
func ParseQuery(q string) Query { return DefaultEquivalents().ParseQuery(q) }

// ParseQuery reads a query typed in any script, order and case: each word
// (initials, particles and one-letter words left out, at most
// MaxQueryWords) with the keys it matches at each tier. Patronymics are
// optional, unless the query has nothing else.
func (e *Equivalents) ParseQuery(q string) Query {
	var out Query
	for _, t := range searchTokens(q) {
		if t.particle || t.initial || len(t.fold) < 2 {
			continue
		}
		if len(out.Words) == MaxQueryWords {
			break
		}
		out.Words = append(out.Words, e.queryWord(t))
	}
	if out.Required() == 0 {
		for i := range out.Words {
			out.Words[i].Optional = false
		}
	}
	return out
}

func (e *Equivalents) queryWord(t searchToken) QueryWord {
	w := QueryWord{Word: t.fold, Optional: t.patronymic}
	sf := Loose(e.searchForm(t.fold))
	written := Loose(t.fold)
	w.Exact = distinct(keySearchExact+sf, keySearchWritten+written)
	// A known given name searches as its class's representative; a typo
	// in a record is one letter from the name as typed, not from it.
	stem, _ := SurnameStem(t.fold)
	w.Phonetic = appendTypoKeys(appendTypoKeys([]string{keySearchPhon + Phonetic(sf)}, e.searchForm(t.fold), MinTypoLetters), stem, MinTypoLetters)
	w.Phonetic = distinct(w.Phonetic...)
	if t.patronymic {
		return w // a patronymic matches whole or sounds alike, no more
	}
	if len(written) >= MinPrefixLetters || (len(written) >= 2 && t.letters >= MinPrefixLetters) {
		// The word as typed may stop inside a letter written with two
		// (Kallyk… for Kallykh…, Ж typed Zh: z… for j…).
		forms := prefixForms(written)
		if n := len(t.fold); t.fold[n-1] == 'v' && !strings.HasSuffix(written, "v") {
			// A v cut from what follows: Loose reads a lone v as the
			// vowel (Ўмбет), but "Анв" is the start of Анваров.
			forms = append(forms, strings.TrimSuffix(Loose(t.fold[:n-1]), "v")+"v")
		}
		for _, p := range forms {
			w.Prefixes = append(w.Prefixes, keySearchWritten+p)
		}
		w.Prefixes = distinct(w.Prefixes...)
		w.NearPrefixes = distinct(keySearchExact+sf[:min(len(sf), MinPrefixLetters)], keySearchWritten+written[:min(len(written), MinPrefixLetters)])
	}
	w.NearKeys = []string{keySearchInitial + written[:1]}
	switch t.fold[0] {
	case 'j':
		// Джуманияз is "Д." in Cyrillic lists, Jumaniyaz "J." in Latin.
		w.NearKeys = append(w.NearKeys, keySearchInitial+"d")
	case 'e':
		// Ерлан is "Y." in Latin lists (Yerlan), "Е." in Cyrillic.
		w.NearKeys = append(w.NearKeys, keySearchInitial+"i")
	}
	return w
}

// MinTypoLetters is how long a query word's typo form must be to match
// with one letter wrong: shorter ones would meet too many other names
// (Alim, Alik). A record's word may be a letter shorter (Зооир for Zokir).
const MinTypoLetters = 5

// appendTypoKeys adds the "d:" keys of a word (a search form, folded):
// its typo form and each typo form with one letter deleted (symmetric
// deletion). Two words one edit apart — a letter dropped, added, changed,
// or two swapped (Амкалова for Акмалова, Зооир for Зокир, Равашн for
// Равшан) — share one of these keys, so a source's or a searcher's typo
// is found with index lookups alone. They rank as phonetic matches:
// alike, not equal.
func appendTypoKeys(keys []string, folded string, minLetters int) []string {
	f := typoForm(folded)
	if len(f) < minLetters {
		return keys
	}
	keys = append(keys, keySearchTypo+f)
	var buf [64]byte
	for i := 0; i < len(f); i++ {
		if i > 0 && f[i] == f[i-1] {
			continue // deleting either of two equal letters gives one word
		}
		// Fold writes double letters once: Аззбек is azbek, Azizbek
		// without its i.
		d := appendCollapsed(buf[:0], f[:i])
		for j := i + 1; j < len(f); j++ {
			d = appendLoose(d, f[j])
		}
		keys = append(keys, keySearchTypo+string(d))
	}
	return keys
}

func appendCollapsed(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = appendLoose(dst, s[i])
	}
	return dst
}

// typoForm is the form typos are measured on: the vowels a, o and u as
// one (Karakalpak, Uzbek and Russian write them for each other), double
// letters single, and no feminine ending (Иаева is Исаев with a letter
// lost, however short). Loose's rules for v, ng and ch are left out:
// a typo beside them would move them and cost a second edit.
func typoForm(folded string) string {
	var a [48]byte
	out := a[:0]
	for i := 0; i < len(folded); i++ {
		c := folded[i]
		if c == 'o' || c == 'u' {
			c = 'a'
		}
		out = appendLoose(out, c)
	}
	if n := len(out); n >= 4 && out[n-1] == 'a' && (out[n-2] == 'v' || out[n-2] == 'n') {
		out = out[:n-1]
	}
	return string(out)
}

// prefixForms are the loose prefixes a typed word stands for: itself, and
// when its last letter may be the first of a two-letter one, that letter
// as the digraph folds (k→h for kh, z/d→j for zh/dj, t→s for ts, g for gh).
func prefixForms(p string) []string {
	out := []string{p}
	last, stem := p[len(p)-1], p[:len(p)-1]
	switch last {
	case 'k':
		out = append(out, stem+"h")
	case 'z', 'd':
		out = append(out, stem+"j")
		if last == 'z' && strings.HasSuffix(stem, "d") {
			// Dz cut from Dzh (Oryndz… for Oryndzharov).
			out = append(out, stem[:len(stem)-1]+"j")
		}
	case 't':
		out = append(out, stem+"s")
	case 's':
		out = append(out, stem+"sh")
	}
	return out
}

func distinct(xs ...string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// Match returns the tier at which a spelling's keys (SearchKeys) match the
// query word, or -1. It is the rule the store applies in SQL, for tests
// and for callers that hold the keys already.
func (w QueryWord) Match(keys []string) int {
	best := -1
	for _, k := range keys {
		t := -1
		switch {
		case slices.Contains(w.Exact, k):
			t = TierExact
		case hasAnyPrefix(k, w.Prefixes):
			t = TierPrefix
		case slices.Contains(w.Phonetic, k):
			t = TierPhonetic
		case hasAnyPrefix(k, w.NearPrefixes), slices.Contains(w.NearKeys, k):
			t = TierNear
		}
		best = max(best, t)
	}
	return best
}

func hasAnyPrefix(k string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// Score is how a set of keys matches a query: Found says every required
// word matched (with near only if allowed, and only beside a better word),
// Low is the weakest required word's tier (the rank class) and Sum all
// tiers, optional words included.
type Score struct {
	Found    bool
	Low, Sum int
}

// Score matches a spelling's keys against the query. near allows the near
// tier (the second pass).
func (q Query) Score(keys []string, near bool) Score {
	s := Score{Low: TierExact}
	best, required, matched := -1, 0, 0
	for _, w := range q.Words {
		t := w.Match(keys)
		if w.Optional {
			s.Sum += max(t, 0)
			continue
		}
		required++
		if t < 0 || (t == TierNear && !near) {
			continue
		}
		matched++
		s.Low, s.Sum, best = min(s.Low, t), s.Sum+t, max(best, t)
	}
	switch {
	case required == 0 || matched == 0 || matched < required-q.MayMiss():
		return Score{}
	case matched < required:
		// A word missing: ranked as alike at best; a near word (the
		// second pass) only beside one that matched as a prefix or better.
		if s.Low == TierNear && best < TierPrefix {
			return Score{}
		}
		s.Low = min(s.Low, TierPhonetic)
	case s.Low == TierNear && (required < 2 || best < TierPrefix):
		return Score{}
	}
	s.Found = true
	return s
}

// mendLookalikes rewrites Latin letters inside a mostly Cyrillic word as
// the Cyrillic letters they look like (and the other way round): a Latin
// "р" typed in «Рахимов» is the Cyrillic р (r), not p.
func mendLookalikes(w string) string {
	lat, cyr := 0, 0
	for _, r := range w {
		switch {
		case r < 0x80 && unicode.IsLetter(r):
			lat++
		case r >= 0x400 && r < 0x530:
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if lat == 0 || cyr == 0 {
		return w
	}
	toCyr := cyr >= lat
	var b strings.Builder
	for _, r := range w {
		if toCyr {
			if c, ok := latinLookalike[r]; ok {
				r = c
			}
		} else if l, ok := cyrillicLookalike[r]; ok {
			r = l
		}
		b.WriteRune(r)
	}
	return b.String()
}

var latinLookalike = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у', 'k': 'к', 'm': 'м', 't': 'т',
	'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х', 'Y': 'У',
}

var cyrillicLookalike = map[rune]rune{}

func init() {
	for l, c := range latinLookalike {
		if _, dup := cyrillicLookalike[c]; !dup {
			cyrillicLookalike[c] = l
		}
	}
}

// WithForms returns q extended by name forms people confirmed (learned by
// dedupe, kept by the store): each word that is one form of a pair, as
// written or by its stem, also matches the other forms exactly. forms maps
// a folded form to the forms confirmed beside it.
func (e *Equivalents) WithForms(q Query, forms map[string][]string) Query {
	if len(forms) == 0 {
		return q
	}
	out := Query{Words: make([]QueryWord, len(q.Words))}
	for i, w := range q.Words {
		stem, _ := SurnameStem(w.Word)
		alts := append(append([]string(nil), forms[w.Word]...), forms[stem]...)
		if len(alts) > 0 {
			w.Exact = slices.Clone(w.Exact)
			for _, a := range alts {
				w.Exact = append(w.Exact, keySearchExact+Loose(e.searchForm(a)), keySearchWritten+Loose(a))
			}
			w.Exact = distinct(w.Exact...)
		}
		out.Words[i] = w
	}
	return out
}
