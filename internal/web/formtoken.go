package web

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Anonymous forms (the public report, sign-in and its steps, the one-time
// links, donations) have no session to bind a form token to, so the page
// carries one that needs no cookie: the time it was made and a keyed hash
// (the data key's lookup key) of that time and the form's family. A post
// must bring it back within anonymousFormLife; without it, with a forged
// or an old one, it is refused and nothing is stored. Together with the
// origin check this refuses a blind cross-site post from a browser that
// sends neither Origin nor Sec-Fetch-Site; it cannot stop a program that
// fetches the page first (docs/security.md).
const (
	anonymousFormLife = 4 * time.Hour // a report can take long to write
	anonymousFormSkew = time.Minute   // clocks of two servers behind one proxy
)

// formFamily names the forms a token is good for: a token taken from the
// report page does not sign in, nor one from the sign-in page give.
func formFamily(path string) string {
	switch {
	case strings.HasPrefix(path, "/admin/"):
		return "workspace"
	case strings.Contains(path, "/report/"):
		return "report"
	case strings.Contains(path, "/donate/"):
		return "donate"
	}
	return "other"
}

// AnonymousFormToken is the form token a page at path gives a visitor who
// is not signed in (what a browser sends back with the form).
func (s *Server) AnonymousFormToken(path string) string {
	if s.auth == nil {
		return ""
	}
	at := strconv.FormatInt(s.auth.Now().Unix(), 10)
	return at + "." + s.anonymousMAC(formFamily(path), at)
}

func (s *Server) anonymousMAC(family, at string) string {
	return s.auth.Store.Keys().Lookup("anonymous-form:" + family + ":" + at)
}

// validAnonymousForm checks the token a post to r's path brought.
func (s *Server) validAnonymousForm(r *http.Request) bool {
	at, mac, ok := strings.Cut(r.PostForm.Get(formTokenField), ".")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(at, 10, 64)
	if err != nil || strconv.FormatInt(sec, 10) != at {
		return false
	}
	age := s.auth.Now().Sub(time.Unix(sec, 0))
	if age < -anonymousFormSkew || age > anonymousFormLife {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(mac), []byte(s.anonymousMAC(formFamily(r.URL.Path), at))) == 1
}

var errCrossOrigin = errors.New("cross-origin request")

// sameOrigin refuses a state-changing request a browser says came from
// another site: Sec-Fetch-Site other than same-origin (or none: typed by
// the user), or an Origin whose scheme, host or port is not this site's
// as the request reached it (https when it came over TLS or through
// --https-proxy). A request with neither header passes here: a form token
// (the session's, or an anonymous form's) is then what refuses a forgery.
func sameOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return errCrossOrigin
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Path != "" || u.User != nil {
		return errCrossOrigin // "null" (a sandboxed frame, a file) included
	}
	if !strings.EqualFold(u.Scheme, requestScheme(r)) {
		return errCrossOrigin
	}
	oh, op := hostPort(u.Host, u.Scheme)
	rh, rp := hostPort(r.Host, requestScheme(r))
	if oh == "" || !strings.EqualFold(oh, rh) || op != rp {
		return errCrossOrigin
	}
	return nil
}

func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// hostPort splits host[:port], the port defaulting to the scheme's.
func hostPort(hostport, scheme string) (string, string) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), ""
	}
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(scheme)]
	}
	return host, port
}

// refuseForm answers a refused anonymous form: 403, one plain sentence in
// the language of the page the form was on (its path's, else the
// browser's).
func (s *Server) refuseForm(w http.ResponseWriter, r *http.Request, key string) {
	s.refuse(w, r, http.StatusForbidden, key)
}

// refuse answers a refused request with status and one plain sentence,
// the message key filled from pairs, in the language of the page (its
// path's, else the browser's): never a stack trace, never a page that
// could be mistaken for success.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, key string, pairs ...any) {
	lang, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if _, ok := s.catalogs[lang]; !ok {
		lang = s.preferredLanguage(r)
	}
	p, _ := s.page(lang)
	w.Header().Set("Content-Language", p.Lang)
	s.plainError(w, status, p.Tf(key, pairs...))
}
