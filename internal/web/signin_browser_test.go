package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// workspaceServer serves a workspace site over st on a real address, for
// the browser (the shared site of browser_test.go has no workspace).
func workspaceServer(t *testing.T, st *store.Store) (*auth.Service, string) {
	t.Helper()
	site, a := workspaceSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return a, srv.URL
}

// typeInto types text into the field with the given id.
func (tb *tab) typeInto(t *testing.T, id, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		t.Fatalf("typing into #%s: %v", id, err)
	}
}

// An editor, with JavaScript on and off, sets a password through the
// one-time link, signs in, sets up the second factor from the page (the
// key shown as text, the QR code drawn by the server), keeps the recovery
// codes, lands in the workspace, signs out, and signs in again with a
// TOTP code.
func TestBrowserSignInWithTOTP(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	a, base := workspaceServer(t, st)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			email := fmt.Sprintf("browser.editor.%v@example.org", js)
			_, setup, err := a.AddUser(context.Background(), "test", email, auth.Editor)
			if err != nil {
				t.Fatal(err)
			}
			tb := openTab(t, browser, js)

			tb.navigate(t, base+"/admin/setup?token="+url.QueryEscape(setup))
			tb.typeInto(t, "password", testPassword)
			tb.typeInto(t, "password2", testPassword)
			tb.click(t, `form.signin button[type="submit"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/signin?msg=password_set") {
				t.Fatalf("after the password: %s", loc)
			}

			tb.typeInto(t, "email", email)
			tb.typeInto(t, "password", testPassword)
			tb.click(t, `form.signin button[type="submit"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/signin/enroll") {
				t.Fatalf("after the password: %s", loc)
			}
			html := tb.html(t)
			m := enrollKey(html)
			if m == nil {
				t.Fatalf("no key on the enroll page:\n%s", html)
			}
			secret := m[1]
			tb.mu.Lock()
			qr := false
			for _, r := range tb.requests {
				qr = qr || strings.HasSuffix(r, "/admin/signin/enroll/qr.png")
			}
			tb.mu.Unlock()
			if !qr {
				t.Error("the browser never fetched the QR code")
			}
			tb.screenshot(t, fmt.Sprintf("admin-enroll-js-%v", js))
			tb.typeInto(t, "code", codeAt(t, secret, time.Now()))
			tb.click(t, `form.signin button[type="submit"]`)
			if html := tb.html(t); strings.Count(html, "<li><code>") != 10 {
				t.Fatalf("no recovery codes after enrollment:\n%s", html)
			}
			tb.click(t, "#continue")
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/") || !strings.Contains(tb.html(t), "/admin/review/") {
				t.Fatalf("not in the workspace: %s", loc)
			}
			tb.screenshot(t, fmt.Sprintf("admin-home-js-%v", js))

			tb.click(t, `form.signout button[type="submit"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/signin?msg=signed_out") {
				t.Fatalf("after sign-out: %s", loc)
			}
			tb.navigate(t, base+"/admin/")
			if loc := tb.location(t); !strings.Contains(loc, "/admin/signin?next=") {
				t.Fatalf("the workspace is open after sign-out: %s", loc)
			}

			// Again, with a code: the one of the next time step (the
			// current one was spent on enrollment; one step of clock
			// drift is allowed).
			tb.typeInto(t, "email", email)
			tb.typeInto(t, "password", testPassword)
			tb.click(t, `form.signin button[type="submit"]`)
			if loc := tb.location(t); !strings.Contains(loc, "/admin/signin/code") {
				t.Fatalf("after the password: %s", loc)
			}
			tb.typeInto(t, "code", codeAt(t, secret, time.Now().Add(30*time.Second)))
			tb.click(t, `form.signin button[type="submit"]`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/") {
				t.Fatalf("after the code: %s\n%s", loc, tb.html(t))
			}
			tb.click(t, `form.signout button[type="submit"]`)
			tb.check(t, base, "")
		})
	}
}
