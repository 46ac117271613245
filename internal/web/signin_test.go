package web_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// clock is a settable time for the auth service (sessions, codes,
// throttles) and its store (links), starting at the beginning of a TOTP
// step.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func setClock(a *auth.Service) *clock {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a.Now, a.Store.Now = c.now, c.now
	return c
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// client is a browser as far as the sign-in pages care: it keeps the
// cookies it is given, sends them back, and sends forms the way a
// same-origin page does (with the session's form token, if it has one).
type client struct {
	site    *web.Server
	handler http.Handler // site, unless a wrapper is tested
	cookies map[string]*http.Cookie
	tls     bool
	remote  string
	lang    string
}

func newClient(site *web.Server) *client {
	return &client{site: site, cookies: map[string]*http.Cookie{}, remote: "192.0.2.10:5555"}
}

func (c *client) request(method, path string, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = c.remote
	if c.tls {
		req.TLS = &tls.ConnectionState{}
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	return req
}

func (c *client) send(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h := http.Handler(c.site)
	if c.handler != nil {
		h = c.handler
	}
	h.ServeHTTP(w, req)
	for _, ck := range w.Result().Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return w
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.send(c.request(http.MethodGet, path, ""))
}

// session is the session token the client holds ("" when none).
func (c *client) session() string {
	for _, name := range []string{"__Host-rollcall", "rollcall"} {
		if ck, ok := c.cookies[name]; ok {
			return ck.Value
		}
	}
	return ""
}

func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if tok := c.session(); tok != "" && !form.Has("csrf") {
		form.Set("csrf", c.site.FormToken(tok))
	} else if !form.Has("csrf") {
		form.Set("csrf", c.site.AnonymousFormToken(path)) // what the page gave
	}
	req := c.request(http.MethodPost, path, form.Encode())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.send(req)
}

// newAccount makes an account and returns its set-up token.
func newAccount(t *testing.T, a *auth.Service, email string, role auth.Role) (store.User, string) {
	t.Helper()
	u, token, err := a.AddUser(context.Background(), "test", email, role)
	if err != nil {
		t.Fatal(err)
	}
	return u, token
}

func wantStatus(t *testing.T, what string, w *httptest.ResponseRecorder, status int, location string) {
	t.Helper()
	if w.Code != status || (location != "" && w.Header().Get("Location") != location) {
		t.Fatalf("%s: %d → %q, want %d → %q\n%s", what, w.Code, w.Header().Get("Location"), status, location, w.Body.String())
	}
}

// secretRe reads the key on the enrollment page, where it is shown in groups of four letters.
var secretRe = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]{4}(?: [A-Z2-7]{1,4})*)</code>`)

// enrollKey finds the key on an enrollment page as FindStringSubmatch does, with the
// spaces between its groups taken out, as an authenticator app reads it.
func enrollKey(page string) []string {
	m := secretRe.FindStringSubmatch(page)
	if m != nil {
		m[1] = strings.ReplaceAll(m[1], " ", "")
	}
	return m
}

var codeRe = regexp.MustCompile(`<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>`)

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// A new editor's whole way in, through the pages only: the set-up link,
// a password, sign-in, the second factor set up from the page (QR code
// and key), recovery codes shown once, the workspace, sign-out. Then a
// second sign-in with a code, a replayed code, and a recovery code.
func TestSignInFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a := workspaceSite(t, st)
		clk := setClock(a)
		_, setup := newAccount(t, a, "editor@example.org", auth.Editor)
		c := newClient(site)

		// The set-up link: a weak password is refused with auth's reason,
		// the link still works, then a good one is taken.
		w := c.get("/admin/setup?token=" + url.QueryEscape(setup))
		wantStatus(t, "set-up page", w, 200, "")
		if !strings.Contains(w.Body.String(), `name="token" value="`+setup+`"`) || w.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("set-up page: the form lacks its token or the page may leak it by Referer")
		}
		w = c.post("/admin/setup", url.Values{"token": {setup}, "password": {"password1234"}, "password2": {"password1234"}})
		wantStatus(t, "common password", w, 400, "")
		if !strings.Contains(w.Body.String(), "common passwords") {
			t.Errorf("the refusal does not say why:\n%s", w.Body.String())
		}
		wantStatus(t, "short password", c.post("/admin/setup", url.Values{"token": {setup}, "password": {"short"}, "password2": {"short"}}), 400, "")
		wantStatus(t, "different passwords", c.post("/admin/setup", url.Values{"token": {setup}, "password": {testPassword}, "password2": {testPassword + "x"}}), 400, "")
		wantStatus(t, "good password", c.post("/admin/setup", url.Values{"token": {setup}, "password": {testPassword}, "password2": {testPassword}}),
			303, "/admin/signin?msg=password_set")
		wantStatus(t, "used link", c.get("/admin/setup?token="+url.QueryEscape(setup)), 404, "")

		// Password: on to setting up the second factor, in a pending
		// cookie of its own; no session yet.
		w = c.post("/admin/signin", url.Values{"email": {"Editor@Example.org "}, "password": {testPassword}, "next": {"/admin/account/"}})
		wantStatus(t, "password", w, 303, "/admin/signin/enroll?next=%2Fadmin%2Faccount%2F")
		pend := c.cookies["rollcall-pending"]
		if pend == nil || !pend.HttpOnly || pend.SameSite != http.SameSiteStrictMode || pend.MaxAge != int(auth.PendingLimit.Seconds()) || c.session() != "" {
			t.Fatalf("pending cookie %+v, session %q", pend, c.session())
		}
		if w := c.get("/admin/"); w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/admin/signin") {
			t.Errorf("a pending sign-in opened the workspace: %d", w.Code)
		}

		w = c.get("/admin/signin/enroll?next=%2Fadmin%2Faccount%2F")
		wantStatus(t, "enroll page", w, 200, "")
		m := enrollKey(w.Body.String())
		if m == nil || !strings.Contains(w.Body.String(), `<img class="qr" src="/admin/signin/enroll/qr.png"`) {
			t.Fatalf("the enroll page shows no key or no QR code:\n%s", w.Body.String())
		}
		secret := m[1]
		if again := enrollKey(c.get("/admin/signin/enroll").Body.String()); again == nil || again[1] != secret {
			t.Error("reloading the enroll page changed the key")
		}
		w = c.get("/admin/signin/enroll/qr.png")
		if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("QR code: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
		}
		if img, err := png.Decode(bytes.NewReader(w.Body.Bytes())); err != nil || img.Bounds().Dx() != 240 {
			t.Errorf("QR code is not a 240px PNG: %v", err)
		}
		if w := newClient(site).get("/admin/signin/enroll/qr.png"); w.Code != 404 {
			t.Errorf("QR code without the pending sign-in: %d, want 404", w.Code)
		}

		wantStatus(t, "wrong enrollment code", c.post("/admin/signin/enroll", url.Values{"code": {"000000"}}), 401, "")
		w = c.post("/admin/signin/enroll", url.Values{"code": {codeAt(t, secret, clk.now())}, "next": {"/admin/account/"}})
		wantStatus(t, "enrollment", w, 200, "")
		codes := codeRe.FindAllStringSubmatch(w.Body.String(), -1)
		if len(codes) != 10 || !strings.Contains(w.Body.String(), `href="/admin/account/"`) {
			t.Fatalf("%d recovery codes shown, or no way on:\n%s", len(codes), w.Body.String())
		}
		full := c.session()
		if full == "" || full == pend.Value || c.cookies["rollcall-pending"] != nil {
			t.Fatalf("after enrollment: session %q (pending was %q), pending cookie %v", full, pend.Value, c.cookies["rollcall-pending"])
		}
		w = c.get("/admin/account/")
		wantStatus(t, "account page", w, 200, "")
		if body := w.Body.String(); !strings.Contains(body, `<dd id="recovery-left">10</dd>`) || !strings.Contains(body, "editor") {
			t.Errorf("account page:\n%s", body)
		}
		if w := c.get("/admin/signin"); w.Code != 303 || w.Header().Get("Location") != "/admin/" {
			t.Errorf("the sign-in page for someone signed in: %d → %q", w.Code, w.Header().Get("Location"))
		}

		// Sign out: the session ends on the server, not only the cookie.
		wantStatus(t, "sign out", c.post("/admin/signout", nil), 303, "/admin/signin?msg=signed_out")
		if c.session() != "" {
			t.Error("the session cookie survived sign-out")
		}
		old := &session{Cookie: &http.Cookie{Name: "rollcall", Value: full}}
		if w := old.get(t, site, "/admin/"); w.Code != 303 {
			t.Errorf("the signed-out token still opens the workspace: %d", w.Code)
		}

		// Second sign-in: the code step. The code enrollment used is spent.
		signInPassword := func() {
			t.Helper()
			wantStatus(t, "password", c.post("/admin/signin", url.Values{"email": {"editor@example.org"}, "password": {testPassword}}), 303, "/admin/signin/code")
		}
		signInPassword()
		wantStatus(t, "code page", c.get("/admin/signin/code"), 200, "")
		w = c.post("/admin/signin/code", url.Values{"code": {codeAt(t, secret, clk.now())}})
		wantStatus(t, "replayed code", w, 401, "")
		if !strings.Contains(w.Body.String(), "Wrong or already used code") {
			t.Errorf("replayed code answer:\n%s", w.Body.String())
		}
		clk.advance(30 * time.Second)
		next := codeAt(t, secret, clk.now())
		wantStatus(t, "next code", c.post("/admin/signin/code", url.Values{"code": {next}}), 303, "/admin/")
		wantStatus(t, "workspace", c.get("/admin/"), 200, "")
		c.post("/admin/signout", nil)
		signInPassword()
		wantStatus(t, "the same code again", c.post("/admin/signin/code", url.Values{"code": {next}}), 401, "")

		// A recovery code works once, in any case and spacing.
		rc := strings.ToUpper(strings.ReplaceAll(codes[0][1], "-", " "))
		wantStatus(t, "recovery code", c.post("/admin/signin/code", url.Values{"code": {rc}}), 303, "/admin/")
		if body := c.get("/admin/account/").Body.String(); !strings.Contains(body, `<dd id="recovery-left">9</dd>`) {
			t.Errorf("a used recovery code is still counted:\n%s", body)
		}
		c.post("/admin/signout", nil)
		signInPassword()
		wantStatus(t, "spent recovery code", c.post("/admin/signin/code", url.Values{"code": {codes[0][1]}}), 401, "")

		// The pending sign-in expires.
		clk.advance(auth.PendingLimit + time.Second)
		wantStatus(t, "late code", c.post("/admin/signin/code", url.Values{"code": {codes[1][1]}}), 303, "/admin/signin?msg=expired")
	})
}

// An unknown address and a wrong password get the very same answer.
func TestSignInSameAnswer(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	setClock(a)
	signIn(t, site, a, auth.Viewer)
	_, setup := newAccount(t, a, "known@example.org", auth.Viewer)
	if _, err := a.SetPassword(context.Background(), auth.PurposeSetup, setup, testPassword); err != nil {
		t.Fatal(err)
	}
	answer := func(email, password string) (int, string) {
		w := newClient(site).post("/admin/signin", url.Values{"email": {email}, "password": {password}})
		return w.Code, strings.ReplaceAll(w.Body.String(), email, "EMAIL")
	}
	unknownCode, unknownBody := answer("nobody@example.org", testPassword)
	wrongCode, wrongBody := answer("known@example.org", testPassword+"!")
	if unknownCode != 401 || unknownCode != wrongCode || unknownBody != wrongBody {
		t.Errorf("unknown account: %d, wrong password: %d; bodies equal: %v\n%s", unknownCode, wrongCode, unknownBody == wrongBody, wrongBody)
	}
	// A viewer reads what the public cannot: the password alone is not
	// enough, the first sign-in sets up a second factor (issue 14 item 3).
	c := newClient(site)
	wantStatus(t, "viewer", c.post("/admin/signin", url.Values{"email": {"known@example.org"}, "password": {testPassword}}), 303, "/admin/signin/enroll")
	if c.session() != "" {
		t.Error("a session after the viewer's password alone")
	}
	wantStatus(t, "viewer's workspace before the second factor", c.get("/admin/"), 303, "/admin/signin?next=%2Fadmin%2F")
}

// enroll finishes a first sign-in whose password step passed: it reads the
// key from the enrollment page and gives its code. It returns the answer
// that starts the full session.
func (c *client) enroll(t *testing.T, a *auth.Service) *httptest.ResponseRecorder {
	t.Helper()
	page := c.get("/admin/signin/enroll").Body.String()
	secret := enrollKey(page)
	if secret == nil {
		t.Fatalf("no key on the enrollment page:\n%s", page)
	}
	w := c.post("/admin/signin/enroll", url.Values{"code": {codeAt(t, secret[1], a.Now())}})
	if c.session() == "" {
		t.Fatalf("enrollment: %d, no session\n%s", w.Code, w.Body.String())
	}
	return w
}

// ?next= leads back where the visitor was, but never off the site.
func TestSignInNextStaysOnSite(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	_, setup := newAccount(t, a, "v@example.org", auth.Viewer)
	if _, err := a.SetPassword(context.Background(), auth.PurposeSetup, setup, testPassword); err != nil {
		t.Fatal(err)
	}
	w := newClient(site).get("/admin/account/")
	wantStatus(t, "anonymous", w, 303, "/admin/signin?next=%2Fadmin%2Faccount%2F")
	for next, want := range map[string]string{
		"/admin/account/":           "/admin/account/",
		"//evil.example/x":          "/x",
		"https://evil.example/x?y":  "/x?y",
		"/\\evil.example":           "/admin/",
		"javascript:alert(1)":       "/admin/",
		"":                          "/admin/",
		"/admin/review/?done&a=<b>": "/admin/review/?done&a=<b>",
	} {
		// The password leads to the second factor's set-up, carrying the
		// cleaned ?next= (the finished sign-in's redirect: FuzzSignInNext).
		c := newClient(site)
		w := c.post("/admin/signin", url.Values{"email": {"v@example.org"}, "password": {testPassword}, "next": {next}})
		step := "/admin/signin/enroll"
		if next != "" {
			step += "?next=" + url.QueryEscape(want)
		}
		if w.Code != 303 || w.Header().Get("Location") != step {
			t.Errorf("next=%q: %d → %q, want %q", next, w.Code, w.Header().Get("Location"), step)
		}
	}
}

// Guessing is slowed (429 with Retry-After) and then locks the account;
// the right password does not open a locked account; an admin's reset
// link lets its owner back in.
func TestBruteForceSlowedThenLocked(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	clk := setClock(a)
	victim, setup := newAccount(t, a, "victim@example.org", auth.Viewer)
	if _, err := a.SetPassword(context.Background(), auth.PurposeSetup, setup, testPassword); err != nil {
		t.Fatal(err)
	}
	attacker := newClient(site)
	guess := url.Values{"email": {"victim@example.org"}, "password": {"not the password at all"}}
	failures, throttled := 0, 0
	for failures < auth.LockAfter {
		w := attacker.post("/admin/signin", guess)
		switch w.Code {
		case 401:
			failures++
		case 429:
			throttled++
			secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
			if err != nil || secs < 1 || !strings.Contains(w.Body.String(), "Too many attempts") {
				t.Fatalf("429 without a usable Retry-After (%q) or message: %s", w.Header().Get("Retry-After"), w.Body.String())
			}
			if failures < 5 {
				t.Fatalf("throttled after only %d failures", failures)
			}
			clk.advance(time.Duration(secs) * time.Second)
		default:
			t.Fatalf("guess %d: %d", failures, w.Code)
		}
	}
	if throttled == 0 {
		t.Error("20 wrong passwords in a row were never slowed down")
	}
	// Locked: the right password gets the same answer as a wrong one.
	clk.advance(time.Hour)
	owner := newClient(site)
	owner.remote = "198.51.100.7:4000"
	wantStatus(t, "locked account, right password", owner.post("/admin/signin", url.Values{"email": {"victim@example.org"}, "password": {testPassword}}), 401, "")

	// The way back: a reset link from an admin's accounts page.
	admin := signIn(t, site, a, auth.Admin)
	w := admin.post(t, site, "/admin/users/"+victim.ID+"/reset", nil)
	link := regexp.MustCompile(`<code id="one-time-link">http://example.com(/admin/reset\?token=[^<]+)</code>`).FindStringSubmatch(w.Body.String())
	if w.Code != 200 || link == nil {
		t.Fatalf("reset link: %d\n%s", w.Code, w.Body.String())
	}
	resetPath := strings.ReplaceAll(link[1], "&amp;", "&")
	wantStatus(t, "reset page", owner.get(resetPath), 200, "")
	token, _ := url.ParseQuery(strings.SplitN(resetPath, "?", 2)[1])
	newPassword := "a brand new and long passphrase"
	wantStatus(t, "new password", owner.post("/admin/reset", url.Values{"token": {token.Get("token")}, "password": {newPassword}, "password2": {newPassword}}), 303, "/admin/signin?msg=password_set")
	// The in-memory throttle of the address still holds the flood's count:
	// the owner waits it out (at most Throttle.Max, 15 minutes).
	clk.advance(15 * time.Minute)
	wantStatus(t, "unlocked", owner.post("/admin/signin", url.Values{"email": {"victim@example.org"}, "password": {newPassword}}), 303, "/admin/signin/enroll")
}

// The session cookie over TLS is __Host- and Secure; on plain HTTP (an
// onion address) it is plain-named and not Secure, since browsers refuse
// Secure cookies there. Both are HttpOnly and SameSite=Lax.
func TestSessionCookieTLSAndPlain(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	// Behind a TLS-terminating proxy (serve --https-proxy) the request
	// arrives as plain HTTP, and the cookie must still be Secure.
	// Serving TLS itself (serve --tls-cert) the request has its TLS state
	// and the answers carry Strict-Transport-Security as well.
	proxied := web.BehindTLSProxy(site, 365*24*time.Hour)
	direct := web.StrictTransport(site, 365*24*time.Hour)
	for _, how := range []string{"tls", "plain", "proxy"} {
		overTLS := how != "plain"
		c := newClient(site)
		c.tls = how == "tls"
		switch how {
		case "proxy":
			c.handler = proxied
		case "tls":
			c.handler = direct
		}
		email := "cookie-" + how + "@example.org"
		_, setup := newAccount(t, a, email, auth.Viewer)
		if _, err := a.SetPassword(context.Background(), auth.PurposeSetup, setup, testPassword); err != nil {
			t.Fatal(err)
		}
		w := c.post("/admin/signin", url.Values{"email": {email}, "password": {testPassword}})
		wantStatus(t, "sign in", w, 303, "/admin/signin/enroll")
		w = c.enroll(t, a)
		cookies := w.Result().Cookies()
		var got *http.Cookie
		for _, ck := range cookies {
			if ck.MaxAge >= 0 && ck.Value != "" {
				got = ck
			}
		}
		wantName := map[bool]string{true: "__Host-rollcall", false: "rollcall"}[overTLS]
		if got == nil || got.Name != wantName || got.Secure != overTLS || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode ||
			got.Path != "/" || got.Domain != "" || got.MaxAge != 0 || len(got.Value) < 43 {
			t.Errorf("%s: session cookie %+v", how, got)
		}
		page := c.get("/admin/")
		wantStatus(t, "workspace", page, 200, "")
		if hsts := page.Header().Get("Strict-Transport-Security"); overTLS != (hsts == "max-age=31536000") {
			t.Errorf("%s: Strict-Transport-Security %q", how, hsts)
		}
		if overTLS {
			// The same token under the plain name, as a sibling host or a
			// plain-HTTP answer could plant it, is no session over TLS.
			planted := newClient(site)
			planted.tls, planted.handler = c.tls, c.handler
			planted.cookies["rollcall"] = &http.Cookie{Name: "rollcall", Value: got.Value}
			if w := planted.get("/admin/"); w.Code == 200 {
				t.Errorf("%s: a plain-named cookie over TLS signed in", how)
			}
		}
		w = c.post("/admin/signout", nil)
		cleared := false
		for _, ck := range w.Result().Cookies() {
			if ck.Name == wantName && ck.MaxAge < 0 {
				cleared = true
			}
		}
		if !cleared {
			t.Errorf("%s: sign-out does not clear %s", how, wantName)
		}
	}
}

// Sessions end after 30 idle minutes, and after 12 hours however busy.
func TestSessionLimits(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	clk := setClock(a)

	idle := signIn(t, site, a, auth.Viewer)
	clk.advance(29 * time.Minute)
	wantStatus(t, "29 minutes idle", idle.get(t, site, "/admin/"), 200, "")
	clk.advance(auth.IdleLimit + time.Minute)
	wantStatus(t, "31 minutes idle", idle.get(t, site, "/admin/"), 303, "/admin/signin?next=%2Fadmin%2F")
	w := idle.post(t, site, "/admin/account/signout-everywhere", nil)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "session has ended") {
		t.Errorf("a form from an expired session: %d %s", w.Code, w.Body.String())
	}

	busy := signIn(t, site, a, auth.Viewer)
	for i := range 35 {
		clk.advance(20 * time.Minute)
		if w := busy.get(t, site, "/admin/"); w.Code != 200 {
			t.Fatalf("a busy session ended after %d minutes", (i+1)*20)
		}
	}
	clk.advance(21 * time.Minute)
	wantStatus(t, "after 12 hours of work", busy.get(t, site, "/admin/"), 303, "/admin/signin?next=%2Fadmin%2F")
}

// Bad input gets a plain, specific answer and changes nothing.
func TestWorkspaceBadInput(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	admin := signIn(t, site, a, auth.Admin)
	other := signIn(t, site, a, auth.Admin)

	send := func(body, contentType string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/admin/users/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		req.AddCookie(admin.Cookie)
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		return w
	}
	add := url.Values{"email": {"new@example.org"}, "role": {"viewer"}, "csrf": {admin.CSRF}}
	cases := []struct {
		name   string
		w      *httptest.ResponseRecorder
		status int
	}{
		{"oversized body", send(add.Encode()+"&pad="+strings.Repeat("x", 70<<10), "application/x-www-form-urlencoded", nil), 413},
		{"JSON body", send(`{"email":"new@example.org"}`, "application/json", nil), 415},
		{"no content type", send(add.Encode(), "", nil), 415},
		{"no form token", send(url.Values{"email": {"new@example.org"}, "role": {"viewer"}}.Encode(), "application/x-www-form-urlencoded", nil), 403},
		{"another session's form token", send(url.Values{"email": {"new@example.org"}, "role": {"viewer"}, "csrf": {other.CSRF}}.Encode(), "application/x-www-form-urlencoded", nil), 403},
		{"cross-site", send(add.Encode(), "application/x-www-form-urlencoded", map[string]string{"Sec-Fetch-Site": "cross-site"}), 403},
		{"cross-origin without Sec-Fetch-Site", send(add.Encode(), "application/x-www-form-urlencoded", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}), 403},
	}
	for _, c := range cases {
		if c.w.Code != c.status {
			t.Errorf("%s: %d, want %d", c.name, c.w.Code, c.status)
		}
		if ct := c.w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || len(c.w.Body.String()) > 200 ||
			strings.Contains(c.w.Body.String(), "http:") || strings.Contains(c.w.Body.String(), ".go") {
			t.Errorf("%s: not a short plain answer (%s): %q", c.name, ct, c.w.Body.String())
		}
	}
	if _, err := st.UserByEmail(context.Background(), "new@example.org"); err == nil {
		t.Error("a refused form made an account")
	}

	// A multipart form is read like any other: its token counts, and a
	// large one is refused.
	multipartForm := func(fields url.Values) (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, vs := range fields {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		mw.Close()
		return b.String(), mw.FormDataContentType()
	}
	body, ct := multipartForm(url.Values{"email": {"not an address"}, "role": {"viewer"}, "csrf": {admin.CSRF}})
	if w := send(body, ct, nil); w.Code != 400 || !strings.Contains(w.Body.String(), "not an e-mail address") {
		t.Errorf("multipart form: %d, want the form's own answer (400)\n%s", w.Code, w.Body.String())
	}
	body, ct = multipartForm(url.Values{"email": {"x@example.org"}, "role": {"viewer"}, "csrf": {admin.CSRF}, "pad": {strings.Repeat("x", 70<<10)}})
	if w := send(body, ct, nil); w.Code != 413 {
		t.Errorf("oversized multipart form: %d, want 413", w.Code)
	}

	// A replayed form token from a session that has ended is refused.
	wantStatus(t, "sign out", admin.post(t, site, "/admin/signout", nil), 303, "")
	if w := admin.post(t, site, "/admin/users/", url.Values{"email": {"new@example.org"}, "role": {"viewer"}}); w.Code != 403 {
		t.Errorf("a form of an ended session: %d, want 403", w.Code)
	}

	// HTML in every field comes back as text.
	evil := `<b onmouseover="x">x</b>@example.org`
	w := newClient(site).post("/admin/signin", url.Values{"email": {evil}, "password": {"<script>alert(1)</script>"}, "next": {`/"><script>`}})
	if body := w.Body.String(); w.Code != 401 || strings.Contains(body, "<b onmouseover") || strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;b onmouseover=") {
		t.Errorf("sign-in form with markup: %d\n%s", w.Code, body)
	}
	w = other.post(t, site, "/admin/users/", url.Values{"email": {evil}, "role": {"<i>admin</i>"}})
	if body := w.Body.String(); w.Code != 400 || strings.Contains(body, "<i>admin</i>") || strings.Contains(body, "<b onmouseover") {
		t.Errorf("accounts form with markup: %d\n%s", w.Code, body)
	}
	w = other.post(t, site, "/admin/users/", url.Values{"email": {evil}, "role": {"viewer"}})
	if body := w.Body.String(); w.Code != 400 || strings.Contains(body, "<b onmouseover") || !strings.Contains(body, "&lt;b onmouseover=") {
		t.Errorf("an address with markup: %d\n%s", w.Code, body)
	}
}

// An admin manages accounts from the web: add (link shown once), change
// role, disable (ending every session), enable. The list needs a fresh
// sign-in; an admin cannot shut themself out.
func TestUsersPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a := workspaceSite(t, st)
		clk := setClock(a)
		admin := signIn(t, site, a, auth.Admin)
		editor := signIn(t, site, a, auth.Editor)

		w := admin.post(t, site, "/admin/users/", url.Values{"email": {"new.volunteer@example.org"}, "role": {"volunteer"}})
		link := regexp.MustCompile(`<code id="one-time-link">http://example.com/admin/setup\?token=([^<]+)</code>`).FindStringSubmatch(w.Body.String())
		if w.Code != 200 || link == nil || !strings.Contains(w.Body.String(), "new.volunteer@example.org") {
			t.Fatalf("add account: %d\n%s", w.Code, w.Body.String())
		}
		if _, err := a.CheckLink(context.Background(), auth.PurposeSetup, link[1]); err != nil {
			t.Errorf("the link shown does not set up the account: %v", err)
		}
		list := admin.get(t, site, "/admin/users/").Body.String()
		if strings.Contains(list, link[1]) || !strings.Contains(list, editor.User.ID) {
			t.Errorf("the list shows the link again, or lacks the editor")
		}
		if w := admin.post(t, site, "/admin/users/", url.Values{"email": {"new.volunteer@example.org"}, "role": {"viewer"}}); w.Code != 409 {
			t.Errorf("the same address twice: %d", w.Code)
		}

		wantStatus(t, "role", admin.post(t, site, "/admin/users/"+editor.User.ID+"/role", url.Values{"role": {"viewer"}}), 303, "/admin/users/?done=role")
		if u, _ := st.UserByID(context.Background(), editor.User.ID); u.Role != "viewer" {
			t.Errorf("role is %q", u.Role)
		}
		wantStatus(t, "role change ended the session", editor.get(t, site, "/admin/"), 303, "")
		viewer := signIn(t, site, a, auth.Viewer)
		wantStatus(t, "disable", admin.post(t, site, "/admin/users/"+viewer.User.ID+"/disable", nil), 303, "/admin/users/?done=disabled")
		wantStatus(t, "disabled account's session", viewer.get(t, site, "/admin/"), 303, "")
		if n, _ := st.CountSessions(context.Background(), viewer.User.ID); n != 0 {
			t.Errorf("%d sessions left after disabling", n)
		}
		wantStatus(t, "enable", admin.post(t, site, "/admin/users/"+viewer.User.ID+"/enable", nil), 303, "/admin/users/?done=enabled")
		if u, _ := st.UserByID(context.Background(), viewer.User.ID); !u.DisabledAt.IsZero() {
			t.Error("still disabled")
		}
		if w := admin.post(t, site, "/admin/users/"+admin.User.ID+"/disable", nil); w.Code != 400 {
			t.Errorf("an admin disabling themself: %d", w.Code)
		}
		if w := admin.post(t, site, "/admin/users/no-such-id/role", url.Values{"role": {"viewer"}}); w.Code != 404 {
			t.Errorf("unknown account: %d", w.Code)
		}

		// Eleven minutes on, the list asks for the password and code again.
		clk.advance(11 * time.Minute)
		wantStatus(t, "stale", admin.get(t, site, "/admin/users/"), 303, "/admin/reauth?next=%2Fadmin%2Fusers%2F")
		wantStatus(t, "reauth page", admin.get(t, site, "/admin/reauth?next=%2Fadmin%2Fusers%2F"), 200, "")
		wantStatus(t, "wrong reauth", admin.post(t, site, "/admin/reauth", url.Values{"password": {testPassword}, "code": {"000000"}, "next": {"/admin/users/"}}), 401, "")
		wantStatus(t, "reauth", admin.post(t, site, "/admin/reauth", url.Values{"password": {testPassword}, "code": {admin.nextCode(t, a, 1)}, "next": {"/admin/users/"}}), 303, "/admin/users/")
		wantStatus(t, "fresh again", admin.get(t, site, "/admin/users/"), 200, "")
	})
}

// The account page: new recovery codes need a fresh sign-in and are shown
// once; "sign out everywhere" ends every session of the account.
func TestAccountPage(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	clk := setClock(a)
	ed := signIn(t, site, a, auth.Editor)
	w := ed.post(t, site, "/admin/account/recovery", nil)
	if codes := codeRe.FindAllString(w.Body.String(), -1); w.Code != 200 || len(codes) != 10 {
		t.Fatalf("new recovery codes: %d, %d codes", w.Code, len(codes))
	}
	if strings.Contains(ed.get(t, site, "/admin/account/").Body.String(), "<li><code>") {
		t.Error("the codes are shown again")
	}
	clk.advance(11 * time.Minute)
	wantStatus(t, "stale", ed.post(t, site, "/admin/account/recovery", nil), 303, "/admin/reauth?next=%2Fadmin%2Faccount%2F")

	second := signIn(t, site, a, auth.Editor)
	wantStatus(t, "everywhere", ed.post(t, site, "/admin/account/signout-everywhere", nil), 303, "/admin/signin?msg=signed_out")
	if n, _ := st.CountSessions(context.Background(), ed.User.ID); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	wantStatus(t, "other account untouched", second.get(t, site, "/admin/"), 200, "")
}

// Whatever ?next= holds, a finished sign-in goes to a path on this site:
// no scheme, no host, no "//" or "\" that a browser would read as another
// host.
func FuzzSignInNext(f *testing.F) {
	for _, seed := range []string{"/admin/account/", "//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
		"/%2F%2Fevil.example", "/admin/?a=b#frag", "\t//evil.example", "/.//evil.example", "", "%", "/admin/\r\nSet-Cookie: x=y"} {
		f.Add(seed)
	}
	st := storetest.Open(f, store.SQLite)
	site, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	a := auth.New(st)
	site.EnableWorkspace(a, f.TempDir())
	_, setup, err := a.AddUser(context.Background(), "test", "fuzz@example.org", auth.Viewer)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := a.SetPassword(context.Background(), auth.PurposeSetup, setup, testPassword); err != nil {
		f.Fatal(err)
	}
	res, err := a.SignIn(context.Background(), "fuzz@example.org", testPassword, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	enr, err := a.BeginEnrollment(context.Background(), res.Token, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	code, err := totp.GenerateCode(enr.Secret, a.Now())
	if err != nil {
		f.Fatal(err)
	}
	token, _, err := a.ConfirmEnrollment(context.Background(), res.Token, code)
	if err != nil {
		f.Fatal(err)
	}
	cookie := &http.Cookie{Name: "rollcall", Value: token}
	base, _ := url.Parse("https://rollcall.example/admin/signin")
	f.Fuzz(func(t *testing.T, next string) {
		req := httptest.NewRequest(http.MethodGet, "/admin/signin?next="+url.QueryEscape(next), nil)
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		loc := w.Header().Get("Location")
		if w.Code != http.StatusSeeOther {
			t.Fatalf("next=%q: %d", next, w.Code)
		}
		u, err := url.Parse(loc)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") ||
			strings.ContainsAny(loc, "\r\n") || strings.ContainsAny(strings.SplitN(loc, "?", 2)[0], "\\\t") ||
			base.ResolveReference(u).Host != "rollcall.example" {
			t.Fatalf("next=%q leads to %q", next, loc)
		}
	})
}

// The workspace's pages speak Russian to a Russian browser, with no
// message id left untranslated, and put every form under the site's CSP
// (no inline script or style).
func TestWorkspacePagesInRussian(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	setClock(a)
	_, setup := newAccount(t, a, "ru.editor@example.org", auth.Editor)
	c := newClient(site)
	c.lang = "ru-RU,ru;q=0.9"
	pages := map[string]string{}
	pages["setup"] = c.get("/admin/setup?token=" + url.QueryEscape(setup)).Body.String()
	c.post("/admin/setup", url.Values{"token": {setup}, "password": {testPassword}, "password2": {testPassword}})
	pages["signin"] = c.get("/admin/signin?msg=password_set").Body.String()
	c.post("/admin/signin", url.Values{"email": {"ru.editor@example.org"}, "password": {testPassword}})
	pages["enroll"] = c.get("/admin/signin/enroll").Body.String()
	secret := enrollKey(pages["enroll"])
	if secret == nil {
		t.Fatalf("no key:\n%s", pages["enroll"])
	}
	pages["recovery"] = c.post("/admin/signin/enroll", url.Values{"code": {codeAt(t, secret[1], a.Now())}}).Body.String()
	pages["home"] = c.get("/admin/").Body.String()
	pages["account"] = c.get("/admin/account/").Body.String()
	pages["reauth"] = c.get("/admin/reauth?next=%2Fadmin%2F").Body.String()
	pages["review"] = c.get("/admin/review/").Body.String()
	admin := signIn(t, site, a, auth.Admin)
	req := httptest.NewRequest(http.MethodGet, "/admin/users/", nil)
	req.Header.Set("Accept-Language", "ru")
	req.AddCookie(admin.Cookie)
	w := httptest.NewRecorder()
	site.ServeHTTP(w, req)
	pages["users"] = w.Body.String()
	for name, body := range pages {
		if !strings.Contains(body, `<html lang="ru">`) {
			t.Errorf("%s is not in Russian:\n%.500s", name, body)
		}
		if m := regexp.MustCompile(`\b(admin|review)\.[a-z_.]+`).FindString(body); m != "" {
			t.Errorf("%s shows the message id %q", name, m)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
			t.Errorf("%s has inline script or style", name)
		}
	}
	if !strings.Contains(pages["signin"], "Пароль сохранён") || !strings.Contains(pages["home"], "редактор") {
		t.Errorf("Russian messages missing:\n%s\n%s", pages["signin"], pages["home"])
	}
}
