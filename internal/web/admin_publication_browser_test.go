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
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// In Chromium, with JavaScript off and on, an editor opens a person who
// is corroborated but undecided and reads WITHHELD at the top of the
// page, marks them public with a reason and reads PUBLIC with the reason.
func TestBrowserPublicationBanner(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	base := srv.URL
	editor := signIn(t, site, a, auth.Editor)
	ctx := context.Background()
	source, err := st.AddSource(ctx, editor.User.ID, "hotline-2022", registry.KindRelative, 3, "")
	if err != nil {
		t.Fatal(err)
	}

	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			day, _ := registry.ParseDay("2022-07-02")
			rec, person, err := st.AddRecord(ctx, editor.User.ID, true,
				registry.Record{SourceID: source, Name: fmt.Sprintf("Azamat Qurbanov %v", js), BirthYear: 1990, Region: "Nukus"},
				registry.Claim{Status: registry.Detained, Date: registry.PeriodFrom(day, registry.PrecisionDay), Verification: registry.Unverified})
			if err != nil {
				t.Fatal(err)
			}
			_, claims, _ := st.Record(ctx, rec)
			if _, err := st.SetVerification(ctx, editor.User.ID, claims[0].ID, registry.Corroborated); err != nil {
				t.Fatal(err)
			}
			tb := openTab(t, browser, js)
			tctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.useSession(t, base, editor)
			tb.navigate(t, base+"/admin/people/"+person)

			state, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("publication-state")))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(state) != "WITHHELD" {
				t.Errorf("the banner says %q, want WITHHELD", state)
			}
			box, err := chromedp.Run(tctx, chromedp.Dimensions(chromedp.ID("publication")))
			if err != nil {
				t.Fatal(err)
			}
			// Prominent: on the first screen of a phone (740 px tall).
			if top := box.Border[1]; top > 600 || box.Width < 200 {
				t.Errorf("the banner is at y=%v, %d px wide: not on the first screen", top, box.Width)
			}
			if html := tb.html(t); !strings.Contains(html, "nobody decided to publish this name") {
				t.Error("the banner does not say why the person is withheld")
			}
			if !js {
				tb.screenshot(t, "admin_person_withheld")
			}
			tb.check(t, base, "")

			if err := chromedp.Do(tctx,
				chromedp.Click(chromedp.CSS(`input[name="mark"][value="public"]`)),
				chromedp.SendKeys(chromedp.ID("reason"), "named in the court's published verdict"),
			); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form[action$="/mark"] button[type="submit"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/people/"+person+"?done=marked") {
				t.Fatalf("after marking: %s", loc)
			}
			state, err = chromedp.Run(tctx, chromedp.Text(chromedp.ID("publication-state")))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(state) != "PUBLIC" {
				t.Errorf("after the public mark the banner says %q", state)
			}
			reason, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(".publication-reason")))
			if err != nil || !strings.Contains(reason, "named in the court's published verdict") {
				t.Errorf("the banner's reason %q %v", reason, err)
			}
			if !js {
				tb.screenshot(t, "admin_person_public")
			}
			tb.check(t, base, "")
		})
	}
}

// In Chromium, with JavaScript off and on, an editor previews a snapshot,
// reads its warning of an undecided pair and its counts, is refused with
// a mistyped date (nothing published) and publishes with the right one.
func TestBrowserPublishPreview(t *testing.T) {
	browser, _ := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			st := storetest.Open(t, store.SQLite)
			site, a, _ := reviewSite(t, st)
			srv := httptest.NewServer(site)
			t.Cleanup(srv.Close)
			base := srv.URL
			editor := signIn(t, site, a, auth.Editor)
			tb := openTab(t, browser, js)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.useSession(t, base, editor)

			tb.navigate(t, base+"/admin/publish/")
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("as_of"), "2022-08-03")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#preview-form button[type="submit"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/publish/?as_of=2022-08-03") {
				t.Fatalf("the preview's address: %s", loc)
			}
			warning, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("preview-warnings")))
			if err != nil || !strings.Contains(warning, "1 pair of records is undecided") {
				t.Errorf("the preview's warnings %q %v", warning, err)
			}
			counts, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("preview-counts")))
			if err != nil || !strings.Contains(counts, "missing now") {
				t.Errorf("the preview's counts %q %v", counts, err)
			}
			if !js {
				tb.screenshot(t, "admin_publish_preview")
			}
			tb.check(t, base, "")

			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("confirm"), "2022-08-04")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#publish-form button[type="submit"]`)
			if html := tb.html(t); !strings.Contains(html, "nothing was published") || !strings.Contains(html, `id="preview"`) {
				t.Error("a mistyped date is not refused with the preview shown again")
			}
			if sns, _ := st.Snapshots(context.Background()); len(sns) != 0 {
				t.Fatalf("a mistyped confirmation published: %+v", sns)
			}
			tb.expectRefusal(base + "/admin/publish/")
			tb.check(t, base, "")

			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("confirm"), "2022-08-03")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#publish-form button[type="submit"]`)
			if loc := tb.location(t); !publishedSlugRE.MatchString(loc) {
				t.Fatalf("after confirming: %s", loc)
			}
			if sns, _ := st.Snapshots(context.Background()); len(sns) != 1 {
				t.Errorf("snapshots after confirming: %d", len(sns))
			}
			tb.check(t, base, "")
		})
	}
}

// expectRefusal forgets the console's report of the 400 a refused form at
// u answers with (Chromium logs it as an error); any other error stays.
func (tb *tab) expectRefusal(u string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	kept := tb.errors[:0]
	for _, e := range tb.errors {
		if !(strings.Contains(e, "status of 400") && strings.Contains(e, "("+u+")")) {
			kept = append(kept, e)
		}
	}
	tb.errors = kept
}
