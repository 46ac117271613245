package linkage

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Kinds of name form.
const (
	GivenForm   = "given"
	SurnameForm = "surname"
)

// NameForm says that two forms of a given name or a surname are one name
// (Yusup and Жусип, Ótepbergenov and Утепбергенов): forms that no
// transliteration turns into each other and no table lists. LearnNameForms
// proposes them from the data; people confirm or refuse them; the
// confirmed ones go back into Link through Options.NameForms.
type NameForm struct {
	Kind string // GivenForm or SurnameForm
	A, B string // the two forms, folded (A < B)
	// ShownA and ShownB are the forms as one record wrote them, for people.
	ShownA, ShownB string
	// Support is how many different persons showed the two forms: groups
	// of records that agree on everything else.
	Support int
	// Pairs are up to MaxFormEvidence of the record pairs that showed them.
	Pairs [][2]string
}

// MaxFormEvidence is how many record pairs a proposed form keeps as its
// evidence.
const MaxFormEvidence = 5

// MinFormSupport is how many different persons must show two forms before
// they are proposed: one person could be twins, or a typo.
const MinFormSupport = 2

// maxFormGroup: a group of more records than this that agree on everything
// but one name is a data error, not evidence.
const maxFormGroup = 8

// LearnNameForms finds pairs of records that agree strongly on everything
// but one name: the same surname (or given name), patronymic, birth date or
// year, place and sex, claims that do not contradict each other. Where such
// pairs write the remaining name in two forms that the equivalents table
// (with known forms) does not join, and at least MinFormSupport different
// persons do so, the two forms are proposed, heaviest support first.
// Siblings share surname, patronymic and place but not the birth year;
// twins with different names could share all, which is why one group is
// never enough.
func LearnNameForms(records []Record, known []NameForm) []NameForm {
	t := newNameTable(known)
	places := &sync.Map{}
	recs := make([]prepared, len(records))
	parallelChunks(len(records), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			recs[i] = prepare(&records[i], places, t)
			recs[i].keys = nil
		}
	})
	type member struct {
		rec  int
		form string // the differing name, folded
		raw  string
	}
	groups := map[string][]member{}
	for i := range recs {
		p := &recs[i]
		birth, strength := "", 0
		switch {
		case p.date != "":
			birth, strength = p.date, 2
		case p.year != 0:
			birth, strength = strconv.Itoa(int(p.year)), 1
		}
		if p.place != "" && !strings.HasPrefix(p.place, "?") {
			strength++
		}
		seen := map[string]bool{}
		for _, f := range p.forms {
			s := strength
			if f.patronymic != "" {
				s++
			}
			if s < 3 || birth == "" || f.fullWords < 2 || len(f.given) < 2 || f.surname == "" {
				continue
			}
			// the patronymic's first letters: Жумабаевич and Jumabay uli
			// are one father whose stems end differently
			rest := "|" + prefix(f.patronymic, 5) + "|" + birth + "|" + p.place + "|" + string(rune(p.sex))
			for _, k := range [...]struct{ key, form string }{
				{GivenForm + "|" + f.surname + rest, f.given},
				{SurnameForm + "|" + f.givenCanon + rest, f.surname},
			} {
				if seen[k.key+"\x00"+k.form] {
					continue
				}
				seen[k.key+"\x00"+k.form] = true
				groups[k.key] = append(groups[k.key], member{i, k.form, shownWord(records[i].Names, k.form)})
			}
		}
	}
	type found struct {
		form    NameForm
		persons map[string]bool
	}
	byPair := map[string]*found{}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		g := groups[key]
		if len(g) < 2 || len(g) > maxFormGroup {
			continue
		}
		kind := key[:strings.IndexByte(key, '|')]
		for x := 0; x < len(g); x++ {
			for y := x + 1; y < len(g); y++ {
				a, b := g[x], g[y]
				if a.rec == b.rec || a.form == b.form || claimsContradict(&recs[a.rec], &recs[b.rec]) {
					continue
				}
				if kind == GivenForm && t.eq.Canonical(a.form) == t.eq.Canonical(b.form) {
					continue
				}
				if kind == SurnameForm && t.surname(a.form) == t.surname(b.form) {
					continue
				}
				if b.form < a.form {
					a, b = b, a
				}
				id := kind + "|" + a.form + "|" + b.form
				f := byPair[id]
				if f == nil {
					f = &found{form: NameForm{Kind: kind, A: a.form, B: b.form, ShownA: a.raw, ShownB: b.raw}, persons: map[string]bool{}}
					byPair[id] = f
				}
				f.persons[key] = true
				if len(f.form.Pairs) < MaxFormEvidence {
					f.form.Pairs = append(f.form.Pairs, [2]string{records[a.rec].ID, records[b.rec].ID})
				}
			}
		}
	}
	var out []NameForm
	for _, f := range byPair {
		f.form.Support = len(f.persons)
		if f.form.Support >= MinFormSupport {
			out = append(out, f.form)
		}
	}
	slices.SortFunc(out, func(x, y NameForm) int {
		if x.Support != y.Support {
			return y.Support - x.Support
		}
		return strings.Compare(x.Kind+"|"+x.A+"|"+x.B, y.Kind+"|"+y.A+"|"+y.B)
	})
	return out
}

// claimsContradict: one record says the person was dead before the other
// says they were alive.
func claimsContradict(a, b *prepared) bool {
	return (a.deathBy != 0 && b.aliveFrom > a.deathBy) || (b.deathBy != 0 && a.aliveFrom > b.deathBy)
}

// shownWord returns the word of the names as written that folds to form,
// or form itself.
func shownWord(spellings []string, form string) string {
	for _, n := range spellings {
		for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == ',' || r == '.' }) {
			if foldWord(w) == form {
				return w
			}
		}
	}
	return form
}

// FormJoins reports whether the name form, were it confirmed, would make
// the two records' names agree where they disagree now: one record writes
// form A and the other form B. An editor who declared such a pair two
// people has said the form is wrong for them.
func FormJoins(f NameForm, a, b Record) bool {
	fa, fb := recordForms(a, f.Kind), recordForms(b, f.Kind)
	return (fa[f.A] && fb[f.B]) || (fa[f.B] && fb[f.A])
}

func recordForms(r Record, kind string) map[string]bool {
	out := map[string]bool{}
	for _, n := range r.Names {
		p, _, _ := parseName(n, defaultNameTable)
		if kind == GivenForm {
			out[p.given] = true
		} else {
			out[p.surname] = true
		}
	}
	return out
}
