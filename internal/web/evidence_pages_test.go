package web_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// evidenceForm builds the upload form's body as a browser sends it:
// the form token first, then the fields, then the file.
func evidenceForm(t *testing.T, csrf string, fields map[string]string, filename string, file []byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	return mw.FormDataContentType(), &b
}

func postEvidence(t *testing.T, site http.Handler, sess session, fields map[string]string, filename string, file []byte) *httptest.ResponseRecorder {
	t.Helper()
	ct, body := evidenceForm(t, sess.CSRF, fields, filename, file)
	req := httptest.NewRequest(http.MethodPost, "/admin/evidence/", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(sess.Cookie)
	w := httptest.NewRecorder()
	site.ServeHTTP(w, req)
	return w
}

// publicRegistry is a store holding siteCSV with its public list built,
// and the id of one listed person.
func publicRegistry(t *testing.T) (*store.Store, string) {
	t.Helper()
	st := storetest.Open(t, store.SQLite)
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(siteCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(context.Background(), st, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	storetest.GiveAllBases(t, st)
	if _, err := st.RefreshPublic(context.Background()); err != nil {
		t.Fatal(err)
	}
	site, err := web.New(st, suiteLogger())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"id":\s*"([0-9a-f-]{36})"`).FindStringSubmatch(body(t, get(t, site, "/api/v1/people")))
	if m == nil {
		t.Fatal("no public person")
	}
	return st, m[1]
}

// TestEvidenceFormAndPages: the plain form keeps a file (hashes on the
// page, the same file twice recognised), refuses what is too large with
// 413 before a byte is kept, refuses links from volunteers; the item's
// page shows its hashes and custody chain; the person's and incident's
// workspace pages show their items; linking adds a custody entry.
func TestEvidenceFormAndPages(t *testing.T) {
	st, person := publicRegistry(t)
	ctx := context.Background()
	site, a := workspaceSite(t, st)
	dir := t.TempDir()
	blobs, _ := evidence.NewDir(dir)
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs, FormLimit: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	ed := signIn(t, site, a, auth.Editor)
	vol := signIn(t, site, a, auth.Volunteer)
	photo := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}, 20000)
	sum := sha256.Sum256(photo)
	sum5 := md5.Sum(photo)
	w := postEvidence(t, site, ed, map[string]string{"person": person}, "square.jpg", photo)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), hex.EncodeToString(sum[:])) {
		t.Fatalf("form upload: %d\n%.2000s", w.Code, w.Body.String())
	}
	items, _ := st.EvidenceItems(ctx, &store.EvidenceLink{Kind: "person", TargetID: person})
	if len(items) != 1 || items[0].ReceivedBy != "user:"+ed.User.ID {
		t.Fatalf("items linked to the person: %+v", items)
	}
	id := items[0].ID
	// The same file again, from a volunteer: the same item.
	if w := postEvidence(t, site, vol, nil, "again.jpg", photo); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), id) {
		t.Errorf("same file again: %d", w.Code)
	}
	if all, _ := st.EvidenceItems(ctx, nil); len(all) != 1 {
		t.Errorf("%d items after the same file twice", len(all))
	}
	// A volunteer may not link; nothing is kept.
	if w := postEvidence(t, site, vol, map[string]string{"person": person}, "x.bin", []byte("other bytes")); w.Code != http.StatusBadRequest {
		t.Errorf("volunteer linking: %d", w.Code)
	}
	// No form token: 403.
	if w := postEvidence(t, site, session{User: ed.User, Cookie: ed.Cookie, CSRF: "forged"}, nil, "x.bin", []byte("forged")); w.Code != http.StatusForbidden {
		t.Errorf("forged token: %d", w.Code)
	}
	// Over the limit: 413, and nothing written (no temporary file, no item).
	big := make([]byte, 2<<20)
	if w := postEvidence(t, site, ed, nil, "big.bin", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit: %d", w.Code)
	}
	if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) != 0 {
		t.Errorf("temporary files after a refused upload: %v", tmp)
	}
	if all, _ := st.EvidenceItems(ctx, nil); len(all) != 1 {
		t.Errorf("%d items after refusals", len(all))
	}
	// The item's page.
	page := ed.get(t, site, "/admin/evidence/"+id).Body.String()
	for _, want := range []string{hex.EncodeToString(sum[:]), hex.EncodeToString(sum5[:]), "evidence.received", "evidence.linked", "/admin/people/" + person} {
		if !strings.Contains(page, want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	// Link to an incident; the incidents page lists the item.
	date, _ := registry.ParsePeriod("2022-07-01")
	inc, err := st.AddIncident(ctx, ed.User.ID, registry.Incident{Name: "Square", Date: date})
	if err != nil {
		t.Fatal(err)
	}
	if w := ed.post(t, site, "/admin/evidence/"+id+"/links", url.Values{"kind": {"incident"}, "target": {inc}}); w.Code != http.StatusSeeOther {
		t.Fatalf("link: %d %s", w.Code, w.Body.String())
	}
	if w := ed.post(t, site, "/admin/evidence/"+id+"/links", url.Values{"kind": {"incident"}, "target": {"nobody"}}); w.Code != http.StatusBadRequest {
		t.Errorf("link to nothing: %d", w.Code)
	}
	if !strings.Contains(ed.get(t, site, "/admin/incidents/").Body.String(), "/admin/evidence/"+id) {
		t.Error("the incidents page does not show the item")
	}
	if !strings.Contains(ed.get(t, site, "/admin/people/"+person).Body.String(), "/admin/evidence/"+id) {
		t.Error("the person's page does not show the item")
	}
	custody, _ := st.EvidenceCustody(ctx, id)
	if last := custody[len(custody)-1]; last.Action != store.CustodyLinked || last.Detail != "incident:"+inc {
		t.Errorf("last custody entry %+v", last)
	}
	// The sealed metadata: editors, an audited read.
	if w := ed.get(t, site, "/admin/evidence/"+id+"/metadata"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "square.jpg") {
		t.Errorf("metadata page: %d", w.Code)
	}
	if w := vol.get(t, site, "/admin/evidence/"+id+"/metadata"); w.Code != http.StatusForbidden {
		t.Errorf("metadata as a volunteer: %d", w.Code)
	}
}

// TestPublicCopyOnThePersonPage: a published public copy shows on the
// public person page as a thumbnail linking to the full image; not once
// the person is withheld (and its URL then answers 404).
func TestPublicCopyOnThePersonPage(t *testing.T) {
	st, person := publicRegistry(t)
	ctx := context.Background()
	site, _ := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs}); err != nil {
		t.Fatal(err)
	}
	// The page is rendered (and kept rendered) before the copy exists.
	if page := body(t, get(t, site, "/en/people/"+person)); strings.Contains(page, "/media/") {
		t.Fatal("a copy before any was made")
	}
	it, _, err := st.IntakeEvidence(ctx, blobs, strings.NewReader("original bytes"), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli",
		Links: []store.EvidenceLink{{Kind: "person", TargetID: person}}, Want: -1})
	if err != nil {
		t.Fatal(err)
	}
	png := []byte("\x89PNG\r\n\x1a\n public copy bytes")
	d, err := st.AddEvidenceDerivative(ctx, blobs, store.ActorCLI, it.ID, bytes.NewReader(png), "image/png", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PublishEvidenceDerivative(ctx, store.ActorCLI, d.ID, "shows the square"); err != nil {
		t.Fatal(err)
	}
	// Publishing makes the public list stale, so serve's minute tick
	// rebuilds it and the kept pages are dropped.
	if stale, err := st.PublicStale(ctx); err != nil || !stale {
		t.Fatalf("public list not stale after a copy was published: %v", err)
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the kept pages' stamp is read every 250 ms
	page := body(t, get(t, site, "/en/people/"+person))
	if !strings.Contains(page, `<a href="/media/`+d.ID+`"><img src="/media/`+d.ID+`"`) {
		t.Fatalf("no thumbnail on the person page:\n%s", page)
	}
	res := get(t, site, "/media/"+d.ID)
	if got, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusOK || !bytes.Equal(got, png) || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("full image: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if err := st.MarkWithConsent(ctx, "test", person, registry.MarkWithheld, "danger", registry.Consent{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	site2, _ := workspaceSite(t, st) // a fresh page cache
	site2.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs})
	if page := body(t, get(t, site2, "/en/people/"+person)); strings.Contains(page, "/media/") {
		t.Error("a withheld person's page shows the copy")
	}
	if res := get(t, site2, "/media/"+d.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("the copy of a withheld person: %d", res.StatusCode)
	}
}

// TestEvidenceFormStreams sends a 64 MiB file through the form from a
// pipe (the body is never whole anywhere): the server allocates a small
// fraction of it, so it never held the file in memory.
func TestEvidenceFormStreams(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	site, a := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs}); err != nil {
		t.Fatal(err)
	}
	vol := signIn(t, site, a, auth.Volunteer)
	const size = 64 << 20
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", vol.CSRF)
		fw, _ := mw.CreateFormFile("file", "long.mp4")
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
		for n := 0; n < size; n += len(chunk) {
			fw.Write(chunk)
		}
		mw.Close()
		pw.Close()
	}()
	req := httptest.NewRequest(http.MethodPost, "/admin/evidence/", pr)
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(vol.Cookie)
	w := httptest.NewRecorder()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	site.ServeHTTP(w, req)
	runtime.ReadMemStats(&after)
	if w.Code != http.StatusOK {
		t.Fatalf("form: %d %.300s", w.Code, w.Body.String())
	}
	items, _ := st.EvidenceItems(ctx, nil)
	if len(items) != 1 || items[0].Size != size {
		t.Fatalf("kept %+v", items)
	}
	t.Logf("allocated %d KiB for a %d MiB file", (after.TotalAlloc-before.TotalAlloc)>>10, size>>20)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("the server allocated %d MiB for a %d MiB file", alloc>>20, size>>20)
	}
}
