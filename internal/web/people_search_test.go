package web

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// The people page offers one region option per place, named in the page's
// language, and never says "no exact match" and "nobody matches" together.
func TestPeoplePageRegionsAndSearchMessages(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	path := filepath.Join(t.TempDir(), "list.csv")
	body := "source,record,name,sex,birth_year,region,status,date,verification\n" +
		"vol,1,Utepbergenov Daulet,m,1990,Нукус,detained,2022-07-02,corroborated\n" +
		"vol,2,Ótepbergenova Aygul,f,1991,Nókis,detained,2022-07-02,corroborated\n" +
		"vol,3,Досжанов Азамат,m,1985,Nukus,detained,2022-07-02,corroborated\n" +
		"vol,4,Qurbanov Bekzod,m,1985,г. Нукус,detained,2022-07-02,corroborated\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := intake.ImportFile(ctx, s, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	storetest.GiveAllBases(t, s)
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	site, err := New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	option := regexp.MustCompile(`<option value="([^"]*)"[^>]*>`)
	regionSelect := regexp.MustCompile(`(?s)<select id="region".*?</select>`)
	for lang, want := range map[string]string{"ru": "Нукус", "en": "Nukus", "kaa": "Nókis", "uz": "Nukus"} {
		page := fetch(t, site, "/"+lang+"/people/").Body.String()
		var got []string
		for _, m := range option.FindAllStringSubmatch(regionSelect.FindString(page), -1) {
			if m[1] != "" {
				got = append(got, m[1])
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: region options %q, want only %q", lang, got, want)
		}
		// The option filters to the four, and is shown selected.
		filtered := fetch(t, site, "/"+lang+"/people/?region="+url.QueryEscape(want)).Body.String()
		if !strings.Contains(filtered, "Досжанов Азамат") || !strings.Contains(filtered, "Ótepbergenova Aygul") || !strings.Contains(filtered, " selected>"+want) {
			t.Errorf("%s: region %q does not filter to the place", lang, want)
		}
	}
	fuzzy, none := "No exact match", "Nobody matches"
	for q, wantFuzzy := range map[string]bool{
		"Досжан":           false, // a prefix: found, no message
		"Utepbergenov":     false,
		"Hurbanov":         true, // sounds alike
		"Zzyxwvut Qqqq":    false,
		"!!!":              false,
		"李小龙":              false,
		"a":                false,
		"Dosjan Azamat Bb": false,
		"Утепбергенов Даулет Бахтиярович": false,
		"Utepbregenov Daulet": true, // one letter swapped: alike
	} {
		page := fetch(t, site, "/en/people/?q="+url.QueryEscape(q))
		b := page.Body.String()
		if page.Code != 200 {
			t.Errorf("%q: %d", q, page.Code)
		}
		if strings.Contains(b, fuzzy) && strings.Contains(b, none) {
			t.Errorf("%q: both messages", q)
		}
		if strings.Contains(b, fuzzy) != wantFuzzy {
			t.Errorf("%q: fuzzy message %v, want %v", q, !wantFuzzy, wantFuzzy)
		}
	}
	for q, want := range map[string]string{
		"Досжан": "Досжанов Азамат",
		"Утепбергенов Даулет Бахтиярович": "Utepbergenov Daulet",
		"OTEPBERGENOVA AYGUL": "Ótepbergenova Aygul",
		"Utepbregenov Daulet": "Utepbergenov Daulet",
		"Azamat Dos":          "Досжанов Азамат",
	} {
		if b := fetch(t, site, "/en/people/?q="+url.QueryEscape(q)).Body.String(); !strings.Contains(b, want) || strings.Contains(b, none) {
			t.Errorf("%q: %q not found", q, want)
		}
	}
}
