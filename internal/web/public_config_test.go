package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// With serve --origin, the workspace's one-time links point at the public
// origin whatever Host the request came with (an internal address behind a
// proxy, or a forged one); without it they follow the request.
func TestOneTimeLinksUseTheConfiguredOrigin(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	admin := signIn(t, site, a, auth.Admin)
	linkRE := regexp.MustCompile(`<code id="one-time-link">([^<]+)/admin/setup\?token=[^<]+</code>`)
	added := func(email string) string {
		w := admin.post(t, site, "/admin/users/", url.Values{"email": {email}, "role": {"viewer"}})
		m := linkRE.FindStringSubmatch(w.Body.String())
		if w.Code != 200 || m == nil {
			t.Fatalf("add account: %d, no link", w.Code)
		}
		return m[1]
	}
	if got := added("first@example.org"); got != "http://example.com" {
		t.Errorf("without an origin the link starts %q, want the request's http://example.com", got)
	}
	if err := site.SetOrigin("https://Rollcall.Example.org:8443/"); err != nil {
		t.Fatal(err)
	}
	if got := added("second@example.org"); got != "https://rollcall.example.org:8443" {
		t.Errorf("with --origin the link starts %q", got)
	}
	viewer := signIn(t, site, a, auth.Viewer)
	w := admin.post(t, site, "/admin/users/"+viewer.User.ID+"/reset", nil)
	if !strings.Contains(w.Body.String(), "https://rollcall.example.org:8443/admin/reset?token=") {
		t.Errorf("the reset link ignores the origin: %d %.300s", w.Code, w.Body.String())
	}
	if err := site.SetOrigin("https://evil.example/path"); err == nil {
		t.Error("an origin with a path was taken")
	}
	if got := added("third@example.org"); got != "https://rollcall.example.org:8443" {
		t.Errorf("a refused origin changed the links: %q", got)
	}
}

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://rollcall.example.org":  "https://rollcall.example.org",
		"http://127.0.0.1:8081/":        "http://127.0.0.1:8081",
		" http://abcdefgh.onion ":       "http://abcdefgh.onion",
		"HTTPS://Example.ORG:443":       "https://example.org:443",
		"ftp://example.org":             "",
		"example.org":                   "",
		"https://":                      "",
		"https://example.org/admin":     "",
		"https://example.org/?x=1":      "",
		"https://user@example.org":      "",
		"https://example.org#fragment":  "",
		"javascript:alert(1)":           "",
		"http://[::1]:8080":             "http://[::1]:8080",
		"https://rollcall.example.org/": "https://rollcall.example.org",
	} {
		got, err := web.ParseOrigin(in)
		if (err == nil) != (want != "") || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
