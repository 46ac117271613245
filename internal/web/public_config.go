package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ParseOrigin checks a site's public origin as given to serve --origin,
// ROLLCALL_ORIGIN or user add: http or https, a host, an optional port,
// nothing else (a trailing slash is forgiven). It returns it without the
// slash, "https://rollcall.example.org:8443".
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(s), "/"))
	switch {
	case err != nil:
		return "", fmt.Errorf("origin %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("origin %q: give http:// or https:// and a host, e.g. https://rollcall.example.org", s)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("origin %q: no host", s)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "":
		return "", fmt.Errorf("origin %q: only scheme, host and port; no path, query or user", s)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// SetOrigin fixes the origin one-time links and the payment processor's
// return addresses are built on (serve --origin). Without it they follow
// the Host the browser sent, which a proxy may rewrite and anyone may
// forge; with it, a set-up link made on an internal address still points
// at the public site.
func (s *Server) SetOrigin(origin string) error {
	if origin == "" {
		s.origin = ""
		return nil
	}
	o, err := ParseOrigin(origin)
	if err != nil {
		return err
	}
	s.origin = o
	return nil
}

// siteOrigin is the configured public origin, else the site's origin as
// the browser used it: one-time links start with it, and Checkout sends
// the donor back to it.
func (s *Server) siteOrigin(r *http.Request) string {
	if s.origin != "" {
		return s.origin
	}
	return requestScheme(r) + "://" + r.Host
}
