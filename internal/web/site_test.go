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
	"strings"
	"testing"

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

func TestPagesSmoke(t *testing.T) {
	site, _ := newSite(t)
	for _, lang := range []string{"en", "ru", "kaa", "uz"} {
		for _, p := range []string{"/", "/counts/", "/data/"} {
			res := get(t, site, "/"+lang+p)
			b := body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("%s%s: %d %s", lang, p, res.StatusCode, b)
			}
		}
	}
	b := body(t, get(t, site, "/ru/"))
	os.WriteFile("/tmp/ru-home.html", []byte(b), 0o644)
	b = body(t, get(t, site, "/en/counts/"))
	os.WriteFile("/tmp/en-counts.html", []byte(b), 0o644)
	if !strings.Contains(b, "<svg") {
		t.Fatal("no chart")
	}
}
