package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

// workspaceSite returns the site with the workspace mounted over st, and
// the auth service behind it (tests make accounts through it).
func workspaceSite(t *testing.T, st *store.Store) (*web.Server, *auth.Service) {
	t.Helper()
	site, err := web.New(st, suiteLogger())
	if err != nil {
		t.Fatal(err)
	}
	// Registered after the store's own clean-up, so it runs first: no
	// rebuild is left writing into a store being closed.
	t.Cleanup(site.Wait)
	a := auth.New(st)
	site.EnableWorkspace(a, t.TempDir())
	return site, a
}

// suiteLog receives what every site of the package's tests logs, the
// browser suite's included; TestMain searches it (scanSuiteLog).
var suiteLog = &lockedBuffer{}

// suiteLogger is the logger of the package's test sites.
func suiteLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(suiteLog, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: withoutTime}))
}

// withoutTime leaves out the time, whose hh:mm:ss would look like an IPv6
// address to ipPattern.
func withoutTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}

// canaries are values that must never reach a log: what the tests type as
// names, passwords, contacts, and the tokens they are given.
type canaries struct {
	mu     sync.Mutex
	values []string
}

func (c *canaries) add(values ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values = append(c.values, values...)
}

// logCanaries starts with what the browser tests type; signIn adds each
// account's address and session token.
var logCanaries = &canaries{values: []string{testPassword, "Azamat Qurbanov", "Bahadir Allanazarov", "Азамат Курбанов",
	"Qurbanov Azamat", "Гульнара Сейтимбетова", "Gulnara Seytimbetova", "signal 4471", "Её увели с площади", "Ерлан Досжанов",
	"Yerlan Doszhanov", "same birth place, same detention date"}}

// emailPattern is anything shaped like an e-mail address.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// scanSuiteLog says what, of the canaries, addresses and tokens, the
// package's test sites logged; "" when nothing.
func scanSuiteLog() string {
	logged := suiteLog.String()
	var found []string
	logCanaries.mu.Lock()
	for _, v := range logCanaries.values {
		if v != "" && strings.Contains(logged, v) {
			found = append(found, fmt.Sprintf("canary %q", v))
		}
	}
	logCanaries.mu.Unlock()
	for _, m := range ipPattern.FindAllString(logged, 5) {
		found = append(found, "address "+m)
	}
	for _, m := range emailPattern.FindAllString(logged, 5) {
		found = append(found, "e-mail address "+m)
	}
	return strings.Join(found, "; ")
}

// testPassword is long enough and not a common password.
const testPassword = "correct horse battery staple 7"

var accountSeq atomic.Int64

// session is a signed-in account as a test's browser holds it.
type session struct {
	User   store.User
	Email  string // the account's address (what it signs in with)
	Cookie *http.Cookie
	CSRF   string // the form token its forms carry
	TOTP   string // the second factor's secret, for accounts that have one
}

// signIn makes an account of role through the same steps a person takes
// (set-up link, password, second factor where the role needs one) and
// returns its live session.
func signIn(t *testing.T, site *web.Server, a *auth.Service, role auth.Role) session {
	t.Helper()
	ctx := context.Background()
	email := fmt.Sprintf("%s%d@example.org", role, accountSeq.Add(1))
	u, setup, err := a.AddUser(ctx, "test", email, role)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetPassword(ctx, auth.PurposeSetup, setup, testPassword); err != nil {
		t.Fatal(err)
	}
	res, err := a.SignIn(ctx, email, testPassword, "test-client")
	if err != nil {
		t.Fatal(err)
	}
	s := session{User: u, Email: email}
	token := res.Token
	if res.Pending {
		enr, err := a.BeginEnrollment(ctx, res.Token, email)
		if err != nil {
			t.Fatal(err)
		}
		if token, _, err = a.ConfirmEnrollment(ctx, res.Token, codeAt(t, enr.Secret, a.Now())); err != nil {
			t.Fatal(err)
		}
		s.TOTP = enr.Secret
	}
	s.Cookie = &http.Cookie{Name: "rollcall", Value: token}
	logCanaries.add(token, email)
	s.CSRF = site.FormToken(token)
	return s
}

// get fetches a page as the session (nil: anonymous).
func (s *session) get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if s != nil && s.Cookie != nil {
		req.AddCookie(s.Cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// addAnonymousFormToken gives a form without a token the one the page at
// path gives a visitor who is not signed in, as a browser would send it
// back (h is the site itself; a wrapped site gets none).
func addAnonymousFormToken(h http.Handler, path string, form url.Values) {
	if site, ok := h.(*web.Server); ok && !form.Has("csrf") {
		form.Set("csrf", site.AnonymousFormToken(path))
	}
}

// post sends a same-origin form as the session, its form token added.
func (s *session) post(t *testing.T, h http.Handler, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return s.postIn(t, h, "", path, form)
}

// postIn is post with the browser asking for lang ("": no language asked
// for); workspace pages follow Accept-Language.
func (s *session) postIn(t *testing.T, h http.Handler, lang, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if s != nil && s.CSRF != "" && !form.Has("csrf") {
		form.Set("csrf", s.CSRF)
	}
	addAnonymousFormToken(h, path, form)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if s != nil && s.Cookie != nil {
		req.AddCookie(s.Cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// nextCode is a TOTP code for the session's second factor one step ahead,
// so that it is not the step enrollment already spent.
func (s *session) nextCode(t *testing.T, a *auth.Service, steps int) string {
	t.Helper()
	return codeAt(t, s.TOTP, a.Now().Add(time.Duration(steps)*30*time.Second))
}
