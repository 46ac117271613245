package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

var (
	queueGiven    = []string{"Aziz", "Bekzod", "Dilshod", "Farrukh", "Jasur", "Kamol"}
	queueSurnames = []string{"Karimov", "Saidov", "Tursunov", "Umarov", "Yusupov", "Nazarov", "Rakhimov", "Ergashev", "Khodjaev", "Mirzaev"}
)

// queueSite is the workspace over a queue of 60 pairs, more than a page:
// vol writes "Given Surname" in Nukus, press "Surname Given" in Muynak
// (even pairs) or Kungrad (odd); pair i weighs 6.0 - i/10.
func queueSite(t *testing.T, st *store.Store) (*web.Server, *auth.Service) {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("source,record,name,sex,birth_year,region,status,date,verification\n")
	var pairs []storetest.QueuedPair
	for i := range 60 {
		given, surname := queueGiven[i%6], queueSurnames[i/6]
		region := "Muynak"
		if i%2 == 1 {
			region = "Kungrad"
		}
		fmt.Fprintf(&b, "vol,%d,%s %s,m,1990,Нукус,detained,2022-07-02,corroborated\n", i, given, surname)
		fmt.Fprintf(&b, "press,%d,%s %s,m,,%s,detained,2022-07-02,corroborated\n", i, surname, given, region)
		pairs = append(pairs, storetest.QueuedPair{NameA: given + " " + surname, NameB: surname + " " + given, Weight: 6.0 - float64(i)/10})
	}
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(ctx, st, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.BuildSearchKeys(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.QueuePairs(t, st, pairs)
	return workspaceSite(t, st)
}

var pairLink = regexp.MustCompile(`href="/admin/review/([0-9a-f]{16,})"`)

func pairLinks(html string) []string {
	var out []string
	for _, m := range pairLink.FindAllStringSubmatch(html, -1) {
		out = append(out, m[1])
	}
	return out
}

// An editor, with JavaScript off and on, pages through a queue of 60
// pairs (50, then the other 10), then filters it by name and region.
func TestBrowserReviewPagesAndFilters(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := queueSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			editor := signIn(t, site, a, auth.Editor)
			tb := openTab(t, browser, js)
			tb.useSession(t, srv.URL, editor)

			tb.navigate(t, srv.URL+"/admin/review/")
			first := pageHTML(t, tb)
			if !strings.Contains(first, "60 pairs of records wait") || !strings.Contains(first, "page 1 of 2") {
				t.Fatalf("page 1 does not say 60 pairs on 2 pages:\n%.3000s", first)
			}
			one := pairLinks(first)
			if len(one) != 50 {
				t.Fatalf("page 1 lists %d pairs, want 50", len(one))
			}
			tb.click(t, `#pages-pairs a[rel="next"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/review/?page=2") {
				t.Fatalf("next went to %s", loc)
			}
			two := pairLinks(pageHTML(t, tb))
			if len(two) != 10 {
				t.Fatalf("page 2 lists %d pairs, want the other 10", len(two))
			}
			for _, id := range two {
				for _, seen := range one {
					if id == seen {
						t.Errorf("pair %s on both pages", id)
					}
				}
			}

			// A name and a region, chosen in the form: Karimov in Kungrad
			// is three pairs (the odd ones of the six Karimovs).
			tb.navigate(t, srv.URL+"/admin/review/")
			if err := chromedp.Do(tb.ctx, chromedp.SendKeys(`input[name="q"]`, "Karimov"),
				chromedp.SetValue(`select[name="region"]`, store.RegionKey("Kungrad"))); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#review-filter button[type="submit"]`)
			if loc := tb.location(t); !strings.Contains(loc, "q=Karimov") || !strings.Contains(loc, "region=") {
				t.Fatalf("the filter went to %s", loc)
			}
			html := pageHTML(t, tb)
			if n := len(pairLinks(html)); n != 3 || !strings.Contains(html, "3 of them match the filter") {
				t.Errorf("Karimov in Kungrad lists %d pairs, want 3", n)
			}
			table := html[strings.Index(html, `id="review-pairs"`):]
			// Bekzod, Farrukh and Kamol Karimov are in Kungrad; Aziz,
			// Dilshod and Jasur in Muynak.
			for _, name := range []string{"Bekzod Karimov", "Farrukh Karimov", "Kamol Karimov"} {
				if !strings.Contains(table, name) {
					t.Errorf("the filtered list lacks %s", name)
				}
			}
			for _, name := range []string{"Aziz Karimov", "Dilshod Karimov", "Jasur Karimov", "Saidov"} {
				if strings.Contains(table, name) {
					t.Errorf("the filtered list shows %s, outside the filter", name)
				}
			}

			// A weight that is not a number: said in words, the rest shown.
			tb.navigate(t, srv.URL+"/admin/review/?min=lots&q=Karimov")
			html = pageHTML(t, tb)
			if !strings.Contains(html, "“lots” is not a number") || len(pairLinks(html)) != 6 {
				t.Errorf("a bad weight: %d pairs shown\n%.2000s", len(pairLinks(html)), html)
			}
			tb.check(t, srv.URL, "")
		})
	}
}
