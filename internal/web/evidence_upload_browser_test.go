package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// dropFirstPatch is a network that fails once: the first PATCH of a tus
// upload reaches the site only up to after bytes, then the connection is
// closed with no answer. It records the upload requests it saw.
type dropFirstPatch struct {
	site  http.Handler
	after int64

	mu      sync.Mutex
	dropped bool
	seen    []string // "POST", "HEAD", "PATCH 600000", …
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// swallowedResponse is where the site's answer to the dropped PATCH goes:
// nowhere.
type swallowedResponse struct{ h http.Header }

func (s swallowedResponse) Header() http.Header         { return s.h }
func (s swallowedResponse) Write(b []byte) (int, error) { return len(b), nil }
func (s swallowedResponse) WriteHeader(int)             {}

func (d *dropFirstPatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/admin/uploads/") {
		d.site.ServeHTTP(w, r)
		return
	}
	d.mu.Lock()
	entry := r.Method
	if r.Method == http.MethodPatch {
		entry += " " + r.Header.Get("Upload-Offset")
	}
	d.seen = append(d.seen, entry)
	drop := r.Method == http.MethodPatch && !d.dropped
	d.dropped = d.dropped || drop
	d.mu.Unlock()
	if !drop {
		d.site.ServeHTTP(w, r)
		return
	}
	r.Body = io.NopCloser(io.MultiReader(io.LimitReader(r.Body, d.after), failingReader{}))
	d.site.ServeHTTP(swallowedResponse{h: http.Header{}}, r)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func (d *dropFirstPatch) requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.seen...)
}

// TestBrowserEvidenceResumableUpload: in Chromium with script on, a
// volunteer and an editor each choose a file of several pieces on the
// evidence page and send it; the page's script sends it over tus, the
// network drops the first piece part way, the script asks the server
// where it stopped and goes on from that byte, shows its progress, and
// ends on the new item (the volunteer on the list's answer, the editor on
// the item's page) with the file's SHA-256; the item kept has exactly
// the file's bytes.
func TestBrowserEvidenceResumableUpload(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	const piece = 1 << 20
	if err := site.EnableEvidence(context.Background(), web.EvidenceConfig{Blobs: blobs, UploadChunk: piece}); err != nil {
		t.Fatal(err)
	}
	for i, role := range []auth.Role{auth.Volunteer, auth.Editor} {
		t.Run(string(role), func(t *testing.T) {
			net := &dropFirstPatch{site: site, after: piece/2 + 12345}
			srv := httptest.NewUnstartedServer(net)
			// Each request on a connection of its own: Chromium quietly
			// sends a request again when a kept-alive connection it
			// reused fails, and the script would never see the drop.
			srv.Config.SetKeepAlivesEnabled(false)
			srv.Start()
			t.Cleanup(srv.Close)
			acc := signIn(t, site, a, role)
			file := filepath.Join(t.TempDir(), "the square at night.mp4")
			data := make([]byte, 3*piece+piece/2)
			rand.New(rand.NewSource(int64(i))).Read(data)
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			want := hex.EncodeToString(sum[:])
			// The script is allowed on this page alone, and from us alone.
			for u, want := range map[string]bool{"/admin/evidence/": true, "/admin/": false, "/en/": false} {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+u, nil)
				req.AddCookie(acc.Cookie)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				csp := res.Header.Get("Content-Security-Policy")
				if strings.Contains(csp, "script-src 'self'; connect-src 'self'") != want || !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "unsafe") {
					t.Errorf("%s: Content-Security-Policy %q", u, csp)
				}
			}
			tb := openTab(t, browser, true)
			ctx, cancel := context.WithTimeout(tb.ctx, 90*time.Second)
			defer cancel()
			tb.useSession(t, srv.URL, acc)
			tb.navigate(t, srv.URL+"/admin/evidence/")
			html := tb.html(t)
			if !strings.Contains(html, "are sent in pieces: if the connection drops") {
				t.Fatalf("the script did not take the form:\n%.3000s", html)
			}
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#evidence-form button[type="submit"]`))); err != nil {
				t.Fatal(err)
			}
			// Progress is said in words while it goes (read before the
			// last piece ends, or the page has moved on already).
			var said []string
			deadline := time.Now().Add(60 * time.Second)
			type state struct{ Href, Said string }
			for {
				// Errors are the moments between two pages: read again.
				st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({Href: location.href, Said: (document.getElementById('upload-status')||{}).textContent||''})`))
				if err == nil && st.Said != "" && (len(said) == 0 || said[len(said)-1] != st.Said) {
					said = append(said, st.Said)
				}
				if err == nil && !strings.HasSuffix(st.Href, "/admin/evidence/") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the upload never ended; the page said %q; requests %v", said, net.requests())
				}
				time.Sleep(50 * time.Millisecond)
			}
			html = tb.waitFor(t, want)
			loc := tb.location(t)
			items, err := st.EvidenceItems(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var kept *store.EvidenceItem
			for i := range items {
				if items[i].SHA256 == want {
					kept = &items[i]
				}
			}
			if kept == nil || kept.Size != int64(len(data)) || kept.ReceivedBy != "user:"+acc.User.ID {
				t.Fatalf("kept: %+v (want %s)", items, want)
			}
			switch role {
			case auth.Volunteer:
				if !strings.HasSuffix(loc, "/admin/evidence/?received="+kept.ID) || !strings.Contains(html, "The file was kept.") {
					t.Fatalf("ended on %s:\n%.3000s", loc, html)
				}
			default:
				if !strings.HasSuffix(loc, "/admin/evidence/"+kept.ID) || !strings.Contains(html, "Chain of custody") {
					t.Fatalf("ended on %s:\n%.3000s", loc, html)
				}
			}
			// The network dropped the first piece once; the script asked
			// where the server stopped and sent on from that very byte.
			seen := strings.Join(net.requests(), ", ")
			resumedAt := int64(net.after)
			resumed := fmt.Sprintf("HEAD, PATCH %d", resumedAt)
			if !strings.HasPrefix(seen, "POST, PATCH 0, HEAD, ") || !strings.Contains(seen, resumed) || !strings.HasSuffix(seen, "PATCH "+strconv.FormatInt(resumedAt+2*piece, 10)) {
				t.Errorf("requests: %s (want the drop, %q, then pieces to the end)", seen, resumed)
			}
			progress := strings.Join(said, " | ")
			if !strings.Contains(progress, "MiB (") || !strings.Contains(progress, "The connection was lost at") {
				t.Errorf("the page said: %s; requests %v", progress, net.requests())
			}
			tb.screenshot(t, "admin_evidence_resumable_"+string(role))
		})
	}
}
