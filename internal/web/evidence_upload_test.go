package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// uploadSite is a workspace with evidence enabled, served over real HTTP
// (a disconnect is a closed TCP connection), and its evidence directory.
func uploadSite(t *testing.T, st *store.Store, cfg web.EvidenceConfig) (*httptest.Server, *web.Server, *auth.Service, string) {
	t.Helper()
	site, a := workspaceSite(t, st)
	dir := t.TempDir()
	blobs, err := evidence.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Blobs = blobs
	if err := site.EnableEvidence(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return srv, site, a, dir
}

// tusClient speaks tus 1.0 with net/http as a signed-in account.
type tusClient struct {
	t    *testing.T
	base string
	sess session
	csrf string // "" sends no X-CSRF-Token
}

func (c *tusClient) do(method, path string, header map[string]string, body []byte) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	if c.sess.Cookie != nil {
		req.AddCookie(c.sess.Cookie)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// create POSTs a new upload of size bytes and returns its path.
func (c *tusClient) create(size int64, meta map[string]string) (*http.Response, string) {
	c.t.Helper()
	var parts []string
	for k, v := range meta {
		parts = append(parts, k+" "+base64.StdEncoding.EncodeToString([]byte(v)))
	}
	res := c.do(http.MethodPost, "/admin/uploads/", map[string]string{"Upload-Length": strconv.FormatInt(size, 10), "Upload-Metadata": strings.Join(parts, ",")}, nil)
	loc := res.Header.Get("Location")
	if i := strings.Index(loc, "/admin/uploads/"); i >= 0 {
		loc = loc[i:]
	}
	return res, loc
}

func (c *tusClient) offset(path string) int64 {
	c.t.Helper()
	res := c.do(http.MethodHead, path, nil, nil)
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("HEAD %s: %d", path, res.StatusCode)
	}
	n, err := strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		c.t.Fatalf("Upload-Offset %q", res.Header.Get("Upload-Offset"))
	}
	return n
}

func (c *tusClient) patch(path string, offset int64, chunk []byte) *http.Response {
	c.t.Helper()
	return c.do(http.MethodPatch, path, map[string]string{"Upload-Offset": strconv.FormatInt(offset, 10), "Content-Type": "application/offset+octet-stream"}, chunk)
}

// patchCut sends a PATCH announcing all of rest but sends only the first
// sent bytes, then drops the connection: a network that went away.
func (c *tusClient) patchCut(path string, offset int64, rest []byte, sent int) {
	c.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.base, "http://"))
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: %s\r\nTus-Resumable: 1.0.0\r\nCookie: %s=%s\r\nX-CSRF-Token: %s\r\nUpload-Offset: %d\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n",
		path, strings.TrimPrefix(c.base, "http://"), c.sess.Cookie.Name, c.sess.Cookie.Value, c.csrf, offset, len(rest))
	if _, err := conn.Write(rest[:sent]); err != nil {
		c.t.Fatal(err)
	}
	conn.Close()
}

// waitOffset waits until the server has kept want bytes of the upload
// at path, reading its state without tus (a HEAD would interrupt the
// PATCH still draining the cut connection, as tus wants of a client that
// resumes), then checks HEAD agrees.
func (c *tusClient) waitOffset(st *store.Store, dir, path string, want int64) {
	c.t.Helper()
	blobs, _ := evidence.NewDir(dir)
	key, err := st.EvidenceKey(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	uploads := evidence.NewUploads(blobs, key)
	id := strings.TrimPrefix(path, "/admin/uploads/")
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := uploads.Info(id)
		if err == nil && info.Offset == want {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("offset %d after the cut, want %d (%v)", info.Offset, want, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := c.offset(path); got != want {
		c.t.Fatalf("HEAD: offset %d, want %d", got, want)
	}
}

// filesHolding lists files under dir whose bytes contain marker.
func filesHolding(t *testing.T, dir string, marker []byte) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, marker) {
				out = append(out, path)
			}
		}
		return nil
	})
	return out
}

// uploadPayload is size bytes of noise with a plaintext marker every 64
// KiB, so any plaintext on disk is found.
func uploadPayload(size int, marker string) []byte {
	b := make([]byte, size)
	r := rand.NewChaCha8([32]byte{7})
	r.Read(b)
	for i := 0; i+len(marker) < size; i += 64 << 10 {
		copy(b[i:], marker)
	}
	return b
}

// TestTusUploadResumesAfterADisconnect sends a file over tus 1.0 with
// plain net/http: POST, a PATCH cut off midway, HEAD for the offset, and
// PATCHes from there; the item's original decrypts to the bytes sent,
// nothing plaintext was on disk while the upload was in flight, and the
// upload's objects are gone once it is an item.
func TestTusUploadResumesAfterADisconnect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv, site, a, dir := uploadSite(t, st, web.EvidenceConfig{})
		vol := signIn(t, site, a, auth.Volunteer)
		c := &tusClient{t: t, base: srv.URL, sess: vol, csrf: vol.CSRF}
		const marker = "PLAINTEXT-MARKER-Nukus-2022"
		payload := uploadPayload(3<<20+12345, marker)
		res, path := c.create(int64(len(payload)), map[string]string{"filename": "march on the square.mp4", "filetype": "image/jpeg"})
		if res.StatusCode != http.StatusCreated || path == "" {
			t.Fatalf("POST: %d %q", res.StatusCode, path)
		}
		if got := c.offset(path); got != 0 {
			t.Fatalf("offset of a new upload: %d", got)
		}
		// The network drops after 1 MiB and a bit of a PATCH that
		// announced everything.
		cut := 1<<20 + 777
		c.patchCut(path, 0, payload, cut)
		c.waitOffset(st, dir, path, int64(cut))
		if found := filesHolding(t, dir, []byte(marker)); len(found) > 0 {
			t.Fatalf("plaintext of the upload in flight on disk: %v", found)
		}
		if found := filesHolding(t, dir, []byte("march on the square")); len(found) > 0 {
			t.Fatalf("the upload's file name in plaintext on disk: %v", found)
		}
		// A second cut, then the rest in two PATCHes.
		off := c.offset(path)
		c.patchCut(path, off, payload[off:], 5000)
		c.waitOffset(st, dir, path, off+5000)
		off = c.offset(path)
		mid := off + (int64(len(payload))-off)/2
		if res := c.patch(path, off, payload[off:mid]); res.StatusCode != http.StatusNoContent || res.Header.Get("Rollcall-Evidence-Id") != "" {
			t.Fatalf("middle PATCH: %d, item %q", res.StatusCode, res.Header.Get("Rollcall-Evidence-Id"))
		}
		// A PATCH at a wrong offset is refused (409) and changes nothing.
		if res := c.patch(path, off, payload[off:mid]); res.StatusCode != http.StatusConflict {
			t.Fatalf("PATCH at a stale offset: %d", res.StatusCode)
		}
		res = c.patch(path, mid, payload[mid:])
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("last PATCH: %d", res.StatusCode)
		}
		id, sum := res.Header.Get("Rollcall-Evidence-Id"), res.Header.Get("Rollcall-Evidence-Sha256")
		want := sha256.Sum256(payload)
		if sum != hex.EncodeToString(want[:]) {
			t.Fatalf("item %s sha256 %s, sent %x", id, sum, want)
		}
		blobs, _ := evidence.NewDir(dir)
		it, r, err := st.OpenEvidence(context.Background(), blobs, store.ActorCLI, id, "test")
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != hex.EncodeToString(want[:]) || it.Size != int64(len(payload)) {
			t.Fatalf("decrypted original: sha256 %s size %d, sent %x %d", got, it.Size, want, len(payload))
		}
		// Stored as what its bytes are (noise), not the declared JPEG.
		if it.MediaType == "image/jpeg" || it.ReceivedBy != "user:"+vol.User.ID {
			t.Errorf("item type %q received by %q", it.MediaType, it.ReceivedBy)
		}
		custody, err := st.EvidenceCustody(context.Background(), id)
		if err != nil || len(custody) == 0 || custody[0].Action != store.CustodyReceived || custody[0].Actor != vol.User.ID {
			t.Fatalf("custody %+v %v", custody, err)
		}
		if names, _ := blobs.Names("upload-"); len(names) != 0 {
			t.Errorf("upload objects left after the intake: %v", names)
		}
		if res := c.do(http.MethodHead, path, nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("HEAD of a finished upload: %d", res.StatusCode)
		}
		// The same bytes again: recognised by hash, the same item.
		_, again := c.create(int64(len(payload)), nil)
		if res := c.patch(again, 0, payload); res.StatusCode != http.StatusNoContent || res.Header.Get("Rollcall-Evidence-Id") != id || res.Header.Get("Rollcall-Evidence-Duplicate") != "1" {
			t.Errorf("same file again: %d item %q", res.StatusCode, res.Header.Get("Rollcall-Evidence-Id"))
		}
		if items, _ := st.EvidenceItems(context.Background(), nil); len(items) != 1 {
			t.Errorf("%d items after the same file twice", len(items))
		}
	})
}

// TestTusUploadRefusals: no session, no form token, another account's
// upload, over the limit (413 before a byte is kept); a truncated upload
// never becomes an item and, abandoned, expires with its objects.
func TestTusUploadRefusals(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, site, a, dir := uploadSite(t, st, web.EvidenceConfig{UploadLimit: 1 << 20, UploadIdle: time.Millisecond})
	vol := signIn(t, site, a, auth.Volunteer)
	ed := signIn(t, site, a, auth.Editor)
	viewer := signIn(t, site, a, auth.Viewer)
	c := &tusClient{t: t, base: srv.URL, sess: vol, csrf: vol.CSRF}
	for name, cl := range map[string]*tusClient{
		"anonymous":     {t: t, base: srv.URL},
		"no form token": {t: t, base: srv.URL, sess: vol},
		"wrong token":   {t: t, base: srv.URL, sess: vol, csrf: ed.CSRF},
		"viewer":        {t: t, base: srv.URL, sess: viewer, csrf: viewer.CSRF},
	} {
		if res, _ := cl.create(10, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: POST %d, want 403", name, res.StatusCode)
		}
	}
	if res, _ := c.create(1<<20+1, nil); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit: %d, want 413", res.StatusCode)
	}
	if res, _ := c.create(-1, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("no length: %d, want 400", res.StatusCode)
	}
	// A volunteer may not link; an editor links only to what exists.
	if res, _ := c.create(10, map[string]string{"person": "01234567-89ab-7def-8123-456789abcdef"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("volunteer linking: %d", res.StatusCode)
	}
	edc := &tusClient{t: t, base: srv.URL, sess: ed, csrf: ed.CSRF}
	if res, _ := edc.create(10, map[string]string{"person": "01234567-89ab-7def-8123-456789abcdef"}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("link to nobody: %d", res.StatusCode)
	}
	payload := uploadPayload(200000, "x")
	_, path := c.create(int64(len(payload)), nil)
	// More bytes than announced: refused, nothing kept.
	if res := c.patch(path, 0, append(append([]byte(nil), payload...), 1, 2, 3)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("PATCH past the length: %d", res.StatusCode)
	}
	if res := c.patch(path, 0, payload[:100000]); res.StatusCode != http.StatusNoContent {
		t.Fatalf("half: %d", res.StatusCode)
	}
	// Another account cannot see or extend it.
	other := &tusClient{t: t, base: srv.URL, sess: ed, csrf: ed.CSRF}
	if res := other.do(http.MethodHead, path, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of another's upload: %d", res.StatusCode)
	}
	if res := other.patch(path, 100000, payload[100000:]); res.StatusCode != http.StatusNotFound {
		t.Errorf("PATCH of another's upload: %d", res.StatusCode)
	}
	if items, _ := st.EvidenceItems(context.Background(), nil); len(items) != 0 {
		t.Fatalf("a truncated upload became %d items", len(items))
	}
	time.Sleep(5 * time.Millisecond)
	n, err := site.ExpireUploads(context.Background())
	if err != nil || n < 1 {
		t.Fatalf("expired %d uploads: %v", n, err)
	}
	blobs, _ := evidence.NewDir(dir)
	if names, _ := blobs.Names("upload-"); len(names) != 0 {
		t.Errorf("objects of the abandoned upload left: %v", names)
	}
	if res := c.do(http.MethodHead, path, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of an expired upload: %d", res.StatusCode)
	}
	if items, _ := st.EvidenceItems(context.Background(), nil); len(items) != 0 {
		t.Fatalf("an expired upload became %d items", len(items))
	}
}

// TestTusUploadByRole: the roles that enter records may upload; the
// others are refused, and a session's upload can be cancelled by it.
func TestTusUploadByRole(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, site, a, _ := uploadSite(t, st, web.EvidenceConfig{})
	want := map[auth.Role]int{auth.Admin: http.StatusCreated, auth.Editor: http.StatusCreated, auth.Volunteer: http.StatusCreated,
		auth.Treasurer: http.StatusForbidden, auth.Viewer: http.StatusForbidden}
	for role, code := range want {
		s := signIn(t, site, a, role)
		c := &tusClient{t: t, base: srv.URL, sess: s, csrf: s.CSRF}
		res, path := c.create(10, nil)
		if res.StatusCode != code {
			t.Errorf("%s: POST %d, want %d", role, res.StatusCode, code)
		}
		if code == http.StatusCreated {
			if res.Header.Get("Tus-Resumable") != "1.0.0" {
				t.Errorf("%s: Tus-Resumable %q", role, res.Header.Get("Tus-Resumable"))
			}
			if res := c.do(http.MethodPatch, path, map[string]string{"Tus-Resumable": "0.2.2", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, []byte("x")); res.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("%s: another tus version: %d", role, res.StatusCode)
			}
			if res := c.do(http.MethodDelete, path, nil, nil); res.StatusCode != http.StatusNoContent {
				t.Errorf("%s: DELETE %d", role, res.StatusCode)
			}
			if res := c.do(http.MethodHead, path, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: HEAD after DELETE %d", role, res.StatusCode)
			}
		}
	}
}
