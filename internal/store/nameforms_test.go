package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// formsList writes Temirbek as Демирбек in the Cyrillic list: a form no
// transliteration reaches and the equivalents table does not hold.
var formsList = []string{
	"vol,1,Реймов Демирбек Бахтиярович,m,1971,Нукус,detained,2022-07-02,corroborated,",
	"press,a,Reymov Temirbek Bakhtiyar uli,m,1971,Nukus,detained,2022-07-02,corroborated,",
	"vol,2,Сейтов Демирбек Оразович,m,1980,Нукус,detained,2022-07-02,corroborated,",
	"press,b,Seytov Temirbek Oraz uli,m,1980,Nukus,detained,2022-07-02,corroborated,",
	"vol,3,Алламов Демирбек Каримович,m,1990,Нукус,missing,2022-07-02,corroborated,",
	"press,c,Allamov Temirbek Karim uli,m,1990,Nukus,missing,2022-07-02,corroborated,",
}

func learnForms(t *testing.T, s *store.Store) []store.NameFormRow {
	t.Helper()
	ctx := context.Background()
	in, err := s.LoadLinkageInput(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProposeNameForms(ctx, linkage.LearnNameForms(in.Records, nil)); err != nil {
		t.Fatal(err)
	}
	forms, err := s.NameForms(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	return forms
}

func TestNameFormsProposedDecidedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, formsList...)
		ids := recordIDs(t, s)
		forms := learnForms(t, s)
		if len(forms) != 1 {
			t.Fatalf("learned %+v, want Temirbek = Демирбек only", forms)
		}
		f := forms[0]
		if f.Kind != linkage.GivenForm || f.Status != store.FormProposed || f.Support != 3 || len(f.Pairs) != 3 ||
			!strings.Contains(f.ShownA+f.ShownB, "Демирбек") || !strings.Contains(f.ShownA+f.ShownB, "Temirbek") {
			t.Fatalf("form %+v", f)
		}

		// an editor declared the Allamovs two people: accepting is refused, naming them
		if _, err := s.Decide(ctx, ids["3"], ids["c"], linkage.Different, "editor1", "two cousins"); err != nil {
			t.Fatal(err)
		}
		err := s.DecideNameForm(ctx, f.ID, store.FormAccepted, "editor1", "")
		var conflict *store.NameFormConflictError
		if !errors.As(err, &conflict) || len(conflict.Pairs) != 1 || !strings.Contains(err.Error(), ids["3"]) || !strings.Contains(err.Error(), ids["c"]) {
			t.Fatalf("accepting across a 'different' decision: %v", err)
		}
		if got, _ := s.NameForms(ctx, store.FormAccepted); len(got) != 0 {
			t.Fatalf("a refused acceptance left accepted forms: %+v", got)
		}
		if err := s.DecideNameForm(ctx, f.ID, "maybe", "editor1", ""); err == nil {
			t.Error("verdict 'maybe' accepted")
		}
		if err := s.DecideNameForm(ctx, "nosuchform", store.FormRefused, "editor1", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown form: %v", err)
		}

		// the cousins' decision taken back: the form is accepted, kept, audited
		if _, err := s.Decide(ctx, ids["3"], ids["c"], linkage.Unsure, "editor1", "not sure after all"); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideNameForm(ctx, f.ID, store.FormAccepted, "editor1", "Demirbek is the Turkmen form"); err != nil {
			t.Fatal(err)
		}
		accepted, err := s.AcceptedNameForms(ctx)
		if err != nil || len(accepted) != 1 || accepted[0].A != f.A || accepted[0].B != f.B {
			t.Fatalf("accepted forms %+v, %v", accepted, err)
		}
		// a later run does not undo it, nor propose it again
		if forms := learnForms(t, s); len(forms) != 1 || forms[0].Status != store.FormAccepted || forms[0].DecidedBy != "editor1" {
			t.Errorf("after a second run: %+v", forms)
		}
		entries, err := s.AuditEntries(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if e.Action == "name_form.accept" && e.Object == f.ID && e.Actor == "editor1" {
				found = true
			}
		}
		if !found {
			t.Errorf("no audit entry for the acceptance in %+v", entries)
		}

		// dedupe with the accepted form links each Temirbek to his Демирбек
		run, err := s.Dedupe(ctx, true, linkage.Options{NameForms: accepted})
		if err != nil {
			t.Fatal(err)
		}
		_ = run
		for _, p := range [][2]string{{"1", "a"}, {"2", "b"}, {"3", "c"}} {
			if personOf(t, s, ids[p[0]]) != personOf(t, s, ids[p[1]]) {
				t.Errorf("records %s and %s not linked with the form accepted", p[0], p[1])
			}
		}
	})
}
