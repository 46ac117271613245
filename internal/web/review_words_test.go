package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// The pair page says its evidence in plain words of the page's language,
// never in the model's notation, and the claims' states and the sex in
// that language too: a Russian editor reads no English.
func TestReviewEvidenceInPlainWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a, pair := reviewSite(t, st)
		editor := signIn(t, site, a, auth.Editor)
		for lang, want := range map[string][]string{
			"en": {"in another script", "born not given / 1991: says nothing either way", "detained 2022-07-02", "male"},
			"ru": {"другим алфавитом", "год рождения не указано / 1991: ни за, ни против", "задержан 2022-07-02", "мужской"},
		} {
			res, body := do(t, site, editorRequest(editor, "/admin/review/"+pair.ID, lang))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", lang, res.StatusCode)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the pair page lacks %q", lang, w)
				}
			}
			if m := regexp.MustCompile(`jw=|\bm/m\b|sex m|place: |(equivalent forms)`).FindString(body); m != "" {
				t.Errorf("%s: the pair page speaks the model's notation: %q", lang, m)
			}
			if lang == "ru" && strings.Contains(body, ">detained") {
				t.Error("ru: a claim's state in English")
			}
			if lang == "ru" {
				evidence := body[strings.Index(body, `id="evidence">`)+len(`id="evidence">`):]
				evidence = evidence[:strings.Index(evidence, "</table>")]
				// The records' own values (in parentheses) may be Latin.
				words := regexp.MustCompile(`<[^>]+>|\([^)]*\)`).ReplaceAllString(evidence, "")
				if m := regexp.MustCompile(`[A-Za-z]{4,}`).FindString(words); m != "" {
					t.Errorf("ru: English in the evidence: %q\n%s", m, evidence)
				}
			}
		}
	})
}
