package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// A relative files a report in Russian, with JavaScript off and on, and
// gets a reference; an editor (signed in through the real steps, the
// session handed to the browser as its cookie) finds it by that reference
// and makes a record of it with one click.
func TestBrowserReportAndTriage(t *testing.T) {
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
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			// Anonymous: no session cookie of ours in this browser.
			if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "rollcall", URL: base}); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("Гульнара Сейтимбетова %v", js)
			tb.navigate(t, base+"/ru/")
			tb.click(t, `nav.sections a[href="/ru/report/"]`)
			if loc := tb.location(t); loc != base+"/ru/report/" {
				t.Fatalf("the navigation led to %s", loc)
			}
			if html := tb.html(t); !strings.Contains(html, `<html lang="ru">`) || !strings.Contains(html, "Tor Browser") {
				t.Fatal("the form is not in Russian, or says nothing of safety")
			}
			if !js {
				tb.screenshot(t, "report_ru_form")
			}
			for id, text := range map[string]string{"report-name": name, "report-alt1": "Gulnara Seytimbetova", "report-age": "41",
				"report-region": "Нукус", "report-day": "1", "report-year": "2022", "report-place": "площадь",
				"report-text": "Её увели с площади.", "report-contact": "signal 4471"} {
				if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
					t.Fatalf("typing into #%s: %v", id, err)
				}
			}
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("report-status"), "missing"), chromedp.SetValue(chromedp.ID("report-month"), "7"),
				chromedp.SetValue(chromedp.ID("report-relation"), "sibling")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form.report button[type="submit"]`)
			html := tb.html(t)
			m := referenceRE.FindStringSubmatch(html)
			if m == nil || !strings.Contains(html, "Ваше сообщение получено") {
				t.Fatalf("no thank-you page with a reference: %.500s", html)
			}
			if strings.Contains(tb.location(t), m[1]) {
				t.Error("the reference is in the address, where the history keeps it")
			}
			if !js {
				tb.screenshot(t, "report_ru_sent")
			}
			// The refresh button: the confirmation again, nothing filed twice
			// (the open reports: the first run's was triaged already).
			if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
				t.Fatal(err)
			}
			if again := tb.html(t); !strings.Contains(again, "<strong>"+m[1]+"</strong>") {
				t.Fatalf("the reloaded confirmation lost its reference: %.500s", again)
			}
			if all, _, _ := st.Reports(ctx, store.ReportFilter{}); len(all) != 1 {
				t.Fatalf("%d reports after reloading the confirmation", len(all))
			}
			tb.check(t, base, "")

			// The editor's session, set on the browser.
			tb.useSession(t, base, editor)
			tb.navigate(t, base+"/admin/reports/")
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("reports-ref"), m[1])); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form.filters button[type="submit"]`)
			tb.click(t, `table.reports a`)
			if html := tb.html(t); !strings.Contains(html, name) || strings.Contains(html, "signal 4471") {
				t.Fatal("the report page lacks the name, or shows the sealed contact unasked")
			}
			tb.click(t, `#report-make-record`)
			loc := tb.location(t)
			if !strings.HasSuffix(loc, "?done=recorded") {
				t.Fatalf("after making a record: %s", loc)
			}
			if !js {
				tb.screenshot(t, "report_triaged")
			}
			tb.check(t, base, "")

			list, _, err := st.Reports(ctx, store.ReportFilter{Reference: m[1]})
			if err != nil || len(list) != 1 || list[0].State != store.ReportRecorded {
				t.Fatalf("the report after triage: %+v %v", list, err)
			}
			var found bool
			st.EachClaim(ctx, func(c store.ClaimRow) error {
				if c.Record.ID == list[0].RecordID {
					found = c.Record.Name == name && c.Claim.Status == registry.Missing && c.Claim.Date.String() == "2022-07-01" &&
						len(c.Record.NameAlt) == 1 && c.Record.BirthYear > 1980
				}
				return nil
			})
			if !found {
				t.Error("the record made from the report is not in the registry as reported")
			}
		})
	}
}
