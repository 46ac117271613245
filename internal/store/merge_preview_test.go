package store_test

import (
	"context"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// The preview of a merge shows both persons whole, the conflicts that
// cross between them, and whom the joined person would publish or withhold.
func TestPreviewMergeWarnsOfFatesAndPublication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Aybek Turdiev,m,1980,Nukus,killed,2022-07-02,corroborated,",
			"vol,2,Aybek Turdiyev,m,1980,Nukus,detained,2022-07-01,corroborated,",
			"press,1,Aybek Turdiev,m,1988,Nukus,released,2022-07-20,corroborated,",
			"court,1,Bahadir Allanazarov,m,1982,Nukus,sentenced,2022-07-25,verified,",
			"vol,3,Bahadir Allanazarov,m,2008,Nukus,detained,2022-07-02,corroborated,",
		)
		giveBasis(t, s, "press")
		giveBasis(t, s, "court")
		recs, err := s.Records(ctx, store.RecordFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		person := map[string]string{}
		for _, r := range recs {
			person[r.SourceKey+"/"+r.Key] = r.PersonID
		}
		// vol/1 and vol/2 are one person already (A, whole: two records).
		if _, err := s.MoveRecord(ctx, "ed", recordOf(recs, "vol", "2"), person["vol/1"], "same man, two spellings"); err != nil {
			t.Fatal(err)
		}
		a, b := person["vol/1"], person["press/1"]
		m, err := s.PreviewMerge(ctx, a, b)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.A.Records) != 2 || len(m.B.Records) != 1 || len(m.A.Records[0].Claims) != 1 {
			t.Errorf("whole persons: A %d records, B %d", len(m.A.Records), len(m.B.Records))
		}
		kinds := map[string]bool{}
		for _, c := range m.Conflicts {
			kinds[c.Kind] = true
			if (c.A == recordOf(recs, "press", "1")) == (c.B == recordOf(recs, "press", "1")) {
				t.Errorf("a conflict within one side was shown: %+v", c)
			}
		}
		if !kinds[linkage.ConflictFate] || !kinds[linkage.ConflictBirth] {
			t.Errorf("conflicts %+v, want killed-then-released and the birth years", m.Conflicts)
		}
		if m.A.Publication.Public() || !m.B.Publication.Public() || !m.MergedPublic || m.Merged != registry.GroundSourceBasis {
			t.Errorf("publication: A %+v, B %+v, merged %s %v", m.A.Publication, m.B.Publication, m.Merged, m.MergedPublic)
		}
		if p := m.Publishes(); len(p) != 1 || p[0].ID != a {
			t.Errorf("publishes %+v, want A (withheld now, named once joined with a source that has a basis)", p)
		}
		if len(m.Withholds()) != 0 {
			t.Errorf("withholds %+v", m.Withholds())
		}

		// Joining a man listed by a court's verdict with a record that makes
		// him a minor withholds him; and two records of one list.
		m, err = s.PreviewMerge(ctx, person["court/1"], person["vol/3"])
		if err != nil {
			t.Fatal(err)
		}
		if w := m.Withholds(); len(w) != 1 || w[0].ID != person["court/1"] || m.Merged != registry.GroundMinor {
			t.Errorf("withholds %+v, merged %s", w, m.Merged)
		}
		m, err = s.PreviewMerge(ctx, person["vol/1"], person["vol/3"])
		if err != nil {
			t.Fatal(err)
		}
		kinds = map[string]bool{}
		for _, c := range m.Conflicts {
			kinds[c.Kind] = true
		}
		if !kinds[linkage.ConflictSource] {
			t.Errorf("two records of one list not warned of: %+v", m.Conflicts)
		}

		// The id shown first survives, and its mark with it: a man listed
		// and withheld by an editor, and a record of him that came later
		// from a source with a public basis.
		importCSV(t, s, "court,2,Timur Ismailov,m,1975,Nukus,sentenced,2022-07-20,verified,")
		refresh(t, s)
		shown := personIDByName(t, s, "Timur Ismailov")
		if err := s.MarkWithConsent(ctx, "ed", shown, registry.MarkWithheld, "threats", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		importCSV(t, s, "media,1,Timur Ismoilov,m,1975,Nukus,sentenced,2022-07-20,verified,")
		giveBasis(t, s, "media")
		refresh(t, s)
		all, _ := s.Records(ctx, store.RecordFilter{Limit: 100})
		later := ""
		for _, r := range all {
			if r.SourceKey == "media" {
				later = r.PersonID
			}
		}
		m, err = s.PreviewMerge(ctx, later, shown)
		if err != nil {
			t.Fatal(err)
		}
		if m.Survivor != shown || m.Merged != registry.GroundMarkedWithheld || m.MergedPublic {
			t.Errorf("survivor %s (want %s, shown first), merged %s", m.Survivor, shown, m.Merged)
		}
		if w := m.Withholds(); len(w) != 1 || w[0].ID != later {
			t.Errorf("withholds %+v, want the later person, public by the media's basis", w)
		}
	})
}

func recordOf(recs []store.EnteredRecord, source, key string) string {
	for _, r := range recs {
		if r.SourceKey == source && r.Key == key {
			return r.ID
		}
	}
	return ""
}
