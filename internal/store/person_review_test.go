package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// conflictList: a person the model would not join (born 1971 and 1980)
// whom a decision put together, a pair the model cannot decide whose
// claims count, and one like it whose claims are unverified (counted
// nowhere).
var conflictList = []string{
	"vol,1,Реймов Азамат Бахтиярович,m,1971,Нукус,detained,2022-07-02,corroborated,",
	"press,a,Reymov Azamat Bakhtiyar uli,m,1971,Nukus,detained,2022-07-02,corroborated,",
	"hrw,z,Reymov Azamat,m,1980,Nukus,detained,2022-07-04,corroborated,",
	"vol,5,Ерлан Досжанов,m,,Нукус,detained,2022-07-02,corroborated,",
	"press,e,Yerlan Doszhanov,m,1991,Muynak,detained,2022-07-05,corroborated,",
	"vol,7,Марат Сейтов,m,,Нукус,detained,2022-07-02,unverified,",
	"press,g,Marat Seytov,m,1991,Muynak,detained,2022-07-05,unverified,",
}

// dedupeAndQueue does what 'rollcall dedupe --auto' does after linking.
func dedupeAndQueue(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	run := dedupeAuto(t, s)
	if err := s.QueueSuspects(ctx, linkage.Suspects(run.Input.Records, run.Result.Clusters, run.Result.Model)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.RankReview(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPersonsWithConflictingRecordsAreReviewed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, conflictList...)
		ids := recordIDs(t, s)
		if _, err := s.Decide(ctx, ids["1"], ids["z"], linkage.Same, "editor1", "one person, I thought"); err != nil {
			t.Fatal(err)
		}
		dedupeAndQueue(t, s)
		persons, open, err := s.PersonReviews(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if open != 1 || len(persons) != 1 {
			t.Fatalf("%d persons queued (%d open), want the Reymovs: %+v", len(persons), open, persons)
		}
		p := persons[0]
		if p.PersonID != personOf(t, s, ids["z"]) || len(p.Records) != 3 || len(p.Conflicts) != 2 || p.Conflicts[0].Kind != linkage.ConflictBirth ||
			!strings.Contains(p.Conflicts[0].Detail, "1971 and 1980") {
			t.Fatalf("queued person %+v", p)
		}
		wantSplit := [][]string{{ids["1"], ids["a"]}, {ids["z"]}}
		for _, g := range wantSplit {
			slices.Sort(g)
		}
		if len(p.Split) != 2 || !slices.Equal(p.Split[1], wantSplit[1]) {
			t.Errorf("split %v, want %v", p.Split, wantSplit)
		}
		// splitting adds one detained person: the counts move
		if !strings.Contains(p.ImpactReason, "detained_now") || p.Impact < 1 {
			t.Errorf("impact %d %q, want detained_now named", p.Impact, p.ImpactReason)
		}

		// pairs: the one whose claims count comes before the one that changes no count
		pairs, _, err := s.ReviewQueue(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(pairs) != 2 || pairs[0].A.Name+pairs[0].B.Name == "" || !strings.Contains(pairs[0].A.Name+pairs[0].B.Name, "Yerlan") ||
			!strings.Contains(pairs[0].ImpactReason, "detained_now") || pairs[1].Impact != 0 || pairs[1].ImpactReason != "" {
			t.Fatalf("queue %+v", pairs)
		}
		if next, err := s.NextReviewPair(ctx, pairs[0]); err != nil || next != pairs[1].ID {
			t.Errorf("after the first pair comes %q (%v), want %s", next, err, pairs[1].ID)
		}

		if _, err := s.DecidePerson(ctx, p.PersonID, "maybe", "editor1", ""); err == nil {
			t.Error("verdict 'maybe' accepted")
		}
		if _, err := s.DecidePerson(ctx, "nobody", store.PersonKeep, "editor1", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown person: %v", err)
		}
		moved, err := s.DecidePerson(ctx, p.PersonID, store.PersonSplit, "editor2", "two cousins")
		if err != nil {
			t.Fatal(err)
		}
		if moved != 1 || personOf(t, s, ids["z"]) == personOf(t, s, ids["1"]) || personOf(t, s, ids["1"]) != personOf(t, s, ids["a"]) {
			t.Fatalf("split moved %d records; z with 1: %v", moved, personOf(t, s, ids["z"]) == personOf(t, s, ids["1"]))
		}
		// the split is an audit entry; its pair decisions are not undone one by one
		if got := auditOf(t, s, p.PersonID); len(got) != 1 || !strings.HasPrefix(got[0], "review.person by editor2 verdict=split") {
			t.Errorf("audit of the split: %q", got)
		}
		if _, err := s.LastDecisionBy(ctx, "editor2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a split's pair decision is offered for an undo: %v", err)
		}
		hist, err := s.DecisionsOf(ctx, ids["z"], ids["1"])
		if err != nil || len(hist) == 0 {
			t.Fatalf("the split's decisions: %v %v", hist, err)
		}
		if _, err := s.UndoDecision(ctx, hist[len(hist)-1].ID, "editor2"); !errors.Is(err, store.ErrPartOfSplit) {
			t.Errorf("undo of one decision of a split: %v, want ErrPartOfSplit", err)
		}
		// kept like pair decisions: the next run does not join them again, nor queue them
		dedupeAndQueue(t, s)
		if personOf(t, s, ids["z"]) == personOf(t, s, ids["1"]) {
			t.Error("a dedupe run joined a split person again")
		}
		if _, open, _ := s.PersonReviews(ctx, 0); open != 0 {
			t.Errorf("%d persons queued after the split", open)
		}
	})
}

func TestPersonKeptIsNotQueuedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		importCSV(t, s, conflictList[:3]...)
		ids := recordIDs(t, s)
		if _, err := s.Decide(ctx, ids["1"], ids["z"], linkage.Same, "editor1", ""); err != nil {
			t.Fatal(err)
		}
		dedupeAndQueue(t, s)
		persons, _, err := s.PersonReviews(ctx, 0)
		if err != nil || len(persons) != 1 {
			t.Fatalf("queued %+v %v", persons, err)
		}
		if _, err := s.DecidePerson(ctx, persons[0].PersonID, store.PersonKeep, "editor1", "the age in the press is wrong"); err != nil {
			t.Fatal(err)
		}
		dedupeAndQueue(t, s)
		if _, open, _ := s.PersonReviews(ctx, 0); open != 0 {
			t.Errorf("a person kept is queued again (%d open)", open)
		}
		if personOf(t, s, ids["z"]) != personOf(t, s, ids["1"]) {
			t.Error("keeping a person split it")
		}
	})
}
