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
	source, err := st.AddSource(ctx, st.Keys(), editor.User.ID, "hotline-2022", registry.KindRelative, 3, "")
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
