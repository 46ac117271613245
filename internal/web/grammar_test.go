package web

import (
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/registry"
)

// Every state and act, for every sex, in every language of the site, is worded: Russian
// agrees with the person's sex (and hedges when it is not known); the other languages'
// participles do not agree, so one word serves all.
func TestStateWordsAgreeWithSex(t *testing.T) {
	cats := testCatalogs(t)
	// A sample a Russian reader would check by eye.
	ruFemale := map[registry.Status]string{registry.Detained: "задержана", registry.Killed: "убита",
		registry.DiedInCustody: "умерла под стражей", registry.Missing: "пропала без вести", registry.Released: "освобождена"}
	for _, lang := range publicLanguages {
		p := page{Lang: lang, catalog: cats[lang], fallback: cats["en"]}
		for _, st := range registry.Statuses {
			male, female, unknown := p.State(st, "m"), p.State(st, "f"), p.State(st, "")
			for _, w := range []string{male, female, unknown} {
				if w == "" || strings.Contains(w, "people.status") {
					t.Errorf("%s %s: no word (%q)", lang, st, w)
				}
			}
			if male != p.T("people.status."+string(st)) {
				t.Errorf("%s %s: the masculine %q is not the plain word", lang, st, male)
			}
			if lang != "ru" {
				if female != male || unknown != male {
					t.Errorf("%s %s: forms differ (%q %q %q) in a language without agreement", lang, st, male, female, unknown)
				}
				continue
			}
			if st == registry.Tried { // "суд" is a noun: nothing to agree
				continue
			}
			if female == male || unknown == male || unknown == female {
				t.Errorf("ru %s: male %q, female %q, unknown %q should be three forms", st, male, female, unknown)
			}
			if !strings.Contains(unknown, "(") {
				t.Errorf("ru %s: the form for an unknown sex %q does not hedge", st, unknown)
			}
			if want, ok := ruFemale[st]; ok && female != want {
				t.Errorf("ru %s: female %q, want %q", st, female, want)
			}
		}
	}
}

// The pages a relative reads use the agreeing word: a woman is "задержана", a man "задержан".
func TestPagesWordStatesBySex(t *testing.T) {
	site, _ := testSite(t)
	list := fetch(t, site, "/ru/people/").Body.String()
	row := func(name string) string {
		m := regexp.MustCompile(`<tr><td><a [^>]*>` + name + `</a></td><td>([^<]*)`).FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("no row for %s on the Russian list:\n%.3000s", name, list)
		}
		return strings.TrimSpace(m[1])
	}
	if got := row("Лалагул Каллыханова"); got != "задержана" {
		t.Errorf("a woman detained is worded %q", got)
	}
	if got := row("Azamat Qurbanov"); got != "задержан" {
		t.Errorf("a man detained is worded %q", got)
	}
	var id string
	if m := regexp.MustCompile(`href="/ru/people/([^"/]+)">Лалагул Каллыханова`).FindStringSubmatch(list); m != nil {
		id = m[1]
	} else {
		t.Fatal("no link to her page")
	}
	page := fetch(t, site, "/ru/people/"+id).Body.String()
	if !strings.Contains(page, "<dd>задержана") || strings.Contains(page, ">задержан<") {
		t.Errorf("her page does not say задержана:\n%.3000s", page)
	}
}

// The data page offers the list twice: with a byte-order mark, so a spreadsheet program
// reads the letters as UTF-8, and without, for scripts; the rows are the same.
func TestCSVForSpreadsheetsAndScripts(t *testing.T) {
	site, _ := testSite(t)
	plain := fetch(t, site, "/data/rollcall-people.csv")
	sheet := fetch(t, site, "/data/rollcall-people-spreadsheet.csv")
	if plain.Code != 200 || sheet.Code != 200 {
		t.Fatalf("downloads: %d %d", plain.Code, sheet.Code)
	}
	if strings.HasPrefix(plain.Body.String(), "\ufeff") {
		t.Error("the CSV for scripts starts with a byte-order mark")
	}
	if !strings.HasPrefix(sheet.Body.String(), "\ufeff") {
		t.Error("the CSV for spreadsheets has no byte-order mark")
	}
	if strings.TrimPrefix(sheet.Body.String(), "\ufeff") != plain.Body.String() {
		t.Error("the two CSV files hold different rows")
	}
	if !strings.Contains(plain.Body.String(), "Лалагул Каллыханова") {
		t.Error("the CSV lacks a public name")
	}
	for _, lang := range publicLanguages {
		page := fetch(t, site, "/"+lang+"/data/").Body.String()
		if !strings.Contains(page, `href="/data/rollcall-people-spreadsheet.csv"`) || !strings.Contains(page, `href="/data/rollcall-people.csv"`) {
			t.Errorf("%s data page does not link both CSV files", lang)
		}
	}
}
