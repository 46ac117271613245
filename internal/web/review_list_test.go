package web_test

import (
	"context"
	"net/http"
	"net/url"
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

// An undo of no decision, or of someone else's, changes nothing and says so.
func TestReviewUndoBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a := queueSite(t, st)
		editor := signIn(t, site, a, auth.Editor)
		other := signIn(t, site, a, auth.Editor)
		pair, err := st.ReviewQueuePage(context.Background(), store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		w := other.post(t, site, "/admin/review/"+pair.Pairs[0].ID, url.Values{"verdict": {"same"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("decide: %d", w.Code)
		}
		d, err := st.LastDecisionBy(context.Background(), other.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id   string
			code int
			want string
		}{
			{"nonexistent", http.StatusNotFound, "There is no such decision"},
			{d.ID, http.StatusForbidden, "Only the person who took a decision can undo it"},
		} {
			w := editor.post(t, site, "/admin/review/undo", url.Values{"decision": {c.id}})
			if w.Code != c.code || !strings.Contains(w.Body.String(), c.want) {
				t.Errorf("undo %s: %d, want %d with %q", c.id, w.Code, c.code, c.want)
			}
		}
		if again, _ := st.DecisionByID(context.Background(), d.ID); !again.InForce {
			t.Error("a refused undo took the decision back")
		}
	})
}
