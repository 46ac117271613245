package web_test

import (
	"context"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// The review page of a pair shows both persons whole (every record and
// claim already in each, not only the pair's two records), their public
// state, and warns when "same" would join a killed man with a later
// release, or would list someone by name.
func TestReviewPairShowsWholePersonsAndWarns(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			site, a, pair := reviewSite(t, st)
			editor := signIn(t, site, a, auth.Editor)
			ctx := context.Background()
			page := "/admin/review/" + pair.ID

			body := editor.get(t, site, page).Body.String()
			for _, side := range []string{"person-a", "person-b"} {
				sec := sectionByID(t, body, side)
				if !strings.Contains(sec, "WITHHELD") || !strings.Contains(sec, "nobody decided to publish this name") {
					t.Errorf("%s does not show its public state: %s", side, sec)
				}
			}
			if !strings.Contains(sectionByID(t, body, "merge-survivor"), "keeps the id "+pair.A.PersonID) {
				t.Error("the page does not say which id the joined person keeps")
			}
			if strings.Contains(body, `id="merge-warnings"`) {
				t.Errorf("warnings for a pair whose merge joins no conflict and publishes nobody: %s", sectionByID(t, body, "merge-warnings"))
			}

			// Person A also holds a record that says he was killed; person B
			// one that says he was released later. The press list published
			// its names: joining would list A by name.
			add := func(person, source, name string, status registry.Status, day registry.Day) {
				t.Helper()
				rec, _, err := st.AddRecord(ctx, editor.User.ID, true, registry.Record{SourceID: sourceID(t, st, source), Name: name, Sex: "m", Region: "Nukus"},
					registry.Claim{Status: status, Date: registry.PeriodFrom(day, registry.PrecisionDay), Verification: registry.Corroborated})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.MoveRecord(ctx, editor.User.ID, rec, person, "same man"); err != nil {
					t.Fatal(err)
				}
			}
			add(pair.A.PersonID, "vol", "Erlan Dosjanov", registry.Killed, 20220703)
			add(pair.B.PersonID, "press", "Yerlan Doszhanov Jr", registry.Released, 20220720)
			if err := st.SetSourceBasis(ctx, store.ActorCLI, "press", "the outlet's published list", false); err != nil {
				t.Fatal(err)
			}
			body = editor.get(t, site, page).Body.String()
			sideA, b := sectionByID(t, body, "person-a"), sectionByID(t, body, "person-b")
			if !strings.Contains(sideA, "Erlan Dosjanov") || !strings.Contains(sideA, pair.A.Name) || !strings.Contains(sideA, "2 records") || strings.Contains(sideA, "Yerlan Doszhanov Jr") {
				t.Errorf("person A is not shown whole: %s", sideA)
			}
			if !strings.Contains(b, "Yerlan Doszhanov Jr") || !strings.Contains(b, "2022-07-20") {
				t.Errorf("person B is not shown whole: %s", b)
			}
			if !strings.Contains(b, "PUBLIC") || !strings.Contains(b, "published these names itself") {
				t.Errorf("person B's public state (a record of a source with a basis): %s", b)
			}
			w := sectionByID(t, body, "merge-warnings")
			if !strings.Contains(w, "fates exclude each other") || !strings.Contains(w, "Erlan Dosjanov, vol/") {
				t.Errorf("no warning of killed-then-released: %s", w)
			}
			if !strings.Contains(w, "person "+pair.A.PersonID+" would be listed by name") {
				t.Errorf("no warning that the merge lists person A by name: %s", w)
			}
			ru := editor.getLang(t, site, page, "ru").Body.String()
			if !strings.Contains(ru, "Оба человека целиком") || !strings.Contains(ru, "будет показан по имени") {
				t.Error("the Russian review page")
			}
			noMissingMessages(t, body)
		})
	}
}
