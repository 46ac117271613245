package linkage

// This file is the only place where linkage talks to package names.

import (
	"unicode"

	"rollcall/internal/names"
)

// nameParts is one spelling of a name split into its parts, each folded to
// the script-independent skeleton.
type nameParts struct {
	surname    string // folded, with its gender ending
	given      string // folded; the first initial when only initials are written
	patronymic string // father's name, folded (the patronymic's stem)
	givenCanon string // given name through the equivalents table
	fullWords  int8   // words that are not initials
	initials   int8   // initials written ("Reymov A. B." has two)
	surnameSet bool   // a full surname was written
	sex        byte   // 'm', 'f' or 0, from the name's form
}

func normalizeText(s string) string { return names.Normalize(s) }

// fold returns the script-independent lower-case ASCII skeleton of s.
func fold(s string) string { return names.Fold(s) }

var equivalents = names.DefaultEquivalents()

// nameTable is the given-name equivalents a run uses: the built-in table,
// extended by the name forms people confirmed (Options.NameForms).
type nameTable struct {
	eq       *names.Equivalents
	surnames map[string]string // a confirmed surname form → the form it is read as
}

var defaultNameTable = nameTable{eq: equivalents}

// surname returns the form a folded surname is compared as.
func (t nameTable) surname(folded string) string {
	if s, ok := t.surnames[folded]; ok {
		return s
	}
	return folded
}

// newNameTable extends the built-in table by the confirmed given-name
// forms; with none it is the built-in table itself.
func newNameTable(forms []NameForm) nameTable {
	t := defaultNameTable
	var surnames *names.Equivalents // union-find over surname forms too
	for _, f := range forms {
		a, b := names.FoldToken(f.A), names.FoldToken(f.B)
		if a == "" || b == "" || a == b {
			continue
		}
		switch f.Kind {
		case GivenForm:
			if t.eq == equivalents {
				t.eq = equivalents.Clone()
			}
			t.eq.Add(a, b)
		case SurnameForm:
			if surnames == nil {
				surnames = names.NewEquivalents()
				t.surnames = map[string]string{}
			}
			surnames.Add(a, b)
			t.surnames[a], t.surnames[b] = "", ""
		}
	}
	for s := range t.surnames {
		t.surnames[s] = surnames.Canonical(s)
	}
	return t
}

// foldWord folds one word as written to the skeleton names compare on.
func foldWord(s string) string { return names.FoldToken(s) }

// parseName splits a full name as written into folded parts, and returns
// its name-based blocking keys and, when a word was left over after the
// given name, the reading with the two joined ("Abdu Rahman" is
// Abdurahman, "Wil Liam" William).
func parseName(full string, t nameTable) (nameParts, []string, *nameParts) {
	equivalents := t.eq
	n := names.ParseWith(full, equivalents)
	p := nameParts{
		surname:    t.surname(n.SurnameFold),
		given:      n.GivenFold,
		patronymic: n.PatronymicStem,
	}
	if p.given != "" {
		p.givenCanon = equivalents.Canonical(p.given)
	} else if len(n.InitialsFold) > 0 && n.InitialsFold[0] != "" {
		p.given = n.InitialsFold[0][:1]
	}
	p.surnameSet = n.Surname != "" && n.SurnameFold != ""
	p.initials = int8(min(len(n.InitialsFold), 100))
	for _, w := range []string{n.Surname, n.Given} {
		if w != "" {
			p.fullWords++
		}
	}
	if n.Patronymic != "" {
		p.fullWords++
	}
	p.fullWords += int8(min(len(n.Other), 100))
	switch n.SexHint {
	case "m":
		p.sex = 'm'
	case "f":
		p.sex = 'f'
	}
	var joined *nameParts
	if len(n.Other) > 0 && n.GivenFold != "" {
		// folded whole, as one word is: "Ssha un" is "sshaun", whose
		// doubled letter folds away like Shaun's
		if o := names.FoldToken(n.Given + n.Other[0]); o != "" && o != n.GivenFold {
			j := p
			j.given = o
			j.givenCanon = equivalents.Canonical(j.given)
			j.fullWords--
			joined = &j
		}
	}
	return p, equivalents.BlockingKeysOf(&n), joined
}

// decidable reports whether a spelling carries enough of a name to be
// linked without a person looking: two full words, or a full surname with
// initials ("Reymov A. B."). Empty names, one word and initials alone
// ("A. B.") are not: they are listed for a person to decide.
func (p *nameParts) decidable() bool {
	return p.fullWords >= 2 || (p.surnameSet && p.initials > 0)
}

// scriptLinkable reports whether the name is written in a script that the
// comparisons understand: Cyrillic, Latin, or a mix of the two (a Latin
// "a" typed into a Cyrillic word is common).
func scriptLinkable(s string) bool {
	switch names.DetectScript(s) {
	case names.ScriptLatin, names.ScriptCyrillic:
		return true
	case names.ScriptMixed:
		for _, r := range s {
			if unicode.IsLetter(r) && !unicode.Is(unicode.Lm, r) && !unicode.Is(unicode.Latin, r) && !unicode.Is(unicode.Cyrillic, r) {
				return false
			}
		}
		return true
	}
	return false
}

// prefix returns the first n bytes of a folded (ASCII) string.
func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
