package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// An editor records a source's public basis on its page: refused without a
// statement, refused for nobody else, audited, shown on the page; a
// volunteer cannot.
func TestSourcePageRecordsThePublicBasis(t *testing.T) {
	w := newEditWorld(t, storetest.Open(t, store.SQLite))
	page := "/admin/sources/" + w.source
	if body := w.editor.get(t, w.site, page).Body.String(); !strings.Contains(body, `action="`+page+`/basis"`) || !strings.Contains(body, "only when an editor marks them public") {
		t.Fatalf("the source page offers no public basis form or does not say there is none")
	}
	if res := w.editor.post(t, w.site, page+"/basis", url.Values{"basis": {"   "}}); res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Say where this source published these names") {
		t.Errorf("a basis without a statement: %d", res.Code)
	}
	if b, _ := w.st.SourceBasisOf(context.Background(), w.source); b.Text != "" {
		t.Fatalf("a refused basis was stored: %+v", b)
	}
	if res := w.volA.post(t, w.site, page+"/basis", url.Values{"basis": {"their own channel"}}); res.Code == http.StatusSeeOther {
		t.Error("a volunteer recorded a public basis")
	}
	location(t, w.editor.post(t, w.site, page+"/basis", url.Values{"basis": {"read out on the hotline's public channel"}}))
	if body := w.editor.get(t, w.site, page).Body.String(); !strings.Contains(body, "read out on the hotline&#39;s public channel") {
		t.Error("the page does not show the basis")
	}
	entries, err := w.st.AuditEntries(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || (e.Action == "source.basis" && e.Object == w.source && e.Actor == w.editor.User.ID)
	}
	if !found {
		t.Error("no audit entry source.basis by the editor")
	}
	location(t, w.editor.post(t, w.site, page+"/basis", url.Values{"withdraw": {"1"}}))
	if b, _ := w.st.SourceBasisOf(context.Background(), w.source); b.Text != "" {
		t.Errorf("withdrawn basis still in force: %+v", b)
	}
}
