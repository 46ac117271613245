package web_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// editWorld is a workspace over a store with one source, and a session
// for each role that edits.
type editWorld struct {
	st                     *store.Store
	site                   *web.Server
	a                      *auth.Service
	source                 string
	editor, volA, volB     session
	viewer, admin, treasur session
}

func newEditWorld(t *testing.T, st *store.Store) *editWorld {
	t.Helper()
	site, a := workspaceSite(t, st)
	w := &editWorld{st: st, site: site, a: a}
	w.editor = signIn(t, site, a, auth.Editor)
	w.volA = signIn(t, site, a, auth.Volunteer)
	w.volB = signIn(t, site, a, auth.Volunteer)
	w.viewer = signIn(t, site, a, auth.Viewer)
	w.admin = signIn(t, site, a, auth.Admin)
	w.treasur = signIn(t, site, a, auth.Treasurer)
	res := w.editor.post(t, site, "/admin/sources/", url.Values{"key": {"hotline-2022"}, "kind": {"relative"}, "reliability": {"3"}, "identity": {"Informant Aybek, +998 90 111"}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("add source: %d %s", res.Code, res.Body)
	}
	w.source = strings.TrimPrefix(location(t, res), "/admin/sources/")
	return w
}

// location is where a 303 sends the browser, without its query.
func location(t *testing.T, res *httptest.ResponseRecorder) string {
	t.Helper()
	if res.Code != http.StatusSeeOther {
		t.Fatalf("answer %d, want 303: %s", res.Code, res.Body)
	}
	u, err := url.Parse(res.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// recordForm is a record with two spellings and a first claim.
func (w *editWorld) recordForm(name string) url.Values {
	return url.Values{"source": {w.source}, "name": {name}, "name_alt": {"Азамат Курбанов\nQurbanov Azamat"}, "sex": {"m"},
		"birth_year": {"1990"}, "region": {"Nukus"}, "roles": {"protester", "journalist"},
		"status": {"detained"}, "date": {"2022-07-02"}, "place": {"Nukus jail"}, "note": {"seen by a neighbour"}}
}

// addRecord enters a record as sess and returns its id.
func (w *editWorld) addRecord(t *testing.T, sess session, name string) string {
	t.Helper()
	res := sess.post(t, w.site, "/admin/records/", w.recordForm(name))
	return strings.TrimPrefix(location(t, res), "/admin/records/")
}

func (w *editWorld) claims(t *testing.T, recordID string) []store.EnteredClaim {
	t.Helper()
	_, claims, err := w.st.Record(context.Background(), recordID)
	if err != nil {
		t.Fatal(err)
	}
	return claims
}

func (w *editWorld) recordCount(t *testing.T) int {
	t.Helper()
	rs, err := w.st.Records(context.Background(), store.RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// noMissingMessages fails when a page shows a message id instead of text.
func noMissingMessages(t *testing.T, body string) {
	t.Helper()
	if m := regexp.MustCompile(`admin\.edit\.[a-z_.]+`).FindString(body); m != "" {
		t.Errorf("the page shows the message id %q: a message is missing", m)
	}
}

func TestEditingPagesByRole(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	rec := w.addRecord(t, w.volA, "Azamat Qurbanov")
	person, _ := w.st.PersonOf(context.Background(), rec)
	claim := w.claims(t, rec)[0].ID
	var anonymous *session
	type want map[*session]int
	for _, tc := range []struct {
		path  string
		wants want
	}{
		{"/admin/sources/", want{&w.editor: 200, &w.admin: 200, &w.volA: 403, &w.viewer: 403, &w.treasur: 403, anonymous: 303}},
		{"/admin/sources/" + w.source, want{&w.editor: 200, &w.volA: 403, &w.viewer: 403}},
		{"/admin/sources/" + w.source + "/identity", want{&w.editor: 200, &w.admin: 200, &w.volA: 403, &w.viewer: 403}},
		{"/admin/records/", want{&w.editor: 200, &w.volA: 200, &w.viewer: 200, &w.treasur: 403, anonymous: 303}},
		{"/admin/records/new", want{&w.editor: 200, &w.volA: 200, &w.viewer: 403}},
		{"/admin/records/" + rec, want{&w.editor: 200, &w.admin: 200, &w.volA: 200, &w.volB: 404, &w.viewer: 200, &w.treasur: 403}},
		{"/admin/claims/" + claim + "/note", want{&w.editor: 200, &w.volA: 403, &w.viewer: 403}},
		{"/admin/incidents/", want{&w.editor: 200, &w.volA: 403, &w.viewer: 403}},
		{"/admin/people/", want{&w.editor: 200, &w.viewer: 200, &w.volA: 403, &w.treasur: 403, anonymous: 303}},
		{"/admin/people/" + person, want{&w.editor: 200, &w.viewer: 200, &w.volA: 403}},
		{"/admin/people/no-such-person", want{&w.editor: 404}},
		{"/admin/publish/", want{&w.editor: 200, &w.admin: 200, &w.volA: 403, &w.viewer: 403, &w.treasur: 403}},
	} {
		for sess, code := range tc.wants {
			res := sess.get(t, w.site, tc.path)
			if res.Code != code {
				who := "anonymous"
				if sess != nil {
					who = sess.User.Role
				}
				t.Errorf("GET %s as %s: %d, want %d", tc.path, who, res.Code, code)
			}
			if res.Code == 200 {
				noMissingMessages(t, res.Body.String())
			}
		}
	}
	// Changes: a volunteer may not verify, take, link, mark or publish.
	for _, path := range []string{"/admin/claims/" + claim + "/verify", "/admin/records/" + rec + "/take", "/admin/people/" + person + "/move",
		"/admin/people/" + person + "/mark", "/admin/publish/", "/admin/incidents/", "/admin/sources/"} {
		if res := w.volA.post(t, w.site, path, url.Values{"verification": {"verified"}}); res.Code != http.StatusForbidden {
			t.Errorf("POST %s as a volunteer: %d, want 403", path, res.Code)
		}
	}
	if res := w.viewer.post(t, w.site, "/admin/records/", w.recordForm("Viewer Entry")); res.Code != http.StatusForbidden {
		t.Errorf("a viewer added a record: %d", res.Code)
	}
}

func TestVolunteerOpensOnlyTheirOwnRecords(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	recA := w.addRecord(t, w.volA, "Azamat Qurbanov")
	recB := w.addRecord(t, w.volB, "Bahadir Allanazarov")
	claimA := w.claims(t, recA)[0].ID

	list := w.volB.get(t, w.site, "/admin/records/").Body.String()
	if strings.Contains(list, recA) || !strings.Contains(list, recB) {
		t.Errorf("volunteer B's list: A's record shown or B's own missing")
	}
	if res := w.volB.get(t, w.site, "/admin/records/?q=Qurbanov"); strings.Contains(res.Body.String(), recA) {
		t.Error("volunteer B finds A's record by searching its name")
	}
	before := len(w.claims(t, recA))
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/admin/records/" + recA + "/claims", url.Values{"status": {"released"}, "date": {"2022-08-01"}}},
		{"/admin/claims/" + claimA + "/retract", url.Values{"why": {"mistake"}}},
	} {
		if res := w.volB.post(t, w.site, tc.path, tc.form); res.Code != http.StatusNotFound {
			t.Errorf("volunteer B POST %s: %d, want 404", tc.path, res.Code)
		}
	}
	if res := w.volB.get(t, w.site, "/admin/records/"+recA); res.Code != http.StatusNotFound {
		t.Errorf("volunteer B opens A's record: %d, want 404", res.Code)
	}
	// An id that exists and one that does not answer alike.
	if a, b := w.volB.get(t, w.site, "/admin/records/"+recA), w.volB.get(t, w.site, "/admin/records/"+store.NewID()); a.Code != b.Code || a.Body.String() != b.Body.String() {
		t.Error("another's record and a missing one answer differently")
	}
	claims := w.claims(t, recA)
	if len(claims) != before || !claims[0].RetractedAt.IsZero() {
		t.Fatalf("volunteer B changed A's record: %+v", claims)
	}
	// A retracts their own claim; then an editor takes B's record and B
	// no longer sees it.
	if res := w.volA.post(t, w.site, "/admin/claims/"+claimA+"/retract", url.Values{"why": {"wrong date"}}); location(t, res) != "/admin/records/"+recA {
		t.Errorf("retract went to %s", location(t, res))
	}
	if c := w.claims(t, recA); c[0].RetractedAt.IsZero() {
		t.Error("the claim was not retracted")
	}
	if res := w.editor.post(t, w.site, "/admin/records/"+recB+"/take", nil); location(t, res) != "/admin/records/"+recB {
		t.Errorf("take went to %s", location(t, res))
	}
	if res := w.volB.get(t, w.site, "/admin/records/"+recB); res.Code != http.StatusNotFound {
		t.Errorf("volunteer B opens a taken record: %d, want 404", res.Code)
	}
	if res := w.editor.get(t, w.site, "/admin/records/"+recB); res.Code != 200 || !strings.Contains(res.Body.String(), "taken by the editors") {
		t.Errorf("the editor's view of a taken record: %d", res.Code)
	}
	// Every change names its account in the audit log.
	es, _ := w.st.AuditEntries(ctx, 0, 1000)
	seen := map[string]string{}
	for _, e := range es {
		seen[e.Action+" "+e.Object] = e.Actor
	}
	if seen["record.add "+recA] != w.volA.User.ID || seen["claim.retract "+claimA] != w.volA.User.ID || seen["record.take "+recB] != w.editor.User.ID {
		t.Errorf("audit actors: %v", seen)
	}
}

func TestAddPersonWithSpellingsVerifyAndShow(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	rec := w.addRecord(t, w.volA, "Azamat Qurbanov")
	page := w.volA.get(t, w.site, "/admin/records/"+rec+"?done=record").Body.String()
	for _, want := range []string{"Azamat Qurbanov", "Азамат Курбанов", "Qurbanov Azamat", "The record was added.", "Nukus jail", "journalist"} {
		if !strings.Contains(page, want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	if strings.Contains(page, "seen by a neighbour") {
		t.Error("the record page shows the private note without opening it")
	}
	if strings.Contains(page, `action="/admin/claims/`+w.claims(t, rec)[0].ID+`/verify"`) {
		t.Error("a volunteer is offered the verification form")
	}
	if ids, _ := w.st.SearchRecords(ctx, "Курбанов", 10); len(ids) != 1 || ids[0] != rec {
		t.Errorf("the Cyrillic spelling does not find the record: %v", ids)
	}
	// Not public while unverified; public once an editor corroborates it.
	person, _ := w.st.PersonOf(ctx, rec)
	if _, err := w.st.PublicPerson(ctx, person); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unverified record is public: %v", err)
	}
	first := w.claims(t, rec)[0].ID
	if res := w.editor.post(t, w.site, "/admin/claims/"+first+"/verify", url.Values{"verification": {"corroborated"}}); location(t, res) != "/admin/records/"+rec {
		t.Fatalf("verify went to %s", location(t, res))
	}
	claims := w.claims(t, rec)
	if len(claims) != 2 || claims[0].RetractedAt.IsZero() || claims[1].Supersedes != first || claims[1].Verification != registry.Corroborated {
		t.Fatalf("verification history %+v", claims)
	}
	if res := w.editor.post(t, w.site, "/admin/claims/"+first+"/verify", url.Values{"verification": {"verified"}}); res.Code != http.StatusBadRequest {
		t.Errorf("verifying a superseded claim: %d", res.Code)
	}
	counts, _ := w.st.Counts(ctx, registry.Query{AsOf: 20220803, KnownAt: w.st.Now(), MinVerification: registry.Corroborated})
	if counts.DetainedNow != 1 {
		t.Errorf("detained_now %d after corroboration, want 1", counts.DetainedNow)
	}
	// The list is rebuilt in the background: give it a moment. Raising a
	// claim publishes nobody by itself: the person is counted, withheld.
	waitPublic := func(withheld bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if p, err := w.st.PublicPerson(ctx, person); err == nil && p.Withheld == withheld {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("the corroborated person is not on the public list withheld=%v: %+v %v", withheld, p, err)
			}
		}
		time.Sleep(300 * time.Millisecond) // the pages' cache looks at the list's stamp every 250 ms
	}
	waitPublic(true)
	if body := readBody(t, get(t, w.site, "/en/people/?q=Qurbanov")); strings.Contains(body, "Azamat Qurbanov") {
		t.Error("a corroborated person nobody decided to publish is on the public people page by name")
	}
	location(t, w.editor.post(t, w.site, "/admin/people/"+person+"/mark", url.Values{"mark": {"public"}, "reason": {"named in the court's verdict"}}))
	waitPublic(false)
	if body := readBody(t, get(t, w.site, "/en/people/?q=Qurbanov")); !strings.Contains(body, "Azamat Qurbanov") {
		t.Error("the corroborated person marked public is not on the public people page")
	}
	// The note opens for an editor, and the reading is audited.
	if res := w.editor.get(t, w.site, "/admin/claims/"+claims[1].ID+"/note"); !strings.Contains(res.Body.String(), "seen by a neighbour") {
		t.Errorf("note page: %d", res.Code)
	}
	if head, _ := w.st.AuditEntries(ctx, 0, 1000); head[len(head)-1].Action != "sealed.read" || head[len(head)-1].Actor != w.editor.User.ID {
		t.Errorf("the note's reading was not audited: %+v", head[len(head)-1])
	}
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return b.String()
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	for _, tc := range []struct {
		name, field, value, message string
		sess                        *session
	}{
		{"empty name", "name", "  ", "The name as written is required.", &w.volA},
		{"bad date", "date", "2022-13-45", "The date must be YYYY-MM-DD, YYYY-MM or YYYY.", &w.volA},
		{"unknown status", "status", "vanished", "Choose a status from the list.", &w.volA},
		{"too long", "region", strings.Repeat("N", 501), "A field is too long", &w.volA},
		{"bad birth year", "birth_year", "90", "The birth year must be four digits", &w.volA},
		{"unknown role", "roles", "spy", "Choose roles from the list.", &w.volA},
		{"volunteer verifies", "verification", "verified", "Only editors set verification levels", &w.volA},
		{"unknown verification", "verification", "certain", "Choose a verification level from the list.", &w.editor},
		{"unknown source", "source", "no-such-source", "The source or incident chosen does not exist.", &w.editor},
		{"NUL", "place", "a\x00b", "cannot be stored", &w.editor},
	} {
		form := w.recordForm("Keep This Name")
		form.Set(tc.field, tc.value)
		res := tc.sess.post(t, w.site, "/admin/records/", form)
		body := res.Body.String()
		if res.Code != http.StatusBadRequest || !strings.Contains(body, tc.message) {
			t.Errorf("%s: %d, want 400 with %q", tc.name, res.Code, tc.message)
		}
		if tc.field != "name" && !strings.Contains(body, `value="Keep This Name"`) {
			t.Errorf("%s: the form came back without what was typed", tc.name)
		}
	}
	if n := w.recordCount(t); n != 0 {
		t.Errorf("refused forms wrote %d records", n)
	}
	rec := w.addRecord(t, w.editor, "Azamat Qurbanov")
	claims := len(w.claims(t, rec))
	for _, form := range []url.Values{
		{"status": {"detained"}, "date": {"yesterday"}},
		{"status": {""}, "date": {"2022-07"}},
		{"status": {"detained"}, "date": {"2022-07-02"}, "place": {"Nukus jail"}, "note": {"seen by a neighbour"}}, // the same claim again
	} {
		if res := w.editor.post(t, w.site, "/admin/records/"+rec+"/claims", form); res.Code != http.StatusBadRequest {
			t.Errorf("claim %v: %d, want 400", form, res.Code)
		}
	}
	if n := len(w.claims(t, rec)); n != claims {
		t.Errorf("refused claims were written: %d, want %d", n, claims)
	}
	for path, form := range map[string]url.Values{
		"/admin/sources/":   {"key": {"hotline-2022"}, "kind": {"media"}, "reliability": {"1"}}, // taken
		"/admin/incidents/": {"name": {"Dispersal"}, "date": {"1-2 July"}},
		"/admin/publish/":   {"as_of": {"2022-08"}},
	} {
		if res := w.editor.post(t, w.site, path, form); res.Code != http.StatusBadRequest {
			t.Errorf("POST %s %v: %d, want 400", path, form, res.Code)
		}
	}
	if srcs, _ := w.st.Sources(context.Background()); len(srcs) != 1 {
		t.Errorf("%d sources after a refused one, want 1", len(srcs))
	}
	if ins, _ := w.st.Incidents(context.Background()); len(ins) != 0 {
		t.Errorf("a refused incident was stored")
	}
	if sns, _ := w.st.Snapshots(context.Background()); len(sns) != 0 {
		t.Errorf("a refused publication was stored")
	}
}

func TestMarkupInEveryFieldIsEscaped(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	const evil = `<script>alert(1)</script>`
	res := w.editor.post(t, w.site, "/admin/sources/", url.Values{"key": {"k" + evil}, "kind": {"media"}, "reliability": {"0"}})
	src := strings.TrimPrefix(location(t, res), "/admin/sources/")
	w.editor.post(t, w.site, "/admin/incidents/", url.Values{"name": {"i" + evil}, "date": {"2022-07-01"}, "place": {"p" + evil}, "description": {"d" + evil}})
	incidents, _ := w.st.Incidents(context.Background())
	form := url.Values{"source": {src}, "name": {"n" + evil}, "name_alt": {"a" + evil}, "region": {"r" + evil}, "locality": {"l" + evil},
		"status": {"detained"}, "date": {"2022-07-02"}, "place": {"p" + evil}, "details": {"d" + evil}, "incident": {incidents[0].ID}, "verification": {"verified"}}
	rec := strings.TrimPrefix(location(t, w.editor.post(t, w.site, "/admin/records/", form)), "/admin/records/")
	person, _ := w.st.PersonOf(context.Background(), rec)
	w.editor.post(t, w.site, "/admin/people/"+person+"/mark", url.Values{"mark": {"withheld"}, "reason": {"why" + evil}})
	location(t, w.editor.post(t, w.site, "/admin/people/"+person+"/mark", url.Values{"mark": {"public"}, "consent_by": {"b" + evil},
		"consent_on": {"2022-08-10"}, "consent_how": {"h" + evil}}))
	location(t, w.editor.post(t, w.site, "/admin/claims/"+w.claims(t, rec)[0].ID+"/retract", url.Values{"why": {"w" + evil}}))
	for _, path := range []string{"/admin/sources/", "/admin/sources/" + src, "/admin/incidents/", "/admin/records/", "/admin/records/" + rec,
		"/admin/people/", "/admin/people/" + person, "/admin/records/new"} {
		body := w.editor.get(t, w.site, path).Body.String()
		if strings.Contains(body, evil) {
			t.Errorf("%s shows markup unescaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s does not show the escaped markup at all", path)
		}
	}
	// A refused form shows what was sent, escaped too.
	bad := w.editor.post(t, w.site, "/admin/records/", url.Values{"source": {src}, "name": {"n" + evil}, "status": {"detained"}, "date": {"bad"}})
	if bad.Code != http.StatusBadRequest || strings.Contains(bad.Body.String(), evil) {
		t.Errorf("the refused form: %d, markup unescaped: %v", bad.Code, strings.Contains(bad.Body.String(), evil))
	}
}

func TestPublicMarkNeedsConsentOrReason(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	rec := w.addRecord(t, w.editor, "Azamat Qurbanov")
	person, _ := w.st.PersonOf(ctx, rec)
	path := "/admin/people/" + person + "/mark"
	for _, tc := range []struct {
		form    url.Values
		message string
	}{
		{url.Values{"mark": {"public"}}, "only with a consent (who gave it, when and how) or a recorded reason"},
		{url.Values{"mark": {"public"}, "consent_by": {"his mother"}, "consent_how": {"by phone"}}, "A consent needs who gave it, the day and how"},
		{url.Values{"mark": {"public"}, "consent_by": {"his mother"}, "consent_on": {"10 August"}, "consent_how": {"by phone"}}, "The date must be"},
		{url.Values{"mark": {"withheld"}}, "Marking a person withheld needs a reason."},
		{url.Values{"mark": {"shown"}, "reason": {"x"}}, "Choose withheld or public."},
	} {
		res := w.editor.post(t, w.site, path, tc.form)
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), tc.message) {
			t.Errorf("%v: %d, want 400 with %q", tc.form, res.Code, tc.message)
		}
	}
	if marks, _ := w.st.PersonMarks(ctx, person); len(marks) != 0 {
		t.Fatalf("refused marks were stored: %+v", marks)
	}
	res := w.editor.post(t, w.site, path, url.Values{"mark": {"public"}, "consent_by": {"his mother, Gulnara"}, "consent_on": {"2022-08-10"}, "consent_how": {"in writing"}})
	if location(t, res) != "/admin/people/"+person {
		t.Fatalf("mark went to %s", location(t, res))
	}
	marks, _ := w.st.PersonMarks(ctx, person)
	consents, _ := w.st.Consents(ctx, person)
	if len(marks) != 1 || marks[0].Mark != registry.MarkPublic || marks[0].By != w.editor.User.ID || len(consents) != 1 || consents[0].How != "in writing" {
		t.Fatalf("marks %+v consents %+v", marks, consents)
	}
	page := w.editor.get(t, w.site, "/admin/people/"+person).Body.String()
	if strings.Contains(page, "Gulnara") || !strings.Contains(page, "/admin/consents/"+consents[0].ID+"/giver") {
		t.Error("the person page shows who consented in clear, or offers no way to open it")
	}
	if giver := w.editor.get(t, w.site, "/admin/consents/"+consents[0].ID+"/giver").Body.String(); !strings.Contains(giver, "his mother, Gulnara") {
		t.Error("the consent's giver does not open for an editor")
	}
	if res := w.editor.get(t, w.site, "/admin/relationships/"+consents[0].ID+"/contact"); res.Code != http.StatusNotFound {
		t.Errorf("a consent's giver opened as a relationship's contact: %d", res.Code)
	}
	// A reason alone is enough too.
	res = w.editor.post(t, w.site, path, url.Values{"mark": {"public"}, "reason": {"named in the court's published verdict"}})
	if res.Code != http.StatusSeeOther {
		t.Errorf("public with a reason: %d", res.Code)
	}
}

func TestLinkUnlinkAndRelate(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	a := w.addRecord(t, w.editor, "Azamat Qurbanov")
	b := w.addRecord(t, w.editor, "Azamat Kurbanov")
	pa, _ := w.st.PersonOf(ctx, a)
	pb, _ := w.st.PersonOf(ctx, b)
	if res := w.editor.post(t, w.site, "/admin/people/"+pb+"/move", url.Values{"record": {b}, "target": {pa}}); res.Code != http.StatusBadRequest {
		t.Errorf("a move without a reason: %d", res.Code)
	}
	if res := w.editor.post(t, w.site, "/admin/people/"+pa+"/move", url.Values{"record": {b}, "target": {pa}, "why": {"x"}}); res.Code != http.StatusBadRequest {
		t.Errorf("moving a record named under another person: %d", res.Code)
	}
	res := w.editor.post(t, w.site, "/admin/people/"+pb+"/move", url.Values{"record": {b}, "target": {pa}, "why": {"same birth year, same place"}})
	if location(t, res) != "/admin/people/"+pa {
		t.Fatalf("move went to %s", location(t, res))
	}
	if p, _ := w.st.PersonOf(ctx, b); p != pa {
		t.Fatalf("b is in %s, want %s", p, pa)
	}
	page := w.viewer.get(t, w.site, "/admin/people/"+pa).Body.String()
	if !strings.Contains(page, "Azamat Qurbanov") || !strings.Contains(page, "Azamat Kurbanov") || strings.Contains(page, `/move"`) {
		t.Error("the viewer's person page: records missing, or the move form offered")
	}
	res = w.editor.post(t, w.site, "/admin/people/"+pa+"/move", url.Values{"record": {b}, "why": {"different fathers"}})
	split := strings.TrimPrefix(location(t, res), "/admin/people/")
	if split == pa || split == "" {
		t.Fatalf("split went to %s", split)
	}
	res = w.editor.post(t, w.site, "/admin/people/"+pa+"/relationships", url.Values{"other": {split}, "kind": {"sibling"}, "contact": {"their aunt, +998 90 123"}})
	if location(t, res) != "/admin/people/"+pa {
		t.Fatalf("relationship went to %s", location(t, res))
	}
	rels, _ := w.st.RelationsOf(ctx, split)
	if len(rels) != 1 || rels[0].Kind != registry.Sibling {
		t.Fatalf("relations %+v", rels)
	}
	if res := w.editor.post(t, w.site, "/admin/people/"+pa+"/relationships", url.Values{"other": {"nobody"}, "kind": {"sibling"}}); res.Code != http.StatusBadRequest {
		t.Errorf("a relative who does not exist: %d", res.Code)
	}
	if page := w.editor.get(t, w.site, "/admin/people/"+split).Body.String(); strings.Contains(page, "their aunt") || !strings.Contains(page, "/admin/relationships/"+rels[0].ID+"/contact") {
		t.Error("the relative's contact is shown in clear or cannot be opened")
	}
	actions := map[string]bool{}
	es, _ := w.st.AuditEntries(ctx, 0, 1000)
	for _, e := range es {
		if e.Actor == w.editor.User.ID {
			actions[e.Action] = true
		}
	}
	for _, want := range []string{"record.move", "record.split", "relationship.add", "sealed.write"} {
		if !actions[want] {
			t.Errorf("no %s entry in the audit log", want)
		}
	}
}

func TestPublishFromTheWorkspace(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	rec := w.addRecord(t, w.editor, "Azamat Qurbanov")
	w.editor.post(t, w.site, "/admin/claims/"+w.claims(t, rec)[0].ID+"/verify", url.Values{"verification": {"verified"}})

	res := w.editor.post(t, w.site, "/admin/publish/", url.Values{"as_of": {"2022-08-03"}, "confirm": {"2022-08-03"}, "note": {"first list <b>"}})
	if location(t, res) != "/admin/publish/2022-08-03" {
		t.Fatalf("publish went to %s", location(t, res))
	}
	sns, _ := w.st.Snapshots(ctx)
	if len(sns) != 1 || sns[0].People != 1 {
		t.Fatalf("snapshots %+v", sns)
	}
	head, _ := w.st.PublicationHead(ctx, sns[0].ID)
	if now, _ := w.st.AuditHead(ctx); now != head {
		t.Errorf("the publication's head %v is not the chain's head %v", head, now)
	}
	es, _ := w.st.AuditEntries(ctx, head.Seq-1, 1)
	if len(es) != 1 || es[0].Action != "publish" || es[0].Actor != w.editor.User.ID || es[0].Object != sns[0].ID {
		t.Errorf("the publication's audit entry: %+v", es)
	}
	page := w.editor.get(t, w.site, "/admin/publish/2022-08-03").Body.String()
	if !strings.Contains(page, head.String()) || !strings.Contains(page, "SHA256:") || strings.Contains(page, "first list <b>") {
		t.Errorf("the result page lacks the audit head or the key, or shows the note unescaped")
	}
	if !strings.Contains(page, `<th scope="row">in detention now</th><td class="num">1</td>`) {
		t.Error("the result page does not show the snapshot's counts")
	}
	noMissingMessages(t, page)
	// The public site serves it.
	if res := get(t, w.site, "/data/snapshots/rollcall-snapshot-2022-08-03.json"); res.StatusCode != 200 {
		t.Errorf("the snapshot file on the public site: %d", res.StatusCode)
	}

	// Ten minutes after signing in, publishing asks for the password again
	// and publishes nothing.
	real := w.a.Now
	w.a.Now = func() time.Time { return real().Add(auth.FreshLimit + time.Minute) }
	defer func() { w.a.Now = real }()
	req := url.Values{"as_of": {"2022-08-04"}, "confirm": {"2022-08-04"}}
	res = w.editor.post(t, w.site, "/admin/publish/", req)
	if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header().Get("Location"), "/admin/reauth?") {
		t.Errorf("a stale session publishing: %d to %q", res.Code, res.Header().Get("Location"))
	}
	if res := w.editor.get(t, w.site, "/admin/publish/"); res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header().Get("Location"), "/admin/reauth?next=%2Fadmin%2Fpublish%2F") {
		t.Errorf("a stale session opening the publish page: %d to %q", res.Code, res.Header().Get("Location"))
	}
	if sns, _ := w.st.Snapshots(ctx); len(sns) != 1 {
		t.Errorf("a stale session published: %d snapshots", len(sns))
	}
}

// Values entered through the workspace's forms that must be sealed are
// nowhere in clear: not in the SQLite file or its WAL, not in any
// PostgreSQL row.
func TestSealedFormValuesNotInClear(t *testing.T) {
	canaries := map[string]string{
		"source identity":  "CanaryInformant Zhaqsylyq 8842",
		"consent giver":    "canary mother Gulnara 8842",
		"relative contact": "canary aunt Nukus street 8842",
		"claim note":       "canary private note 8842",
	}
	// Nor in any log line: TestMain searches everything the test sites
	// logged for these.
	for _, c := range canaries {
		logCanaries.add(c)
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			st, dir, dsn := storetest.OpenIn(t, d) // closed after the site's background work (workspaceSite waits for it)
			site, a := workspaceSite(t, st)
			ed := signIn(t, site, a, auth.Editor)
			src := strings.TrimPrefix(location(t, ed.post(t, site, "/admin/sources/", url.Values{"key": {"hotline"}, "kind": {"relative"}, "reliability": {"2"},
				"identity": {canaries["source identity"]}})), "/admin/sources/")
			record := func(name string) string {
				res := ed.post(t, site, "/admin/records/", url.Values{"source": {src}, "name": {name}, "status": {"missing"}, "date": {"2022-07"},
					"note": {canaries["claim note"]}})
				id := strings.TrimPrefix(location(t, res), "/admin/records/")
				p, _ := st.PersonOf(ctx, id)
				return p
			}
			pa, pb := record("Azamat Qurbanov"), record("Gulnara Qurbanova")
			location(t, ed.post(t, site, "/admin/people/"+pa+"/mark", url.Values{"mark": {"public"}, "consent_by": {canaries["consent giver"]},
				"consent_on": {"2022-08-10"}, "consent_how": {"in writing"}}))
			location(t, ed.post(t, site, "/admin/people/"+pa+"/relationships", url.Values{"other": {pb}, "kind": {"child"},
				"contact": {canaries["relative contact"]}}))
			// Each value opens again for the editor: it was stored.
			if body := ed.get(t, site, "/admin/sources/"+src+"/identity").Body.String(); !strings.Contains(body, canaries["source identity"]) {
				t.Fatal("the source identity does not open")
			}

			haystack := storetest.AtRest(t, dir, dsn)
			// The search must be able to find something: the names are
			// stored in clear, as records are.
			if !bytes.Contains(haystack, []byte("Gulnara Qurbanova")) {
				t.Fatal("the search finds not even a record's name: it is broken")
			}
			lower := bytes.ToLower(haystack)
			for what, c := range canaries {
				if bytes.Contains(lower, bytes.ToLower([]byte(c))) {
					t.Errorf("the %s entered through the web is in the database in clear", what)
				}
			}
		})
	}
}

// Every message the editing pages use is in English and Russian (the
// workspace's languages; the others fall back to English).
func TestEditingMessagesInEnglishAndRussian(t *testing.T) {
	files, _ := filepath.Glob("templates/admin_edit_*.html")
	code, _ := filepath.Glob("admin*.go")
	for _, f := range code {
		if !strings.HasSuffix(f, "_test.go") {
			files = append(files, f)
		}
	}
	used := map[string]bool{}
	keyRE := regexp.MustCompile(`"(admin\.edit\.[a-z_.]*[a-z_])"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	// Keys made at run time from a value.
	for _, family := range [][]string{
		{"admin.edit.done.", "source", "identity", "record", "claim", "retracted", "verified", "taken", "incident", "moved", "marked", "relation", "relation_retracted", "source_set", "merged", "marked_merged"},
		{"admin.edit.level.", "unverified", "corroborated", "verified"},
		{"admin.edit.mark.", "withheld", "public"},
		{"admin.edit.rel.", "parent", "child", "sibling", "spouse", "colleague"},
		{"admin.edit.reliability.", "0", "1", "2", "3", "4", "5"},
	} {
		for _, v := range family[1:] {
			used[family[0]+v] = true
		}
	}
	if len(used) < 150 {
		t.Fatalf("found only %d message ids: the search is broken", len(used))
	}
	for _, lang := range []string{"en", "ru"} {
		b, err := os.ReadFile(filepath.Join("i18n", lang, "admin_edit.json"))
		if err != nil {
			t.Fatal(err)
		}
		for key := range used {
			if !strings.Contains(string(b), `"`+key+`":`) {
				t.Errorf("%s: no message %q", lang, key)
			}
		}
	}
}
