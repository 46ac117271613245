package names

import (
	"slices"
	"strings"
)

// Key prefixes. Keys of different kinds never collide.
const (
	keySurnameGiven  = "s:" // surname stem + ":" + given canonical initial
	keyPhoneticGiven = "p:" // Phonetic(surname stem) + ":" + given canonical initial
	keyGivenPatr     = "g:" // given canonical + ":" + patronymic stem canonical
	keySortedTokens  = "t:" // every word's search form, sorted, joined by "_"
)

// Phonetic reduces a folded word to a coarse consonant skeleton for
// blocking and fuzzy search: the first letter (any vowel as "a"), then the
// consonants with vowels dropped and voiced/voiceless and Turkic/Russian
// pairs merged: initial y before a vowel → j (Yusup/Jusup); b p f → p; d t → t; g k h → k (Ibragim/Ibrohim,
// Berdaq/Berdakh); z s → s; j stays; sh → x; ch → c; v after a vowel and
// the semivowel i are dropped with the vowels. Davlat, Daulet, Dovlat,
// Dawlet all give "tvlt"; Tojiboyev and Tadjibaev give "tjpv".
func Phonetic(folded string) string {
	var a [32]byte
	out := a[:0]
	last := byte(0)
	for i := 0; i < len(folded); i++ {
		c := folded[i]
		if c == ' ' {
			continue
		}
		var m byte
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			if len(out) == 0 && c == 'i' && i+1 < len(folded) && isFoldVowel(folded[i+1]) {
				// Word-initial consonant y (Yusup, Юсуп) is Karakalpak
				// and Kazakh j (Jusup, Жусуп).
				m = 'j'
			} else if len(out) == 0 {
				m = 'a'
			} else {
				last = 0 // a vowel separates: "tt" across a vowel stays two
				continue
			}
		case 'b', 'p', 'f':
			m = 'p'
		case 'd', 't':
			m = 't'
		case 'g', 'k', 'h', 'q', 'x':
			m = 'k'
		case 'z', 's', 'c':
			m = 's'
			if i+1 < len(folded) && folded[i+1] == 'h' {
				if c == 's' {
					m = 'x'
				} else {
					m = 'c'
				}
				i++
			}
		case 'w':
			m = 'v'
		default:
			m = c
		}
		if m == last {
			continue
		}
		out = append(out, m)
		last = m
	}
	return string(out)
}

// BlockingKeys returns the blocking keys of a full name (DefaultEquivalents).
func BlockingKeys(full string) []string { return DefaultEquivalents().BlockingKeys(full) }

// BlockingKeys returns several keys, so that one misspelling or one
// misparsed order does not lose a true pair. Two records are candidates
// when they share any key. Keys are sorted and distinct.
//
//	s:STEM:G      surname stem (gender ending removed) + given canonical initial
//	p:PHON:G      Phonetic(surname stem) + given canonical initial
//	g:GIVEN:PATR  given canonical + patronymic stem canonical (surname misspelt)
//	t:W1_W2…      every word's search form, sorted (order swapped, misparsed)
func (e *Equivalents) BlockingKeys(full string) []string {
	n := ParseWith(full, e)
	return e.blockingKeysOf(&n, full)
}

// BlockingKeysOf returns BlockingKeys for an already parsed name (the
// linkage engine parses each record once).
func (e *Equivalents) BlockingKeysOf(n *Name) []string { return e.blockingKeysOf(n, "") }

func (e *Equivalents) blockingKeysOf(n *Name, full string) []string {
	keys := make([]string, 0, 4)
	givenCanon := ""
	if n.GivenFold != "" {
		givenCanon = e.Canonical(n.GivenFold)
	}
	gi := ""
	if givenCanon != "" {
		gi = givenCanon[:1]
	} else if len(n.InitialsFold) > 0 && n.InitialsFold[0] != "" {
		gi = n.InitialsFold[0][:1]
	}
	if n.SurnameStem != "" {
		keys = append(keys, keySurnameGiven+n.SurnameStem+":"+gi)
		keys = append(keys, keyPhoneticGiven+Phonetic(n.SurnameStem)+":"+gi)
	}
	if givenCanon != "" && n.PatronymicStem != "" {
		keys = append(keys, keyGivenPatr+givenCanon+":"+e.Canonical(n.PatronymicStem))
	}
	var words [8]string
	ws := words[:0]
	for _, f := range []string{n.SurnameFold, n.GivenFold} {
		if f != "" {
			ws = append(ws, e.searchForm(f))
		}
	}
	for _, o := range n.Other {
		if f := FoldToken(o); f != "" {
			ws = append(ws, e.searchForm(f))
		}
	}
	if len(ws) >= 2 {
		slices.Sort(ws)
		keys = append(keys, keySortedTokens+strings.Join(ws, "_"))
	} else if len(keys) == 0 && len(ws) == 1 {
		keys = append(keys, keySortedTokens+ws[0])
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// searchForm is the form of one folded word under which it is stored and
// searched: known given names by their class representative, surnames
// without gender ending, patronymics in their masculine form.
func (e *Equivalents) searchForm(f string) string {
	if e.Known(f) {
		return e.Canonical(f)
	}
	if stem, _, ok := patronymicStem(f); ok {
		// Ahmadovich, Ahmadovna and "Ahmad o‘g‘li" all search as the
		// father's name.
		return e.Canonical(stem)
	}
	stem, _ := SurnameStem(f)
	return stem
}
