package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
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

// Contact is what the contact page shows besides its own words: the ways
// the group can be reached (one line each, shown as text, as the operator
// wrote them: "Signal: +998 …", "E-mail: team@example.org") and the site's
// onion address.
type Contact struct {
	Lines []string
	Onion string // "http://….onion/": when set, also in every page's footer
}

// maxContactLines and maxContactLine bound what serve takes.
const (
	maxContactLines = 20
	maxContactLine  = 300
)

// SetContact checks and keeps what the contact page shows (serve
// --contact, --onion).
func (s *Server) SetContact(c Contact) error {
	out, err := c.Checked()
	if err != nil {
		return err
	}
	s.contact = out
	return nil
}

// Checked returns the contact with empty lines dropped and the onion
// address in one spelling, or why it cannot be shown. An onion address is
// given as NAME.onion or http://NAME.onion[/]: a v3 name (56 base32
// letters) only.
func (c Contact) Checked() (Contact, error) {
	var out Contact
	if len(c.Lines) > maxContactLines {
		return out, fmt.Errorf("contact: at most %d lines", maxContactLines)
	}
	for _, l := range c.Lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case !utf8.ValidString(l) || len(l) > maxContactLine || strings.ContainsAny(l, "\r\n\x00"):
			return out, fmt.Errorf("contact line %.40q: one line of UTF-8 text, at most %d bytes", l, maxContactLine)
		}
		out.Lines = append(out.Lines, l)
	}
	if c.Onion != "" {
		o, err := ParseOnion(c.Onion)
		if err != nil {
			return out, err
		}
		out.Onion = o
	}
	return out, nil
}

// ParseOnion checks an onion service's address and returns it as
// http://NAME.onion/.
func ParseOnion(s string) (string, error) {
	name := strings.TrimSpace(s)
	name = strings.TrimPrefix(name, "http://")
	name = strings.TrimSuffix(name, "/")
	name = strings.ToLower(name)
	base, ok := strings.CutSuffix(name, ".onion")
	if !ok || len(base) != 56 || strings.Trim(base, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return "", fmt.Errorf("onion address %q: give the service's v3 name, 56 letters and digits 2-7 then .onion", s)
	}
	return "http://" + name + "/", nil
}

// contactPage is /{lang}/contact/.
type contactPage struct {
	page
	Lines []string
}

func (s *Server) contactPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	p.Title = p.T("contact.title")
	s.render(w, "contact.html", contactPage{page: p, Lines: s.contact.Lines})
}
