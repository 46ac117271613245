package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Issue 14, bad input: every refusal of the hardening is one plain sentence
// in the page's language (429 with Retry-After, 403), never a stack trace,
// and changes nothing: a throttled sign-in, a post from another site, a
// form whose token is wrong for the session, a post after the session
// ended. Both databases.
func TestHardeningRefusalsInThePageLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		site, a := workspaceSite(t, st)
		clk := setClock(a)
		if w := (*session)(nil).post(t, site, "/ru/report/", aReport("Отказ Человек")); w.Code != http.StatusSeeOther && w.Code != http.StatusOK {
			t.Fatalf("report: %d", w.Code)
		}
		reports, _, err := st.Reports(ctx, store.ReportFilter{})
		if err != nil || len(reports) != 1 {
			t.Fatalf("reports %v %v", reports, err)
		}
		state := func() string {
			head, err := st.AuditHead(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, open, _ := st.Reports(ctx, store.ReportFilter{})
			return head.String() + " open=" + strconv.Itoa(open)
		}
		plain := func(what string, w interface {
			Result() *http.Response
		}, status int, says string) {
			t.Helper()
			resp := w.Result()
			body := new(strings.Builder)
			io.Copy(body, resp.Body)
			if resp.StatusCode != status || !strings.Contains(body.String(), says) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
				resp.Header.Get("Content-Language") != "ru" || strings.Contains(body.String(), "goroutine") || strings.Contains(body.String(), ".go:") {
				t.Errorf("%s: %d %q %q, want %d saying %q in Russian", what, resp.StatusCode, resp.Header.Get("Content-Language"), body.String(), status, says)
			}
		}

		// Wrong passwords until the account's throttle answers.
		newAccount(t, a, "refused@example.org", auth.Viewer)
		guesser := newClient(site)
		guesser.lang = "ru"
		guess := url.Values{"email": {"refused@example.org"}, "password": {"not the password at all"}}
		for i := 0; ; i++ {
			before := state()
			w := guesser.post("/admin/signin", guess)
			if w.Code == http.StatusUnauthorized && i < 50 {
				continue
			}
			plain("throttled sign-in", w, http.StatusTooManyRequests, "Слишком много попыток. Подождите")
			if secs, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || secs < 1 || !strings.Contains(w.Body.String(), "Подождите "+strconv.Itoa(secs)+" с") {
				t.Errorf("Retry-After %q and the message %q disagree", w.Header().Get("Retry-After"), w.Body.String())
			}
			if state() != before {
				t.Error("a throttled sign-in changed something")
			}
			break
		}
		clk.advance(time.Hour)
		ed := signIn(t, site, a, auth.Editor)

		// A post from another site, to the public form and to the workspace.
		before := state()
		w := postRaw(site, "/ru/report/", aReport("Чужой Сайт"), "ru", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""})
		plain("report from another site", w, http.StatusForbidden, "Эта форма отправлена с другого сайта")
		dismiss := "/admin/reports/" + reports[0].ID + "/dismiss"
		w = postRaw(site, dismiss, url.Values{"reason": {"spam"}, "csrf": {ed.CSRF}}, "ru", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "", "Cookie": ed.Cookie.Name + "=" + ed.Cookie.Value})
		plain("editor's form from another site", w, http.StatusForbidden, "Эта форма отправлена с другого сайта")

		// The editor's own form with a token that is not the session's.
		w = ed.postIn(t, site, "ru", dismiss, url.Values{"reason": {"spam"}, "csrf": {"not-the-token"}})
		plain("editor's form with a wrong token", w, http.StatusForbidden, "Срок этой формы истёк")

		// The session ended (signed out elsewhere): the form is refused.
		w = postRaw(site, dismiss, url.Values{"reason": {"spam"}, "csrf": {ed.CSRF}}, "ru", map[string]string{"Sec-Fetch-Site": "same-origin", "Cookie": ed.Cookie.Name + "=not-a-session"})
		plain("form after the session ended", w, http.StatusForbidden, "Ваш сеанс завершён")
		if state() != before {
			t.Errorf("refused posts changed something: %s, before %s", state(), before)
		}
		// The same form, sent properly, does what it says: the refusals
		// above were about the request, not the action.
		if w := ed.postIn(t, site, "ru", dismiss, url.Values{"reason": {"spam"}}); w.Code != http.StatusSeeOther {
			t.Errorf("the proper dismissal: %d %.200s", w.Code, w.Body.String())
		}
		if state() == before {
			t.Error("the proper dismissal changed nothing either: the checks above prove nothing")
		}
	})
}
