package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// The workspace pages whose catalogues are translated (sign-in, the home
// page with its menu, the account, the accounts list, the report triage)
// speak Karakalpak and Uzbek under their lang, with none of the English
// messages on them.
func TestWorkspaceInKaraKalpakAndUzbek(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	admin := signIn(t, site, a, auth.Admin)
	english := map[string]bool{}
	for _, f := range []string{"admin.json", "admin_signin.json", "admin_reports.json", "admin_home.json", "names.json", "admin_audit.json", "admin_import.json", "admin_edit.json"} {
		b, err := os.ReadFile("i18n/en/" + f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		json.Unmarshal(b, &m)
		for _, v := range m {
			if i := strings.IndexByte(v, '{'); i > 0 {
				v = v[:i] // the words before a placeholder
			}
			if len(v) > 14 && strings.Contains(v, " ") {
				english[v] = true
			}
		}
	}
	want := map[string][]string{"kaa": {"Kiriw", "Reestr", "Ashıq xabarlar"}, "uz": {"Kirish", "Reestr", "Ochiq xabarlar"}}
	for _, lang := range []string{"kaa", "uz"} {
		get := func(path string, s *session) string {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept-Language", lang)
			if s != nil {
				req.AddCookie(s.Cookie)
			}
			w := httptest.NewRecorder()
			site.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("%s %s: %d", lang, path, w.Code)
			}
			return w.Body.String()
		}
		pages := map[string]string{"/admin/signin": get("/admin/signin", nil)}
		for _, p := range []string{"/admin/", "/admin/account/", "/admin/users/", "/admin/reports/", "/admin/names/", "/admin/audit/", "/admin/import/", "/admin/records/", "/admin/sources/", "/admin/incidents/", "/admin/people/", "/admin/publish/"} {
			pages[p] = get(p, &admin)
		}
		all := ""
		for path, body := range pages {
			all += body
			if !strings.Contains(body, `lang="`+lang+`"`) {
				t.Errorf("%s %s: not under lang=%q", lang, path, lang)
			}
			for e := range english {
				if strings.Contains(body, e) {
					t.Errorf("%s %s: English %q", lang, path, e)
				}
			}
		}
		for _, w := range want[lang] {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the pages lack %q", lang, w)
			}
		}
	}
}
