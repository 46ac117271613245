package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// waitFor reloads nothing itself: the progress page refreshes itself (a
// meta refresh, with or without script); this reads the page until it
// holds want.
func (tb *tab) waitFor(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		cancel()
		if err == nil && strings.Contains(html, want) {
			return html
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed %q: %s", want, html)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// An editor, in Chromium with JavaScript off and on, uploads a list,
// reads the preview, confirms, waits on the progress page, finds
// duplicates, then corrects a name on a record and sees the original and
// the correction in its history.
func TestBrowserImportPreviewConfirmDedupeCorrect(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	base := srv.URL
	editor := signIn(t, site, a, auth.Editor)

	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			tb := openTab(t, browser, js)
			tb.useSession(t, base, editor)
			source := fmt.Sprintf("volunteers-js-%v", js)
			list := filepath.Join(t.TempDir(), source+".csv")
			body := strings.ReplaceAll(importList, "volunteers-2022-07", source)
			body = strings.ReplaceAll(body, "hotline,", source+"-hotline,")
			body = strings.Replace(body, "Lola Karimova", "Lola Karimvoa", 1)
			if err := os.WriteFile(list, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}

			tb.navigate(t, base+"/admin/")
			tb.click(t, `a[href="/admin/import/"]`)
			if err := chromedp.Do(tb.ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{list})); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form[action="/admin/import/"] button[type="submit"]`)
			if loc := tb.location(t); !strings.Contains(loc, "/admin/import/") {
				t.Fatalf("after the upload: %s", loc)
			}
			page := tb.waitFor(t, "What the import would do")
			if m := cellRE.FindStringSubmatch(page); m == nil || m[2] != "4" || m[3] != "2" || m[4] != "3" || m[5] != "4" {
				t.Fatalf("preview counts %q", m)
			}
			if !js {
				tb.screenshot(t, "admin_import_preview")
			}
			tb.click(t, `form[action$="/confirm"] button`)
			tb.waitFor(t, "<h1>Imported</h1>")
			tb.click(t, `form[action$="/dedupe"] button`)
			page = tb.waitFor(t, "Duplicates found")
			if !strings.Contains(page, "<dt>Records compared</dt>") || !strings.Contains(page, "<dt>Links applied</dt>") {
				t.Errorf("the dedupe summary is missing: %s", page)
			}
			if !js {
				tb.screenshot(t, "admin_import_deduped")
			}
			tb.check(t, base, "")

			// the typo of the list corrected on the record page
			ids, err := st.SearchRecords(context.Background(), "Karimvoa", 5)
			if err != nil || len(ids) == 0 {
				t.Fatalf("the imported record: %v %v", ids, err)
			}
			tb.navigate(t, base+"/admin/records/"+ids[0])
			if html := tb.html(t); !strings.Contains(html, "From the import of "+source+".csv") || !strings.Contains(html, "import of "+source+".csv") {
				t.Errorf("the record page does not say it came from the import: %s", html)
			}
			fctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
			defer cancel()
			if err := chromedp.Do(fctx,
				chromedp.Click(chromedp.CSS(`details summary`)),
				chromedp.SetValue(chromedp.ID("c-name"), "Lola Karimova"),
				chromedp.SetValue(chromedp.ID("c-why"), "typo in the list"),
			); err != nil {
				t.Fatalf("the correction form: %v\n%s", err, tb.html(t))
			}
			tb.click(t, `#correct-submit`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "?done=revised") {
				t.Fatalf("after the correction: %s", loc)
			}
			html := tb.html(t)
			if !strings.Contains(html, "<h1>Lola Karimova</h1>") {
				t.Errorf("the record does not show the correction as its name")
			}
			orig := strings.Index(html, `<tr class="original"><th scope="row">Original</th><td>Lola Karimvoa</td>`)
			corr := strings.Index(html, `<tr class="correction"><th scope="row">Correction 1</th><td>Lola Karimova</td>`)
			if orig < 0 || corr < 0 || !strings.Contains(html, "you, ") || !strings.Contains(html, "typo in the list") {
				t.Errorf("the history lacks the original or the correction: %s", html)
			}
			if !js {
				tb.screenshot(t, "admin_record_corrected")
			}
			tb.check(t, base, "")
		})
	}
}
