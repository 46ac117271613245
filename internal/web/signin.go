package web

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// workspaceRoutes registers sign-in, sign-out, account set-up, re-authentication, the review queue.
//
// The sign-in pages use ReadPublic: anonymous visitors must reach them,
// and handle still checks the origin, the form and, for a signed-in
// browser, the form token.
func (s *Server) workspaceRoutes() {
	s.handle("GET /admin/{$}", auth.OwnAccount, s.adminHome)
	s.handle("GET /admin/signin", auth.ReadPublic, s.signInForm)
	s.handle("POST /admin/signin", auth.ReadPublic, s.signInPost)
	s.handle("GET /admin/signin/code", auth.ReadPublic, s.codeForm)
	s.handle("POST /admin/signin/code", auth.ReadPublic, s.codePost)
	s.handle("GET /admin/signin/enroll", auth.ReadPublic, s.enrollForm)
	s.handle("POST /admin/signin/enroll", auth.ReadPublic, s.enrollPost)
	s.handle("GET /admin/signin/enroll/qr.png", auth.ReadPublic, s.enrollQR)
	s.handle("POST /admin/signout", auth.ReadPublic, s.signOut)
	s.handle("GET /admin/setup", auth.ReadPublic, s.linkForm(auth.PurposeSetup))
	s.handle("POST /admin/setup", auth.ReadPublic, s.linkPost(auth.PurposeSetup))
	s.handle("GET /admin/reset", auth.ReadPublic, s.linkForm(auth.PurposeReset))
	s.handle("POST /admin/reset", auth.ReadPublic, s.linkPost(auth.PurposeReset))
	s.handle("GET /admin/reauth", auth.OwnAccount, s.reauthForm)
	s.handle("POST /admin/reauth", auth.OwnAccount, s.reauthPost)
	s.accountRoutes() // own account, accounts of others (account.go)
	s.reviewRoutes()  // the review queue (review.go)
}

// BehindTLSProxy marks every request as arrived over TLS, for a server
// reached only through a TLS-terminating reverse proxy that speaks plain
// HTTP to it (serve --https-proxy): the session cookies are then
// __Host- and Secure. Never for a site also served over plain HTTP (an
// onion address): browsers would drop its cookies (docs/operations.md).
// Every answer carries Strict-Transport-Security (StrictTransport).
func BehindTLSProxy(h http.Handler, hstsMaxAge time.Duration) http.Handler {
	return StrictTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			r = r.WithContext(r.Context())
			r.TLS = &tls.ConnectionState{HandshakeComplete: true}
		}
		h.ServeHTTP(w, r)
	}), hstsMaxAge)
}

// The half-finished sign-in (password given, second factor not yet) has
// a cookie of its own, short-lived and SameSite=Strict; the full session
// cookie is set only when the second factor is given, with a new token.
const (
	pendingCookieTLS   = "__Host-rollcall-pending"
	pendingCookiePlain = "rollcall-pending"
)

func setPendingCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{Name: pendingCookiePlain, Value: token, Path: "/", MaxAge: int(auth.PendingLimit.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if r.TLS != nil {
		c.Name, c.Secure = pendingCookieTLS, true
	}
	http.SetCookie(w, c)
}

func pendingToken(r *http.Request) string {
	return cookieFor(r, pendingCookieTLS, pendingCookiePlain)
}

func clearPendingCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: pendingCookiePlain, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	if r.TLS != nil {
		http.SetCookie(w, &http.Cookie{Name: pendingCookieTLS, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	}
}

// tooMany answers a throttled attempt: 429, how long to wait, nothing else.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, th *auth.ErrThrottled) {
	secs := retryAfter(w, th.Wait)
	s.refuse(w, r, http.StatusTooManyRequests, "admin.refused.too_many", "seconds", secs)
}

// signInPage is the frame of the sign-in steps and the password forms.
type signInPage struct {
	adminPage
	Next   string
	Email  string
	Error  string
	Token  string // a one-time link's token (set-up and reset forms)
	Secret string // the second factor being set up
	Codes  []string
	Reset  bool // the password form is a reset, not a first set-up
}

// signInMessages are the notes a redirect may ask the sign-in page to show.
var signInMessages = map[string]string{
	"password_set": "admin.signin.password_set",
	"signed_out":   "admin.signin.signed_out",
	"expired":      "admin.signin.expired",
}

func (s *Server) signInFrame(r *http.Request, acc *account, titleKey string) signInPage {
	ap := s.adminFrame(r, acc, "")
	ap.Title = ap.T(titleKey)
	next := r.FormValue("next")
	if next != "" {
		next = sameSitePath(next)
	}
	return signInPage{adminPage: ap, Next: next}
}

// nextPath is where a finished sign-in goes: a same-site ?next= or the
// workspace's home.
func nextPath(r *http.Request) string {
	return sameSitePath(r.FormValue("next"))
}

// withNext adds ?next= to a sign-in step's path when there is one.
func withNext(path string, r *http.Request) string {
	if next := r.FormValue("next"); next != "" {
		return path + "?next=" + url.QueryEscape(sameSitePath(next))
	}
	return path
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request, acc *account) {
	if acc != nil {
		http.Redirect(w, r, nextPath(r), http.StatusSeeOther)
		return
	}
	p := s.signInFrame(r, acc, "admin.signin.title")
	if key, ok := signInMessages[r.URL.Query().Get("msg")]; ok {
		p.Flash = p.T(key)
	}
	s.render(w, "admin_signin.html", p)
}

func (s *Server) signInPost(w http.ResponseWriter, r *http.Request, acc *account) {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	res, err := s.auth.SignIn(r.Context(), email, r.PostForm.Get("password"), clientHost(r))
	var th *auth.ErrThrottled
	switch {
	case errors.As(err, &th):
		s.tooMany(w, r, th)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		// One answer, one status for an unknown address and a wrong
		// password (and a locked or disabled account).
		p := s.signInFrame(r, acc, "admin.signin.title")
		p.Email, p.Error = email, p.T("admin.signin.bad")
		s.renderStatus(w, http.StatusUnauthorized, "admin_signin.html", p)
		return
	case err != nil:
		s.serverError(w, "sign-in", err)
		return
	}
	if !res.Pending {
		s.finishSignIn(w, r, acc, res.Token)
		http.Redirect(w, r, nextPath(r), http.StatusSeeOther)
		return
	}
	setPendingCookie(w, r, res.Token)
	step := "/admin/signin/code"
	if res.Enroll {
		step = "/admin/signin/enroll"
	}
	http.Redirect(w, r, withNext(step, r), http.StatusSeeOther)
}

// finishSignIn hands the browser its new full session, ending the one it
// may still hold and the pending one.
func (s *Server) finishSignIn(w http.ResponseWriter, r *http.Request, acc *account, token string) {
	if acc != nil {
		if err := s.auth.SignOut(r.Context(), acc.Token); err != nil {
			s.log.Error("ending the previous session", "err", err)
		}
	}
	clearPendingCookie(w, r)
	setSessionCookie(w, r, token)
}

// pending returns the half-finished sign-in of the request; false (and
// the visitor sent back to the password form) when there is none or it
// has expired.
func (s *Server) pending(w http.ResponseWriter, r *http.Request) (token string, u store.User, enroll bool, ok bool) {
	token = pendingToken(r)
	if token != "" {
		var err error
		u, enroll, err = s.auth.PendingSignIn(r.Context(), token)
		if err == nil {
			return token, u, enroll, true
		}
		if !errors.Is(err, auth.ErrNoSession) {
			s.serverError(w, "pending sign-in", err)
			return "", u, false, false
		}
	}
	clearPendingCookie(w, r)
	target := "/admin/signin?msg=expired"
	if next := r.FormValue("next"); next != "" {
		target += "&next=" + url.QueryEscape(sameSitePath(next))
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return "", u, false, false
}

func (s *Server) codeForm(w http.ResponseWriter, r *http.Request, acc *account) {
	_, _, enroll, ok := s.pending(w, r)
	if !ok {
		return
	}
	if enroll {
		http.Redirect(w, r, withNext("/admin/signin/enroll", r), http.StatusSeeOther)
		return
	}
	s.render(w, "admin_signin_code.html", s.signInFrame(r, acc, "admin.signin.code_title"))
}

func (s *Server) codePost(w http.ResponseWriter, r *http.Request, acc *account) {
	pend, _, _, ok := s.pending(w, r)
	if !ok {
		return
	}
	token, err := s.auth.SecondFactor(r.Context(), pend, r.PostForm.Get("code"), clientHost(r))
	var th *auth.ErrThrottled
	switch {
	case errors.As(err, &th):
		s.tooMany(w, r, th)
		return
	case errors.Is(err, auth.ErrBadCode):
		p := s.signInFrame(r, acc, "admin.signin.code_title")
		p.Error = p.T("admin.signin.bad_code")
		s.renderStatus(w, http.StatusUnauthorized, "admin_signin_code.html", p)
		return
	case errors.Is(err, auth.ErrNoSession):
		clearPendingCookie(w, r)
		http.Redirect(w, r, "/admin/signin?msg=expired", http.StatusSeeOther)
		return
	case err != nil:
		s.serverError(w, "second factor", err)
		return
	}
	s.finishSignIn(w, r, acc, token)
	http.Redirect(w, r, nextPath(r), http.StatusSeeOther)
}

// enrollmentLabel is the account name an authenticator app shows: not
// the address, so a seized phone names no one.
const enrollmentLabel = "workspace"

func (s *Server) enrollForm(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showEnrollment(w, r, acc, http.StatusOK, "")
}

func (s *Server) showEnrollment(w http.ResponseWriter, r *http.Request, acc *account, status int, problem string) {
	pend, _, enroll, ok := s.pending(w, r)
	if !ok {
		return
	}
	if !enroll {
		http.Redirect(w, r, withNext("/admin/signin/code", r), http.StatusSeeOther)
		return
	}
	e, err := s.auth.PendingEnrollment(r.Context(), pend, enrollmentLabel)
	if err != nil {
		s.serverError(w, "enrollment", err)
		return
	}
	p := s.signInFrame(r, acc, "admin.signin.enroll_title")
	p.Secret = inGroupsOfFour(e.Secret)
	if problem != "" {
		p.Error = p.T(problem)
	}
	s.renderStatus(w, status, "admin_signin_enroll.html", p)
}

// enrollQR draws the secret being set up as a QR code. Only the pending
// sign-in it belongs to gets it.
func (s *Server) enrollQR(w http.ResponseWriter, r *http.Request, acc *account) {
	pend := pendingToken(r)
	if pend == "" {
		s.notFound(w, r)
		return
	}
	_, enroll, err := s.auth.PendingSignIn(r.Context(), pend)
	if err != nil || !enroll {
		s.notFound(w, r)
		return
	}
	e, err := s.auth.PendingEnrollment(r.Context(), pend, enrollmentLabel)
	if err != nil {
		s.serverError(w, "enrollment", err)
		return
	}
	png, err := e.QRPNG(240)
	if err != nil {
		s.serverError(w, "QR code", err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (s *Server) enrollPost(w http.ResponseWriter, r *http.Request, acc *account) {
	pend, _, enroll, ok := s.pending(w, r)
	if !ok {
		return
	}
	if !enroll {
		http.Redirect(w, r, withNext("/admin/signin/code", r), http.StatusSeeOther)
		return
	}
	token, codes, err := s.auth.ConfirmEnrollment(r.Context(), pend, r.PostForm.Get("code"))
	var th *auth.ErrThrottled
	switch {
	case errors.As(err, &th):
		s.tooMany(w, r, th)
		return
	case errors.Is(err, auth.ErrBadCode):
		s.showEnrollment(w, r, acc, http.StatusUnauthorized, "admin.signin.bad_code")
		return
	case errors.Is(err, auth.ErrNoSession):
		clearPendingCookie(w, r)
		http.Redirect(w, r, "/admin/signin?msg=expired", http.StatusSeeOther)
		return
	case err != nil:
		s.serverError(w, "enrollment", err)
		return
	}
	s.finishSignIn(w, r, acc, token)
	// The codes are shown here, once: only their hashes are kept, so this
	// answer is the page (no redirect could carry them).
	p := s.signInFrame(r, nil, "admin.signin.recovery_title")
	p.Codes = codes
	p.Next = nextPath(r)
	s.render(w, "admin_signin_recovery.html", p)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, acc *account) {
	if acc != nil {
		if err := s.auth.SignOut(r.Context(), acc.Token); err != nil {
			s.serverError(w, "sign-out", err)
			return
		}
	}
	clearSessionCookie(w, r)
	clearPendingCookie(w, r)
	http.Redirect(w, r, "/admin/signin?msg=signed_out", http.StatusSeeOther)
}

// linkForm shows the password form of a one-time link (set-up or reset),
// if the link is still good.
func (s *Server) linkForm(purpose string) accountHandler {
	return func(w http.ResponseWriter, r *http.Request, acc *account) {
		token := r.URL.Query().Get("token")
		// The token is in this page's address: send it to no one.
		w.Header().Set("Referrer-Policy", "no-referrer")
		if _, err := s.auth.CheckLink(r.Context(), purpose, token); err != nil {
			s.badLink(w, err)
			return
		}
		s.showPasswordForm(w, r, acc, purpose, token, http.StatusOK, "")
	}
}

func (s *Server) showPasswordForm(w http.ResponseWriter, r *http.Request, acc *account, purpose, token string, status int, problem string) {
	key := "admin.signin.setup_title"
	if purpose == auth.PurposeReset {
		key = "admin.signin.reset_title"
	}
	p := s.signInFrame(r, acc, key)
	p.Token, p.Error, p.Reset = token, problem, purpose == auth.PurposeReset
	s.renderStatus(w, status, "admin_signin_password.html", p)
}

// badLink answers a link that is unknown, used or expired (one answer).
func (s *Server) badLink(w http.ResponseWriter, err error) {
	if errors.Is(err, store.ErrTokenInvalid) {
		s.plainError(w, http.StatusNotFound, "This link is not valid: it was used already, has expired, or never existed. Ask an administrator for a new one.")
		return
	}
	s.serverError(w, "one-time link", err)
}

func (s *Server) linkPost(purpose string) accountHandler {
	return func(w http.ResponseWriter, r *http.Request, acc *account) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		token, password := r.PostForm.Get("token"), r.PostForm.Get("password")
		if _, err := s.auth.CheckLink(r.Context(), purpose, token); err != nil {
			s.badLink(w, err)
			return
		}
		if password != r.PostForm.Get("password2") {
			p := s.adminFrame(r, acc, "")
			s.showPasswordForm(w, r, acc, purpose, token, http.StatusBadRequest, p.T("admin.signin.mismatch"))
			return
		}
		_, err := s.auth.SetPassword(r.Context(), purpose, token, password)
		switch {
		case auth.RefusedByPolicy(err):
			s.showPasswordForm(w, r, acc, purpose, token, http.StatusBadRequest, err.Error())
			return
		case err != nil:
			s.badLink(w, err)
			return
		}
		// Setting a password ended every session of the account, this
		// browser's included if it was signed in as it.
		http.Redirect(w, r, "/admin/signin?msg=password_set", http.StatusSeeOther)
	}
}

func (s *Server) reauthForm(w http.ResponseWriter, r *http.Request, acc *account) {
	p := s.signInFrame(r, acc, "admin.signin.reauth_title")
	if p.Next == "" {
		p.Next = "/admin/"
	}
	s.render(w, "admin_signin_reauth.html", p)
}

func (s *Server) reauthPost(w http.ResponseWriter, r *http.Request, acc *account) {
	err := s.auth.Reauthenticate(r.Context(), acc.Token, r.PostForm.Get("password"), r.PostForm.Get("code"), clientHost(r))
	var th *auth.ErrThrottled
	switch {
	case errors.As(err, &th):
		s.tooMany(w, r, th)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		p := s.signInFrame(r, acc, "admin.signin.reauth_title")
		p.Error = p.T("admin.signin.bad_reauth")
		if p.Next == "" {
			p.Next = "/admin/"
		}
		s.renderStatus(w, http.StatusUnauthorized, "admin_signin_reauth.html", p)
		return
	case errors.Is(err, auth.ErrNoSession):
		clearSessionCookie(w, r)
		http.Redirect(w, r, "/admin/signin?msg=expired", http.StatusSeeOther)
		return
	case err != nil:
		s.serverError(w, "re-authentication", err)
		return
	}
	http.Redirect(w, r, nextPath(r), http.StatusSeeOther)
}

// inGroupsOfFour spaces a TOTP key as authenticator apps print it, so that a person typing
// it by hand from a phone's screen does not lose their place in 32 letters.
func inGroupsOfFour(key string) string {
	var b strings.Builder
	for i, r := range key {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
