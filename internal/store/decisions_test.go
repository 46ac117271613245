package store_test

import (
	"context"
	"errors"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// reviewList has one pair the model cannot decide (no birth year on one
// side, other places), two it links, and a name it cannot judge.
var reviewList = []string{
	"vol,5,Ерлан Досжанов,m,,Нукус,detained,2022-07-02,corroborated,",
	"press,e,Yerlan Doszhanov,m,1991,Muynak,detained,2022-07-05,corroborated,",
	"vol,6,Гульнара Юсупова,f,1970,Нукус,missing,2022-07-02,corroborated,",
	"press,f,Gulnara Yusupova,f,1971,Nukus,missing,2022-07-02,corroborated,",
	"vol,8,<script>alert(1)</script>,m,,,detained,2022-07-02,corroborated,",
}

func personOf(t *testing.T, s *store.Store, record string) string {
	t.Helper()
	p, err := s.PersonOf(context.Background(), record)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReviewQueueAndDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, reviewList...)
		importCSV(t, s, cyrillicList...)
		importCSV(t, s, latinList...)
		ids := recordIDs(t, s)
		run := dedupeAuto(t, s)
		if len(run.Result.Undecidable) != 1 || run.Result.Undecidable[0] != ids["8"] {
			t.Errorf("undecidable %v, want the record with markup for a name", run.Result.Undecidable)
		}
		queue, total, err := s.ReviewQueue(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(queue) != 1 {
			t.Fatalf("queue holds %d pairs (%d open), want the Yerlan pair only", len(queue), total)
		}
		pair := queue[0]
		if names := pair.A.Name + " / " + pair.B.Name; names != "Ерлан Досжанов / Yerlan Doszhanov" && names != "Yerlan Doszhanov / Ерлан Досжанов" {
			t.Errorf("queued pair is %s", names)
		}
		if pair.ID != store.PairID(ids["5"], ids["e"]) || pair.Weight < linkage.DefaultLower || pair.Weight >= linkage.DefaultUpper || len(pair.Evidence) == 0 {
			t.Errorf("pair %+v", pair)
		}
		if len(pair.A.Claims) != 1 || pair.A.Claims[0].Note != "" {
			t.Errorf("claims of a queued record: %+v", pair.A.Claims)
		}
		if _, err := s.ReviewPair(ctx, "0123456789abcdef"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown pair: %v", err)
		}

		// "same": the two persons become one, at once.
		beforeSame := s.Now()
		out, err := s.DecideQueued(ctx, pair.ID, linkage.Same, "editor", "same photo in both reports")
		if err != nil {
			t.Fatal(err)
		}
		if out.Moved != 1 || personOf(t, s, pair.A.ID) != personOf(t, s, pair.B.ID) || out.Person != pair.A.PersonID {
			t.Errorf("after same: moved %d, persons %s and %s", out.Moved, personOf(t, s, pair.A.ID), personOf(t, s, pair.B.ID))
		}
		if _, n, _ := s.ReviewQueue(ctx, 0); n != 0 {
			t.Errorf("the decided pair is still queued (%d open)", n)
		}
		if _, err := s.DecideQueued(ctx, pair.ID, linkage.Same, "editor", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deciding a pair no longer queued: %v", err)
		}
		wantDetained := func(at string, n int) {
			t.Helper()
			var knownAt = s.Now()
			if at == "before" {
				knownAt = beforeSame
			}
			if got := counts(t, s, "2022-08-03", knownAt, registry.Corroborated); got.DetainedNow != n {
				t.Errorf("detained_now as known %s: %d, want %d", at, got.DetainedNow, n)
			}
		}
		wantDetained("now", 4) // Yerlan, the record named with markup, Lolagul, Azamat
		wantDetained("before", 5)

		// The decision wins on every later run: nothing moves, nothing is re-queued.
		again := dedupeAuto(t, s)
		if len(again.Plan.Moves) != 0 || len(again.Result.Review) != 0 {
			t.Errorf("a run after the decision moves %d records, queues %d pairs", len(again.Plan.Moves), len(again.Result.Review))
		}

		// "different" on two records the model linked: B leaves for a new
		// person, and later runs keep them apart.
		gulA, gulB := ids["6"], ids["f"]
		if personOf(t, s, gulA) != personOf(t, s, gulB) {
			t.Fatal("the model did not link the two Gulnara records")
		}
		out, err = s.Decide(ctx, gulA, gulB, linkage.Different, "editor", "different mothers' names")
		if err != nil {
			t.Fatal(err)
		}
		if out.Moved != 1 || personOf(t, s, gulA) == personOf(t, s, gulB) {
			t.Errorf("after different: moved %d", out.Moved)
		}
		if again := dedupeAuto(t, s); len(again.Plan.Moves) != 0 {
			t.Errorf("a run after 'different' moves %d records", len(again.Plan.Moves))
		}

		// "same" across a "different" is refused and changes nothing.
		yerlan := personOf(t, s, ids["5"])
		if _, err := s.Decide(ctx, ids["5"], gulB, linkage.Same, "editor", ""); err != nil {
			t.Fatal(err)
		}
		var conflict *store.ConflictError
		if _, err := s.Decide(ctx, gulA, ids["e"], linkage.Same, "editor", ""); !errors.As(err, &conflict) || len(conflict.Conflicts) != 1 {
			t.Errorf("same across a different: %v", err)
		}
		if personOf(t, s, gulA) == yerlan || personOf(t, s, gulB) != yerlan {
			t.Error("a refused decision moved records")
		}
		// "different" inside a chain of "same" is refused too.
		if _, err := s.Decide(ctx, ids["e"], gulB, linkage.Different, "editor", ""); !errors.As(err, &conflict) || len(conflict.Conflicts) != 2 {
			t.Errorf("different inside a chain of same: %v", err)
		}

		// A later decision on a pair supersedes the earlier; both stay as history.
		if _, err := s.Decide(ctx, gulB, gulA, linkage.Same, "chief editor", "confirmed by the family"); err != nil {
			t.Fatal(err)
		}
		if personOf(t, s, gulA) != personOf(t, s, gulB) {
			t.Error("the superseding 'same' did not merge")
		}
		hist, err := s.DecisionsOf(ctx, gulA, gulB)
		if err != nil || len(hist) != 2 || hist[0].Verdict != linkage.Different || hist[0].Why != "different mothers' names" ||
			hist[1].Verdict != linkage.Same || hist[1].By != "chief editor" {
			t.Errorf("history of the Gulnara pair: %+v %v", hist, err)
		}
	})
}
