package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// An editor decides in Chromium that two published persons are one; a
// visitor who then follows the link of the id that went lands on the
// survivor's page, in the language of the link; a link to an id that never
// was shows the site's 404 in that language.
func TestBrowserMergedLinkLeadsToTheSurvivor(t *testing.T) {
	browser, _ := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			st := storetest.Open(t, store.SQLite)
			site, a, pair := reviewSite(t, st)
			storetest.GiveAllBases(t, st) // both persons shown publicly
			srv := httptest.NewServer(site)
			t.Cleanup(srv.Close)
			before := []string{personOf(t, st, pair.A.ID), personOf(t, st, pair.B.ID)}
			if before[0] == before[1] {
				t.Fatal("the records are one person before anyone decided")
			}
			editor := signIn(t, site, a, auth.Editor)
			tb := openTab(t, browser, js)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.useSession(t, srv.URL, editor)
			tb.navigate(t, srv.URL+"/admin/review/"+pair.ID)
			if err := chromedp.Do(ctx, chromedp.SendKeys(`input[name="why"]`, "same birth place, same detention date")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `button[name="verdict"][value="same"]`)
			survivor := personOf(t, st, pair.A.ID)
			gone := before[0]
			if gone == survivor {
				gone = before[1]
			}
			if _, err := st.RefreshPublic(context.Background()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond) // the pages' cache looks at the list's stamp every 250 ms

			tb.navigate(t, srv.URL+"/ru/people/"+gone)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/ru/people/"+survivor) {
				t.Fatalf("the old link of %s leads to %s, want the survivor %s", gone, loc, survivor)
			}
			html := tb.html(t)
			for _, want := range []string{`lang="ru"`, "Досжанов"} {
				if !strings.Contains(html, want) {
					t.Errorf("the survivor's page lacks %q", want)
				}
			}
			tb.check(t, srv.URL, "")
			tb.screenshot(t, fmt.Sprintf("merged-link-js-%v", js))

			tb.navigate(t, srv.URL+"/ru/people/never-was")
			if html := tb.html(t); !strings.Contains(html, "Такого человека нет") || !strings.Contains(html, `href="/ru/people/"`) {
				t.Errorf("the 404 of an unknown person is not the Russian page:\n%s", html)
			}
		})
	}
}
