package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
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

// useSession hands a workspace session to the tab's browser as its cookie
// for base, and takes it back when the test ends (the browser is shared).
func (tb *tab) useSession(t *testing.T, base string, s session) {
	t.Helper()
	httpOnly := true
	if _, err := chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{Name: "rollcall", Value: s.Cookie.Value, URL: base, HTTPOnly: &httpOnly}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		chromedp.Call(tb.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "rollcall", URL: base})
	})
}

var publishedSlugRE = regexp.MustCompile(`/admin/publish/(2022-08-03(?:-[0-9]+)?)$`)

// An editor, in Chromium with JavaScript off and on, adds a person with
// two spellings and a claim, verifies the claim, publishes a snapshot and
// finds the person on the public site.
func TestBrowserAddVerifyPublish(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	base := srv.URL
	editor := signIn(t, site, a, auth.Editor)
	source, err := st.AddSource(context.Background(), editor.User.ID, "hotline-2022", registry.KindRelative, 3, "")
	if err != nil {
		t.Fatal(err)
	}

	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			tb := openTab(t, browser, js)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.useSession(t, base, editor)
			name := "Azamat Qurbanov"
			other := fmt.Sprintf("Азамат Курбанов %v", js)
			if js {
				name = "Bahadir Allanazarov"
			}

			tb.navigate(t, base+"/admin/records/")
			tb.click(t, `a[href="/admin/records/new"]`)
			if err := chromedp.Do(ctx,
				chromedp.SetValue(chromedp.ID("source"), source),
				chromedp.SendKeys(chromedp.ID("name"), name),
				chromedp.SetValue(chromedp.ID("name_alt"), other+"\nQurbanov Azamat"),
				chromedp.SendKeys(chromedp.ID("birth_year"), "1990"),
				chromedp.SendKeys(chromedp.ID("region"), "Nukus"),
				chromedp.Click(chromedp.CSS(`input[name="roles"][value="protester"]`)),
				chromedp.SetValue(chromedp.ID("status"), "detained"),
				chromedp.SendKeys(chromedp.ID("date"), "2022-07-02"),
				chromedp.SendKeys(chromedp.ID("place"), "Nukus jail"),
			); err != nil {
				t.Fatal(err)
			}
			if !js {
				tb.screenshot(t, "admin_record_new")
			}
			tb.click(t, `form.edit button[type="submit"]`)
			if loc := tb.location(t); !strings.Contains(loc, "/admin/records/") || !strings.HasSuffix(loc, "?done=record") {
				t.Fatalf("after adding the record: %s", loc)
			}
			html := tb.html(t)
			for _, want := range []string{name, other, "Qurbanov Azamat", "Nukus jail"} {
				if !strings.Contains(html, want) {
					t.Errorf("the record page lacks %q", want)
				}
			}
			tb.check(t, base, "")

			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`form[action$="/verify"] select`), "corroborated")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form[action$="/verify"] button`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "?done=verified") {
				t.Fatalf("after verifying: %s", loc)
			}
			if html := tb.html(t); !strings.Contains(html, "restates an earlier claim") || !strings.Contains(html, `class="retracted"`) {
				t.Error("the record page does not show the verification's history")
			}
			if !js {
				tb.screenshot(t, "admin_record_verified")
			}
			tb.check(t, base, "")

			tb.navigate(t, base+"/admin/publish/")
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("as_of"), "2022-08-03")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#preview-form button[type="submit"]`)
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("note"), "from the browser"), chromedp.SendKeys(chromedp.ID("confirm"), "2022-08-03")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `#publish-form button[type="submit"]`)
			loc := tb.location(t)
			m := publishedSlugRE.FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("after publishing: %s", loc)
			}
			sn, err := st.SnapshotBySlug(ctx, m[1])
			if err != nil {
				t.Fatal(err)
			}
			head, err := st.PublicationHead(ctx, sn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if html := tb.html(t); !strings.Contains(html, head.String()) {
				t.Errorf("the result page does not show the audit head %s", head)
			}
			if !js {
				tb.screenshot(t, "admin_published")
			}
			tb.check(t, base, "")

			// The list is rebuilt in the background after the verification
			// (and at the latest by the publication): look until it shows.
			found := false
			for deadline := time.Now().Add(20 * time.Second); !found && time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
				tb.navigate(t, base+"/en/people/?q="+strings.ReplaceAll(name, " ", "+"))
				found = strings.Contains(tb.html(t), name)
			}
			if !found {
				t.Error("the verified person is not on the public list")
			}
			tb.check(t, base, "")
		})
	}
}
