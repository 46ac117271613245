package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// personOfRecord is the person a record is in now.
func (w *editWorld) personOfRecord(t *testing.T, recordID string) string {
	t.Helper()
	p, err := w.st.PersonOf(context.Background(), recordID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// corroborate raises a record's first claim to corroborated, as an editor.
func (w *editWorld) corroborate(t *testing.T, recordID string) {
	t.Helper()
	location(t, w.editor.post(t, w.site, "/admin/claims/"+w.claims(t, recordID)[0].ID+"/verify", url.Values{"verification": {"corroborated"}}))
}

// bannerOf is the publication banner of a person's workspace page.
func bannerOf(t *testing.T, body string) string {
	t.Helper()
	start := strings.Index(body, `<section class="publication`)
	if start < 0 {
		t.Fatalf("the person page has no publication banner")
	}
	end := strings.Index(body[start:], "</section>")
	return body[start : start+end]
}

// The person page says PUBLIC or WITHHELD, on what ground and since when,
// and follows the editor's decisions; raising a claim publishes nobody.
func TestPersonPageSaysPublicOrWithheld(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newEditWorld(t, storetest.Open(t, d))
			rec := w.addRecord(t, w.editor, "Azamat Qurbanov")
			person := w.personOfRecord(t, rec)
			page := "/admin/people/" + person

			b := bannerOf(t, w.editor.get(t, w.site, page).Body.String())
			if !strings.Contains(b, "is-withheld") || !strings.Contains(b, "WITHHELD") || !strings.Contains(b, "no claim of this person is corroborated") {
				t.Errorf("a person with an unverified claim: %s", b)
			}
			w.corroborate(t, rec)
			b = bannerOf(t, w.editor.get(t, w.site, page).Body.String())
			if !strings.Contains(b, "WITHHELD") || !strings.Contains(b, "nobody decided to publish this name") || strings.Contains(b, "not on the public site") {
				t.Errorf("corroborated, no decision: %s", b)
			}
			// A refused mark changes nothing.
			if res := w.editor.post(t, w.site, page+"/mark", url.Values{"mark": {"public"}}); res.Code != http.StatusBadRequest {
				t.Errorf("public without a reason: %d", res.Code)
			}
			location(t, w.editor.post(t, w.site, page+"/mark", url.Values{"mark": {"public"}, "reason": {"named in the court's verdict"}}))
			marks, _ := w.st.PersonMarks(context.Background(), person)
			if len(marks) != 1 {
				t.Fatalf("marks %+v", marks)
			}
			b = bannerOf(t, w.editor.get(t, w.site, page).Body.String())
			for _, want := range []string{"is-public", "PUBLIC", "marked this person public with a recorded reason", "named in the court&#39;s verdict",
				"Since " + marks[0].At.Format("2006-01-02 15:04") + " UTC", w.editor.User.ID} {
				if !strings.Contains(b, want) {
					t.Errorf("after the public mark the banner lacks %q: %s", want, b)
				}
			}
			// The workspace speaks Russian too.
			res := w.editor.getLang(t, w.site, page, "ru")
			if b := bannerOf(t, res.Body.String()); !strings.Contains(b, "ПУБЛИЧНО") || !strings.Contains(b, "с записанной причиной") {
				t.Errorf("the Russian banner: %s", b)
			}
			location(t, w.editor.post(t, w.site, page+"/mark", url.Values{"mark": {"withheld"}, "reason": {"the family was threatened"}}))
			b = bannerOf(t, w.editor.get(t, w.site, page).Body.String())
			if !strings.Contains(b, "WITHHELD") || !strings.Contains(b, "marked this person withheld") || !strings.Contains(b, "the family was threatened") {
				t.Errorf("after the withheld mark: %s", b)
			}
		})
	}
}

// Many people of a filtered list are marked with one reason: refused
// without one (nothing stored), one audited mark per person, the others
// untouched; volunteers cannot.
func TestMarkManyFromTheFilteredList(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	a := w.personOfRecord(t, w.addRecord(t, w.editor, "Qurbanov Azamat"))
	b := w.personOfRecord(t, w.addRecord(t, w.editor, "Qurbanov Bahadir"))
	form := w.recordForm("Daulet Saparov")
	form.Set("name_alt", "Даулет Сапаров")
	other := w.personOfRecord(t, strings.TrimPrefix(location(t, w.editor.post(t, w.site, "/admin/records/", form)), "/admin/records/"))

	body := w.editor.get(t, w.site, "/admin/people/?q=Qurbanov").Body.String()
	if !strings.Contains(body, `id="mark-many"`) || !strings.Contains(body, `value="`+a+`"`) || !strings.Contains(body, `value="`+b+`"`) || strings.Contains(body, `value="`+other+`"`) {
		t.Fatalf("the filtered list does not offer exactly its persons to mark")
	}
	if body := w.viewer.get(t, w.site, "/admin/people/?q=Qurbanov").Body.String(); strings.Contains(body, `id="mark-many"`) {
		t.Error("a viewer is offered marking")
	}
	form = url.Values{"q": {"Qurbanov"}, "person": {a, b}, "mark": {"withheld"}}
	if res := w.editor.post(t, w.site, "/admin/people/", form); res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Give the reason for these marks") {
		t.Errorf("marks without a reason: %d", res.Code)
	}
	form.Set("reason", "threats against families in Chimbay")
	if res := w.volA.post(t, w.site, "/admin/people/", form); res.Code == http.StatusSeeOther {
		t.Error("a volunteer marked people")
	}
	gone := url.Values{"q": {"Qurbanov"}, "person": {a, "no-such-person"}, "mark": {"withheld"}, "reason": {"x"}}
	if res := w.editor.post(t, w.site, "/admin/people/", gone); res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "nobody was marked") {
		t.Errorf("a batch with a person that does not exist: %d", res.Code)
	}
	for _, p := range []string{a, b, other} {
		if m, _ := w.st.PersonMarks(ctx, p); len(m) != 0 {
			t.Fatalf("refused batches left marks on %s: %+v", p, m)
		}
	}
	res := w.editor.post(t, w.site, "/admin/people/", form)
	if location(t, res) != "/admin/people/" || !strings.Contains(res.Header().Get("Location"), "marked=2") {
		t.Fatalf("after marking: %s", res.Header().Get("Location"))
	}
	if body := w.editor.get(t, w.site, res.Header().Get("Location")).Body.String(); !strings.Contains(body, "2 people marked.") {
		t.Error("the list does not say how many were marked")
	}
	entries, err := w.st.AuditEntries(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string]int{}
	for _, e := range entries {
		if e.Action == "person.mark" && e.Actor == w.editor.User.ID {
			audited[e.Object]++
		}
	}
	if audited[a] != 1 || audited[b] != 1 || audited[other] != 0 {
		t.Errorf("audit entries per person %v", audited)
	}
	for _, p := range []string{a, b} {
		m, _ := w.st.PersonMarks(ctx, p)
		if len(m) != 1 || m[0].Mark != registry.MarkWithheld || m[0].Reason != "threats against families in Chimbay" {
			t.Errorf("marks of %s: %+v", p, m)
		}
	}
}

// getLang fetches a page as the session with the browser asking for lang.
func (s *session) getLang(t *testing.T, h http.Handler, path, lang string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Language", lang)
	req.AddCookie(s.Cookie)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
