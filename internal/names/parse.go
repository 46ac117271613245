package names

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name is a full name split into its parts. Surname, Given and Patronymic
// hold the words as written (NFC, surrounding punctuation trimmed); the
// *Fold fields hold their FoldToken forms, computed once here so that the
// linkage engine never re-folds. Every word of the input ends up in exactly
// one of Surname, Given, Patronymic (which may hold two words: "Ahmad
// o‘g‘li"), Initials or Other.
type Name struct {
	Surname, Given, Patronymic string
	Initials                   []string // as written without dots: "D", "Sh"
	Other                      []string // words not placed (second given names, particles…)
	SexHint                    string   // "m", "f" or "" — from patronymic, then surname ending

	SurnameFold, GivenFold, PatronymicFold string
	InitialsFold                           []string // folded initials ("zh"→"j")
	// SurnameStem is SurnameFold without its gender ending (kalihanova →
	// kalihanov), so brother and sister share it.
	SurnameStem string
	// PatronymicStem is the father's given name folded (ahmedovich,
	// ahmedovna, ahmed ugli → ahmed).
	PatronymicStem string
}

// GivenInitial returns the folded first letter of the given name, or of the
// first initial when only initials are known, or 0.
func (n *Name) GivenInitial() byte {
	if n.GivenFold != "" {
		return n.GivenFold[0]
	}
	if len(n.InitialsFold) > 0 && n.InitialsFold[0] != "" {
		return n.InitialsFold[0][0]
	}
	return 0
}

type token struct {
	raw        string
	fold       string
	caps       bool // written in capitals, two letters or more
	initial    bool
	commaAfter bool
	used       bool
}

// Parse splits a full name into surname, given name and patronymic,
// whatever their order, using DefaultEquivalents to recognise given names.
func Parse(full string) Name { return ParseWith(full, DefaultEquivalents()) }

// ParseWith is Parse with a given-name table.
//
// How the parts are found, strongest signal first:
//  1. Patronymics by ending (-ovich -evich -ovna -evna -ichna in any script)
//     or by a Turkic particle (uly ulı uli ugli o‘g‘li ogli qızı qizi kyzy
//     kizi) that joins the word before it.
//  2. "Surname, Given …": the word before the first comma is the surname.
//  3. One word in capitals among others: "KALLYKHANOVA Lalagul".
//  4. A surname ending (-ov -ova -ev -eva -in -ina -sky -skaya -zoda -zade)
//     beats a word without one; a known given name loses.
//  5. Otherwise order: a word after the patronymic is the surname
//     ("Ivan Ivanovich Ivanov"), else the first word is ("Ivanov Ivan"), the
//     order of lists in the region.
func ParseWith(full string, eq *Equivalents) Name {
	var buf [8]token
	toks := tokenize(buf[:0], full)
	var n Name
	// Initials.
	for i := range toks {
		if toks[i].initial {
			toks[i].used = true
			n.Initials = append(n.Initials, toks[i].raw)
			n.InitialsFold = append(n.InitialsFold, toks[i].fold)
		}
	}
	// Patronymic.
	patIdx := -1
	for i := range toks {
		t := &toks[i]
		if t.used || t.fold == "" {
			continue
		}
		if sex, ok := turkicParticle(t.fold); ok && i > 0 && n.Patronymic == "" {
			p := &toks[i-1]
			if !p.used && !p.initial {
				p.used, t.used = true, true
				n.Patronymic = p.raw + " " + t.raw
				n.PatronymicFold = p.fold + " " + t.fold
				n.PatronymicStem = p.fold
				n.SexHint = sex
				patIdx = i
				continue
			}
		}
		if n.Patronymic != "" {
			continue
		}
		if stem, sex, ok := patronymicStem(t.fold); ok {
			t.used = true
			n.Patronymic, n.PatronymicFold, n.PatronymicStem = t.raw, t.fold, stem
			n.SexHint = sex
			patIdx = i
		}
	}
	// Surname.
	sur := -1
	free := 0
	caps := 0
	for i := range toks {
		if !toks[i].used {
			free++
			if toks[i].caps {
				caps++
			}
		}
	}
	surnameWords := 0 // more than one: "De Teliga, Maliah", "Bl ake, Deakyn"
	for i := range toks {
		if toks[i].commaAfter {
			for j := i; j >= 0; j-- {
				if !toks[j].used {
					sur = j
					surnameWords++
				}
			}
			// all the words before the comma are the surname, when a
			// name follows it
			givenAfter := false
			for j := i + 1; j < len(toks); j++ {
				givenAfter = givenAfter || (!toks[j].used && !toks[j].initial && toks[j].fold != "")
			}
			if !givenAfter {
				surnameWords = 1
			}
			break
		}
	}
	if sur < 0 && caps > 0 && caps < free {
		for i := range toks {
			if !toks[i].used && toks[i].caps {
				sur = i
				break
			}
		}
	}
	if sur < 0 && free > 0 {
		best := -1 << 30
		for i := range toks {
			t := &toks[i]
			if t.used {
				continue
			}
			score := 0
			if eq.Known(t.fold) {
				score -= 3
			} else if e, ok := surnameEnding(t.fold); ok {
				score += 4
				if e.suffix == "in" {
					score-- // -in ends given names too (Ulbosyn, Nurdin): -ov/-ova wins
				}
			}
			if patIdx >= 0 && i > patIdx {
				score += 2 // Given Patronymic Surname
			}
			if free == 1 && eq.Known(t.fold) {
				score = -100 // a lone known given name is a given name
			}
			if score > best {
				best, sur = score, i
			}
		}
		if free == 1 && best == -100 {
			sur = -1
		}
	}
	if sur >= 0 && surnameWords > 1 {
		raws := []string{}
		for j := sur; j < len(toks) && len(raws) < surnameWords; j++ {
			if !toks[j].used {
				toks[j].used = true
				raws = append(raws, toks[j].raw)
			}
		}
		n.Surname, n.SurnameFold = strings.Join(raws, " "), FoldToken(strings.Join(raws, ""))
		stem, sex := SurnameStem(n.SurnameFold)
		n.SurnameStem = stem
		if n.SexHint == "" {
			n.SexHint = sex
		}
	} else if sur >= 0 {
		t := &toks[sur]
		t.used = true
		n.Surname, n.SurnameFold = t.raw, t.fold
		stem, sex := SurnameStem(t.fold)
		n.SurnameStem = stem
		if n.SexHint == "" {
			n.SexHint = sex
		}
	}
	// Given: a known given name first, else the first free word.
	given := -1
	for i := range toks {
		if !toks[i].used && eq.Known(toks[i].fold) {
			given = i
			break
		}
	}
	if given < 0 {
		for i := range toks {
			if !toks[i].used && toks[i].fold != "" {
				given = i
				break
			}
		}
	}
	if given >= 0 {
		toks[given].used = true
		n.Given, n.GivenFold = toks[given].raw, toks[given].fold
	}
	for i := range toks {
		if !toks[i].used {
			n.Other = append(n.Other, toks[i].raw)
		}
	}
	return n
}

// tokenize splits on spaces and commas, trims punctuation around words
// (keeping apostrophes and inner hyphens) and recognises initials: "D.",
// "Sh.", "D.M.", a lone letter.
func tokenize(dst []token, full string) []token {
	full = Exact(full)
	start := -1
	flush := func(end int, comma bool) {
		if start < 0 {
			return
		}
		dst = appendWord(dst, full[start:end])
		start = -1
		if comma && len(dst) > 0 {
			dst[len(dst)-1].commaAfter = true
		}
	}
	for i, r := range full {
		switch {
		case r == ',' || r == ';':
			flush(i, true)
			if len(dst) > 0 {
				dst[len(dst)-1].commaAfter = true
			}
		case unicode.IsSpace(r):
			flush(i, false)
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(full), false)
	return dst
}

func appendWord(dst []token, w string) []token {
	w = strings.TrimFunc(w, func(r rune) bool {
		return !isWordRune(r) && r != '.'

	})
	// Initials: parts between dots of one or two letters.
	if strings.Contains(w, ".") {
		parts := strings.Split(w, ".")
		allShort, letters := true, false
		for _, p := range parts {
			c := letterCount(p)
			if c > 2 || (c == 2 && !isDigraphInitial(p)) || (c == 0 && p != "") {
				allShort = false
			}
			letters = letters || c > 0
		}
		if allShort && letters {
			for _, p := range parts {
				if p != "" {
					dst = append(dst, token{raw: p, fold: FoldToken(p), initial: true})
				}
			}
			return dst
		}
		w = strings.Trim(w, ".")
	}
	w = strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) })
	if w == "" {
		return dst
	}
	t := token{raw: w, fold: FoldToken(w)}
	lc := letterCount(w)
	t.initial = lc == 1 && isUpperWord(w)
	t.caps = lc >= 2 && isUpperWord(w)
	return append(dst, t)
}

// isWordRune: the runes a word keeps at its edges (letters, digits,
// combining marks, apostrophes: ‘Ali’ keeps its quotes, harmlessly).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || isApostrophe(r)
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func isUpperWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// isDigraphInitial: a two-letter initial such as "Sh", "Ch", "Zh", "Kh",
// "Yu", "Ya", "Dj" (one Cyrillic letter written with two Latin ones).
func isDigraphInitial(p string) bool {
	r, size := utf8.DecodeRuneInString(p)
	if !unicode.IsUpper(r) {
		return false
	}
	switch strings.ToLower(p[size:]) {
	case "h", "u", "a", "o", "j", "e", "s":
		return true
	}
	return false
}

// turkicParticle recognises the separate word that makes a Turkic
// patronymic: "Ahmad o‘g‘li" (son of Ahmad), "Ahmad qizi" (daughter).
func turkicParticle(f string) (sex string, ok bool) {
	switch f {
	case "ugli", "ogli", "uli", "ulu", "oglu", "ogil", "ul":
		return "m", true
	case "kizi", "kiz", "kizu":
		return "f", true
	}
	return "", false
}

// patronymicStem recognises a one-word patronymic by its folded ending and
// returns the father's name and the sex it tells.
func patronymicStem(f string) (stem, sex string, ok bool) {
	for _, e := range patronymicEndings {
		if len(f) >= len(e.suffix)+2 && strings.HasSuffix(f, e.suffix) {
			return f[:len(f)-len(e.suffix)+e.keep], e.sex, true
		}
	}
	return "", "", false
}

var patronymicEndings = []struct {
	suffix string
	keep   int // letters of the suffix that belong to the father's name
	sex    string
}{
	{"ovich", 0, "m"}, {"evich", 0, "m"}, {"ovna", 0, "f"}, {"evna", 0, "f"},
	{"inichna", 0, "f"}, {"ichna", 0, "f"}, {"ovic", 0, "m"}, {"evic", 0, "m"},
	{"ugli", 0, "m"}, {"ogli", 0, "m"}, {"kizi", 0, "f"},
}

// SurnameStem strips the gender ending of a folded surname and reports the
// sex it tells: kalihanova → kalihanov "f"; tajimuratov → tajimuratov "m".
// Russian -skii/-skaia (and press -sky/-skaya) become -ski.
func SurnameStem(f string) (stem, sex string) {
	e, ok := surnameEnding(f)
	if !ok {
		return f, ""
	}
	return f[:len(f)-e.cut] + e.add, e.sex
}

type ending struct {
	suffix string
	cut    int
	add    string
	sex    string
}

var surnameEndings = []ending{
	{"skaia", 5, "ski", "f"}, {"skai", 4, "ski", "f"}, {"ski", 3, "ski", "m"},
	{"ova", 1, "", "f"}, {"eva", 1, "", "f"}, {"ina", 1, "", "f"},
	{"ov", 0, "", "m"}, {"ev", 0, "", "m"}, {"in", 0, "", "m"},
	{"zoda", 0, "", ""}, {"zada", 0, "", ""}, {"zade", 0, "", ""},
}

func surnameEnding(f string) (ending, bool) {
	for _, e := range surnameEndings {
		if len(f) >= len(e.suffix)+3 && strings.HasSuffix(f, e.suffix) {
			return e, true
		}
	}
	return ending{}, false
}
