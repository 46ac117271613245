package linkage

import (
	_ "embed"
	"strings"
	"sync"
)

// The gazetteer is embedded data rather than code so that a person who
// knows the region can add a spelling without reading Go.
//
//go:embed gazetteer.tsv
var gazetteerTSV string

// republicID is the id of the whole republic: a record that says only
// "Karakalpakstan" tells us nothing about the district.
const republicID = "karakalpakstan"

// gazetteer resolves a place written in any script to a district id.
type gazetteer struct {
	byFold map[string]string // folded spelling → district id
	keys   []string          // folded spellings, for fuzzy lookup
}

var (
	gazetteerOnce sync.Once
	theGazetteer  *gazetteer
)

func defaultGazetteer() *gazetteer {
	gazetteerOnce.Do(func() {
		g := &gazetteer{byFold: map[string]string{}}
		for _, line := range strings.Split(gazetteerTSV, "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cols := strings.Split(line, "\t")
			if len(cols) != 3 {
				continue
			}
			id := cols[0]
			if cols[1] != "-" {
				id = cols[1]
			}
			for _, s := range strings.Split(cols[2], "|") {
				// The full spelling first: "Nukus district" is not the city.
				for _, k := range []string{placeFoldFull(s), placeFold(s)} {
					if k == "" {
						continue
					}
					if _, dup := g.byFold[k]; !dup {
						g.byFold[k] = id
						g.keys = append(g.keys, k)
					}
				}
			}
		}
		theGazetteer = g
	})
	return theGazetteer
}

// genericPlaceWords are words for "district", "city", "village" in the
// languages of the lists; they carry no identity and are dropped.
var genericPlaceWords = map[string]bool{}

func init() {
	for _, w := range []string{
		"district", "city", "town", "village", "region", "republic", "of",
		"район", "районы", "город", "г", "гор", "р", "н", "р-н", "аул", "поселок", "посёлок", "пос", "село",
		"rayon", "rayoni", "rayonı", "raion", "tumani", "tuman", "тумани", "туман", "shahri", "шаҳри", "shahar",
		"qalası", "qalasi", "қаласы", "ovul", "awıl", "awil", "auyl", "qishloq", "респ", "республика",
		"respublikasi", "respublikası",
	} {
		genericPlaceWords[placeWordFold(w)] = true
	}
}

func placeWordFold(w string) string { return fold(w) }

// placeFold folds a place name and drops generic words, so that
// "Нукусский район" and "Nukus tumani" compare by their proper names.
func placeFold(s string) string {
	words := strings.Fields(normalizeText(s))
	kept := words[:0]
	for _, w := range words {
		f := fold(w)
		if f == "" || genericPlaceWords[f] {
			continue
		}
		kept = append(kept, f)
	}
	return strings.Join(kept, " ")
}

// placeFoldFull folds every word of a place name, generic ones included.
func placeFoldFull(s string) string {
	words := strings.Fields(normalizeText(s))
	for i, w := range words {
		words[i] = fold(w)
	}
	return strings.Join(words, " ")
}

// lookup returns the gazetteer id of a place as written, or "".
func (g *gazetteer) lookup(raw string) string {
	if id, ok := g.byFold[placeFoldFull(raw)]; ok {
		return id
	}
	return g.resolve(placeFold(raw))
}

// resolve returns the gazetteer id of a folded place name, or "" when the
// place is not known. A near spelling (one typo) is accepted.
func (g *gazetteer) resolve(folded string) string {
	if folded == "" {
		return ""
	}
	if id, ok := g.byFold[folded]; ok {
		return id
	}
	// Russian adjectives: "нукусский" folds to something starting like "nukus".
	best, bestScore := "", 0.0
	for _, k := range g.keys {
		if s := jaroWinkler(folded, k); s > bestScore {
			best, bestScore = k, s
		}
	}
	if bestScore >= 0.92 {
		return g.byFold[best]
	}
	return ""
}
