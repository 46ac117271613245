package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// An editor changes their own password from the account page: the current
// password and a code are proved first, the new one must pass the policy,
// and afterwards every session has ended and only the new password works.
func TestChangeOwnPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a := workspaceSite(t, st)
		ed := signIn(t, site, a, auth.Editor)
		email := ed.Email
		const newPassword = "a much longer passphrase, 2026"

		if page := ed.get(t, site, "/admin/account/"); page.Code != 200 || !strings.Contains(page.Body.String(), `action="/admin/account/password"`) {
			t.Fatalf("the account page offers no password change: %d", page.Code)
		}
		for _, c := range []struct {
			name string
			form url.Values
			want int
		}{
			{"wrong current password", url.Values{"current": {"not the password 123"}, "code": {ed.nextCode(t, a, 1)}, "password": {newPassword}, "password2": {newPassword}}, http.StatusUnauthorized},
			{"new passwords differ", url.Values{"current": {testPassword}, "code": {ed.nextCode(t, a, 1)}, "password": {newPassword}, "password2": {newPassword + "x"}}, http.StatusBadRequest},
			{"too short", url.Values{"current": {testPassword}, "code": {ed.nextCode(t, a, 1)}, "password": {"short"}, "password2": {"short"}}, http.StatusBadRequest},
			{"markup", url.Values{"current": {"<b>x</b>"}, "password": {newPassword}, "password2": {newPassword}}, http.StatusUnauthorized},
		} {
			w := ed.post(t, site, "/admin/account/password", c.form)
			if w.Code != c.want || strings.Contains(w.Body.String(), "<b>x</b>") {
				t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
			}
		}
		if _, err := a.SignIn(context.Background(), email, newPassword, "t"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("a refused change took effect: %v", err)
		}

		w := ed.post(t, site, "/admin/account/password", url.Values{"current": {testPassword}, "code": {ed.nextCode(t, a, 1)},
			"password": {newPassword}, "password2": {newPassword}})
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/signin?msg=password_set" {
			t.Fatalf("change: %d %q", w.Code, w.Header().Get("Location"))
		}
		if after := ed.get(t, site, "/admin/"); after.Code != http.StatusSeeOther || !strings.HasPrefix(after.Header().Get("Location"), "/admin/signin") {
			t.Errorf("the session lives on after the change: %d", after.Code)
		}
		if _, err := a.SignIn(context.Background(), email, testPassword, "t"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("the old password still signs in: %v", err)
		}
		if res, err := a.SignIn(context.Background(), email, newPassword, "t"); err != nil || !res.Pending {
			t.Errorf("the new password: %+v %v", res, err)
		}
		entries, err := st.AuditEntries(context.Background(), 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || (e.Action == "user.password" && strings.Contains(e.Detail, "via=change"))
		}
		if !found {
			t.Error("no audit entry for the change")
		}
	})
}
