package linkage

import (
	_ "embed"
	"strings"
	"sync"
)

// placesTSV names each place of the gazetteer in the site's languages.
//
//go:embed places.tsv
var placesTSV string

// placeLanguages are the columns of places.tsv after the id.
var placeLanguages = []string{"en", "ru", "kaa", "uz"}

var (
	placesOnce  sync.Once
	placeByLang map[string]map[string]string // id → language → name
)

// Place returns the gazetteer id of a place written in any script and
// spelling ("Нукус", "Nókis", "г. Нукус" → "nukus-city"; a town gives its
// district), or "" when the gazetteer does not know it.
func Place(raw string) string { return defaultGazetteer().lookup(raw) }

// PlaceName returns the name of a gazetteer place in a language of the
// site (en, ru, kaa, uz), in English when that language has none, or ""
// for an unknown id.
func PlaceName(id, lang string) string {
	placesOnce.Do(func() {
		placeByLang = map[string]map[string]string{}
		for _, line := range strings.Split(placesTSV, "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cols := strings.Split(line, "\t")
			m := map[string]string{}
			for i, l := range placeLanguages {
				if i+1 < len(cols) && cols[i+1] != "" {
					m[l] = cols[i+1]
				}
			}
			placeByLang[cols[0]] = m
		}
	})
	m := placeByLang[id]
	if n, ok := m[lang]; ok {
		return n
	}
	return m["en"]
}
