package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// The Yerlan pair is one the model cannot decide; one of its records
// carries markup as another spelling, which must reach the page escaped.
const reviewCSV = "source,record,name,name_alt,sex,birth_year,region,status,date,verification\n" +
	"vol,5,Ерлан Досжанов,<script>alert(1)</script>,m,,Нукус,detained,2022-07-02,corroborated\n" +
	"press,e,Yerlan Doszhanov,,m,1991,Muynak,detained,2022-07-05,corroborated\n" +
	"vol,6,Гульнара Юсупова,,f,1970,Нукус,missing,2022-07-02,corroborated\n" +
	"press,f,Gulnara Yusupova,,f,1971,Nukus,missing,2022-07-02,corroborated\n" +
	"vol,1,Лалагул Каллыханова,,f,1987,Нукус,detained,2022-07-02,verified\n" +
	"press,a,Lolagul Kallykhanova,,f,1987,Nukus,detained,2022-07-02,corroborated\n" +
	"vol,2,Даулет Сапаров,,m,1990,Нукус,missing,2022-07-01,corroborated\n" +
	"press,b,Daulet Saparov,,m,1990,Nukus,missing,2022-07-01,corroborated\n"

// reviewSite returns a site with the review pages over a store whose
// queue holds the Yerlan pair.
func reviewSite(t *testing.T, s *store.Store) (http.Handler, store.ReviewPair) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(reviewCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(ctx, s, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dedupe(ctx, true, linkage.Options{Upper: linkage.DefaultUpper, Lower: linkage.DefaultLower}); err != nil {
		t.Fatal(err)
	}
	queue, _, err := s.ReviewQueue(ctx, 0)
	if err != nil || len(queue) != 1 {
		t.Fatalf("queue %d pairs (%v), want the Yerlan pair", len(queue), err)
	}
	site, err := web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	site.EnableReview()
	return site, queue[0]
}

func do(t *testing.T, h http.Handler, req *http.Request) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestReviewPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		site, pair := reviewSite(t, s)

		resp, body := do(t, site, httptest.NewRequest("GET", "/en/review/", nil))
		if resp.StatusCode != 200 || !strings.Contains(body, "/en/review/"+pair.ID) || !strings.Contains(body, "Yerlan Doszhanov") ||
			!strings.Contains(body, "1 pairs of records wait") {
			t.Errorf("list: %d\n%s", resp.StatusCode, body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("list may be cached: %q", resp.Header.Get("Cache-Control"))
		}
		resp, _ = do(t, site, httptest.NewRequest("GET", "/review", nil))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/en/review/" {
			t.Errorf("/review: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}

		for lang, want := range map[string][]string{
			"en": {"Are these two records about the same person?", "Same person", "Different persons", "Skip", "surname"},
			"ru": {"Эти две записи — об одном человеке?", "Один человек", "Разные люди", "Пропустить", "фамилия"},
		} {
			resp, body = do(t, site, httptest.NewRequest("GET", "/"+lang+"/review/"+pair.ID, nil))
			if resp.StatusCode != 200 {
				t.Fatalf("%s pair: %d\n%s", lang, resp.StatusCode, body)
			}
			for _, w := range append(want, "Ерлан Досжанов", "Yerlan Doszhanov", "Muynak", `method="post"`, `value="same"`, `value="different"`) {
				if !strings.Contains(body, w) {
					t.Errorf("%s pair page lacks %q", lang, w)
				}
			}
			if strings.Contains(body, "review.") || strings.Contains(body, "evidence.") {
				t.Errorf("%s pair page shows a message id: %s", lang, body)
			}
			if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s: the markup in a name is not escaped:\n%s", lang, body)
			}
			if strings.Contains(body, "style=") || strings.Contains(body, "<style") {
				t.Errorf("%s: inline style on the pair page", lang)
			}
		}

		for _, path := range []string{"/en/review/0123456789abcdef", "/xx/review/" + pair.ID, "/xx/review/"} {
			if resp, _ := do(t, site, httptest.NewRequest("GET", path, nil)); resp.StatusCode != 404 {
				t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}
		post := func(path string, form url.Values, header map[string]string) *http.Response {
			req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			resp, _ := do(t, site, req)
			return resp
		}
		same := url.Values{"verdict": {"same"}, "by": {"Editor One"}, "why": {"same photo"}}
		if resp := post("/en/review/0123456789abcdef", same, nil); resp.StatusCode != 404 {
			t.Errorf("POST unknown pair: %d, want 404", resp.StatusCode)
		}
		if resp := post("/en/review/"+pair.ID, url.Values{"verdict": {"maybe"}}, nil); resp.StatusCode != 400 {
			t.Errorf("POST a bad verdict: %d, want 400", resp.StatusCode)
		}
		// A post from another site is refused and changes nothing.
		if resp := post("/en/review/"+pair.ID, same, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); resp.StatusCode != 403 {
			t.Errorf("cross-origin POST: %d, want 403", resp.StatusCode)
		}
		if a, b := personOf(t, s, pair.A.ID), personOf(t, s, pair.B.ID); a == b {
			t.Fatal("the persons were merged before any valid decision")
		}

		resp = post("/en/review/"+pair.ID, same, map[string]string{"Sec-Fetch-Site": "same-origin"})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/en/review/?done" {
			t.Errorf("POST same: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if a, b := personOf(t, s, pair.A.ID), personOf(t, s, pair.B.ID); a != b {
			t.Error("after 'same' the two records are in two persons")
		}
		hist, err := s.DecisionsOf(context.Background(), pair.A.ID, pair.B.ID)
		if err != nil || len(hist) != 1 || hist[0].Verdict != "same" || hist[0].By != "Editor One" || hist[0].Why != "same photo" {
			t.Errorf("stored decisions %+v %v", hist, err)
		}
		if resp, _ := do(t, site, httptest.NewRequest("GET", "/en/review/"+pair.ID, nil)); resp.StatusCode != 404 {
			t.Errorf("the decided pair is still shown: %d", resp.StatusCode)
		}
		if _, body := do(t, site, httptest.NewRequest("GET", "/en/review/?done", nil)); !strings.Contains(body, "Decision recorded") || !strings.Contains(body, "No pairs are waiting") {
			t.Errorf("list after the last decision:\n%s", body)
		}
	})
}

func TestReviewIsOffUnlessEnabled(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	site, err := web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/review/0123456789abcdef", "/en/review/"} {
		if resp, _ := do(t, site, httptest.NewRequest("GET", path, nil)); resp.StatusCode != 404 {
			t.Errorf("GET %s without --review: %d, want 404", path, resp.StatusCode)
		}
	}
}

func personOf(t *testing.T, s *store.Store, record string) string {
	t.Helper()
	p, err := s.PersonOf(context.Background(), record)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
