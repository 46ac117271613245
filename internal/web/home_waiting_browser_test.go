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
	"rollcall/internal/linkage"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// An admin's home, with JavaScript off and on, says what waits (a report,
// 59 pairs, one marked unsure) and the last snapshot and import; each
// count leads to a page that shows as much.
func TestBrowserHomeSaysWhatWaits(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := queueSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	day, _ := registry.ParseDay("2022-07-02")
	if _, err := st.AddReport(ctx, store.NewReport{Reference: "HOMETEST1", Lang: "en", Name: "Timur Alimov", Region: "Nukus",
		Status: registry.Detained, Date: registry.PeriodFrom(day, registry.PrecisionDay)}); err != nil {
		t.Fatal(err)
	}
	first, err := st.ReviewQueuePage(ctx, store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DecideQueued(ctx, first.Pairs[0].ID, linkage.Unsure, "someone", ""); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSnapshot(ctx, store.Snapshot{ID: "snap-home", Slug: "2022-08-03", AsOf: mustDay(t, "2022-08-03"), KnownAt: time.Now().UTC(),
		CountsJSON: "{}", People: 7, Body: []byte("{}"), Signature: "x", PublicKey: "x", PublishedAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	admin := signIn(t, site, a, auth.Admin)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			tb := openTab(t, browser, js)
			tb.useSession(t, srv.URL, admin)
			home := func() string {
				tb.navigate(t, srv.URL+"/admin/")
				return pageHTML(t, tb)
			}
			html := home()
			for _, want := range []string{"Reports waiting for triage: 1", "Pairs of records to review: 59", "Pairs marked unsure, for a second look: 1",
				"Last snapshot: as of 2022-08-03, published 2026-12-01 09:30 UTC, 7 people", "Last import: list.csv"} {
				if !strings.Contains(html, want) {
					t.Errorf("the home lacks %q", want)
				}
			}
			tb.click(t, `#wait-pairs a`)
			if html := pageHTML(t, tb); !strings.Contains(tb.location(t), "/admin/review/") || !strings.Contains(html, "59 pairs of records wait") {
				t.Errorf("the pairs link leads to %s", tb.location(t))
			}
			home()
			tb.click(t, `#wait-unsure a`)
			if links := pairLinks(pageHTML(t, tb)); len(links) != 1 || links[0] != first.Pairs[0].ID {
				t.Errorf("the unsure link lists %v", links)
			}
			home()
			tb.click(t, `#wait-reports a`)
			if html := pageHTML(t, tb); !strings.Contains(html, "HOMETEST1") {
				t.Errorf("the reports link leads to %s without the report", tb.location(t))
			}
			home()
			tb.click(t, `#last-snapshot a`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/publish/2022-08-03") {
				t.Errorf("the snapshot link leads to %s", loc)
			}
			home()
			tb.click(t, `#last-import a`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/import/") {
				t.Errorf("the import link leads to %s", loc)
			}
		})
	}
	// An editor sees the review's counts but not what only admins and
	// publishers decide (the migration's marks, the snapshot).
	editor := signIn(t, site, a, auth.Editor)
	body := editor.get(t, site, "/admin/").Body.String()
	if !strings.Contains(body, "Pairs of records to review: 59") {
		t.Error("the editor's home lacks the pairs")
	}
}

func mustDay(t *testing.T, s string) registry.Day {
	t.Helper()
	d, err := registry.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pageHTML is tb.html that waits for the page's body first: right after a
// navigation Chromium may still be swapping documents, and the first read
// can find no node.
func pageHTML(t *testing.T, tb *tab) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	var last error
	for range 5 {
		err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body")))
		if err == nil {
			var s string
			if s, err = chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
				return s
			}
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal(last)
	return ""
}
