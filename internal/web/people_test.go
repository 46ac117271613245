package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/publish"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// xssPayloads go into names, spellings, regions, localities and places;
// no HTML or XML output may carry them unescaped.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`'><svg onload=alert(3)>`,
	`</title><script>alert(4)</script>`,
	`]]><script>alert(5)</script>`,
}

const peopleCSV = "source,record,name,name_alt,sex,birth_year,region,locality,roles,status,date,verification,place\n" +
	"vol,1,Лалагул Каллыханова,Lolagul Kallykhanova,f,1987,Нукус,,journalist,detained,2022-07-02,verified,СИЗО\n" +
	"vol,2,Daulet Saparov,,m,1990,Nukus,,protester,missing,2022-07-01,corroborated,\n" +
	"vol,3,Azamat Qurbanov,,m,,Chimbay,,protester,detained,2022-07-03,corroborated,\n"

func xssCSV() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	for i, p := range xssPayloads {
		w.Write([]string{"xss", string(rune('a' + i)), "Xss" + p + " Person", p, "m", "1980", p, p, "protester", "detained",
			"2022-07-0" + string(rune('1'+i)), "verified", p})
	}
	w.Flush()
	return b.String()
}

// testSite is a site over a SQLite store holding peopleCSV and the XSS rows.
func testSite(t *testing.T) (*Server, *store.Store) {
	t.Helper()
	s := storetest.Open(t, store.SQLite)
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(peopleCSV+xssCSV()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(context.Background(), s, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	storetest.GiveAllBases(t, s)
	if _, err := s.RefreshPublic(context.Background()); err != nil {
		t.Fatal(err)
	}
	site, err := New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return site, s
}

func fetch(t *testing.T, h http.Handler, u string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
	return rec
}

func TestPeoplePageFiltersAndBadInput(t *testing.T) {
	site, _ := testSite(t)
	for _, tc := range []struct {
		url, want, not string
	}{
		{"/en/people/", "Daulet Saparov", ""},
		{"/ru/people/?q=" + url.QueryEscape("Даулет"), "Daulet Saparov", "Azamat"},
		{"/en/people/?q=Lalagul", "Лалагул Каллыханова", "Daulet"},
		{"/en/people/?state=missing", "Daulet Saparov", "Azamat"},
		{"/en/people/?region=" + url.QueryEscape("Нукус"), "Daulet Saparov", "Azamat"},
		{"/en/people/?state=flying", "not understood", ""},
		{"/en/people/?from=2022-13-45&sex=x&role=king&page=-3", "not understood", ""},
		{"/en/people/?page=999", "Daulet Saparov", ""},
		{"/en/people/?q=" + strings.Repeat("%D0%90", 10000), "People", ""},
		{"/en/people/?q=%ff%fe", "People", ""},
	} {
		rec := fetch(t, site, tc.url)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, tc.want) || (tc.not != "" && strings.Contains(body, tc.not)) {
			t.Errorf("%.80s: %d, want %q without %q\n%.3000s", tc.url, rec.Code, tc.want, tc.not, body)
		}
	}
	if rec := fetch(t, site, "/en/people/nobody"); rec.Code != 404 {
		t.Errorf("unknown person: %d", rec.Code)
	}
	if rec := fetch(t, site, "/api/v1/people?state=flying"); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"state"`) {
		t.Errorf("API bad filter: %d %s", rec.Code, rec.Body)
	}
	if rec := fetch(t, site, "/api/v1/counts?as_of=yesterday"); rec.Code != 400 {
		t.Errorf("API bad as_of: %d", rec.Code)
	}
}

func TestAPIPeopleAndPerson(t *testing.T) {
	site, _ := testSite(t)
	var page store.PeoplePage
	rec := fetch(t, site, "/api/v1/people?q="+url.QueryEscape("Лолагул")+"&per_page=2")
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Total != 1 || page.People[0].Name != "Лалагул Каллыханова" {
		t.Fatalf("%v %s", err, rec.Body)
	}
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Error("the API is not open to other origins")
	}
	rec = fetch(t, site, "/api/v1/people/"+page.People[0].ID)
	var p map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p["state"] != "detained" || len(p["spellings"].([]any)) != 2 {
		t.Errorf("person: %v %s", err, rec.Body)
	}
	if rec := fetch(t, site, "/api/v1/people/nobody"); rec.Code != 404 {
		t.Errorf("unknown person: %d", rec.Code)
	}
	// Лалагул and two of the XSS rows are detained by 2 July.
	rec = fetch(t, site, "/api/v1/counts?as_of=2022-07-02")
	var counts struct {
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &counts); err != nil || counts.Counts["missing_now"] != 1 || counts.Counts["detained_now"] != 3 {
		t.Errorf("counts as of 2 July: %s", rec.Body)
	}
}

// TestOpenAPIMatchesRoutes: every path of the OpenAPI document is served,
// and every API route is in the document.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	site, _ := testSite(t)
	rec := fetch(t, site, "/api/v1/openapi.json")
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v", err)
	}
	var documented []string
	for p, ops := range doc.Paths {
		documented = append(documented, p)
		if _, ok := ops["get"]; !ok {
			t.Errorf("%s: no GET", p)
		}
		u := strings.ReplaceAll(p, "{id}", "nobody")
		if rec := fetch(t, site, u); rec.Code == 404 && !strings.Contains(rec.Body.String(), "public list") {
			t.Errorf("%s is documented but not served (%d)", p, rec.Code)
		}
	}
	routes := append([]string(nil), apiRoutes...)
	sort.Strings(documented)
	sort.Strings(routes)
	if strings.Join(documented, " ") != strings.Join(routes, " ") {
		t.Errorf("documented %v, served %v", documented, routes)
	}
}

func TestEmbeddableCounterMayBeFramedAndNothingElse(t *testing.T) {
	site, _ := testSite(t)
	for _, u := range []string{"/en/embed/counter", "/ru/embed/counter.svg"} {
		rec := fetch(t, site, u)
		csp := rec.Header().Get("Content-Security-Policy")
		if rec.Code != 200 || !strings.Contains(csp, "frame-ancestors *") || !strings.Contains(csp, "default-src 'none'") || rec.Header().Get("X-Frame-Options") != "" {
			t.Errorf("%s: %d, CSP %q, XFO %q", u, rec.Code, csp, rec.Header().Get("X-Frame-Options"))
		}
	}
	if rec := fetch(t, site, "/ru/embed/counter.svg"); !strings.HasPrefix(rec.Body.String(), "<svg") || rec.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("badge: %s", rec.Body)
	}
	if csp := fetch(t, site, "/en/people/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the people page may be framed: %q", csp)
	}
}

// TestXSSPayloadsEscaped: markup stored in names, spellings, regions,
// localities and places reaches every HTML and XML output escaped.
func TestXSSPayloadsEscaped(t *testing.T) {
	site, s := testSite(t)
	urls := []string{"/en/feed.atom", "/ru/feed.atom", "/en/embed/counter", "/en/embed/counter.svg", "/api/v1/people?per_page=500"}
	for _, lang := range []string{"en", "ru", "kaa", "uz"} {
		urls = append(urls, "/"+lang+"/people/", "/"+lang+"/people/?q=Xss")
	}
	page, err := s.PublicPeople(context.Background(), store.PeopleFilter{PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.People {
		urls = append(urls, "/en/people/"+p.ID, "/api/v1/people/"+p.ID)
	}
	found := 0
	for _, u := range urls {
		body := fetch(t, site, u).Body.String()
		found += strings.Count(body, "Xss")
		for _, x := range append(xssPayloads, "<script", "<img", "<svg onload") {
			if strings.Contains(body, x) {
				t.Errorf("%s carries %q unescaped", u, x)
			}
		}
	}
	if found < len(xssPayloads)*4 {
		t.Errorf("the payloads' rows were shown only %d times: the test looks at nothing", found)
	}
	// And in the static mirror of the whole site.
	dir := t.TempDir()
	var roots []string
	for _, l := range site.Languages() {
		roots = append(roots, "/"+l+"/", "/"+l+"/people/", "/"+l+"/feed.atom")
	}
	sum, err := publish.Mirror(context.Background(), site, dir, publish.MirrorOptions{Roots: roots, Languages: site.Languages()})
	if err != nil || sum.Files < 40 {
		t.Fatalf("mirror: %+v %v", sum, err)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".csv") {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, x := range append(xssPayloads, "<script", "<img", "<svg onload") {
			if strings.Contains(string(b), x) {
				t.Errorf("mirror file %s carries %q unescaped", p, x)
			}
		}
		return nil
	})
}

func FuzzParsePeopleFilter(f *testing.F) {
	for _, seed := range []string{"", "state=detained&region=Nukus&page=2", "q=%D0%90%D0%B7%D0%B0%D0%BC%D0%B0%D1%82", "from=2022-07&to=2022",
		"page=-1&per_page=100000", "sex=x&role=king", "from=2022-08-01&to=2022-07-01", "q=%ff%fe%fd", "region=" + strings.Repeat("a", 200)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		filter, _ := parsePeopleFilter(v)
		if filter.Page < 0 || filter.PerPage < 0 || filter.PerPage > store.MaxPerPage {
			t.Errorf("%q gave page %d per page %d", raw, filter.Page, filter.PerPage)
		}
		if filter.From != 0 && filter.To != 0 && filter.From > filter.To {
			t.Errorf("%q gave from %v after to %v", raw, filter.From, filter.To)
		}
		if len([]rune(filter.Query)) > store.MaxQueryRunes || len([]rune(filter.Region)) > maxRegionRunes {
			t.Errorf("%q: query or region not bounded", raw)
		}
		// The filter written back reads back the same.
		again, problems := parsePeopleFilter(filterQuery(filter))
		again.Page, again.PerPage = filter.Page, filter.PerPage
		if len(problems) > 0 || again != filter {
			t.Errorf("%q: %+v reads back as %+v (%v)", raw, filter, again, problems)
		}
	})
}
