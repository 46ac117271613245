package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

var auditRow = regexp.MustCompile(`(?s)<tr id="entry-(\d+)"[^>]*>.*?</tr>`)

// An admin, with JavaScript off and on, opens the audit log from the
// home, filters it to the review's entries, verifies the chain (intact),
// and after an entry is edited behind the store's back, verifies again
// and is told which entry broke, in words.
func TestBrowserAuditViewerFilterAndVerify(t *testing.T) {
	browser, _ := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			st, dir, _ := storetest.OpenIn(t, store.SQLite)
			site, a := queueSite(t, st)
			srv := httptest.NewServer(site)
			t.Cleanup(srv.Close)
			ctx := context.Background()
			editor := signIn(t, site, a, auth.Editor)
			pair, err := st.ReviewQueuePage(ctx, store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			out, err := st.DecideQueued(ctx, pair.Pairs[0].ID, linkage.Same, editor.User.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			admin := signIn(t, site, a, auth.Admin)
			tb := openTab(t, browser, js)
			tb.useSession(t, srv.URL, admin)

			tb.navigate(t, srv.URL+"/admin/")
			tb.click(t, `a[href="/admin/audit/"]`)
			html := pageHTML(t, tb)
			if !strings.Contains(html, "the first entry") || !strings.Contains(html, out.Decision.ID) {
				t.Fatalf("the audit log lacks the first entry or the decision:\n%.3000s", html)
			}
			if err := chromedp.Do(tb.ctx, chromedp.SetValue(`select[name="kind"]`, "review"),
				chromedp.SendKeys(`input[name="actor"]`, editor.User.ID)); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#audit-filter button[type="submit"]`)
			html = pageHTML(t, tb)
			rows := auditRow.FindAllString(html, -1)
			if len(rows) != 1 || !strings.Contains(rows[0], "review.decide") || !strings.Contains(rows[0], out.Decision.ID) {
				t.Fatalf("the review entries of the editor: %d rows\n%s", len(rows), strings.Join(rows, "\n"))
			}
			seq := auditRow.FindStringSubmatch(rows[0])[1]
			if !strings.Contains(rows[0], "follows entry #") {
				t.Errorf("the entry does not say its place in the chain: %s", rows[0])
			}

			tb.click(t, `#audit-verify button[type="submit"]`)
			if html := pageHTML(t, tb); !regexp.MustCompile(`The chain is intact: \d+ entries, head \d+:[0-9a-f]{64}`).MatchString(html) {
				t.Fatalf("verify on an intact log:\n%.3000s", html)
			}

			raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "rollcall.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET detail = 'verdict=different' WHERE seq = ` + seq} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			tb.navigate(t, srv.URL+"/admin/audit/")
			tb.click(t, `#audit-verify button[type="submit"]`)
			html = pageHTML(t, tb)
			want := "The chain is broken at entry " + seq + ": its content does not match its hash (edited)."
			if !strings.Contains(html, want) || !strings.Contains(html, `href="/admin/audit/?entry=`+seq+`"`) {
				t.Fatalf("verify after an edit does not say %q:\n%.3000s", want, html)
			}
			tb.check(t, srv.URL, "")
		})
	}
}

// The audit log is for admins only; bad filter values get a plain
// message, never a server error; the Russian page speaks Russian.
func TestAuditViewerAccessAndBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a := workspaceSite(t, st)
		editor := signIn(t, site, a, auth.Editor)
		admin := signIn(t, site, a, auth.Admin)
		if w := editor.get(t, site, "/admin/audit/"); w.Code == http.StatusOK {
			t.Errorf("an editor reads the audit log: %d", w.Code)
		}
		if w := editor.post(t, site, "/admin/audit/verify", nil); w.Code == http.StatusOK {
			t.Errorf("an editor verifies the audit log: %d", w.Code)
		}
		for _, c := range []struct{ query, lang, want string }{
			{"entry=abc", "en", "“abc” is not an entry number"},
			{"from=2026-13-01", "en", "“2026-13-01” is not a day"},
			{"from=2026-12-05&to=2026-12-01", "en", "The first day is after the last"},
			{"page=0", "en", "“0” is not a page number"},
			{"entry=abc", "ru", "«abc» — не номер записи"},
		} {
			res, body := do(t, site, editorRequest(admin, "/admin/audit/?"+c.query, c.lang))
			if res.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
				t.Errorf("%s (%s): %d, want the page with %q", c.query, c.lang, res.StatusCode, c.want)
			}
		}
		w := admin.post(t, site, "/admin/audit/verify", map[string][]string{"head": {"nonsense"}})
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "“nonsense” is not a head") {
			t.Errorf("a bad head: %d\n%.2000s", w.Code, w.Body.String())
		}
		head, err := st.AuditHead(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		w = admin.post(t, site, "/admin/audit/verify", map[string][]string{"head": {head.String()}})
		if !strings.Contains(w.Body.String(), "It still reaches the head "+head.String()) {
			t.Errorf("verify with the head kept elsewhere:\n%.2000s", w.Body.String())
		}
		_, body := do(t, site, editorRequest(admin, "/admin/audit/", "ru"))
		for _, want := range []string{"Журнал аудита", "Проверить цепочку", "первая запись"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Russian audit page lacks %q", want)
			}
		}
	})
}
