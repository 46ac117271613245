package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"rollcall/internal/auth"
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

// The publish page previews a snapshot (counts, who enters and leaves,
// what changed, warnings) and publishes only when the as-of date is typed
// again; a wrong date publishes nothing.
func TestPublishPreviewAndConfirmation(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			site, a, _ := reviewSite(t, st)
			storetest.GiveAllBases(t, st)
			editor := signIn(t, site, a, auth.Editor)
			ctx := context.Background()

			if res := editor.get(t, site, "/admin/publish/?as_of=2022-13-01"); res.Code != http.StatusBadRequest {
				t.Errorf("a preview of a date that is none: %d", res.Code)
			}
			res := editor.get(t, site, "/admin/publish/?as_of=2022-08-03")
			body := res.Body.String()
			if res.Code != http.StatusOK || !strings.Contains(body, `id="preview"`) || !strings.Contains(body, "No snapshot as of this day or before") {
				t.Fatalf("the first preview: %d", res.Code)
			}
			warnings := sectionByID(t, body, "preview-warnings")
			if !strings.Contains(warnings, "1 pair of records is undecided") {
				t.Errorf("the preview does not warn of the undecided pair: %s", warnings)
			}
			if !strings.Contains(body, `<th scope="row">missing now</th><td class="num">2</td>`) {
				t.Error("the preview does not show the counts")
			}
			noMissingMessages(t, body)
			if sns, _ := st.Snapshots(ctx); len(sns) != 0 {
				t.Fatalf("a preview published: %+v", sns)
			}

			for _, confirm := range []string{"", "2022-08-04", "03.08.2022"} {
				res := editor.post(t, site, "/admin/publish/", url.Values{"as_of": {"2022-08-03"}, "confirm": {confirm}})
				if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "nothing was published") || !strings.Contains(res.Body.String(), `id="preview"`) {
					t.Errorf("confirmed with %q: %d", confirm, res.Code)
				}
			}
			if sns, _ := st.Snapshots(ctx); len(sns) != 0 {
				t.Fatalf("an unconfirmed publication was stored: %+v", sns)
			}
			// Something changes between the preview and the confirmation:
			// nothing is published, the new preview is shown.
			seen := seenOf(t, body)
			if _, _, err := st.AddRecord(ctx, editor.User.ID, true, registry.Record{SourceID: sourceID(t, st, "press"), Name: "Zarina Kdirbaeva", Region: "Nukus"},
				registry.Claim{Status: registry.Missing, Date: registry.PeriodFrom(20220702, registry.PrecisionDay), Verification: registry.Corroborated}); err != nil {
				t.Fatal(err)
			}
			res = editor.post(t, site, "/admin/publish/", url.Values{"as_of": {"2022-08-03"}, "confirm": {"2022-08-03"}, "seen": {seen}})
			if res.Code != http.StatusConflict || !strings.Contains(res.Body.String(), "The registry changed since this preview was made") ||
				!strings.Contains(res.Body.String(), `<th scope="row">missing now</th><td class="num">3</td>`) {
				t.Errorf("a confirmation of a stale preview: %d", res.Code)
			}
			if sns, _ := st.Snapshots(ctx); len(sns) != 0 {
				t.Fatalf("a stale preview was published: %+v", sns)
			}
			location(t, editor.post(t, site, "/admin/publish/", url.Values{"as_of": {"2022-08-03"}, "confirm": {" 2022-08-03 "}, "seen": {seenOf(t, res.Body.String())}}))
			if sns, _ := st.Snapshots(ctx); len(sns) != 1 {
				t.Fatalf("snapshots after the confirmation: %d", len(sns))
			}

			// A new person: the next preview says who enters and what moved.
			rec, person, err := st.AddRecord(ctx, editor.User.ID, true, registry.Record{SourceID: sourceID(t, st, "press"), Name: "Timur Ismailov", BirthYear: 1975, Region: "Nukus"},
				registry.Claim{Status: registry.Killed, Date: registry.PeriodFrom(20220702, registry.PrecisionDay), Verification: registry.Verified})
			if err != nil || rec == "" {
				t.Fatal(err)
			}
			body = editor.get(t, site, "/admin/publish/?as_of=2022-08-03").Body.String()
			enter := sectionByID(t, body, "preview-enter")
			if !strings.Contains(enter, "Timur Ismailov") || !strings.Contains(enter, person) {
				t.Errorf("the preview's entering people: %s", enter)
			}
			if !strings.Contains(body, "1 person enters the public list") || !strings.Contains(body, `<tr class="changed"><th scope="row">killed</th><td class="num">1</td><td>was 0</td>`) {
				t.Errorf("the preview does not say what changed against the last snapshot")
			}
			if w := sectionByID(t, body, "preview-warnings"); !strings.Contains(w, "1 person changed since that snapshot") || !strings.Contains(w, person) {
				t.Errorf("the preview does not warn of the changed person: %s", w)
			}
			ru := editor.getLang(t, site, "/admin/publish/?as_of=2022-08-03", "ru").Body.String()
			if !strings.Contains(ru, "1 человек входит в публичный список") || !strings.Contains(ru, "Чтобы опубликовать, введите дату ещё раз") {
				t.Error("the Russian preview")
			}
		})
	}
}

// sectionByID is the element with this id, up to its closing tag's name.
func sectionByID(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element #%s on the page", id)
	}
	start := strings.LastIndex(body[:i], "<")
	tag := strings.Fields(body[start+1 : i])[0]
	end := strings.Index(body[i:], "</"+tag+">")
	return body[start : i+end]
}

func sourceID(t *testing.T, st *store.Store, key string) string {
	t.Helper()
	src, err := st.SourceByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return src.ID
}

// seenOf is the moment of the preview a publish page's form confirms.
func seenOf(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `name="seen" value="`)
	if !ok {
		t.Fatal("the publish form does not carry the preview's moment")
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// A person ticked on the list and merged into another before the form is
// sent: the mark goes to the person it was merged into, and the list says so.
func TestMarkManyOfAPersonMergedMeanwhile(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	day, _ := registry.ParseDay("2022-07-02")
	var persons, records []string
	for _, name := range []string{"Daulet Saparov", "Даулет Сапаров"} {
		rec, person, err := w.st.AddRecord(ctx, w.editor.User.ID, true, registry.Record{SourceID: w.source, Name: name, Region: "Nukus"},
			registry.Claim{Status: registry.Detained, Date: registry.PeriodFrom(day, registry.PrecisionDay), Verification: registry.Corroborated})
		if err != nil {
			t.Fatal(err)
		}
		persons, records = append(persons, person), append(records, rec)
	}
	if _, err := w.st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.MoveRecord(ctx, w.editor.User.ID, records[1], persons[0], "one man, two spellings"); err != nil {
		t.Fatal(err)
	}
	res := w.editor.post(t, w.site, "/admin/people/", url.Values{"q": {"Daulet"}, "person": {persons[1]}, "mark": {"withheld"}, "reason": {"the family asked"}})
	loc := res.Header().Get("Location")
	if location(t, res) != "/admin/people/" || !strings.Contains(loc, "merged=1") {
		t.Fatalf("after marking a merged-away person: %s", loc)
	}
	if body := w.editor.get(t, w.site, loc).Body.String(); !strings.Contains(body, "1 person marked.") || !strings.Contains(body, "had been merged into another person") {
		t.Error("the list does not say the mark went to the person merged into")
	}
	if m, _ := w.st.PersonMarks(ctx, persons[0]); len(m) != 1 || m[0].Reason != "the family asked" {
		t.Errorf("marks of the person merged into: %+v", m)
	}
}
