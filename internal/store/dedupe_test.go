package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Two lists about the same three people, one in Cyrillic, one in Latin
// script, and a fourth person only one list knows.
var (
	cyrillicList = []string{
		"vol,1,Лалагул Каллыханова,f,1987,Нукус,detained,2022-07-02,verified,",
		"vol,2,Даулет Сапаров,m,1990,Нукус,missing,2022-07-01,corroborated,",
		"vol,3,Азамат Курбанов,m,1985,Чимбай,detained,2022-07-03,corroborated,",
		"vol,4,Бекзод Мамбетов,m,1979,Ходжейли,killed,2022-07-01,corroborated,",
	}
	latinList = []string{
		"press,a,Lolagul Kallykhanova,f,1987,Nukus,detained,2022-07-02,corroborated,",
		"press,b,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,",
		"press,c,Azamat Kurbanov,m,1985,Chimbay,detained,2022-07-03,corroborated,",
	}
)

// fixedThresholds keep these tests about the store, not about how linkage
// picks its thresholds.
var fixedThresholds = linkage.Options{Upper: linkage.DefaultUpper, Lower: linkage.DefaultLower}

func dedupeAuto(t *testing.T, s *store.Store) *store.DedupeRun {
	t.Helper()
	run, err := s.Dedupe(context.Background(), true, fixedThresholds)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestDedupeCountsEachPersonOnceAndKeepsThePast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, cyrillicList...)
		importCSV(t, s, latinList...)
		before := s.Now()
		wantBefore := registry.Counts{MissingNow: 2, DetainedNow: 4, Killed: 1, DetainedEver: 4, MissingEver: 2}
		if got := counts(t, s, "2022-08-03", before, registry.Corroborated); got != wantBefore {
			t.Fatalf("before dedupe: %+v, want %+v", got, wantBefore)
		}

		// Without apply nothing changes.
		dry, err := s.Dedupe(ctx, false, fixedThresholds)
		if err != nil {
			t.Fatal(err)
		}
		if dry.Applied || len(dry.Plan.Moves) != 3 || dry.Plan.PersonsBefore != 7 || dry.Plan.PersonsAfter != 4 {
			t.Fatalf("dry run: applied %v, %d moves, persons %d → %d", dry.Applied, len(dry.Plan.Moves), dry.Plan.PersonsBefore, dry.Plan.PersonsAfter)
		}
		if tot, _ := s.Totals(ctx); tot.Persons != 7 {
			t.Fatalf("a dry run changed persons: %+v", tot)
		}

		run := dedupeAuto(t, s)
		if len(run.Plan.NewLinks) != 3 || len(run.Plan.Moves) != 3 {
			t.Errorf("applied %d links, %d moves; want 3 and 3", len(run.Plan.NewLinks), len(run.Plan.Moves))
		}
		for _, m := range run.Plan.Moves {
			if !strings.HasPrefix(m.Why, "match weight ") {
				t.Errorf("move of %s says why %q", m.RecordID, m.Why)
			}
		}
		if tot, _ := s.Totals(ctx); tot.Persons != 4 {
			t.Errorf("after dedupe %d persons, want 4", tot.Persons)
		}
		wantAfter := registry.Counts{MissingNow: 1, DetainedNow: 2, Killed: 1, DetainedEver: 2, MissingEver: 1}
		if got := counts(t, s, "2022-08-03", s.Now(), registry.Corroborated); got != wantAfter {
			t.Errorf("after dedupe: %+v, want %+v", got, wantAfter)
		}
		if got := counts(t, s, "2022-08-03", before, registry.Corroborated); got != wantBefore {
			t.Errorf("as known before dedupe: %+v, want %+v", got, wantBefore)
		}

		// A second run finds nothing more to do, and the person ids stay.
		persons, _ := personsNow(t, s)
		again := dedupeAuto(t, s)
		if len(again.Plan.Moves) != 0 {
			t.Errorf("second run moves %d records", len(again.Plan.Moves))
		}
		if got, _ := personsNow(t, s); !reflect.DeepEqual(got, persons) {
			t.Errorf("person ids changed on a second run")
		}
	})
}

// personsNow returns the person of every record, and the totals.
func personsNow(t *testing.T, s *store.Store) (map[string]string, store.Stats) {
	t.Helper()
	in, err := s.LoadLinkageInput(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tot, err := s.Totals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return in.PersonOf, tot
}

func TestInterruptedDedupeChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		importCSV(t, s, cyrillicList...)
		importCSV(t, s, latinList...)
		persons, totals := personsNow(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		store.SetHookBeforeCommit(cancel)
		defer store.SetHookBeforeCommit(nil)
		if _, err := s.Dedupe(ctx, true, fixedThresholds); !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run returned %v", err)
		}
		store.SetHookBeforeCommit(nil)
		afterPersons, afterTotals := personsNow(t, s)
		if !reflect.DeepEqual(afterPersons, persons) || afterTotals != totals {
			t.Errorf("an interrupted run changed persons: %d → %d", totals.Persons, afterTotals.Persons)
		}
		if q, n, err := s.ReviewQueue(context.Background(), 0); err != nil || n != 0 || len(q) != 0 {
			t.Errorf("an interrupted run queued %d pairs (%v)", n, err)
		}
		// The same run, not interrupted, applies.
		dedupeAuto(t, s)
		if _, tot := personsNow(t, s); tot.Persons != 4 {
			t.Errorf("after the run that finished: %d persons", tot.Persons)
		}
	})
}

func TestDedupeRefusesAStalePlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, cyrillicList...)
		importCSV(t, s, latinList...)
		run, err := s.Dedupe(ctx, false, fixedThresholds)
		if err != nil {
			t.Fatal(err)
		}
		recs := run.Input.Records
		if _, err := s.Relink(ctx, []store.Move{{RecordID: recs[0].ID}}, "editor", "test"); err != nil {
			t.Fatal(err)
		}
		if err := s.ApplyDedupe(ctx, run.Input, run.Plan, run.Result.Review, "dedupe"); !errors.Is(err, store.ErrChangedDuringRun) {
			t.Errorf("applying a plan made before a move: %v", err)
		}
	})
}
