package web

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"rollcall/internal/registry"
)

func testCatalogs(t *testing.T) map[string]*catalog {
	t.Helper()
	c, _, err := loadCatalogs(files, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPluralRussian(t *testing.T) {
	c := testCatalogs(t)
	p := page{Lang: "ru", catalog: c["ru"], fallback: c["en"]}
	for n, want := range map[int]string{1: "1 человек", 2: "2 человека", 4: "4 человека", 5: "5 человек", 11: "11 человек",
		12: "12 человек", 14: "14 человек", 21: "21 человек", 22: "22 человека", 25: "25 человек", 101: "101 человек",
		111: "111 человек", 0: "0 человек"} {
		if got := p.Plural("plural.people", n); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
	// The categories themselves, where forms could coincide.
	rule := pluralRules["east_slavic"]
	for n, want := range map[int]string{1: "one", 21: "one", 11: "many", 2: "few", 24: "few", 12: "many", 5: "many", 100: "many", 1001: "one"} {
		if got := rule.pick(n); got != want {
			t.Errorf("east_slavic(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestPluralOneOther(t *testing.T) {
	c := testCatalogs(t)
	for lang, want := range map[string][2]string{"en": {"1 person", "2 people"}, "uz": {"1 kishi", "21 kishi"}, "kaa": {"1 adam", "21 adam"}} {
		if c[lang].messages["lang.plural"] != "one_other" {
			t.Errorf("%s: plural rule %q, CLDR gives one/other", lang, c[lang].messages["lang.plural"])
		}
		p := page{Lang: lang, catalog: c[lang], fallback: c["en"]}
		n2 := 2
		if lang != "en" {
			n2 = 21
		}
		if got := p.Plural("plural.people", 1); got != want[0] {
			t.Errorf("%s Plural(1) = %q, want %q", lang, got, want[0])
		}
		if got := p.Plural("plural.people", n2); got != want[1] {
			t.Errorf("%s Plural(%d) = %q, want %q", lang, n2, got, want[1])
		}
	}
}

// Adding a language is adding a folder: the loader finds it, merges its
// files, and refuses a key defined twice or an unknown plural rule.
func TestLoaderDiscoversLanguages(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/en/a.json": {Data: []byte(`{"lang.name": "English", "lang.plural": "one_other", "x": "X"}`)},
		"i18n/de/a.json": {Data: []byte(`{"lang.name": "Deutsch", "lang.plural": "one_other"}`)},
		"i18n/de/b.json": {Data: []byte(`{"x": "iks", "n": {"one": "{n} Person", "other": "{n} Personen"}}`)},
		"i18n/de/c.txt":  {Data: []byte(`not a catalogue`)},
	}
	cats, langs, err := loadCatalogs(fsys, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(langs) != "[de en]" || cats["de"].messages["x"] != "iks" {
		t.Fatalf("languages %v, de x=%q", langs, cats["de"].messages["x"])
	}
	if got := (page{catalog: cats["de"], fallback: cats["en"]}).Plural("n", 3); got != "3 Personen" {
		t.Fatalf("de plural: %q", got)
	}
	fsys["i18n/de/d.json"] = &fstest.MapFile{Data: []byte(`{"x": "again"}`)}
	if _, _, err := loadCatalogs(fsys, "i18n"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a key defined twice: %v", err)
	}
	delete(fsys, "i18n/de/d.json")
	fsys["i18n/de/a.json"] = &fstest.MapFile{Data: []byte(`{"lang.name": "Deutsch", "lang.plural": "germanic"}`)}
	if _, _, err := loadCatalogs(fsys, "i18n"); err == nil || !strings.Contains(err.Error(), "plural") {
		t.Fatalf("unknown plural rule: %v", err)
	}
}

// The public languages, each complete for every public page.
var publicLanguages = []string{"en", "ru", "kaa", "uz"}

// editorKeys are of the editors' pages (the workspace: review, admin_*,
// treasury_* templates), which are not public and may fall back to English.
func editorKey(k string) bool {
	for _, prefix := range []string{"review.", "evidence.", "admin.", "treasury."} {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// usedKeys are the message ids the public templates name literally, plus
// those the Go code builds (count names, months, downloads).
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{"date.format": true, "lang.name": true}
	call := regexp.MustCompile(`\.(?:T|Tf|Plural)\s+"([^"]+)"|\.In\s+\S+\s+"([^"]+)"`)
	pages, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range pages {
		if strings.Contains(name, "review_") || strings.Contains(name, "admin_") || strings.Contains(name, "treasury_") {
			continue
		}
		b, _ := fs.ReadFile(files, name)
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]+m[2]] = true
		}
	}
	for _, n := range registry.CountNames {
		keys["count."+n] = true
	}
	for m := 1; m <= 12; m++ {
		keys[fmt.Sprintf("date.month.%d", m)] = true
	}
	for _, d := range downloads {
		keys[d.Label] = true
	}
	return keys
}

func TestCataloguesComplete(t *testing.T) {
	cats := testCatalogs(t)
	used := usedKeys(t)
	if len(used) < 60 {
		t.Fatalf("found only %d keys in the templates: is the pattern still right?", len(used))
	}
	for _, lang := range publicLanguages {
		c := cats[lang]
		if c == nil {
			t.Fatalf("no catalogue for %s", lang)
		}
		// Every key the pages use, and every public key English has.
		want := map[string]bool{}
		for k := range used {
			want[k] = true
		}
		for k := range cats["en"].messages {
			want[k] = true
		}
		for k := range cats["en"].plurals {
			want[k] = true
		}
		for k := range want {
			if editorKey(k) {
				continue
			}
			_, msg := c.messages[k]
			forms, plural := c.plurals[k]
			switch {
			case !msg && !plural:
				t.Errorf("%s: no message %q", lang, k)
			case plural:
				for _, cat := range c.plural.categories {
					if forms[cat] == "" {
						t.Errorf("%s: plural %q lacks the %q form", lang, k, cat)
					}
				}
			case c.messages[k] == "":
				t.Errorf("%s: message %q is empty", lang, k)
			}
		}
	}
}

// Karakalpak and Uzbek are written in the Latin script here: a Cyrillic
// letter that slipped in would look right and be wrong.
func TestLatinScriptCatalogues(t *testing.T) {
	cats := testCatalogs(t)
	for _, lang := range []string{"kaa", "uz"} {
		texts := []string{}
		for k, m := range cats[lang].messages {
			texts = append(texts, k+": "+m)
		}
		b, err := fs.ReadFile(files, "i18n/"+lang+"/appeal.txt")
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
		for _, s := range texts {
			for _, r := range s {
				if unicode.Is(unicode.Cyrillic, r) {
					t.Errorf("%s: Cyrillic %q in %.60q", lang, r, s)
					break
				}
			}
		}
	}
	// The 2016 Karakalpak alphabet has letters Uzbek lacks, and the reverse.
	if !strings.ContainsAny(cats["kaa"].messages["site.tagline"], "ǵıńáóú") {
		t.Error("kaa tagline has none of ǵ ı ń á ó ú: is it Karakalpak?")
	}
	if !strings.Contains(cats["uz"].messages["site.tagline"], "ʻ") {
		t.Error("uz tagline has no oʻ/gʻ: is it Uzbek?")
	}
}
