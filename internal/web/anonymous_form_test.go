package web_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

var formTokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// pageToken is the anonymous form token the page at path shows.
func pageToken(t *testing.T, site http.Handler, path string) string {
	t.Helper()
	w := (*session)(nil).get(t, site, path)
	m := formTokenRE.FindStringSubmatch(w.Body.String())
	if w.Code != 200 || m == nil {
		t.Fatalf("GET %s: %d, no form token", path, w.Code)
	}
	return m[1]
}

// Issue 14, item 6: the anonymous forms (report, sign-in, donation) carry a
// token that needs no cookie; a post without it, with a forged, another
// form's or an old one is refused (403, in the page's language) and
// stores nothing; the origin check compares scheme, host and port.
func TestAnonymousFormsNeedTheirToken(t *testing.T) {
	st, dir, _ := storetest.OpenIn(t, store.SQLite)
	site, a, _ := fundsSite(t, st, "")
	clk := setClock(a)
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "rollcall.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows := func() (n int) {
		var r, g, au int
		raw.QueryRow(`SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM fund_gifts), (SELECT count(*) FROM audit_log)`).Scan(&r, &g, &au)
		return r*1_000_000 + g*1000 + au
	}
	forms := []struct {
		page, post string
		form       url.Values
		wantOK     int
		lang, says string
	}{
		{"/ru/report/", "/ru/report/", aReport("Token Person"), http.StatusSeeOther, "ru", "Срок этой формы истёк"},
		{"/kaa/donate/legal-aid/", "/kaa/donate/legal-aid/pledge", url.Values{"amount_other": {"5"}}, 200, "kaa", "múddeti ótti"},
		{"/admin/signin", "/admin/signin", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password 123"}}, 401, "ru", "Срок этой формы истёк"},
	}
	for _, f := range forms {
		good := pageToken(t, site, f.page)
		at, mac, _ := strings.Cut(good, ".")
		otherForm := site.AnonymousFormToken("/en/report/")
		if strings.Contains(f.post, "/report/") {
			otherForm = site.AnonymousFormToken("/admin/signin")
		}
		flipped := []byte(mac)
		flipped[0] ^= 1
		before := rows()
		for name, token := range map[string]string{
			"missing":         "",
			"forged":          at + "." + string(flipped),
			"another form's":  otherForm,
			"moved in time":   "1" + at + "." + mac,
			"without its mac": at,
			"garbage":         "<script>",
		} {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = v
			}
			form.Set("csrf", token)
			w := postRaw(site, f.post, form, f.lang, nil)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), f.says) || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
				t.Errorf("%s, %s token: %d %q", f.post, name, w.Code, w.Body.String())
			}
		}
		if rows() != before {
			t.Errorf("%s: refused posts stored something", f.post)
		}
		// The page's own token works, with no cookie at all, and keeps
		// working for a long report; four hours on it has expired.
		form := url.Values{}
		for k, v := range f.form {
			form[k] = v
		}
		form.Set("csrf", good)
		clk.advance(3 * time.Hour)
		if w := postRaw(site, f.post, form, f.lang, nil); w.Code != f.wantOK {
			t.Errorf("%s with the page's token: %d %.200s", f.post, w.Code, w.Body.String())
		}
		clk.advance(61 * time.Minute)
		before = rows()
		if w := postRaw(site, f.post, form, f.lang, nil); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), f.says) {
			t.Errorf("%s with an expired token: %d", f.post, w.Code)
		}
		if rows() != before {
			t.Errorf("%s: an expired token stored something", f.post)
		}
	}
}

// The origin of a post must be this site's: scheme, host and port.
func TestOriginComparesSchemeHostAndPort(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	proxied := web.BehindTLSProxy(site, 0)
	for _, c := range []struct {
		h      http.Handler
		origin string
		ok     bool
	}{
		{site, "http://example.com", true}, // httptest's Host
		{site, "http://EXAMPLE.com:80", true},
		{site, "https://example.com", false},
		{site, "http://example.com:8080", false},
		{site, "http://example.com.evil.org", false},
		{site, "null", false},
		{proxied, "https://example.com", true},
		{proxied, "https://example.com:443", true},
		{proxied, "http://example.com", false},
	} {
		form := aReport("Origin Person")
		form.Set("csrf", site.AnonymousFormToken("/en/report/"))
		w := postRaw(c.h, "/en/report/", form, "en", map[string]string{"Origin": c.origin, "Sec-Fetch-Site": ""})
		if got := w.Code == http.StatusSeeOther; got != c.ok {
			t.Errorf("Origin %s (proxied %v): %d %.100s", c.origin, c.h != http.Handler(site), w.Code, w.Body.String())
		} else if !c.ok && !strings.Contains(w.Body.String(), "another site") {
			t.Errorf("Origin %s: refused without saying why: %q", c.origin, w.Body.String())
		}
	}
	// A same-origin browser's own word passes; any other site's is refused.
	for fetchSite, ok := range map[string]bool{"same-origin": true, "same-site": false, "cross-site": false} {
		form := aReport("Fetch Person " + fetchSite)
		form.Set("csrf", site.AnonymousFormToken("/en/report/"))
		if w := postRaw(site, "/en/report/", form, "en", map[string]string{"Sec-Fetch-Site": fetchSite}); (w.Code == http.StatusSeeOther) != ok {
			t.Errorf("Sec-Fetch-Site %s: %d", fetchSite, w.Code)
		}
	}
}

// postRaw posts form with no cookie from a fresh client, asking for lang,
// with headers (an empty value removes the header).
func postRaw(h http.Handler, path string, form url.Values, lang string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	req.RemoteAddr = "198.51.100.7:4000"
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// Any token and Origin a visitor sends is refused or accepted, never a
// crash or a 500, and only the site's own token with its own origin is
// accepted.
func FuzzAnonymousFormToken(f *testing.F) {
	st := storetest.Open(f, store.SQLite)
	site, err := web.New(st, suiteLogger())
	if err != nil {
		f.Fatal(err)
	}
	site.EnableWorkspace(auth.New(st), f.TempDir())
	good := site.AnonymousFormToken("/admin/signin")
	f.Add(good, "http://example.com")
	f.Add(good, "")
	f.Add("", "null")
	f.Add("99999999999999999999.x", "http://[::1]:80")
	f.Add("-1."+strings.Repeat("0", 64), "http://example.com:0")
	f.Fuzz(func(t *testing.T, token, origin string) {
		form := url.Values{"email": {"fuzz@example.org"}, "password": {"not the password"}, "csrf": {token}}
		w := postRaw(site, "/admin/signin", form, "en", map[string]string{"Origin": origin})
		switch w.Code {
		case http.StatusForbidden, http.StatusTooManyRequests:
		case http.StatusUnauthorized:
			if token != good {
				t.Fatalf("token %q accepted", token)
			}
		default:
			t.Fatalf("token %q origin %q: %d", token, origin, w.Code)
		}
	})
}
