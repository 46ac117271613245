package web_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Viewers read every record and its claims, and are offered no form that
// changes anything; volunteers still see only their own.
func TestViewersReadRecordsReadOnly(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	own := w.addRecord(t, w.volA, "Azamat Qurbanov")
	edited := w.addRecord(t, w.editor, "Bakhtiyar Seitov")
	claim := w.claims(t, own)[0].ID
	forms := []string{`action="/admin/records/` + own + `/claims"`, `action="/admin/claims/` + claim + `/retract"`,
		`action="/admin/claims/` + claim + `/verify"`, `action="/admin/records/` + own + `/take"`}

	// The editor's page has every form: the strings looked for are right.
	page := w.editor.get(t, w.site, "/admin/records/"+own).Body.String()
	for _, f := range forms {
		if !strings.Contains(page, f) {
			t.Fatalf("the editor's record page lacks %s", f)
		}
	}
	res := w.viewer.get(t, w.site, "/admin/records/"+own)
	page = res.Body.String()
	if res.Code != http.StatusOK || !strings.Contains(page, "Azamat Qurbanov") || !strings.Contains(page, "Nukus jail") {
		t.Fatalf("the viewer's record page: %d, name or claim missing", res.Code)
	}
	noMissingMessages(t, page)
	for _, f := range forms {
		if strings.Contains(page, f) {
			t.Errorf("a viewer is offered %s", f)
		}
	}
	list := w.viewer.get(t, w.site, "/admin/records/").Body.String()
	for _, id := range []string{own, edited} {
		if !strings.Contains(list, `href="/admin/records/`+id+`"`) {
			t.Errorf("the viewer's record list lacks a link to %s", id)
		}
	}
	if strings.Contains(list, `href="/admin/records/new"`) {
		t.Error("a viewer is offered the new record form")
	}
	person, _ := w.st.PersonOf(context.Background(), own)
	if p := w.viewer.get(t, w.site, "/admin/people/"+person).Body.String(); !strings.Contains(p, `href="/admin/records/`+own+`"`) {
		t.Error("the viewer's person page does not link the record")
	}

	// Their changes are refused, and change nothing.
	claimForm := url.Values{"status": {"released"}, "date": {"2022-09-01"}}
	for path, form := range map[string]url.Values{
		"/admin/records/" + own + "/claims":   claimForm,
		"/admin/claims/" + claim + "/retract": {"why": {"wrong person"}},
		"/admin/claims/" + claim + "/verify":  {"verification": {"verified"}},
		"/admin/records/":                     w.recordForm("Someone Else"),
	} {
		if res := w.viewer.post(t, w.site, path, form); res.Code != http.StatusForbidden {
			t.Errorf("POST %s as a viewer: %d, want 403", path, res.Code)
		}
	}
	if claims := w.claims(t, own); len(claims) != 1 || !claims[0].RetractedAt.IsZero() || claims[0].Verification != registry.Unverified {
		t.Errorf("a viewer's refused posts changed the claims: %+v", claims)
	}
	if n := w.recordCount(t); n != 2 {
		t.Errorf("%d records after a viewer's refused post, want 2", n)
	}

	// Volunteers: unchanged.
	if res := w.volB.get(t, w.site, "/admin/records/"+own); res.Code != http.StatusNotFound {
		t.Errorf("another volunteer's record: %d, want 404", res.Code)
	}
	if res := w.volA.get(t, w.site, "/admin/records/"+edited); res.Code != http.StatusNotFound {
		t.Errorf("a volunteer opening an editor's record: %d, want 404", res.Code)
	}
	if list := w.volB.get(t, w.site, "/admin/records/").Body.String(); strings.Contains(list, "Azamat Qurbanov") || strings.Contains(list, "Bakhtiyar Seitov") {
		t.Error("a volunteer's list shows others' records")
	}
	if page := w.volA.get(t, w.site, "/admin/records/"+own).Body.String(); !strings.Contains(page, forms[0]) || !strings.Contains(page, forms[1]) {
		t.Error("a volunteer lost the forms on their own record")
	}
}

// publicRelativeCount waits for the background rebuild until the public
// page of person shows want relatives.
func publicRelativeCount(t *testing.T, st *store.Store, person string, want int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p, err := st.PublicPerson(context.Background(), person)
		if err == nil && len(p.Relatives) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("public person %s: %d relatives, want %d (%v)", person, len(p.Relatives), want, err)
		}
	}
}

func TestRetractRelationshipOnThePersonPage(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	corroborated := func(name string) string {
		form := w.recordForm(name)
		form.Set("verification", "corroborated")
		rec := strings.TrimPrefix(location(t, w.editor.post(t, w.site, "/admin/records/", form)), "/admin/records/")
		person, _ := w.st.PersonOf(ctx, rec)
		return person
	}
	pa, pb := corroborated("Azamat Qurbanov"), corroborated("Aziz Qurbanov")
	// Corroboration alone publishes nobody: an editor decides, with a reason.
	for _, p := range []string{pa, pb} {
		location(t, w.editor.post(t, w.site, "/admin/people/"+p+"/mark", url.Values{"mark": {"public"}, "reason": {"named in the court's verdict"}}))
	}
	location(t, w.editor.post(t, w.site, "/admin/people/"+pa+"/relationships", url.Values{"other": {pb}, "kind": {"sibling"}}))
	rels, _ := w.st.RelationsOf(ctx, pa)
	if len(rels) != 1 {
		t.Fatalf("relations %+v", rels)
	}
	rel := rels[0].ID
	publicRelativeCount(t, w.st, pa, 1)
	retract := `action="/admin/relationships/` + rel + `/retract"`
	if page := w.editor.get(t, w.site, "/admin/people/"+pb).Body.String(); !strings.Contains(page, retract) {
		t.Fatal("the editor is not offered to retract the relationship")
	}
	if page := w.viewer.get(t, w.site, "/admin/people/"+pb).Body.String(); strings.Contains(page, retract) {
		t.Error("a viewer is offered to retract the relationship")
	}
	path := "/admin/relationships/" + rel + "/retract"
	for _, sess := range []*session{&w.viewer, &w.volA, &w.treasur} {
		if res := sess.post(t, w.site, path, url.Values{"why": {"cousins"}, "person": {pb}}); res.Code != http.StatusForbidden {
			t.Errorf("retracting as %s: %d, want 403", sess.User.Role, res.Code)
		}
	}
	res := w.editor.post(t, w.site, path, url.Values{"why": {"  "}, "person": {pb}})
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Give a reason.") {
		t.Errorf("a retraction without a reason: %d", res.Code)
	}
	if rels, _ := w.st.RelationsOf(ctx, pa); !rels[0].RetractedAt.IsZero() {
		t.Fatal("refused retractions retracted the relationship")
	}

	res = w.editor.post(t, w.site, path, url.Values{"why": {"cousins, not brothers <b>"}, "person": {pb}})
	if location(t, res) != "/admin/people/"+pb {
		t.Errorf("the retraction went to %s, want back to the person it was sent from", location(t, res))
	}
	rels, _ = w.st.RelationsOf(ctx, pa)
	if len(rels) != 1 || rels[0].RetractedAt.IsZero() || rels[0].RetractReason != "cousins, not brothers <b>" {
		t.Fatalf("after the retraction: %+v", rels)
	}
	es, _ := w.st.AuditEntries(ctx, 0, 1000)
	if last := es[len(es)-1]; last.Actor != w.editor.User.ID || last.Action != "relationship.retract" || last.Object != rel {
		t.Errorf("audit entry of the retraction: %+v", last)
	}
	page := w.editor.get(t, w.site, "/admin/people/"+pb+"?done=relation_retracted").Body.String()
	noMissingMessages(t, page)
	for _, want := range []string{"The relationship was retracted.", "retracted", html.EscapeString("cousins, not brothers <b>")} {
		if !strings.Contains(page, want) {
			t.Errorf("the person page after the retraction lacks %q", want)
		}
	}
	if strings.Contains(page, retract) {
		t.Error("a retracted relationship is offered for retraction again")
	}
	if res := w.editor.post(t, w.site, path, url.Values{"why": {"again"}, "person": {pb}}); res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "retracted already") {
		t.Errorf("retracting twice: %d", res.Code)
	}
	if res := w.editor.post(t, w.site, "/admin/relationships/no-such-relationship/retract", url.Values{"why": {"x"}}); res.Code != http.StatusNotFound {
		t.Errorf("retracting an unknown relationship: %d, want 404", res.Code)
	}
	publicRelativeCount(t, w.st, pa, 0)
	publicRelativeCount(t, w.st, pb, 0)
}

func TestSourceKindAndReliabilityChanged(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	page := w.editor.get(t, w.site, "/admin/sources/"+w.source).Body.String()
	for _, want := range []string{`action="/admin/sources/` + w.source + `/kind"`, `<option value="relative" selected>`, `<option value="3" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the source page lacks %s", want)
		}
	}
	path := "/admin/sources/" + w.source + "/kind"
	// post adds its session's form token to the form: a new one each time.
	change := func() url.Values { return url.Values{"kind": {"media"}, "reliability": {"5"}} }
	for _, sess := range []*session{&w.viewer, &w.volA, &w.treasur} {
		if res := sess.post(t, w.site, path, change()); res.Code != http.StatusForbidden {
			t.Errorf("changing the source as %s: %d, want 403", sess.User.Role, res.Code)
		}
	}
	before, _ := w.st.AuditEntries(ctx, 0, 1000)
	for _, bad := range []struct {
		form url.Values
		says []string
	}{
		{url.Values{"kind": {"gossip"}, "reliability": {"9"}}, []string{"Choose a kind from the list.", "Reliability is a number from 0 (unknown) to 5."}},
		{url.Values{"kind": {"relative"}, "reliability": {"3"}}, []string{"already"}},
	} {
		res := w.editor.post(t, w.site, path, bad.form)
		if res.Code != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad.form, res.Code)
		}
		for _, s := range bad.says {
			if !strings.Contains(res.Body.String(), s) {
				t.Errorf("%v: the page does not say %q", bad.form, s)
			}
		}
	}
	if src, _ := w.st.Source(ctx, w.source); src.Kind != registry.KindRelative || src.Reliability != 3 {
		t.Errorf("refused changes changed the source: %+v", src)
	}
	if after, _ := w.st.AuditEntries(ctx, 0, 1000); len(after) != len(before) {
		t.Errorf("refused changes wrote %d audit entries", len(after)-len(before))
	}

	if got := location(t, w.editor.post(t, w.site, path, change())); got != "/admin/sources/"+w.source {
		t.Errorf("the change went to %s", got)
	}
	if src, _ := w.st.Source(ctx, w.source); src.Kind != registry.KindMedia || src.Reliability != 5 {
		t.Errorf("source after the change: %+v", src)
	}
	es, _ := w.st.AuditEntries(ctx, 0, 1000)
	if last := es[len(es)-1]; last.Actor != w.editor.User.ID || last.Action != "source.set" || last.Object != w.source || last.Detail != "kind=media reliability=5 from kind=relative reliability=3" {
		t.Errorf("audit entry of the change: %+v", last)
	}
	page = w.editor.get(t, w.site, "/admin/sources/"+w.source+"?done=source_set").Body.String()
	noMissingMessages(t, page)
	for _, want := range []string{"kind and reliability were changed", `<option value="media" selected>`, `<option value="5" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the source page after the change lacks %s", want)
		}
	}
	if res := w.editor.post(t, w.site, "/admin/sources/no-such-source/kind", change()); res.Code != http.StatusNotFound {
		t.Errorf("an unknown source: %d, want 404", res.Code)
	}
	if _, err := w.st.Source(ctx, "no-such-source"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown source was made: %v", err)
	}
}
