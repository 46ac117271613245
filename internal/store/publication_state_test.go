package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func personIDByName(t *testing.T, s *store.Store, name string) string {
	t.Helper()
	if _, err := s.BuildSearchKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(context.Background(), store.RecordFilter{Query: name, Limit: 5})
	if err != nil || len(recs) != 1 {
		t.Fatalf("records named %q: %v %v", name, recs, err)
	}
	return recs[0].PersonID
}

func markAudits(t *testing.T, s *store.Store) []store.AuditEntry {
	t.Helper()
	all, err := s.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range all {
		if e.Action == "person.mark" {
			out = append(out, e)
		}
	}
	return out
}

func TestPublicationOfSaysGroundAndSince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"media,1,Aybek Turdiev,m,1980,Nukus,detained,2022-07-02,corroborated,",
			"vol,1,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,",
			"vol,2,Weak Claim,m,1990,Nukus,missing,2022-07-01,unverified,",
			"vol,3,Child Person,m,2010,Chimbay,detained,2022-07-01,verified,",
		)
		giveBasis(t, s, "media")
		aybek, daulet := personIDByName(t, s, "Aybek Turdiev"), personIDByName(t, s, "Daulet Saparov")
		weak, child := personIDByName(t, s, "Weak Claim"), personIDByName(t, s, "Child Person")
		basis, _ := s.SourceByKey(ctx, "media")
		b, _ := s.SourceBasisOf(ctx, basis.ID)

		st, err := s.PublicationOf(ctx, aybek)
		if err != nil || !st.Public() || st.Ground != registry.GroundSourceBasis || st.Source != "media" ||
			st.Reason != "published this list itself" || !st.Since.Equal(b.At) {
			t.Errorf("person of a source with a basis: %+v %v (basis at %v)", st, err, b.At)
		}
		st, _ = s.PublicationOf(ctx, daulet)
		if st.Public() || st.Ground != registry.GroundUndecided || !st.Listed || st.Since.IsZero() {
			t.Errorf("corroborated but undecided: %+v", st)
		}
		st, _ = s.PublicationOf(ctx, weak)
		if st.Public() || st.Listed {
			t.Errorf("a person with no corroborated claim is said to be listed: %+v", st)
		}
		st, _ = s.PublicationOf(ctx, child)
		if st.Public() || st.Ground != registry.GroundMinor {
			t.Errorf("minor: %+v", st)
		}
		if err := s.MarkWithConsent(ctx, "ed-1", daulet, registry.MarkPublic, "named in a court verdict", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		marks, _ := s.PersonMarks(ctx, daulet)
		st, _ = s.PublicationOf(ctx, daulet)
		if !st.Public() || st.Ground != registry.GroundReason || st.By != "ed-1" || st.Reason != "named in a court verdict" || !st.Since.Equal(marks[0].At) {
			t.Errorf("marked public with a reason: %+v", st)
		}
		if _, err := s.PublicationOf(ctx, "no-such-person"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown person: %v", err)
		}
	})
}

func TestMarkManyAuditsEachPersonAndRefusesWholeBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,",
			"vol,2,Azamat Qurbanov,m,1985,Chimbay,detained,2022-07-03,corroborated,",
			"vol,3,Bekzod Mambetov,m,1970,Chimbay,killed,2022-07-01,corroborated,",
		)
		a, b, c := personIDByName(t, s, "Daulet Saparov"), personIDByName(t, s, "Azamat Qurbanov"), personIDByName(t, s, "Bekzod Mambetov")

		// Without a reason: refused, nothing stored.
		if _, err := s.MarkMany(ctx, "ed", []string{a, b}, registry.MarkPublic, " ", registry.Consent{}); !errors.Is(err, registry.ErrPublicNeedsConsent) {
			t.Errorf("public without a reason: %v", err)
		}
		if _, err := s.MarkMany(ctx, "ed", []string{a, b}, registry.MarkWithheld, "", registry.Consent{}); !errors.Is(err, registry.ErrMarkNeedsReason) {
			t.Errorf("withheld without a reason: %v", err)
		}
		// One id names nobody: refused, nothing stored, the id named.
		_, err := s.MarkMany(ctx, "ed", []string{a, "gone-person", b}, registry.MarkPublic, "listed by the court", registry.Consent{})
		var me *store.MarkError
		if !errors.As(err, &me) || !slices.Equal(me.Missing, []string{"gone-person"}) || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("batch with an unknown person: %v", err)
		}
		if got := markAudits(t, s); len(got) != 0 {
			t.Errorf("refused batches left %d audit entries", len(got))
		}
		for _, p := range []string{a, b} {
			if marks, _ := s.PersonMarks(ctx, p); len(marks) != 0 {
				t.Errorf("refused batch left marks on %s: %+v", p, marks)
			}
		}

		n, err := s.MarkMany(ctx, "ed", []string{a, b, a, c}, registry.MarkPublic, "listed by the court", registry.Consent{})
		if err != nil || n != 3 {
			t.Fatalf("batch: %d %v", n, err)
		}
		audits := markAudits(t, s)
		var objects []string
		for _, e := range audits {
			objects = append(objects, e.Object)
			if e.Actor != "ed" || e.Detail != "mark=public" {
				t.Errorf("audit entry %+v", e)
			}
		}
		slices.Sort(objects)
		want := []string{a, b, c}
		slices.Sort(want)
		if !slices.Equal(objects, want) {
			t.Errorf("audited persons %v, want one entry each of %v", objects, want)
		}
		refresh(t, s)
		for _, p := range want {
			st, err := s.PublicationOf(ctx, p)
			if err != nil || !st.Public() || st.Ground != registry.GroundReason || st.Reason != "listed by the court" {
				t.Errorf("%s after the batch: %+v %v", p, st, err)
			}
			pp, err := s.PublicPerson(ctx, p)
			if err != nil || pp.Withheld {
				t.Errorf("%s not listed by name after the batch: %+v %v", p, pp, err)
			}
		}
	})
}
