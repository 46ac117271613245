package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// TestBrowserEvidenceFormWithoutJavaScript: in Chromium with script off,
// a volunteer chooses a file on the evidence page and sends the plain
// form; the page answers with the item's id and the file's SHA-256, and
// the item is kept with exactly those bytes.
func TestBrowserEvidenceFormWithoutJavaScript(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	if err := site.EnableEvidence(context.Background(), web.EvidenceConfig{Blobs: blobs}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	vol := signIn(t, site, a, auth.Volunteer)
	file := filepath.Join(t.TempDir(), "from the square.jpg")
	data := []byte(strings.Repeat("not really a photo, but bytes to keep exactly\n", 5000))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	tb := openTab(t, browser, false)
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	tb.useSession(t, srv.URL, vol)
	tb.navigate(t, srv.URL+"/admin/evidence/")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); err != nil {
		t.Fatal(err)
	}
	tb.click(t, `form.edit button[type="submit"]`)
	html := tb.html(t)
	if !strings.Contains(html, hex.EncodeToString(sum[:])) || !strings.Contains(html, "The file was kept.") {
		t.Fatalf("after sending the form:\n%.3000s", html)
	}
	items, _ := st.EvidenceItems(context.Background(), nil)
	if len(items) != 1 || items[0].SHA256 != hex.EncodeToString(sum[:]) || items[0].Size != int64(len(data)) || items[0].ReceivedBy != "user:"+vol.User.ID {
		t.Fatalf("kept: %+v", items)
	}
	tb.screenshot(t, "admin_evidence_received")
}
