package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func refresh(t *testing.T, s *store.Store) store.RefreshSummary {
	t.Helper()
	sum, err := s.RefreshPublic(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func people(t *testing.T, s *store.Store, f store.PeopleFilter) store.PeoplePage {
	t.Helper()
	p, err := s.PublicPeople(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func namesOf(p store.PeoplePage) string {
	var n []string
	for _, r := range p.People {
		n = append(n, r.Name)
	}
	return strings.Join(n, "|")
}

func TestPublicListFiltersSearchAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Лалагул Каллыханова,f,1987,Нукус,detained,2022-07-02,verified,secret",
			"vol,2,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,",
			"vol,3,Azamat Qurbanov,m,,Chimbay,detained,2022-07-03,corroborated,",
			"vol,4,Bekzod Mambetov,m,,Chimbay,killed,2022-07-01,corroborated,",
			"vol,5,Weak Claim,m,,Chimbay,detained,2022-07-01,unverified,",
			"vol,6,Child Person,m,2010,Chimbay,detained,2022-07-01,verified,",
		)
		giveBasis(t, s, "vol")
		if stale, err := s.PublicStale(ctx); err != nil || !stale {
			t.Errorf("never refreshed: stale %v %v", stale, err)
		}
		sum := refresh(t, s)
		if stale, err := s.PublicStale(ctx); err != nil || stale {
			t.Errorf("just refreshed: stale %v %v", stale, err)
		}
		if sum.People != 5 || sum.Withheld != 1 || sum.New != 5 {
			t.Errorf("refresh %+v", sum)
		}
		all := people(t, s, store.PeopleFilter{})
		if all.Total != 5 || strings.Contains(namesOf(all), "Weak") || strings.Contains(namesOf(all), "Child") {
			t.Errorf("list: %d %s", all.Total, namesOf(all))
		}
		if got := people(t, s, store.PeopleFilter{State: registry.Detained}); got.Total != 3 {
			t.Errorf("detained: %s", namesOf(got))
		}
		if got := people(t, s, store.PeopleFilter{Region: "Nukus"}); got.Total != 2 {
			t.Errorf("Nukus in either script: %s", namesOf(got))
		}
		if got := people(t, s, store.PeopleFilter{Sex: "f"}); namesOf(got) != "Лалагул Каллыханова" {
			t.Errorf("women: %s", namesOf(got))
		}
		if got := people(t, s, store.PeopleFilter{From: 20220702, To: 20220702}); namesOf(got) != "Лалагул Каллыханова" {
			t.Errorf("2 July: %s", namesOf(got))
		}
		// A Latin query finds a Cyrillic record and the reverse.
		if got := people(t, s, store.PeopleFilter{Query: "Lalagul Kallykhanova"}); namesOf(got) != "Лалагул Каллыханова" {
			t.Errorf("Latin query: %q", namesOf(got))
		}
		if got := people(t, s, store.PeopleFilter{Query: "Даулет Сапаров"}); namesOf(got) != "Daulet Saparov" {
			t.Errorf("Cyrillic query: %q", namesOf(got))
		}
		if got := people(t, s, store.PeopleFilter{Query: "Child"}); got.Total != 0 {
			t.Errorf("a withheld person is found by name: %s", namesOf(got))
		}
		if got := people(t, s, store.PeopleFilter{Query: strings.Repeat("Азамат ", 2000)}); got.Total != 1 {
			t.Errorf("a long query: %d", got.Total)
		}
		// Past the end: the last page; stable order across pages.
		last := people(t, s, store.PeopleFilter{PerPage: 2, Page: 99})
		if last.Page != 3 || last.Pages != 3 || len(last.People) != 1 {
			t.Errorf("page 99 of 3: %+v", last)
		}
		var seen []string
		for p := 1; p <= 3; p++ {
			for _, r := range people(t, s, store.PeopleFilter{PerPage: 2, Page: p}).People {
				seen = append(seen, r.ID)
			}
		}
		if len(seen) != 5 || fmt.Sprint(seen[:4]) == fmt.Sprint(seen[1:]) {
			t.Errorf("pages: %v", seen)
		}
		// Withheld: placeholder, region and state only, found by neither
		// name nor filter on what it hides.
		var child store.PersonRow
		for _, r := range all.People {
			if r.Withheld {
				child = r
			}
		}
		if child.Name != registry.WithheldName(child.ID) || child.State != registry.Detained || child.Region != "Chimbay" || child.BirthYear != 0 {
			t.Errorf("withheld row %+v", child)
		}
		// A reason alone does not make a child public; the parents'
		// consent does. Another mark withholds an adult.
		if err := s.MarkWithConsent(ctx, "editor", child.ID, registry.MarkPublic, "parents asked for it", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		refresh(t, s)
		if got := people(t, s, store.PeopleFilter{Query: "Child Person"}); got.Total != 0 {
			t.Errorf("a child marked public with a reason but no consent is listed by name")
		}
		consent := registry.Consent{GivenBy: "the parents", Given: 20220801, How: "in writing"}
		if err := s.MarkWithConsent(ctx, "editor", child.ID, registry.MarkPublic, "parents asked for it", consent); err != nil {
			t.Fatal(err)
		}
		daulet := people(t, s, store.PeopleFilter{Query: "Daulet"}).People[0]
		if err := s.MarkWithConsent(ctx, "editor", daulet.ID, registry.MarkWithheld, "threats", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		if stale, _ := s.PublicStale(ctx); !stale {
			t.Error("marks made, yet the list is not stale")
		}
		if err := s.MarkWithConsent(ctx, "editor", "no-such-person", registry.MarkWithheld, "x", registry.Consent{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking an unknown person: %v", err)
		}
		refresh(t, s)
		if got := people(t, s, store.PeopleFilter{Query: "Child Person"}); got.Total != 1 {
			t.Errorf("child marked public not found")
		}
		if got := people(t, s, store.PeopleFilter{Query: "Daulet"}); got.Total != 0 {
			t.Errorf("withheld adult found by name")
		}
		p, err := s.PublicPerson(ctx, daulet.ID)
		if err != nil || !p.Withheld || p.Name != registry.WithheldName(daulet.ID) {
			t.Errorf("withheld person %+v %v", p, err)
		}
		if marks, _ := s.PersonMarks(ctx, daulet.ID); len(marks) != 1 || marks[0].Reason != "threats" {
			t.Errorf("marks %+v", marks)
		}
		if _, err := s.PublicPerson(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown person: %v", err)
		}
		// A claim added in the workspace (no import) makes the list stale
		// (an act: the change log below stays as it is).
		recs, err := s.Records(ctx, store.RecordFilter{PersonID: daulet.ID})
		if err != nil || len(recs) == 0 {
			t.Fatalf("records of a person: %v %v", recs, err)
		}
		day, _ := registry.ParseDay("2022-07-30")
		if _, err := s.AddClaim(ctx, "editor", recs[0].ID, registry.Claim{Status: registry.Injured, Date: registry.PeriodFrom(day, registry.PrecisionDay), Verification: registry.Verified}); err != nil {
			t.Fatal(err)
		}
		if stale, _ := s.PublicStale(ctx); !stale {
			t.Error("a claim added by hand, yet the list is not stale")
		}
		refresh(t, s)
		// The change log: five new, then a state change.
		importCSV(t, s, "vol,3,Azamat Qurbanov,m,,Chimbay,released,2022-07-20,corroborated,")
		if sum := refresh(t, s); sum.New != 0 || sum.StateChanges != 1 {
			t.Errorf("second refresh %+v", sum)
		}
		changes, err := s.PublicChanges(ctx, 10)
		if err != nil || len(changes) != 6 || changes[0].Kind != "state" || changes[0].State != registry.Released || changes[0].Person.Name != "Azamat Qurbanov" {
			t.Errorf("changes %+v %v", changes, err)
		}
		for _, c := range changes {
			if c.Person.ID == daulet.ID && c.Person.Name != registry.WithheldName(daulet.ID) {
				t.Errorf("an old change shows a withheld name: %+v", c)
			}
		}
		if regions, _ := s.PublicRegions(ctx); len(regions) != 2 {
			t.Errorf("regions %+v", regions)
		}
		if ids, _ := s.SearchRecords(ctx, "Weak", 10); len(ids) != 1 {
			t.Errorf("editors' search of all records: %v", ids)
		}
	})
}

func TestSnapshotsAreImmutable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		slug, err := s.NextSnapshotSlug(ctx, 20220803)
		if err != nil || slug != "2022-08-03" {
			t.Fatalf("slug %q %v", slug, err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		sn := store.Snapshot{ID: store.NewID(), Slug: slug, AsOf: 20220803, KnownAt: now, CountsJSON: "{}", Body: []byte("body"), Signature: "sig", PublicKey: "key", PublishedAt: now}
		if err := s.SaveSnapshot(ctx, sn); err != nil {
			t.Fatal(err)
		}
		if slug, _ := s.NextSnapshotSlug(ctx, 20220803); slug != "2022-08-03-2" {
			t.Errorf("second slug %q", slug)
		}
		got, err := s.SnapshotBySlug(ctx, "2022-08-03")
		if err != nil || string(got.Body) != "body" || !got.KnownAt.Equal(now) {
			t.Errorf("%+v %v", got, err)
		}
		if err := store.ExecForTest(s, `UPDATE snapshots SET body = 'forged'`); err == nil {
			t.Error("a snapshot was changed")
		}
		if err := store.ExecForTest(s, `DELETE FROM snapshots`); err == nil {
			t.Error("a snapshot was deleted")
		}
	})
}

func TestPublicRelatives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Father Person,m,1960,Nukus,detained,2022-07-02,verified,",
			"vol,2,Son Person,m,1990,Nukus,detained,2022-07-02,verified,",
			"vol,3,Little Person,m,2012,Nukus,detained,2022-07-02,verified,",
		)
		giveBasis(t, s, "vol")
		refresh(t, s)
		id := map[string]string{}
		for _, r := range people(t, s, store.PeopleFilter{}).People {
			id[r.Name] = r.ID
			if r.Withheld {
				id["Little Person"] = r.ID
			}
		}
		if _, err := s.AddRelation(ctx, "editor", id["Father Person"], id["Son Person"], registry.Parent, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRelation(ctx, "editor", id["Father Person"], id["Little Person"], registry.Parent, ""); err != nil {
			t.Fatal(err)
		}
		refresh(t, s)
		son, err := s.PublicPerson(ctx, id["Son Person"])
		if err != nil || len(son.Relatives) != 1 || son.Relatives[0].Name != "Father Person" || son.Relatives[0].Kind != registry.Parent {
			t.Errorf("son's relatives %+v %v", son.Relatives, err)
		}
		father, _ := s.PublicPerson(ctx, id["Father Person"])
		if len(father.Relatives) != 1 || father.Relatives[0].Name != "Son Person" || father.Relatives[0].Kind != registry.Child {
			t.Errorf("father's relatives (the withheld child must not show) %+v", father.Relatives)
		}
		little, _ := s.PublicPerson(ctx, id["Little Person"])
		if len(little.Relatives) != 0 {
			t.Errorf("a withheld person shows relatives %+v", little.Relatives)
		}
	})
}

// giveBasis records a public basis for a source, as an editor would for a
// list the source published itself.
func giveBasis(t *testing.T, s *store.Store, key string) {
	t.Helper()
	if err := s.SetSourceBasis(context.Background(), "ed", key, "published this list itself", false); err != nil {
		t.Fatal(err)
	}
}
