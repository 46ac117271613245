package web

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// The session cookie. Over TLS it is __Host- prefixed (Secure, no Domain,
// Path=/: no other host or path can set or read it). On a plain-HTTP onion
// address a browser refuses Secure and __Host- cookies, so the cookie is
// plain-named and not Secure there; Tor's own encryption protects it on
// the way (docs/operations.md).
const (
	sessionCookieTLS   = "__Host-rollcall"
	sessionCookiePlain = "rollcall"
	// formTokenField is the hidden field every workspace form carries.
	formTokenField = "csrf"
	// maxFormBytes bounds a workspace or report form's body.
	maxFormBytes = 64 << 10
)

// account is who is signed in, for the length of one request.
type account struct {
	User    store.User
	Role    auth.Role
	Session store.Session
	// Token is the session's cookie value; handlers that end or renew the
	// session (sign-out, re-authentication) need it. Never logged.
	Token string
	// CSRF is the session's form token: a keyed hash of the session, so
	// it needs no storage and dies with the session.
	CSRF string
}

// Can says whether the account may use a permission (templates ask it to
// show only the links that work).
func (a *account) Can(p auth.Permission) bool { return a != nil && auth.Can(a.Role, p) }

// accountHandler is a handler that knows who is asking; acc is nil on a
// route anonymous visitors may use when nobody is signed in.
type accountHandler func(w http.ResponseWriter, r *http.Request, acc *account)

// route is one entry of the router: its pattern and the permission it
// needs (or, for a route registered with handleAny, any one of Permission
// and Or). The authorization matrix test walks Routes.
type route struct {
	Pattern    string
	Permission auth.Permission
	Or         []auth.Permission
}

// Routes lists every route the site serves and the permission each needs.
// Every route is registered through public or handle, so this is the router.
func (s *Server) Routes() []route { return append([]route(nil), s.routeTable...) }

// public registers a route anyone may use that needs no session: the
// public site. Nothing is looked up per request (the public pages are the
// ones that must be fast).
func (s *Server) public(pattern string, h http.HandlerFunc) {
	s.routeTable = append(s.routeTable, route{Pattern: pattern, Permission: auth.ReadPublic})
	s.mux.HandleFunc(pattern, h)
}

// handle registers a route that needs a permission (or may be used
// anonymously but wants to know who is signed in: FileReport, sign-in).
// Before h runs:
//   - a state-changing request must be same-origin (sameOrigin: scheme,
//     host and port), a form of at most maxFormBytes, and carry the
//     session's form token or, from a visitor not signed in, an anonymous
//     form's token (formtoken.go);
//   - a route anonymous may not use sends the visitor to sign in (GET) or
//     refuses (other methods);
//   - a role without the permission gets 403;
//   - a permission that demands a fresh sign-in sends the account to
//     confirm its password and code first.
func (s *Server) handle(pattern string, perm auth.Permission, h accountHandler) {
	s.handleAny(pattern, []auth.Permission{perm}, h)
}

// handleAny is handle for a route that any one of several permissions
// opens (a record page: viewers read every record, volunteers their own).
// The handler narrows further by object and by what it shows; the checks
// are handle's, passing when one of perms passes.
func (s *Server) handleAny(pattern string, perms []auth.Permission, h accountHandler) {
	s.routeTable = append(s.routeTable, route{Pattern: pattern, Permission: perms[0], Or: perms[1:]})
	anonymous := false
	for _, p := range perms {
		anonymous = anonymous || auth.Can(auth.Anonymous, p)
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		privatePage(w)
		if s.auth == nil {
			s.notFound(w, r)
			return
		}
		changes := r.Method != http.MethodGet && r.Method != http.MethodHead
		if changes {
			if err := sameOrigin(r); err != nil {
				s.refuseForm(w, r, "form.cross_origin")
				return
			}
			if !formContent(r) {
				s.refuse(w, r, http.StatusUnsupportedMediaType, "admin.refused.not_a_form")
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			// ParseForm leaves a multipart body unread (and PostForm
			// empty, so its form token would never match).
			parse := r.ParseForm
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
				parse = func() error { return r.ParseMultipartForm(maxFormBytes) }
			}
			if err := parse(); err != nil {
				s.refuse(w, r, http.StatusRequestEntityTooLarge, "admin.refused.too_large")
				return
			}
		}
		acc, err := s.signedIn(r)
		if err != nil {
			s.serverError(w, "session", err)
			return
		}
		if changes && acc != nil && subtle.ConstantTimeCompare([]byte(r.PostForm.Get(formTokenField)), []byte(acc.CSRF)) != 1 {
			s.refuse(w, r, http.StatusForbidden, "admin.refused.form_expired")
			return
		}
		if acc == nil && !anonymous {
			if changes {
				s.refuse(w, r, http.StatusForbidden, "admin.refused.session_ended")
				return
			}
			http.Redirect(w, r, "/admin/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if changes && acc == nil && !s.validAnonymousForm(r) {
			s.refuseForm(w, r, "form.expired")
			return
		}
		if acc != nil {
			switch err := authorizeAny(acc, perms, s.auth.Now()); {
			case errors.Is(err, auth.ErrNotFresh):
				next := r.URL.RequestURI()
				if changes {
					next = sameSitePath(r.Referer())
				}
				http.Redirect(w, r, "/admin/reauth?next="+url.QueryEscape(next), http.StatusSeeOther)
				return
			case err != nil && !anonymous:
				s.plainError(w, http.StatusForbidden, "Your account may not do this.")
				return
			}
		}
		h(w, r, acc)
	})
}

// authorizeAny passes when the account may use one of perms now; it is
// auth.ErrNotFresh when only a fresh sign-in stands in the way.
func authorizeAny(acc *account, perms []auth.Permission, now time.Time) error {
	var err error
	for _, p := range perms {
		switch e := auth.Authorize(acc.Session, acc.User, p, now); {
		case e == nil:
			return nil
		case err == nil || errors.Is(e, auth.ErrNotFresh):
			err = e
		}
	}
	return err
}

// signedIn returns the account of the request's session cookie, or nil
// (always nil when the workspace is off: no one can be signed in).
func (s *Server) signedIn(r *http.Request) (*account, error) {
	token := sessionToken(r)
	if token == "" || s.auth == nil {
		return nil, nil
	}
	sess, u, err := s.auth.Session(r.Context(), token)
	if errors.Is(err, auth.ErrNoSession) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !u.DisabledAt.IsZero() {
		return nil, nil
	}
	return &account{User: u, Role: auth.Role(u.Role), Session: sess, Token: token, CSRF: s.FormToken(token)}, nil
}

// FormToken is the form token of the session a cookie value names.
func (s *Server) FormToken(sessionToken string) string {
	return s.auth.Store.Keys().Lookup("csrf:" + auth.HashToken(sessionToken))
}

// clientHost is what throttles count a client by: the connection's remote
// host. auth.Throttle holds it only as a keyed hash in memory; it is never
// stored or logged. Behind Tor or a proxy every visitor shares it.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// retryAfter sets Retry-After for a throttled client and returns the wait
// in whole seconds, rounded up, at least one.
func retryAfter(w http.ResponseWriter, wait time.Duration) int {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}

// sessionToken reads the session cookie. Over TLS only the __Host- name
// counts: a plain-named cookie there may have been planted from a sibling
// host or over plain HTTP, so it is never a session.
func sessionToken(r *http.Request) string {
	return cookieFor(r, sessionCookieTLS, sessionCookiePlain)
}

// cookieFor reads the cookie named tlsName over TLS and plainName
// otherwise, never the other one.
func cookieFor(r *http.Request, tlsName, plainName string) string {
	name := plainName
	if r.TLS != nil {
		name = tlsName
	}
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// setSessionCookie gives the browser a session token. It has no Max-Age:
// it ends with the browser, and the server ends it sooner (idle and
// absolute limits).
func setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{Name: sessionCookiePlain, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if r.TLS != nil {
		c.Name, c.Secure = sessionCookieTLS, true
	}
	http.SetCookie(w, c)
}

// clearSessionCookie removes both possible session cookies.
func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookiePlain, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if r.TLS != nil {
		http.SetCookie(w, &http.Cookie{Name: sessionCookieTLS, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	}
}

// formContent accepts the two encodings HTML forms send.
func formContent(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data")
}

// sameSitePath keeps the path of a same-site URL (a Referer, a ?next=),
// and "/admin/" for anything else, so no redirect leaves the site.
func sameSitePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "\\") {
		return "/admin/"
	}
	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).RequestURI()
}

// plainError answers with a short plain-text message: error pages never
// show internals.
func (s *Server) plainError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}

// adminPage is the frame of every workspace page: the public page's frame
// (language, messages) plus who is signed in and the form token.
type adminPage struct {
	page
	Account *account
	CSRF    string
	// Flash is a one-line message after an action ("Saved.").
	Flash string
	// Refresh, when above zero, has the page reload itself after that
	// many seconds (a progress page, without script).
	Refresh int
}

// Can lets templates ask for a permission by name.
func (p adminPage) Can(perm string) bool { return p.Account.Can(auth.Permission(perm)) }

// adminFrame returns the frame of a workspace page. The workspace speaks
// the browser's preferred language (its messages fall back to English).
func (s *Server) adminFrame(r *http.Request, acc *account, title string) adminPage {
	p, _ := s.page(s.preferredLanguage(r))
	p.Path = r.URL.Path
	p.Title = title
	ap := adminPage{page: p, Account: acc, CSRF: s.AnonymousFormToken(r.URL.Path)}
	if acc != nil {
		ap.CSRF = acc.CSRF
	}
	return ap
}

// EnableWorkspace mounts the editors' workspace under /admin/ (and the
// routes features register with handle) over an auth service. dataDir is
// where the snapshot signing key lives (publishing from the workspace).
// Without it the workspace routes answer 404.
func (s *Server) EnableWorkspace(a *auth.Service, dataDir string) {
	s.auth = a
	s.dataDir = dataDir
}
