package web_test

import (
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// siteCSV is a small registry: people in several states, in two scripts,
// and a name, a place and a region full of markup that must stay text.
const siteCSV = "source,record,name,sex,birth_year,region,status,date,verification,place\n" +
	"vol,1,Даулет Сапаров,m,1990,Нукус,missing,2022-07-01,corroborated,\n" +
	"vol,2,Гульнара Юсупова,f,1971,Нукус,detained,2022-07-02,verified,\n" +
	"vol,2,Гульнара Юсупова,f,1971,Нукус,released,2022-08-10,verified,\n" +
	"vol,3,Ерлан Досжанов,m,1991,Муйнак,killed,2022-07-02,corroborated,\n" +
	"vol,4,<script>alert('name')</script>,m,1985,<img src=x onerror=alert(1)>,detained,2022-07-03,verified,<b>prison</b>\n" +
	"press,a,Lolagul Kallykhanova,f,1987,Nukus,detained,2022-07-02,corroborated,\n" +
	"press,a,Lolagul Kallykhanova,f,1987,Nukus,sentenced,2023-01-31,verified,\n" +
	"press,b,Nobody Checked,m,1980,Nukus,detained,2022-07-02,unverified,\n"

// newSite returns a site over a fresh SQLite store holding siteCSV.
func newSite(t testing.TB) (*web.Server, *store.Store) {
	t.Helper()
	s := storetest.Open(t, store.SQLite)
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(siteCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(context.Background(), s, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	// Both lists were published by their sources, as an editor recorded.
	storetest.GiveAllBases(t, s)
	site, err := web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return site, s
}

func get(t testing.TB, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t testing.TB, res *http.Response) string {
	t.Helper()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// publicPages are the pages of this file's part of the site, per language.
var publicPages = []string{"/", "/counts/", "/data/", "/contact/"}

var languages = []string{"en", "ru", "kaa", "uz"}

func TestPagesInEveryLanguage(t *testing.T) {
	site, _ := newSite(t)
	for _, lang := range languages {
		for _, p := range publicPages {
			res := get(t, site, "/"+lang+p)
			b := body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("/%s%s: %d", lang, p, res.StatusCode)
			}
			if !strings.Contains(b, `<html lang="`+lang+`">`) {
				t.Errorf("/%s%s: no <html lang=%q>", lang, p, lang)
			}
			for _, other := range languages {
				if !strings.Contains(b, `<link rel="alternate" hreflang="`+other+`" href="/`+other+p+`">`) {
					t.Errorf("/%s%s: no hreflang link to the %s page", lang, p, other)
				}
				if !strings.Contains(b, `<a href="/`+other+p+`" hreflang="`+other+`"`) {
					t.Errorf("/%s%s: the switcher does not lead to /%s%s", lang, p, other, p)
				}
			}
			if strings.Contains(b, "<script") {
				t.Errorf("/%s%s has a script", lang, p)
			}
			for _, bad := range []string{"http://", "https://", "//"} {
				for _, attr := range []string{`src="` + bad, `href="` + bad} {
					if strings.Contains(b, attr) {
						t.Errorf("/%s%s refers to another host (%s)", lang, p, attr)
					}
				}
			}
		}
	}
}

func TestHomeCounts(t *testing.T) {
	site, _ := newSite(t)
	b := body(t, get(t, site, "/ru/"))
	// Five people have a corroborated state: missing, released, killed,
	// detained (the markup one) and sentenced; "Nobody Checked" is unverified.
	for _, want := range []string{"Всего учтено: 5 человек.", "Срез ещё не опубликован", "Наше обращение", "Как помочь",
		`<th scope="row">погибли</th><td class="num">1</td>`, `<th scope="row">задерживались</th><td class="num">3</td>`} {
		if !strings.Contains(b, want) {
			t.Errorf("Russian home lacks %q", want)
		}
	}
	if b := body(t, get(t, site, "/en/")); !strings.Contains(b, "Altogether 5 people are counted.") || !strings.Contains(b, "In early July 2022, Karakalpakstan") {
		t.Error("English home lacks the total or the default appeal")
	}
}

// Once snapshots exist the home page shows the latest one's counts, its
// date, and the change since the one before.
func TestHomeFromSnapshots(t *testing.T) {
	site, s := newSite(t)
	ctx := context.Background()
	for i, sn := range []store.Snapshot{
		{Slug: "2022-08-01", AsOf: 20220801, CountsJSON: `{"missing_now": 91, "killed": 20, "detained_ever": 388, "released_now": 59}`},
		{Slug: "2022-08-03", AsOf: 20220803, CountsJSON: `{"missing_now": 90, "killed": 21, "detained_ever": 390, "released_now": 59}`},
	} {
		sn.ID = store.NewID()
		sn.KnownAt = time.Date(2022, 8, 4+i, 0, 0, 0, 0, time.UTC)
		sn.PublishedAt = sn.KnownAt
		sn.Body, sn.Signature, sn.PublicKey = []byte("{}"), "sig", "key"
		if err := s.SaveSnapshot(ctx, sn); err != nil {
			t.Fatal(err)
		}
	}
	b := body(t, get(t, site, "/en/"))
	for _, want := range []string{"Counts as of 3 August 2022", "From the snapshot published on 5 August 2022.", "Change since 1 August 2022",
		`<th scope="row">missing now</th><td class="num">90</td><td class="num change">−1</td>`,
		`<th scope="row">killed</th><td class="num">21</td><td class="num change">&#43;1</td>`,
		`<th scope="row">left custody alive</th><td class="num">59</td><td class="num change">0</td>`} {
		if !strings.Contains(b, want) {
			t.Errorf("home lacks %q", want)
		}
	}
}

func TestCountsPage(t *testing.T) {
	site, s := newSite(t)
	ctx := context.Background()
	if _, err := s.AddFigure(ctx, store.Figure{Party: "Prosecutor General", What: "dead", Count: "killed", Value: 21, AsOf: 20220705, Source: "Statement", URL: "https://example.org/statement"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFigure(ctx, store.Figure{Party: "Ombudsman", What: "complaints", Value: 7, AsOf: 20220801, Source: "Annual report"}); err != nil {
		t.Fatal(err)
	}
	b := body(t, get(t, site, "/en/counts/"))
	for _, want := range []string{
		`<svg viewBox="0 0 480 300" role="img"`, "How we count", "corroborated",
		// Theirs beside ours on their date: one person killed by 5 July.
		`<th scope="row">Prosecutor General</th><td>dead</td><td>5 July 2022</td><td class="num">21</td><td class="num">1 <small>(killed)</small></td><td><a href="https://example.org/statement" rel="noreferrer noopener nofollow">Statement</a></td>`,
		`<th scope="row">Ombudsman</th><td>complaints</td><td>1 August 2022</td><td class="num">7</td><td class="num">—</td><td>Annual report</td>`,
		// The chart's table: by 3 July three detained, one missing, one killed.
		`<tr><th scope="row">3 July 2022</th><td class="num">3</td><td class="num">1</td><td class="num">1</td><td class="num">3</td><td class="num">1</td><td class="num">0</td></tr>`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("counts page lacks %q", want)
		}
	}
}

func TestSecurityHeadersAndCaching(t *testing.T) {
	site, _ := newSite(t)
	res := get(t, site, "/en/", "Accept-Encoding", "gzip, br")
	h := res.Header
	csp := h.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", h)
	}
	if h.Get("Content-Encoding") != "gzip" || !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
		t.Errorf("home not gzipped: %v", h)
	}
	page := body(t, res)
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/style\.[0-9a-f]{12}\.css)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no content-hashed stylesheet link")
	}
	css := get(t, site, m[1], "Accept-Encoding", "gzip")
	if css.StatusCode != 200 || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || css.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("stylesheet %d %v", css.StatusCode, css.Header)
	}
	if !strings.Contains(body(t, css), "@media print") {
		t.Error("no print stylesheet")
	}
	if res := get(t, site, "/static/style.css"); res.StatusCode != 404 {
		t.Errorf("an unhashed asset URL answers %d", res.StatusCode)
	}
	if res := get(t, site, "/en/"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that did not ask for it")
	}
}

func TestUnknownLanguage(t *testing.T) {
	site, _ := newSite(t)
	for _, path := range []string{"/xx/", "/de/counts/", "/en/nothing-here", "/%3Cscript%3E/"} {
		res := get(t, site, path, "Accept-Language", "ru")
		b := body(t, res)
		if res.StatusCode != 404 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		for _, want := range []string{`<a href="/en/" hreflang="en" lang="en">English</a>`, `<a href="/ru/" hreflang="ru" lang="ru">Русский</a>`,
			`<a href="/kaa/" hreflang="kaa" lang="kaa">Qaraqalpaqsha</a>`, `<a href="/uz/" hreflang="uz" lang="uz">Oʻzbekcha</a>`,
			`<html lang="ru">`, "Страница не найдена"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s: the 404 page lacks %q", path, want)
			}
		}
		if strings.Contains(b, "<script") {
			t.Errorf("%s: markup from the path reached the page", path)
		}
	}
	if res := get(t, site, "/ru/counts"); res.StatusCode/100 != 3 || res.Header.Get("Location") != "/ru/counts/" {
		t.Errorf("/ru/counts: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// xssPayloads are markup that must reach the page as text, never as markup.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`<svg onload=alert(3)>`,
	`javascript:alert(4)`,
	`</p><iframe src="https://evil.example/"></iframe>`,
	`<a href="https://evil.example/">click</a>`,
}

func TestMarkupEscaped(t *testing.T) {
	site, s := newSite(t)
	ctx := context.Background()
	appeal := strings.Join(xssPayloads, "\n\n")
	if err := s.SetSiteText(ctx, "kaa", store.SiteAppeal, appeal); err != nil {
		t.Fatal(err)
	}
	for _, p := range xssPayloads {
		if _, err := s.AddFigure(ctx, store.Figure{Party: p, What: p, Value: 1, AsOf: 20220801, Source: p}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddFigure(ctx, store.Figure{Party: "p", What: "w", Value: 1, AsOf: 20220801, Source: "s", URL: "https://example.org/?q=<script>"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/kaa/", "/kaa/counts/"} {
		b := body(t, get(t, site, path))
		for _, bad := range []string{"<script", "<img", "<svg onload", "<iframe", `<a href="https://evil`} {
			if strings.Contains(b, bad) {
				t.Errorf("%s: %q reached the page as markup", path, bad)
			}
		}
	}
	if b := body(t, get(t, site, "/kaa/")); !strings.Contains(b, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") {
		t.Error("the stored appeal is not shown, escaped, paragraph by paragraph")
	}
}

// The pages stay light for a cheap phone on a slow line: HTML and CSS
// together, uncompressed.
func TestPageWeight(t *testing.T) {
	site, _ := newSite(t)
	page := body(t, get(t, site, "/en/"))
	m := regexp.MustCompile(`href="(/static/style\.[0-9a-f]+\.css)"`).FindStringSubmatch(page)
	css := body(t, get(t, site, m[1]))
	for _, lang := range languages {
		for _, p := range publicPages {
			html := body(t, get(t, site, "/"+lang+p))
			if n := len(html) + len(css); n > 60<<10 {
				t.Errorf("/%s%s weighs %d bytes with its CSS, more than 60 KB", lang, p, n)
			}
		}
	}
}

// The people page with 50 people (a full page of the list) weighs at most
// 60 KB of HTML and CSS, uncompressed, in every language.
func TestPeoplePageWeight(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	if _, err := intake.LoadDemo(ctx, s, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	site, err := web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	home := body(t, get(t, site, "/en/"))
	css := body(t, get(t, site, regexp.MustCompile(`href="(/static/style\.[0-9a-f]+\.css)"`).FindStringSubmatch(home)[1]))
	for _, lang := range languages {
		html := body(t, get(t, site, "/"+lang+"/people/"))
		people := map[string]bool{}
		for _, m := range regexp.MustCompile(`href="/`+lang+`/people/([0-9a-f-]{36})"`).FindAllStringSubmatch(html, -1) {
			people[m[1]] = true
		}
		if len(people) != 50 {
			t.Fatalf("/%s/people/ lists %d people, want a full page of 50", lang, len(people))
		}
		if n := len(html) + len(css); n > 60<<10 {
			t.Errorf("/%s/people/ with 50 people weighs %d bytes of HTML and CSS, more than 60 KB", lang, n)
		} else {
			t.Logf("/%s/people/ with 50 people: %d bytes HTML + %d bytes CSS = %.1f KB", lang, len(html), len(css), float64(n)/1024)
		}
	}
}

// The signing key is served from the first publication on; before it the
// data page must not link to it (a dead link, and a broken static mirror).
func TestDataPageLinksTheKeyOnlyOnceSnapshotsExist(t *testing.T) {
	site, s := newSite(t)
	if b := body(t, get(t, site, "/en/data/")); strings.Contains(b, "snapshot-signing.pub") {
		t.Error("the data page links the signing key before any snapshot exists")
	}
	sn := store.Snapshot{ID: store.NewID(), Slug: "2022-08-03", AsOf: 20220803, CountsJSON: `{}`,
		KnownAt: time.Date(2022, 8, 4, 0, 0, 0, 0, time.UTC), Body: []byte("{}"), Signature: "sig", PublicKey: "key"}
	sn.PublishedAt = sn.KnownAt
	if err := s.SaveSnapshot(context.Background(), sn); err != nil {
		t.Fatal(err)
	}
	if b := body(t, get(t, site, "/en/data/")); !strings.Contains(b, "snapshot-signing.pub") {
		t.Error("the data page does not link the signing key once a snapshot exists")
	}
}
