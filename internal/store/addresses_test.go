package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// publishedIDs publishes a snapshot and returns, for every person id in
// it, the records that person held when it was published (what the
// snapshot listed for that id).
func publishedIDs(t *testing.T, s *store.Store, dir string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	sn, err := publish.Publish(ctx, s, dir, publish.PublishOptions{AsOf: registry.DayOf(s.Now())})
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		People []registry.PublicPerson `json:"people"`
	}
	if err := json.Unmarshal(sn.Body, &file); err != nil {
		t.Fatal(err)
	}
	in, err := s.LoadLinkageInput(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, p := range file.People {
		out[p.ID] = nil
	}
	for r, p := range in.PersonOf {
		if _, ok := out[p]; ok {
			out[p] = append(out[p], r)
		}
	}
	if len(out) == 0 {
		t.Fatal("the snapshot lists nobody")
	}
	return out
}

// resolve follows a person id the way a visitor's link does: the id
// itself while it holds records, else at most one redirect.
func resolve(t *testing.T, s *store.Store, id string) (string, bool) {
	t.Helper()
	ctx := context.Background()
	if ok, err := s.PersonExists(ctx, id); err != nil {
		t.Fatal(err)
	} else if ok {
		return id, true
	}
	r, err := s.RedirectOf(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.PersonExists(ctx, r.SurvivorID); err != nil || !ok {
		t.Errorf("person %s redirects to %s, which holds no record (%v)", id, r.SurvivorID, err)
		return "", false
	}
	return r.SurvivorID, true
}

// checkAddresses fails unless every id a snapshot showed still leads,
// directly or by one redirect, to a person holding every record the
// snapshot listed for it.
func checkAddresses(t *testing.T, s *store.Store, shown map[string][]string, step string) {
	t.Helper()
	ctx := context.Background()
	for id, records := range shown {
		now, ok := resolve(t, s, id)
		if !ok {
			t.Errorf("after %s: person %s, shown in a snapshot, leads nowhere", step, id)
			continue
		}
		for _, r := range records {
			if p, err := s.PersonOf(ctx, r); err != nil {
				t.Fatal(err)
			} else if p != now {
				t.Errorf("after %s: person %s leads to %s, but its record %s is in %s", step, id, now, r, p)
			}
		}
	}
}

func TestPublishedIDsKeepLeadingToTheirHuman(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		dir := t.TempDir()
		importCSV(t, s,
			"vol,v1,Даулет Сапаров,m,1990,Нукус,missing,2022-07-01,corroborated,",
			"vol,v2,Гульнара Юсупова,f,1971,Нукус,sentenced,2022-07-20,corroborated,",
			"vol,v3,Ерлан Досжанов,m,1991,Муйнак,died_in_custody,2022-07-02,corroborated,",
			"vol,v4,Азамат Курбанов,m,1985,Чимбай,detained,2022-07-03,corroborated,",
			"vol,v5,Бекзод Мамбетов,m,1979,Ходжейли,killed,2022-07-01,corroborated,",
		)
		storetest.GiveAllBases(t, s)
		first := publishedIDs(t, s, dir)
		ids := recordIDs(t, s)
		p4, _ := s.PersonOf(ctx, ids["v4"])
		p5, _ := s.PersonOf(ctx, ids["v5"])

		// An editor takes two men for one: one id goes, and redirects.
		out, err := s.Decide(ctx, ids["v5"], ids["v4"], linkage.Same, "editor", "same man?")
		if err != nil {
			t.Fatal(err)
		}
		gone := p4
		if out.Person == p4 {
			gone = p5
		}
		if r, err := s.RedirectOf(ctx, gone); err != nil || r.SurvivorID != out.Person {
			t.Fatalf("the merged-away id %s: redirect %+v, %v; want to %s", gone, r, err, out.Person)
		}
		if now, merged, err := s.PersonNow(ctx, gone); err != nil || !merged || now != out.Person {
			t.Errorf("PersonNow(%s) = %s, %v, %v", gone, now, merged, err)
		}
		checkAddresses(t, s, map[string][]string{p4: {ids["v4"]}}, "the merge")

		// Split again: each id goes back to the records it was shown with,
		// and the merged-away one leads to its own man again.
		if _, err := s.Decide(ctx, ids["v4"], ids["v5"], linkage.Different, "editor", "two men after all"); err != nil {
			t.Fatal(err)
		}
		checkAddresses(t, s, first, "the split")
		if _, err := s.RedirectOf(ctx, gone); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s holds its records again but still redirects (%v)", gone, err)
		}
		splits, err := s.SplitsOf(ctx, out.Person)
		if err != nil || len(splits) != 1 || splits[0].ToPerson != gone {
			t.Errorf("the page of %s does not say where the split records went: %+v, %v", out.Person, splits, err)
		}

		// The press list names three of them again, in Latin script: new
		// ids at first, shown in a second snapshot.
		importCSV(t, s,
			"press,a,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,",
			"press,b,Gulnara Yusupova,f,1971,Nukus,sentenced,2022-07-20,corroborated,",
			"press,c,Erlan Dosjanov,m,1991,Muynak,died_in_custody,2022-07-02,corroborated,",
		)
		storetest.GiveAllBases(t, s)
		second := publishedIDs(t, s, dir)
		if len(second) != len(first)+3 {
			t.Fatalf("second snapshot: %d persons, want %d", len(second), len(first)+3)
		}

		// Dedupe joins each pair: the id shown first stays, the other
		// redirects to it; nobody's id moves to another man.
		run := dedupeAuto(t, s)
		if len(run.Plan.NewLinks) != 3 {
			t.Fatalf("dedupe linked %d pairs, want 3", len(run.Plan.NewLinks))
		}
		if _, err := s.RefreshPublic(ctx); err != nil {
			t.Fatal(err)
		}
		checkAddresses(t, s, first, "dedupe")
		for id := range second {
			if _, ok := first[id]; ok {
				continue
			}
			if _, err := s.RedirectOf(ctx, id); err != nil {
				t.Errorf("the later id %s does not redirect after the merge: %v", id, err)
			}
		}
		redirects, err := s.Redirects(ctx, 10)
		if err != nil || len(redirects) != 3 {
			t.Errorf("redirects %+v, %v; want the three later ids", redirects, err)
		}

		// Running dedupe again, and re-importing, changes nothing.
		importCSV(t, s,
			"press,a,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,",
		)
		if again := dedupeAuto(t, s); len(again.Plan.Moves) != 0 {
			t.Errorf("a second dedupe moves %d records", len(again.Plan.Moves))
		}
		checkAddresses(t, s, first, "a second dedupe")
		checkAddresses(t, s, onlyRecords(second, first), "a second dedupe (later ids)")
	})
}

// onlyRecords keeps the ids of b that a does not have.
func onlyRecords(b, a map[string][]string) map[string][]string {
	out := map[string][]string{}
	for id, rs := range b {
		if _, ok := a[id]; !ok {
			sort.Strings(rs)
			out[id] = rs
		}
	}
	return out
}

// The sticky rule inside one person: splitting out the one record an id
// was first shown with keeps the id on that record; the others move.
func TestSplittingKeepsTheIDOnItsFirstRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, "vol,s1,Лолагуль Каллыханова,f,1987,Нукус,sentenced,2022-07-25,corroborated,")
		storetest.GiveAllBases(t, s)
		ids := recordIDs(t, s)
		shown, _ := s.PersonOf(ctx, ids["s1"])
		// Later, a record of another woman joins her by mistake (unshown).
		importCSV(t, s, "hot,s2,Lolagul Kallykhanova,f,1987,Nukus,died_in_custody,2022-07-05,corroborated,")
		ids = recordIDs(t, s)
		if _, err := s.MoveRecord(ctx, "editor", ids["s2"], shown, "same woman?"); err != nil {
			t.Fatal(err)
		}
		// The editor splits the first record out: the id must stay with
		// the sentenced woman it was shown with.
		after, err := s.MoveRecord(ctx, "editor", ids["s1"], "", "not the same woman")
		if err != nil {
			t.Fatal(err)
		}
		if after != shown {
			t.Errorf("the record the id was shown with is now in %s, not %s", after, shown)
		}
		if p, _ := s.PersonOf(ctx, ids["s2"]); p == shown {
			t.Error("the other woman's record kept the published id")
		}
	})
}

// The case: a published id that records of another human joined
// by hand (a move, not a decision) must stay with its own record when
// dedupe parts them, although the others are the majority now.
func TestDedupeKeepsThePublishedIDWithItsFirstRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, "vol,g1,Гульнара Юсупова,f,1971,Нукус,sentenced,2022-07-20,corroborated,")
		storetest.GiveAllBases(t, s)
		ids := recordIDs(t, s)
		shown, _ := s.PersonOf(ctx, ids["g1"])
		importCSV(t, s,
			"hot,x1,Бекзод Мамбетов,m,1979,Ходжейли,died_in_custody,2022-07-05,corroborated,",
			"med,x2,Bekzod Mambetov,m,1979,Xojeli,died_in_custody,2022-07-05,corroborated,",
		)
		ids = recordIDs(t, s)
		for _, r := range []string{"x1", "x2"} {
			if _, err := s.MoveRecord(ctx, "editor", ids[r], shown, "same person?"); err != nil {
				t.Fatal(err)
			}
		}
		dedupeAuto(t, s)
		if p, _ := s.PersonOf(ctx, ids["g1"]); p != shown {
			t.Errorf("the sentenced woman moved to %s; her published id %s went to the records of another human", p, shown)
		}
		other, _ := s.PersonOf(ctx, ids["x1"])
		if x2, _ := s.PersonOf(ctx, ids["x2"]); other == shown || x2 != other {
			t.Fatalf("dedupe did not part them: x1 in %s, x2 in %s, shown %s", other, x2, shown)
		}
		splits, err := s.SplitsOf(ctx, shown)
		if err != nil || len(splits) == 0 || splits[len(splits)-1].ToPerson != other {
			t.Errorf("the page of %s does not say where the records went: %+v, %v", shown, splits, err)
		}
	})
}

// A snapshot can show an id the public list never showed (an import does
// not refresh the list): publishing anchors it, so a later merge keeps it
// with its records rather than giving it away to a bigger person.
func TestAnIDShownOnlyByASnapshotKeepsItsHuman(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, "vol,k1,Даулет Сапаров,m,1990,Нукус,missing,2022-07-01,corroborated,")
		storetest.GiveAllBases(t, s)
		importCSV(t, s, "hot,k2,Бекзод Мамбетов,m,1979,Ходжейли,died_in_custody,2022-07-05,corroborated,")
		ids := recordIDs(t, s)
		shown, _ := s.PersonOf(ctx, ids["k2"])
		if _, err := publish.Publish(ctx, s, t.TempDir(), publish.PublishOptions{AsOf: registry.DayOf(s.Now())}); err != nil {
			t.Fatal(err)
		}
		// Two more records of him, put together by hand, outnumber it.
		importCSV(t, s,
			"med,k3,Bekzod Mambetov,m,1979,Xojeli,died_in_custody,2022-07-05,corroborated,",
			"med2,k4,Bekzod Mambetov,m,1979,Khodjeyli,died_in_custody,2022-07-05,corroborated,",
		)
		ids = recordIDs(t, s)
		big, _ := s.PersonOf(ctx, ids["k3"])
		if _, err := s.MoveRecord(ctx, "editor", ids["k4"], big, "same man"); err != nil {
			t.Fatal(err)
		}
		dedupeAuto(t, s)
		for _, k := range []string{"k2", "k3", "k4"} {
			if p, _ := s.PersonOf(ctx, ids[k]); p != shown {
				t.Errorf("record %s is in %s; want all three in %s, the id the snapshot showed", k, p, shown)
			}
		}
	})
}
