package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

// workspaceSite returns the site with the workspace mounted over st, and
// the auth service behind it (tests make accounts through it).
func workspaceSite(t *testing.T, st *store.Store) (*web.Server, *auth.Service) {
	t.Helper()
	site, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(st, st.Keys())
	site.EnableWorkspace(a, t.TempDir())
	return site, a
}

// testPassword is long enough and not a common password.
const testPassword = "correct horse battery staple 7"

var accountSeq atomic.Int64

// session is a signed-in account as a test's browser holds it.
type session struct {
	User   store.User
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
	s := session{User: u}
	token := res.Token
	if res.Pending {
		enr, err := a.BeginEnrollment(ctx, res.Token, email)
		if err != nil {
			t.Fatal(err)
		}
		code, err := totp.GenerateCode(enr.Secret, a.Now())
		if err != nil {
			t.Fatal(err)
		}
		if token, _, err = a.ConfirmEnrollment(ctx, res.Token, code); err != nil {
			t.Fatal(err)
		}
		s.TOTP = enr.Secret
	}
	s.Cookie = &http.Cookie{Name: "rollcall", Value: token}
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

// post sends a same-origin form as the session, its form token added.
func (s *session) post(t *testing.T, h http.Handler, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if s != nil && s.CSRF != "" && !form.Has("csrf") {
		form.Set("csrf", s.CSRF)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
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
	code, err := totp.GenerateCode(s.TOTP, a.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}
