package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rollcall/internal/auth"
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

// reviewSite returns the workspace over a store whose queue holds the
// Yerlan pair, and the auth service to sign in through.
func reviewSite(t *testing.T, s *store.Store) (*web.Server, *auth.Service, store.ReviewPair) {
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
	site, a := workspaceSite(t, s)
	return site, a, queue[0]
}

func do(t *testing.T, h http.Handler, req *http.Request) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestReviewPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		site, a, pair := reviewSite(t, s)
		editor := signIn(t, site, a, auth.Editor)

		w := editor.get(t, site, "/admin/review/")
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "/admin/review/"+pair.ID) || !strings.Contains(body, "Yerlan Doszhanov") ||
			!strings.Contains(body, "1 pairs of records wait") {
			t.Errorf("list: %d\n%s", w.Code, body)
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("list may be cached: %q", w.Header().Get("Cache-Control"))
		}

		for lang, want := range map[string][]string{
			"en": {"Are these two records about the same person?", "Same person", "Different persons", "Skip", "surname"},
			"ru": {"Эти две записи — об одном человеке?", "Один человек", "Разные люди", "Пропустить", "фамилия"},
		} {
			req := httptest.NewRequest("GET", "/admin/review/"+pair.ID, nil)
			req.Header.Set("Accept-Language", lang)
			req.AddCookie(editor.Cookie)
			resp, body := do(t, site, req)
			if resp.StatusCode != 200 {
				t.Fatalf("%s pair: %d\n%s", lang, resp.StatusCode, body)
			}
			for _, w := range append(want, "Ерлан Досжанов", "Yerlan Doszhanov", "Muynak", `method="post"`, `value="same"`, `value="different"`, `name="csrf" value="`+editor.CSRF+`"`) {
				if !strings.Contains(body, w) {
					t.Errorf("%s pair page lacks %q", lang, w)
				}
			}
			if strings.Contains(body, "review.") || strings.Contains(body, "evidence.") || strings.Contains(body, "admin.") {
				t.Errorf("%s pair page shows a message id: %s", lang, body)
			}
			if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s: the markup in a name is not escaped:\n%s", lang, body)
			}
			if strings.Contains(body, "style=") || strings.Contains(body, "<style") {
				t.Errorf("%s: inline style on the pair page", lang)
			}
		}

		if w := editor.get(t, site, "/admin/review/0123456789abcdef"); w.Code != 404 {
			t.Errorf("GET an unknown pair: %d, want 404", w.Code)
		}
		same := url.Values{"verdict": {"same"}, "why": {"same photo"}}
		if w := editor.post(t, site, "/admin/review/0123456789abcdef", same); w.Code != 404 {
			t.Errorf("POST unknown pair: %d, want 404", w.Code)
		}
		if w := editor.post(t, site, "/admin/review/"+pair.ID, url.Values{"verdict": {"maybe"}}); w.Code != 400 {
			t.Errorf("POST a bad verdict: %d, want 400", w.Code)
		}
		// A post from another site, or without the form token, is refused
		// and changes nothing.
		req := httptest.NewRequest("POST", "/admin/review/"+pair.ID, strings.NewReader(url.Values{"verdict": {"same"}, "csrf": {editor.CSRF}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		req.AddCookie(editor.Cookie)
		if resp, _ := do(t, site, req); resp.StatusCode != 403 {
			t.Errorf("cross-origin POST: %d, want 403", resp.StatusCode)
		}
		if w := editor.post(t, site, "/admin/review/"+pair.ID, url.Values{"verdict": {"same"}, "csrf": {""}}); w.Code != 403 {
			t.Errorf("POST without a form token: %d, want 403", w.Code)
		}
		if a, b := personOf(t, s, pair.A.ID), personOf(t, s, pair.B.ID); a == b {
			t.Fatal("the persons were merged before any valid decision")
		}

		w = editor.post(t, site, "/admin/review/"+pair.ID, same)
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/review/?done&decided=") {
			t.Errorf("POST same: %d → %q", w.Code, w.Header().Get("Location"))
		}
		if a, b := personOf(t, s, pair.A.ID), personOf(t, s, pair.B.ID); a != b {
			t.Error("after 'same' the two records are in two persons")
		}
		// The decision is the signed-in account's, not a typed name.
		hist, err := s.DecisionsOf(context.Background(), pair.A.ID, pair.B.ID)
		if err != nil || len(hist) != 1 || hist[0].Verdict != "same" || hist[0].By != editor.User.ID || hist[0].Why != "same photo" {
			t.Errorf("stored decisions %+v %v", hist, err)
		}
		if w := editor.get(t, site, "/admin/review/"+pair.ID); w.Code != 404 {
			t.Errorf("the decided pair is still shown: %d", w.Code)
		}
		if body := editor.get(t, site, "/admin/review/?done").Body.String(); !strings.Contains(body, "Decision recorded") || !strings.Contains(body, "No pairs are waiting") {
			t.Errorf("list after the last decision:\n%s", body)
		}
	})
}

// The queue shows private data: nobody without the Link permission sees
// it, and the old public addresses are gone.
func TestReviewNeedsSignIn(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	site, a, pair := reviewSite(t, s)
	w := (*session)(nil).get(t, site, "/admin/review/"+pair.ID)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/signin?next=") {
		t.Errorf("anonymous: %d → %q, want the sign-in page", w.Code, w.Header().Get("Location"))
	}
	for _, role := range []auth.Role{auth.Volunteer, auth.Treasurer, auth.Viewer} {
		sess := signIn(t, site, a, role)
		if w := sess.get(t, site, "/admin/review/"+pair.ID); w.Code != 403 || strings.Contains(w.Body.String(), "Doszhanov") {
			t.Errorf("%s: %d, want 403 without the pair", role, w.Code)
		}
	}
	for _, path := range []string{"/en/review/", "/en/review/" + pair.ID} {
		if w := (*session)(nil).get(t, site, path); w.Code != 404 {
			t.Errorf("GET %s: %d, want 404 (the queue moved to /admin/review/)", path, w.Code)
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
