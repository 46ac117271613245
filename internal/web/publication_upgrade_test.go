package web_test

import (
	"context"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// A data directory from before the publication rule, upgraded: the public
// list shows by name exactly whom it showed before, and the workspace's
// home asks an editor who may publish to review the one person public
// only by the migration's mark (and no one else).
func TestUpgradedHomeListsThePublicBeforeTheRule(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dir, dsn := storetest.PrePublicationRule(t, d)
			st, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			keys, err := seal.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			st.SetKeys(keys)
			if _, err := st.RefreshPublic(ctx); err != nil {
				t.Fatal(err)
			}
			site, a := workspaceSite(t, st)
			people := (*session)(nil).get(t, site, "/en/people/").Body.String()
			for id, name := range storetest.PrePublicationNames {
				listed := id == "pListed" || id == "pMarked"
				if strings.Contains(people, name) != listed {
					t.Errorf("public list after the upgrade: %s (%s) shown by name %v, want %v", name, id, !listed, listed)
				}
			}
			editor := signIn(t, site, a, auth.Editor)
			home := editor.get(t, site, "/admin/").Body.String()
			i := strings.Index(home, `id="legacy"`)
			if i < 0 {
				t.Fatalf("the workspace home has no list of persons public before the rule:\n%s", home)
			}
			list := home[i:]
			list = list[:strings.Index(list, "</ul>")]
			if !strings.Contains(list, "Public before the publication rule") || !strings.Contains(list, `href="/admin/people/pListed"`) {
				t.Errorf("the home's list lacks pListed: %s", list)
			}
			for _, id := range []string{"pMarked", "pWithheld", "pMinor", "pAfter"} {
				if strings.Contains(list, id) {
					t.Errorf("the home's list names %s, which the migration did not mark: %s", id, list)
				}
			}
			// A volunteer, who may not publish, is not asked.
			volunteer := signIn(t, site, a, auth.Volunteer)
			if vol := volunteer.get(t, site, "/admin/").Body.String(); strings.Contains(vol, `id="legacy"`) {
				t.Errorf("a volunteer's home lists the migration's marks")
			}
		})
	}
}
