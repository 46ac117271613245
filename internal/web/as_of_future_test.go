package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Counts and snapshots of a day to come are refused (the API with a 400
// and a message, the publish form with a form error) and nothing is
// stored; today still works.
func TestAsOfDateInTheFutureIsRefused(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	rec := w.addRecord(t, w.editor, "Azamat Qurbanov")
	w.editor.post(t, w.site, "/admin/claims/"+w.claims(t, rec)[0].ID+"/verify", url.Values{"verification": {"verified"}})
	now := time.Now().UTC()
	today, tomorrow := now.Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02")

	res := w.editor.post(t, w.site, "/admin/publish/", url.Values{"as_of": {tomorrow}, "confirm": {tomorrow}, "note": {"too early"}})
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "The as-of date cannot be in the future.") {
		t.Errorf("publish as of tomorrow: %d\n%.2000s", res.Code, res.Body)
	}
	if sns, _ := w.st.Snapshots(ctx); len(sns) != 0 {
		t.Fatalf("a publication as of tomorrow was stored: %+v", sns)
	}
	res = w.editor.post(t, w.site, "/admin/publish/", url.Values{"as_of": {today}, "confirm": {today}})
	if location(t, res) != "/admin/publish/"+today {
		t.Errorf("publish as of today went to %s", location(t, res))
	}
	if sns, _ := w.st.Snapshots(ctx); len(sns) != 1 || sns[0].AsOf.String() != today {
		t.Errorf("snapshots after publishing today: %+v", sns)
	}

	for _, tc := range []struct {
		asOf string
		code int
		want string
	}{
		{tomorrow, 400, "is in the future"},
		{"2999-01-01", 400, "is in the future"},
		{"2022-13-01", 400, "want a date YYYY-MM-DD"},
		{today, 200, `"as_of":"` + today + `"`},
		{"2022-07-02", 200, `"as_of":"2022-07-02"`},
	} {
		res := get(t, w.site, "/api/v1/counts?as_of="+tc.asOf)
		got := body(t, res)
		if res.StatusCode != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("/api/v1/counts?as_of=%s: %d %s, want %d with %q", tc.asOf, res.StatusCode, got, tc.code, tc.want)
		}
	}
}

// Where the site says how many people are counted (home) and how many are
// listed (people), it says why the two can differ, in every language.
func TestCountsSayWhyListedAndCountedDiffer(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	rec := w.addRecord(t, w.editor, "Azamat Qurbanov")
	w.editor.post(t, w.site, "/admin/claims/"+w.claims(t, rec)[0].ID+"/verify", url.Values{"verification": {"verified"}})
	for lang, want := range map[string]string{
		"en":  "The list of people can be longer than the number counted",
		"ru":  "Список людей может быть длиннее числа учтённых",
		"kaa": "Adamlar dizimi esapqa alınǵanlar sanınan uzınıraq",
		"uz":  "Odamlar roʻyxati hisobga olinganlar sonidan uzunroq",
	} {
		for _, path := range []string{"/" + lang + "/", "/" + lang + "/people/"} {
			res := get(t, w.site, path)
			if page := body(t, res); res.StatusCode != 200 || !strings.Contains(page, want) {
				t.Errorf("%s: %d, does not say why listed and counted differ (%q)", path, res.StatusCode, want)
			}
		}
	}
}
