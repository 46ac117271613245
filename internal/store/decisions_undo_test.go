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

func auditOf(t *testing.T, s *store.Store, object string) []string {
	t.Helper()
	entries, err := s.AuditEntries(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Object == object {
			out = append(out, e.Action+" by "+e.Actor+" "+e.Detail)
		}
	}
	return out
}

func firstPairs(t *testing.T, s *store.Store, n int) []store.ReviewPair {
	t.Helper()
	page, err := s.ReviewQueuePage(context.Background(), store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound, Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	return page.Pairs
}

// A decision is an audit entry; its undo puts the records back in their
// persons and the pair back in the queue as it was, and is an entry too.
func TestUndoDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		queueOf60(t, s)
		pair := firstPairs(t, s, 1)[0]
		out, err := s.DecideQueued(ctx, pair.ID, linkage.Same, "editor-1", "same photo")
		if err != nil {
			t.Fatal(err)
		}
		if personOf(t, s, pair.A.ID) != personOf(t, s, pair.B.ID) {
			t.Fatal("same did not join the records")
		}
		if got := auditOf(t, s, out.Decision.ID); len(got) != 1 || !strings.HasPrefix(got[0], "review.decide by editor-1") || !strings.Contains(got[0], "verdict=same moved=1") {
			t.Errorf("audit of the decision: %q", got)
		}
		last, err := s.LastDecisionBy(ctx, "editor-1")
		if err != nil || last.ID != out.Decision.ID || !last.InForce {
			t.Fatalf("last decision: %+v %v", last, err)
		}
		if _, err := s.UndoDecision(ctx, out.Decision.ID, "editor-1"); err != nil {
			t.Fatal(err)
		}
		if personOf(t, s, pair.A.ID) == personOf(t, s, pair.B.ID) {
			t.Error("after the undo the records are still one person")
		}
		again, err := s.ReviewPair(ctx, pair.ID)
		if err != nil || again.Weight != pair.Weight {
			t.Errorf("the pair is not queued again as it was: %+v %v", again, err)
		}
		if first := firstPairs(t, s, 1)[0]; first.ID != pair.ID {
			t.Errorf("the undone pair is not first in the queue again")
		}
		if got := auditOf(t, s, out.Decision.ID); len(got) != 2 || !strings.HasPrefix(got[1], "review.undo by editor-1") {
			t.Errorf("audit of the undo: %q", got)
		}
		if _, err := s.UndoDecision(ctx, out.Decision.ID, "editor-1"); !errors.Is(err, store.ErrNotInForce) {
			t.Errorf("a second undo: %v, want ErrNotInForce", err)
		}
		if _, err := s.UndoDecision(ctx, "nonexistent", "editor-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("undo of no decision: %v", err)
		}
		if n, _, err := s.VerifyAudit(ctx, nil); err != nil || n == 0 {
			t.Errorf("audit chain after decisions and undo: %d %v", n, err)
		}
	})
}

// An undo that later decisions depend on is refused, naming them; once
// they are undone, it goes through.
func TestUndoRefusedWhileLaterDecisionsDependOnIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		queueOf60(t, s)
		pairs := firstPairs(t, s, 2)
		first, err := s.DecideQueued(ctx, pairs[0].ID, linkage.Same, "editor-1", "")
		if err != nil {
			t.Fatal(err)
		}
		// A later decision on a record of the joined person.
		later, err := s.Decide(ctx, pairs[0].B.ID, pairs[1].A.ID, linkage.Different, "editor-2", "other father")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.UndoDecision(ctx, first.Decision.ID, "editor-1")
		var blocked *store.UndoBlockedError
		if !errors.As(err, &blocked) || len(blocked.Later) != 1 || blocked.Later[0].ID != later.Decision.ID || blocked.Later[0].By != "editor-2" {
			t.Fatalf("undo under a later decision: %v, want refused naming %s", err, later.Decision.ID)
		}
		if personOf(t, s, pairs[0].A.ID) != personOf(t, s, pairs[0].B.ID) {
			t.Error("the refused undo changed the persons")
		}
		if got := auditOf(t, s, first.Decision.ID); len(got) != 1 {
			t.Errorf("the refused undo is in the audit log: %q", got)
		}
		if _, err := s.UndoDecision(ctx, later.Decision.ID, "editor-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UndoDecision(ctx, first.Decision.ID, "editor-1"); err != nil {
			t.Fatalf("undo once the later decision is undone: %v", err)
		}
		if personOf(t, s, pairs[0].A.ID) == personOf(t, s, pairs[0].B.ID) {
			t.Error("after both undos the records are still one person")
		}
	})
}

// "Unsure" keeps the pair queued, apart from the others, through a new
// dedupe run; deciding it later takes it off.
func TestUnsurePairsStayFindable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		queueOf60(t, s)
		pair := firstPairs(t, s, 1)[0]
		if _, err := s.DecideQueued(ctx, pair.ID, linkage.Unsure, "editor-1", "ask the family"); err != nil {
			t.Fatal(err)
		}
		all := store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound}
		check := func(when string) {
			t.Helper()
			page, err := s.ReviewQueuePage(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Pairs {
				if p.ID == pair.ID {
					t.Errorf("%s: the unsure pair is among the open ones", when)
				}
			}
			unsure := all
			unsure.Unsure = true
			u, err := s.ReviewQueuePage(ctx, unsure)
			if err != nil {
				t.Fatal(err)
			}
			if page.Unsure != 1 || len(u.Pairs) != 1 || u.Pairs[0].ID != pair.ID {
				t.Errorf("%s: unsure %d, listed %d", when, page.Unsure, len(u.Pairs))
			}
		}
		check("after unsure")
		storetest.QueuePairs(t, s, nil) // a dedupe run that queues nothing
		check("after a dedupe run")
		if _, err := s.DecideQueued(ctx, pair.ID, linkage.Different, "editor-1", "the family says no"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReviewPair(ctx, pair.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a decided unsure pair stays queued: %v", err)
		}
	})
}
