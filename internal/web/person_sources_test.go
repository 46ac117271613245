package web

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// A journalist reading a demo person's page sees what kind of sources reported them and how
// well each event is verified, in the page's language.
func TestDemoPersonPageShowsSourceKindsAndVerification(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	if loaded, err := intake.LoadDemo(context.Background(), s, t.TempDir()); err != nil || !loaded {
		t.Fatalf("demo: %v %v", loaded, err)
	}
	site, err := New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	list := fetch(t, site, "/en/people/").Body.String()
	ids := regexp.MustCompile(`<tr><td><a href="/en/people/([^"/]+)">([^<]+)</a>`).FindAllStringSubmatch(list, -1)
	if len(ids) == 0 {
		t.Fatalf("no person on the demo list:\n%.2000s", list)
	}
	kinds, levels := 0, 0
	for _, m := range ids {
		if strings.HasPrefix(m[2], "Name withheld") {
			continue
		}
		en := fetch(t, site, "/en/people/"+m[1]).Body.String()
		if regexp.MustCompile(`<dt>Reported by</dt><dd>[^<]*(volunteers|relative|media)`).MatchString(en) {
			kinds++
		}
		if strings.Contains(en, "<th scope=\"col\">Verification</th>") &&
			regexp.MustCompile(`<td>(corroborated by a second source|verified)</td></tr>`).MatchString(en) {
			levels++
		}
		ru := fetch(t, site, "/ru/people/"+m[1]).Body.String()
		if !strings.Contains(ru, "<th scope=\"col\">Проверка</th>") || strings.Contains(ru, "person.level.") {
			t.Errorf("the Russian page of %s does not word the verification", m[1])
		}
	}
	if kinds == 0 || levels == 0 {
		t.Errorf("of %d public demo persons, %d show their sources' kinds and %d their claims' verification", len(ids), kinds, levels)
	}
}

// The people list and a person's page are no dead ends: the site's menu and footer are on
// them in every language, and the list says where to go when someone is missing from it.
func TestPeoplePagesLeadSomewhere(t *testing.T) {
	site, _ := testSite(t)
	list := fetch(t, site, "/en/people/").Body.String()
	m := regexp.MustCompile(`href="/en/people/([^"/]+)">Daulet Saparov`).FindStringSubmatch(list)
	if m == nil {
		t.Fatal("no link to a person")
	}
	for _, lang := range publicLanguages {
		for _, path := range []string{"/" + lang + "/people/", "/" + lang + "/people/?q=Nobodyknown", "/" + lang + "/people/" + m[1]} {
			body := fetch(t, site, path).Body.String()
			for _, want := range []string{`<nav class="sections"`, `href="/` + lang + `/report/"`, `href="/` + lang + `/donate/"`,
				`href="/` + lang + `/data/"`, `<footer class="site">`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s lacks %s", path, want)
				}
			}
			if strings.Contains(path, "?q=") && !strings.Contains(body, `<p class="not-listed">`) {
				t.Errorf("%s: a search that finds nobody does not offer to report", path)
			}
		}
	}
}
