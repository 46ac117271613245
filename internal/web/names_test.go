package web_test

import (
	"context"
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
)

// formsReviewCSV: Temirbek written Демирбек by three persons (a learned
// form), and a Reymov born 1971 and 1980 (a person to review once a
// decision joins him).
const formsReviewCSV = "source,record,name,sex,birth_year,region,status,date,verification\n" +
	"vol,1,Реймов Демирбек Бахтиярович,m,1971,Нукус,detained,2022-07-02,corroborated\n" +
	"press,a,Reymov Temirbek Bakhtiyar uli,m,1971,Nukus,detained,2022-07-02,corroborated\n" +
	"vol,2,Сейтов Демирбек Оразович,m,1980,Нукус,detained,2022-07-02,corroborated\n" +
	"press,b,Seytov Temirbek Oraz uli,m,1980,Nukus,detained,2022-07-02,corroborated\n" +
	"vol,3,Алламов Демирбек Каримович,m,1990,Нукус,missing,2022-07-02,corroborated\n" +
	"press,c,Allamov Temirbek Karim uli,m,1990,Nukus,missing,2022-07-02,corroborated\n" +
	"hrw,z,Reymov Temirbek,m,1960,Nukus,detained,2022-07-04,corroborated\n"

func formsSite(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(formsReviewCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(ctx, s, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	if err := s.EachClaim(ctx, func(r store.ClaimRow) error { ids[r.Record.Key] = r.Record.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, ids["1"], ids["z"], linkage.Same, "editor0", ""); err != nil {
		t.Fatal(err)
	}
	run, err := s.Dedupe(ctx, true, linkage.Options{Upper: linkage.DefaultUpper, Lower: linkage.DefaultLower})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProposeNameForms(ctx, linkage.LearnNameForms(run.Input.Records, nil)); err != nil {
		t.Fatal(err)
	}
	if err := s.QueueSuspects(ctx, linkage.Suspects(run.Input.Records, run.Result.Clusters, run.Result.Model)); err != nil {
		t.Fatal(err)
	}
	if err := s.RankReview(ctx); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestNameFormsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := formsSite(t, s)
		site, a := workspaceSite(t, s)
		editor := signIn(t, site, a, auth.Editor)
		forms, err := s.NameForms(ctx, store.FormProposed)
		if err != nil || len(forms) != 1 {
			t.Fatalf("forms %+v %v", forms, err)
		}
		f := forms[0]
		w := editor.get(t, site, "/admin/names/")
		body := w.Body.String()
		for _, want := range []string{"Name forms learned from the records", "Демирбек", "Temirbek", `action="/admin/names/` + f.ID + `"`, ids["1"], `value="accept"`} {
			if !strings.Contains(body, want) {
				t.Errorf("names page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "admin.names.") {
			t.Errorf("names page shows a message id")
		}
		if w := editor.post(t, site, "/admin/names/"+f.ID, url.Values{"verdict": {"maybe"}}); w.Code != 400 {
			t.Errorf("bad verdict: %d", w.Code)
		}
		if w := editor.post(t, site, "/admin/names/nosuchform", url.Values{"verdict": {"accept"}}); w.Code != 404 {
			t.Errorf("unknown form: %d", w.Code)
		}
		// across a "different" decision: refused, the pair named
		if _, err := s.Decide(ctx, ids["2"], ids["b"], linkage.Different, "editor0", "two cousins"); err != nil {
			t.Fatal(err)
		}
		w = editor.post(t, site, "/admin/names/"+f.ID, url.Values{"verdict": {"accept"}})
		if body := w.Body.String(); w.Code != 409 || !strings.Contains(body, "declared to be different persons") || !strings.Contains(body, ids["2"]) || !strings.Contains(body, ids["b"]) {
			t.Errorf("accept across a decision: %d\n%s", w.Code, body)
		}
		if _, err := s.Decide(ctx, ids["2"], ids["b"], linkage.Unsure, "editor0", ""); err != nil {
			t.Fatal(err)
		}
		if w := editor.post(t, site, "/admin/names/"+f.ID, url.Values{"verdict": {"accept"}, "why": {"Turkmen form"}}); w.Code != 303 {
			t.Fatalf("accept: %d %s", w.Code, w.Body.String())
		}
		if got, _ := s.AcceptedNameForms(ctx); len(got) != 1 {
			t.Errorf("accepted %+v", got)
		}
		if body := editor.get(t, site, "/admin/names/").Body.String(); !strings.Contains(body, "accepted — Turkmen form") {
			t.Errorf("decided forms not shown:\n%s", body)
		}
	})
}

func TestPersonReviewPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := formsSite(t, s)
		site, a := workspaceSite(t, s)
		editor := signIn(t, site, a, auth.Editor)
		persons, _, err := s.PersonReviews(ctx, 0)
		if err != nil || len(persons) != 1 {
			t.Fatalf("persons %+v %v", persons, err)
		}
		person := persons[0].PersonID
		body := editor.get(t, site, "/admin/review/").Body.String()
		for _, want := range []string{"Persons whose records conflict", "/admin/review/persons/" + person, "birth years apart: born 1971 and 1960", "in detention now"} {
			if !strings.Contains(body, want) {
				t.Errorf("review list lacks %q:\n%s", want, body)
			}
		}
		w := editor.get(t, site, "/admin/review/persons/"+person)
		if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "Is this one person?") || !strings.Contains(body, "hrw / z") || !strings.Contains(body, `value="split"`) {
			t.Errorf("person page: %d\n%s", w.Code, body)
		}
		if w := editor.get(t, site, "/admin/review/persons/nobody"); w.Code != 404 {
			t.Errorf("unknown person: %d", w.Code)
		}
		if w := editor.post(t, site, "/admin/review/persons/"+person, url.Values{"verdict": {"maybe"}}); w.Code != 400 {
			t.Errorf("bad verdict: %d", w.Code)
		}
		if w := editor.post(t, site, "/admin/review/persons/"+person, url.Values{"verdict": {"split"}}); w.Code != 303 {
			t.Fatalf("split: %d %s", w.Code, w.Body.String())
		}
		pz, _ := s.PersonOf(ctx, ids["z"])
		p1, _ := s.PersonOf(ctx, ids["1"])
		if pz == p1 {
			t.Error("the split left z with 1")
		}
		if w := editor.get(t, site, "/admin/review/persons/"+person); w.Code != 404 {
			t.Errorf("a decided person still queued: %d", w.Code)
		}
	})
}
