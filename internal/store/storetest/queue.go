package storetest

import (
	"context"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
)

// QueuedPair names two records by the name each was written with, and the
// weight to queue them at.
type QueuedPair struct {
	NameA, NameB string
	Weight       float64
}

// QueuePairs replaces the review queue with these pairs, through the path
// a dedupe run takes (ApplyDedupe with no moves), so that tests get a queue
// of a chosen size and order without depending on the model's thresholds.
// The names must be unique among the records.
func QueuePairs(t testing.TB, s *store.Store, pairs []QueuedPair) {
	t.Helper()
	ctx := context.Background()
	in, err := s.LoadLinkageInput(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, r := range in.Records {
		if len(r.Names) > 0 {
			byName[r.Names[0]] = r.ID
		}
	}
	var review []linkage.Pair
	for _, p := range pairs {
		a, b := byName[p.NameA], byName[p.NameB]
		if a == "" || b == "" {
			t.Fatalf("QueuePairs: no record named %q or %q", p.NameA, p.NameB)
		}
		review = append(review, linkage.Pair{A: a, B: b, Weight: p.Weight})
	}
	if err := s.ApplyDedupe(ctx, in, store.DedupePlan{}, review, "test"); err != nil {
		t.Fatal(err)
	}
}
