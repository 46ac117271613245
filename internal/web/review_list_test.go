package web_test

import (
	"net/http"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Bad filter values get a plain message and the list without them, never
// a server error; in Russian on the Russian page.
func TestReviewListBadFilterValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a := queueSite(t, st)
		editor := signIn(t, site, a, auth.Editor)
		for _, c := range []struct{ query, lang, want string }{
			{"min=abc", "en", "“abc” is not a number"},
			{"max=NaN", "en", "“NaN” is not a number"},
			{"min=5&max=1", "en", "The lowest weight is above the highest"},
			{"page=-3", "en", "“-3” is not a page number"},
			{"page=x%00y", "en", "is not a page number"},
			{"min=abc", "ru", "«abc» — не число"},
		} {
			req := editorRequest(editor, "/admin/review/?"+c.query, c.lang)
			res, body := do(t, site, req)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, c.want) || !strings.Contains(body, `id="review-pairs"`) {
				t.Errorf("%s (%s): %d, want 200 with %q and the list\n%.1500s", c.query, c.lang, res.StatusCode, c.want, body)
			}
		}
		// A page past the end is an empty page, not an error.
		res, body := do(t, site, editorRequest(editor, "/admin/review/?page=9", "en"))
		if res.StatusCode != http.StatusOK || len(pairLinks(body)) != 0 || !strings.Contains(body, "page 9 of 2") {
			t.Errorf("page 9: %d, %d pairs", res.StatusCode, len(pairLinks(body)))
		}
		// Russian page: the count and the filter words in Russian.
		_, body = do(t, site, editorRequest(editor, "/admin/review/?page=2", "ru"))
		for _, want := range []string{"страница 2 из 2", "Источник", "Показать"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Russian list lacks %q", want)
			}
		}
	})
}

func editorRequest(s session, path, lang string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.RequestURI = path
	req.AddCookie(s.Cookie)
	req.Header.Set("Accept-Language", lang)
	return req
}
