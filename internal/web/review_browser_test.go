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

// An editor, in Chromium with JavaScript off and on, opens the review
// queue, opens the pair waiting there, says the two records are the same
// person with a reason, and is back on the emptied queue; the two records
// are then one person.
func TestBrowserReviewLinksADuplicate(t *testing.T) {
	browser, _ := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			st := storetest.Open(t, store.SQLite)
			site, a, pair := reviewSite(t, st)
			srv := httptest.NewServer(site)
			t.Cleanup(srv.Close)
			editor := signIn(t, site, a, auth.Editor)
			tb := openTab(t, browser, js)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.useSession(t, srv.URL, editor)

			tb.navigate(t, srv.URL+"/admin/")
			tb.click(t, `a[href="/admin/review/"]`)
			tb.click(t, `a[href="/admin/review/`+pair.ID+`"]`)
			html := tb.html(t)
			for _, want := range []string{"Ерлан Досжанов", "Yerlan Doszhanov", "Muynak"} {
				if !strings.Contains(html, want) {
					t.Fatalf("the pair page lacks %q", want)
				}
			}
			if personOf(t, st, pair.A.ID) == personOf(t, st, pair.B.ID) {
				t.Fatal("the records are one person before anyone decided")
			}
			if err := chromedp.Do(ctx, chromedp.SendKeys(`input[name="why"]`, "same birth place, same detention date")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `button[name="verdict"][value="same"]`)
			if loc := tb.location(t); !strings.Contains(loc, "/admin/review/?done&decided=") {
				t.Fatalf("after deciding: %s", loc)
			}
			if strings.Contains(tb.html(t), `href="/admin/review/`+pair.ID+`"`) {
				t.Error("the decided pair is still in the queue")
			}
			if personOf(t, st, pair.A.ID) != personOf(t, st, pair.B.ID) {
				t.Error("after 'same person' the records are still two persons")
			}
			hist, err := st.DecisionsOf(context.Background(), pair.A.ID, pair.B.ID)
			if err != nil || len(hist) != 1 || hist[0].By != editor.User.ID || hist[0].Why != "same birth place, same detention date" {
				t.Errorf("decision recorded: %+v %v", hist, err)
			}
		})
	}
}
