package web_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

// TestPublicCopyRefusalsInWords: the item page's copy forms refuse in
// words, and keep or publish nothing: an area wholly outside the picture,
// a file of a type no copy is made of, publishing without a reason (in
// English and Russian), a copy of a person withheld since; a copy asked
// for under another item's path is 404.
func TestPublicCopyRefusalsInWords(t *testing.T) {
	st, person := publicRegistry(t)
	ctx := context.Background()
	site, a := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs}); err != nil {
		t.Fatal(err)
	}
	var pic bytes.Buffer
	jpeg.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil)
	keep := func(data []byte) store.EvidenceItem {
		it, _, err := st.IntakeEvidence(ctx, blobs, bytes.NewReader(data), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli",
			Links: []store.EvidenceLink{{Kind: "person", TargetID: person}}, Want: -1})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	photo, text := keep(pic.Bytes()), keep([]byte("a statement, as plain text"))
	ed := signIn(t, site, a, auth.Editor)
	area := func(x, y, w, h string) url.Values {
		return url.Values{"area-x-0": {x}, "area-y-0": {y}, "area-w-0": {w}, "area-h-0": {h}, "how": {"pixelate"}}
	}
	refused := func(w *httptest.ResponseRecorder, code int, words string) {
		t.Helper()
		if w.Code != code || !strings.Contains(w.Body.String(), words) {
			t.Errorf("want %d with %q, got %d:\n%.2000s", code, words, w.Code, w.Body.String())
		}
	}
	refused(ed.post(t, site, "/admin/evidence/"+photo.ID+"/copies", area("500", "500", "10", "10")), http.StatusUnprocessableEntity, "an area lies wholly outside the picture")
	refused(ed.post(t, site, "/admin/evidence/"+photo.ID+"/copies", area("1", "2", "0", "4")), http.StatusBadRequest, "width and height above 0")
	refused(ed.post(t, site, "/admin/evidence/"+text.ID+"/copies", nil), http.StatusUnprocessableEntity, "No public copy can be made of this type of file")
	if ds, _ := st.EvidenceDerivatives(ctx, photo.ID); len(ds) != 0 {
		t.Fatalf("copies kept after refusals: %+v", ds)
	}
	if w := ed.post(t, site, "/admin/evidence/"+photo.ID+"/copies", area("8", "8", "16", "16")); w.Code != http.StatusSeeOther {
		t.Fatalf("making a copy: %d %.1000s", w.Code, w.Body.String())
	}
	ds, _ := st.EvidenceDerivatives(ctx, photo.ID)
	if len(ds) != 1 || ds[0].Redactions != "8,8,16,16" {
		t.Fatalf("copies: %+v", ds)
	}
	publish := "/admin/evidence/" + photo.ID + "/copies/" + ds[0].ID + "/publish"
	refused(ed.post(t, site, publish, url.Values{"reason": {"  "}}), http.StatusBadRequest, "Write why this copy may be public")
	refused(ed.postIn(t, site, "ru", publish, url.Values{"reason": {""}}), http.StatusBadRequest, "Напишите, почему эту копию можно опубликовать")
	if w := ed.post(t, site, "/admin/evidence/"+text.ID+"/copies/"+ds[0].ID+"/publish", url.Values{"reason": {"r"}}); w.Code != http.StatusNotFound {
		t.Errorf("a copy under another item's path: %d", w.Code)
	}
	if err := st.MarkWithConsent(ctx, "test", person, registry.MarkWithheld, "danger", registry.Consent{}); err != nil {
		t.Fatal(err)
	}
	refused(ed.post(t, site, publish, url.Values{"reason": {"shows the square"}}), http.StatusConflict, "a person who is withheld or not on the public list")
	if d, _ := st.EvidenceDerivative(ctx, ds[0].ID); d.Published() {
		t.Error("the copy of a withheld person was published")
	}
}
