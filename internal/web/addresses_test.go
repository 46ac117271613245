package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// recordsByKey finds records' ids by their source's own keys.
func recordsByKey(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	ids := map[string]string{}
	if err := s.EachClaim(context.Background(), func(r store.ClaimRow) error {
		ids[r.Record.Key] = r.Record.ID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// movedTitle is the title of a merged-away person's page, by language.
var movedTitle = map[string]string{"en": "This address has moved", "ru": "Этот адрес изменился", "kaa": "Bul mánzil ózgerdi", "uz": "Bu manzil oʻzgardi"}

// After two published persons are found to be one, the id that goes
// answers 301 to the survivor on the site and in the API (which says
// merged_into), the feed says "merged", and a split says on the
// survivor's page where the records went.
func TestMergedAwayIDRedirects(t *testing.T) {
	site, s := newSite(t)
	ctx := context.Background()
	ids := recordsByKey(t, s)
	// Lolagul Kallykhanova in the press list and a volunteers' record
	// (key 2) an editor takes for her.
	survivor, _ := s.PersonOf(ctx, ids["a"])
	gone, _ := s.PersonOf(ctx, ids["2"])
	for _, path := range []string{"/en/people/" + survivor, "/en/people/" + gone} {
		if res := get(t, site, path); res.StatusCode != 200 {
			t.Fatalf("%s before the merge: %d", path, res.StatusCode)
		}
	}
	if _, err := s.Decide(ctx, ids["a"], ids["2"], linkage.Same, "editor", "one woman"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the pages' cache looks at the list's stamp every 250 ms
	// Both were shown at once; the first record's person stays.
	if now, _ := s.PersonOf(ctx, ids["2"]); now != survivor {
		t.Fatalf("record 2 is in %s, want the survivor %s", now, survivor)
	}
	for _, lang := range languages {
		res := get(t, site, "/"+lang+"/people/"+gone)
		if res.StatusCode != 301 || res.Header.Get("Location") != "/"+lang+"/people/"+survivor {
			t.Errorf("/%s/people/%s: %d → %q, want 301 to the survivor", lang, gone, res.StatusCode, res.Header.Get("Location"))
		}
		// What the answer says (the mirror writes it as the old
		// address's page): in the path's language, the survivor canonical.
		page := body(t, res)
		for _, want := range []string{`<html lang="` + lang + `">`, movedTitle[lang], `<link rel="canonical" href="/` + lang + `/people/` + survivor + `">`, `href="/` + lang + `/people/` + survivor + `"`, gone} {
			if !strings.Contains(page, want) {
				t.Errorf("/%s/people/%s: the 301's page lacks %q:\n%s", lang, gone, want, page)
			}
		}
	}
	res := get(t, site, "/api/v1/people/"+gone)
	var answer struct {
		ID         string `json:"id"`
		MergedInto string `json:"merged_into"`
	}
	if err := json.Unmarshal([]byte(body(t, res)), &answer); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 301 || res.Header.Get("Location") != "/api/v1/people/"+survivor || answer.MergedInto != survivor || answer.ID != gone {
		t.Errorf("API for the merged-away id: %d → %q, %+v", res.StatusCode, res.Header.Get("Location"), answer)
	}
	if res := get(t, site, "/api/v1/people/"+survivor); res.StatusCode != 200 {
		t.Errorf("API for the survivor: %d", res.StatusCode)
	}
	feed := body(t, get(t, site, "/en/feed.atom"))
	if !strings.Contains(feed, "#"+gone+" is the same person as ") {
		t.Errorf("the feed does not say the persons merged:\n%s", feed)
	}
	var f struct {
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed), &f); err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, e := range f.Entries {
		if strings.HasPrefix(e.ID, "urn:rollcall:change:"+survivor+":") && strings.HasPrefix(e.Title, "Added") {
			added++
		}
	}
	if added != 1 {
		t.Errorf("the feed calls the survivor added %d times, want once (before the merge)", added)
	}

	// The editor undoes it: the old id leads to its own woman again, and
	// the survivor's page says where the records went.
	if _, err := s.Decide(ctx, ids["a"], ids["2"], linkage.Different, "editor", "two women after all"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the pages' cache looks at the list's stamp every 250 ms
	if res := get(t, site, "/en/people/"+gone); res.StatusCode != 200 || !strings.Contains(body(t, res), "Гульнара Юсупова") {
		t.Errorf("after the split the old id does not lead to its own person again (%d)", res.StatusCode)
	}
	page := body(t, get(t, site, "/ru/people/"+survivor))
	if !strings.Contains(page, "относится к другому человеку") || !strings.Contains(page, `href="/ru/people/`+gone+`"`) {
		t.Errorf("the survivor's page does not say where the split records went")
	}
}

// An id that never existed is a 404 in the language of its path, with the
// site's layout, whatever the browser prefers.
func TestUnknownPersonIsANotFoundInThePathLanguage(t *testing.T) {
	site, _ := newSite(t)
	res := get(t, site, "/ru/people/no-such-person", "Accept-Language", "en")
	b := body(t, res)
	if res.StatusCode != 404 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`<html lang="ru">`, "Такого человека нет", "no-such-person", `href="/ru/people/"`, `hreflang="kaa"`} {
		if !strings.Contains(b, want) {
			t.Errorf("the Russian 404 lacks %q", want)
		}
	}
	if strings.Contains(b, "Page not found") {
		t.Error("the Russian 404 speaks English")
	}
	if res := get(t, site, "/api/v1/people/no-such-person"); res.StatusCode != 404 {
		t.Errorf("API: %d", res.StatusCode)
	}
}

// In the workspace, the page of a person merged away leads to the
// survivor and says why; a mark sent for the old id is applied to the
// survivor, and the page says so.
func TestWorkspaceMarkOfAMergedAwayPerson(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a, pair := reviewSite(t, st)
	storetest.GiveAllBases(t, st)
	ctx := context.Background()
	before := []string{personOf(t, st, pair.A.ID), personOf(t, st, pair.B.ID)}
	if _, err := st.Decide(ctx, pair.A.ID, pair.B.ID, linkage.Same, "editor", "one man"); err != nil {
		t.Fatal(err)
	}
	survivor := personOf(t, st, pair.A.ID)
	gone := before[0]
	if gone == survivor {
		gone = before[1]
	}
	editor := signIn(t, site, a, auth.Editor)
	if w := editor.get(t, site, "/admin/people/"+gone); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/people/"+survivor+"?done=merged" {
		t.Errorf("the workspace page of the merged-away id: %d → %q", w.Code, w.Header().Get("Location"))
	}
	w := editor.post(t, site, "/admin/people/"+gone+"/mark", url.Values{"mark": {"withheld"}, "reason": {"the family asked"}})
	if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "/admin/people/"+survivor+"?done=marked_merged" {
		t.Fatalf("mark of the merged-away id: %d → %q", w.Code, loc)
	}
	if page := editor.get(t, site, "/admin/people/"+survivor+"?done=marked_merged").Body.String(); !strings.Contains(page, "so the mark was applied to this person") {
		t.Error("the survivor's page does not say the mark went to it")
	}
	marks, err := st.PersonMarks(ctx, survivor)
	if err != nil || len(marks) == 0 || marks[len(marks)-1].Reason != "the family asked" {
		t.Errorf("the survivor's marks: %+v, %v", marks, err)
	}
	if marks, _ := st.PersonMarks(ctx, gone); len(marks) != 0 {
		t.Errorf("the merged-away id got marks: %+v", marks)
	}
}
