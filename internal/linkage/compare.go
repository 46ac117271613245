package linkage

import "fmt"

// Fields of the comparison vector, in the order the model keeps them.
const (
	fieldSurname = iota
	fieldGiven
	fieldPatronymic
	fieldBirth
	fieldSex
	fieldPlace
	numFields
)

var fieldNames = [numFields]string{"surname", "given", "patronymic", "birth", "sex", "place"}

// Level labels per field. Level 0 is always "missing": it has weight 0.
var levelLabels = [numFields][]string{
	fieldSurname:    {"missing", "exact", "one typo", "jw>=0.88 or two typos", "different"},
	fieldGiven:      {"missing", "exact or equivalent", "one typo", "jw>=0.88, two typos or initial", "different"},
	fieldPatronymic: {"missing", "exact", "jw>=0.88", "different"},
	fieldBirth:      {"missing", "same date", "date typo", "same year", "year ±1", "year ±3", "different"},
	fieldSex:        {"missing", "same", "different"},
	fieldPlace:      {"missing", "same place", "same region, place unknown", "other place, same region", "other region"},
}

// gamma packs the level of each field into 4 bits; the top bit marks
// claims that cannot belong to one living-then-dead person.
type gamma uint32

const claimConflictBit gamma = 1 << 31

func (g gamma) level(f int) int { return int(g>>(4*f)) & 0xf }

func (g gamma) conflict() bool { return g&claimConflictBit != 0 }

// pattern is gamma without the conflict bit: what EM counts.
func (g gamma) pattern() gamma { return g &^ claimConflictBit }

func (g *gamma) set(f, level int) { *g |= gamma(level) << (4 * f) }

// nameMatch is the best alignment of two records' names.
type nameMatch struct {
	formA, formB       int
	swapped            bool
	sur, given, patr   float64
	givenEquivalent    bool // same given name through the equivalents table
	givenInitial       bool // one side wrote only the initial
	hasSur, hasGiven   bool
	hasPatr            bool
	surExact, givExact bool
	surTypos           int // typoDistance, capped at 3
	givenTypos         int
}

// compareNames tries every pair of spellings and both word orders: a
// source that put the given name first must not lose the pair.
func compareNames(a, b *prepared) nameMatch {
	var best nameMatch
	bestScore := -1.0
	for i := range a.forms {
		fa := &a.forms[i]
		for j := range b.forms {
			fb := &b.forms[j]
			for _, swap := range [2]bool{false, true} {
				var m nameMatch
				m.formA, m.formB, m.swapped = i, j, swap
				surB, givB, canonB := fb.surname, fb.given, fb.givenCanon
				canonA := fa.givenCanon
				if swap {
					if fb.given == "" || fb.surname == "" {
						continue
					}
					surB, givB = fb.given, fb.surname
					canonA, canonB = fa.given, givB
				}
				score := 0.0
				if fa.surname != "" && surB != "" {
					m.hasSur = true
					m.surExact = fa.surname == surB
					m.sur = jaroWinkler(fa.surname, surB)
					m.surTypos = typoDistance(fa.surname, surB, 2)
					score += alignmentScore(m.sur)
				}
				m.givenTypos = 3
				if fa.given != "" && givB != "" {
					m.hasGiven = true
					switch {
					case len(fa.given) == 1 || len(givB) == 1:
						// an initial, even one that agrees with another
						// initial, is only an initial
						m.givenInitial = true
						if fa.given[0] == givB[0] {
							m.given = 0.85
						}
					case fa.given == givB:
						m.given, m.givExact = 1, true
					case canonA != "" && canonA == canonB:
						m.given, m.givenEquivalent = 1, true
					default:
						m.given = jaroWinkler(fa.given, givB)
						m.givenTypos = typoDistance(fa.given, givB, 2)
					}
					score += alignmentScore(m.given)
				}
				if !swap && fa.patronymic != "" && fb.patronymic != "" {
					m.hasPatr = true
					m.patr = jaroWinkler(fa.patronymic, fb.patronymic)
					score += 0.5 * alignmentScore(m.patr)
				}
				if swap {
					score -= 0.05 // prefer the order the parser found
				}
				if score > bestScore {
					best, bestScore = m, score
				}
			}
		}
	}
	return best
}

// alignmentScore is what a similarity counts when choosing the alignment
// of two names: only resemblance counts. Raw Jaro–Winkler gives unrelated
// words 0.4–0.7, so two unrelated parts would outscore one equal part and
// one unrelated part ("Salt, Oliver" against "Zomer, Oliver" would be read
// with its words swapped, and lose the equal given names).
func alignmentScore(jw float64) float64 {
	return max(0, jw-0.75) / 0.25
}

// alignment says which spellings of two records were compared, and in
// which word order: the term-frequency adjustment needs the agreed value.
type alignment struct {
	formA, formB uint8
	swapped      bool
}

// compare returns the comparison vector of two prepared records.
func compare(a, b *prepared) (gamma, alignment) {
	g, al, _ := compareDetail(a, b, false)
	return g, al
}

// compareDetail also returns a description per field when explain is set.
func compareDetail(a, b *prepared, explain bool) (gamma, alignment, [numFields]string) {
	var g gamma
	var why [numFields]string
	nm := compareNames(a, b)
	al := alignment{uint8(min(nm.formA, 255)), uint8(min(nm.formB, 255)), nm.swapped}
	order := ""
	if nm.swapped {
		order = ", word order swapped"
	}

	switch {
	case !nm.hasSur:
	case nm.surExact:
		g.set(fieldSurname, 1)
	case nm.surTypos <= 1:
		g.set(fieldSurname, 2)
	case nm.sur >= 0.88 || nm.surTypos <= 2:
		g.set(fieldSurname, 3)
	default:
		g.set(fieldSurname, 4)
	}
	if explain && nm.hasSur {
		why[fieldSurname] = fmt.Sprintf("surname jw=%.2f%s", nm.sur, order)
	}

	switch {
	case !nm.hasGiven:
	case nm.givExact || nm.givenEquivalent:
		g.set(fieldGiven, 1)
	case nm.givenInitial:
		if nm.given > 0 {
			g.set(fieldGiven, 3)
		} else {
			g.set(fieldGiven, 4)
		}
	case nm.givenTypos <= 1:
		g.set(fieldGiven, 2)
	case nm.given >= 0.88 || nm.givenTypos <= 2:
		g.set(fieldGiven, 3)
	default:
		g.set(fieldGiven, 4)
	}
	if explain && nm.hasGiven {
		note := ""
		switch {
		case nm.givenEquivalent:
			note = " (equivalent forms)"
		case nm.givenInitial:
			note = " (initial only)"
		}
		why[fieldGiven] = fmt.Sprintf("given jw=%.2f%s%s", nm.given, note, order)
	}

	switch {
	case !nm.hasPatr:
	case nm.patr == 1:
		g.set(fieldPatronymic, 1)
	case nm.patr >= 0.88:
		g.set(fieldPatronymic, 2)
	default:
		g.set(fieldPatronymic, 3)
	}
	if explain && nm.hasPatr {
		why[fieldPatronymic] = fmt.Sprintf("patronymic (father's name) jw=%.2f", nm.patr)
	}

	bl, bwhy := compareBirth(a, b, explain)
	g.set(fieldBirth, bl)
	why[fieldBirth] = bwhy

	switch {
	case a.sex == 0 || b.sex == 0:
	case a.sex == b.sex && a.sexFromName && b.sexFromName:
		// both read from the names' endings: the names' agreement already
		// counted it (Reymov/Reymov says "m" twice, not a second time)
	case a.sex == b.sex:
		g.set(fieldSex, 1)
	default:
		g.set(fieldSex, 2)
	}
	if explain && a.sex != 0 && b.sex != 0 {
		why[fieldSex] = fmt.Sprintf("sex %c/%c", a.sex, b.sex)
	}

	pl := comparePlace(a, b)
	g.set(fieldPlace, pl)
	if explain && pl != 0 {
		why[fieldPlace] = "place: " + levelLabels[fieldPlace][pl]
	}

	if claimsConflict(a, b) {
		g |= claimConflictBit
	}
	return g, al, why
}

func compareBirth(a, b *prepared, explain bool) (int, string) {
	level := 0
	dy := abs(int(a.year) - int(b.year))
	switch {
	case a.date != "" && b.date != "":
		switch {
		case a.date == b.date:
			level = 1
		case typoDistance(a.date, b.date, 1) <= 1 || a.date[:4]+a.date[6:8]+a.date[4:6] == b.date:
			// one digit wrong, two neighbours swapped (1971/1917), or
			// day and month swapped
			level = 2
		case dy <= 1:
			level = 4
		case dy <= 3:
			level = 5
		default:
			level = 6
		}
	case a.year != 0 && b.year != 0:
		switch {
		case dy == 0:
			level = 3
		case dy <= 1:
			level = 4
		case dy <= 3:
			level = 5
		default:
			level = 6
		}
	}
	why := ""
	if explain && level != 0 {
		why = fmt.Sprintf("birth %s (years %d/%d)", levelLabels[fieldBirth][level], a.year, b.year)
	}
	return level, why
}

func comparePlace(a, b *prepared) int {
	switch {
	case a.place != "" && b.place != "":
		if samePlace(a.place, b.place) || (a.placeCode != "" && a.placeCode == b.placeCode) {
			return 1
		}
		if a.region != "" && b.region != "" && !samePlace(a.region, b.region) {
			return 4
		}
		return 3
	case a.region != "" && b.region != "":
		if samePlace(a.region, b.region) {
			return 2
		}
		return 4
	}
	return 0
}

// samePlace compares resolved places; unknown places ("?"+folded) are
// compared with tolerance for one typo.
func samePlace(x, y string) bool {
	if x == y {
		return true
	}
	if x[0] == '?' && y[0] == '?' {
		x, y = x[1:], y[1:]
		if len(x) <= 3 || len(y) <= 3 {
			// codes ("qld", "ККР"): only two letters swapped is a typo
			return len(x) == len(y) && len(x) > 1 && editDistanceAtMostOne(x, y) && sameLetters(x, y)
		}
		return jaroWinkler(x, y) >= 0.92
	}
	return false
}

// claimsConflict reports a person said to be dead before another record
// says they were alive (killed on 1 July, released on 20 July).
func claimsConflict(a, b *prepared) bool {
	return (a.deathBy != 0 && b.aliveFrom > a.deathBy) || (b.deathBy != 0 && a.aliveFrom > b.deathBy)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sameLetters reports whether x and y are made of the same bytes.
func sameLetters(x, y string) bool {
	var cx, cy [256]int
	for i := 0; i < len(x); i++ {
		cx[x[i]]++
	}
	for i := 0; i < len(y); i++ {
		cy[y[i]]++
	}
	return cx == cy
}
