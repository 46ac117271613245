package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// listedSite is a workspace site over siteCSV whose volunteers' list has a
// public basis and whose press list has none (its persons are withheld).
func listedSite(t *testing.T) (*web.Server, *auth.Service, *store.Store) {
	t.Helper()
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(siteCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(ctx, st, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSourceBasis(ctx, store.ActorCLI, "vol", "published this list itself", false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	site, a := workspaceSite(t, st)
	return site, a, st
}

// "I have news about this person" on every person page opens the report
// form about that person: a listed person by name (the name field filled),
// a withheld one by number only, exactly as their page shows them. The
// report is filed with the person's id, and triage names and links it.
// A forged id, or one merged away, shows nothing on the form (the public
// learns nothing it could not learn from the person's page), the report
// is filed all the same, and triage says what became of the id.
func TestReportAboutAPerson(t *testing.T) {
	site, a, st := listedSite(t)
	ctx := context.Background()
	ids := recordsByKey(t, st)
	listed, _ := st.PersonOf(ctx, ids["1"])   // Даулет Сапаров, volunteers'
	withheld, _ := st.PersonOf(ctx, ids["a"]) // Lolagul Kallykhanova, press: no basis

	for _, lang := range languages {
		page := (*session)(nil).get(t, site, "/"+lang+"/people/"+listed).Body.String()
		if !strings.Contains(page, `<p class="person-news"><a href="/`+lang+`/report/?person=`+listed+`">`) {
			t.Errorf("%s: the person page has no news link", lang)
		}
		page = (*session)(nil).get(t, site, "/"+lang+"/people/"+withheld).Body.String()
		if !strings.Contains(page, `href="/`+lang+`/report/?person=`+withheld+`"`) {
			t.Errorf("%s: a withheld person's page has no news link", lang)
		}
	}

	form := (*session)(nil).get(t, site, "/ru/report/?person="+listed).Body.String()
	for _, want := range []string{`<input type="hidden" name="person" value="` + listed + `">`, `id="report-name" name="name" value="Даулет Сапаров"`,
		`Сообщение о человеке: <a href="/ru/people/` + listed + `">Даулет Сапаров</a>`, `hreflang="en" href="/en/report/?person=` + listed + `"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the form about a listed person lacks %q", want)
		}
	}
	form = (*session)(nil).get(t, site, "/en/report/?person="+withheld).Body.String()
	if strings.Contains(form, "Lolagul") || strings.Contains(form, "Kallykhanova") || !strings.Contains(form, `<input type="hidden" name="person" value="`+withheld+`">`) ||
		!strings.Contains(form, `id="report-name" name="name" value=""`) || !strings.Contains(form, "#"+withheld) {
		t.Errorf("the form about a withheld person shows more than the number, or lacks it:\n%s", form)
	}

	// Two listed persons found to be one: the id that goes redirects, and
	// the form says nothing of it.
	gone, _ := st.PersonOf(ctx, ids["3"])
	if _, err := st.Decide(ctx, ids["1"], ids["3"], linkage.Same, "editor", "one man"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	survivor, _ := st.PersonOf(ctx, ids["3"])
	if survivor != listed || gone == survivor {
		t.Fatalf("the merge kept %s, want %s (and %s gone)", survivor, listed, gone)
	}
	forged := "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
	noForm := (*session)(nil).get(t, site, "/en/report/?person="+forged).Body.String()
	for _, id := range []string{gone, forged} {
		form := (*session)(nil).get(t, site, "/en/report/?person="+id).Body.String()
		if strings.Contains(form, "report-about") || strings.Contains(form, "Досжанов") || strings.Contains(form, "Сапаров") || strings.Contains(form, survivor) {
			t.Errorf("the form about %s says something about a person", id)
		}
		if strings.ReplaceAll(form, id, forged) != noForm {
			t.Errorf("the form about the merged-away id %s differs from a forged id's", id)
		}
	}
	if strings.Contains((*session)(nil).get(t, site, "/en/report/?person=%3Cscript%3E").Body.String(), "<script>") {
		t.Error("a person id of markup came back")
	}

	clients := 0
	file := func(person string) store.Report {
		t.Helper()
		f := aReport("News " + person)
		f.Set("person", person)
		clients++ // each from its own address: the throttle allows five
		loc := sentPage(t, site, postFrom(t, site, "/en/report/", f, fmt.Sprintf("198.51.100.%d:1000", clients)))
		m := referenceRE.FindStringSubmatch(loc.Body.String())
		if m == nil {
			t.Fatalf("no reference for the report about %q", person)
		}
		got, _, err := st.Reports(ctx, store.ReportFilter{Reference: m[1]})
		if err != nil || len(got) != 1 {
			t.Fatalf("report %s: %v %v", m[1], got, err)
		}
		return got[0]
	}
	editor := signIn(t, site, a, auth.Editor)
	for _, c := range []struct{ given, stored, want string }{
		{listed, listed, `<dd id="report-about"><a href="/admin/people/` + listed + `">`},
		{withheld, withheld, `<dd id="report-about"><a href="/admin/people/` + withheld + `">`},
		{gone, gone, `<code>` + gone + `</code> — merged since into <a href="/admin/people/` + survivor + `">`},
		{forged, forged, `<code>` + forged + `</code> — no person has this id`},
		{"<script>", "", ""},
		{strings.Repeat("a", 65), "", ""},
	} {
		rep := file(c.given)
		if rep.PersonID != c.stored {
			t.Errorf("person %q stored as %q, want %q", c.given, rep.PersonID, c.stored)
		}
		page := editor.get(t, site, "/admin/reports/"+rep.ID).Body.String()
		if c.want == "" {
			if strings.Contains(page, "report-about") {
				t.Errorf("a report without a person id shows one")
			}
		} else if !strings.Contains(page, c.want) {
			t.Errorf("triage of the report about %s lacks %q", c.given, c.want)
		}
	}
	if _, n, err := st.Reports(ctx, store.ReportFilter{}); err != nil || n != 6 {
		t.Errorf("%d reports filed, want 6 (%v)", n, err)
	}
}

// A withheld entry of the list is short enough for one line of a phone:
// "Name withheld #…" and the id's last eight characters, the whole id in
// the link only.
func TestWithheldEntriesShort(t *testing.T) {
	site, _, st := listedSite(t)
	ids := recordsByKey(t, st)
	withheld, _ := st.PersonOf(context.Background(), ids["a"])
	for _, path := range []string{"/en/people/", "/en/people/print/"} {
		body := (*session)(nil).get(t, site, path).Body.String()
		want := `Name withheld <small class="wid">#…` + withheld[len(withheld)-8:] + `</small>`
		if !strings.Contains(body, want) || strings.Contains(body, "Name withheld (#"+withheld) {
			t.Errorf("%s: the withheld entry is not the short %q", path, want)
		}
	}
	if body := (*session)(nil).get(t, site, "/en/people/").Body.String(); !strings.Contains(body, `<a href="/en/people/`+withheld+`">Name withheld`) {
		t.Error("the short entry does not link the whole id")
	}
}
