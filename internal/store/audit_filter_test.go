package store_test

import (
	"context"
	"testing"
	"time"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func TestAuditEntriesFiltered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		for _, e := range []struct{ actor, action, object string }{
			{"u1", "review.decide", "d1"}, {"u2", "review.undo", "d1"}, {"u1", "record.add", "r1"},
			{"cli", "export", "csv"}, {"u2", "review_x.other", "o"},
		} {
			if err := s.Audit(ctx, e.actor, e.action, e.object, ""); err != nil {
				t.Fatal(err)
			}
			now = now.Add(24 * time.Hour)
		}
		check := func(name string, f store.AuditFilter, want ...int64) {
			t.Helper()
			page, err := s.AuditEntriesFiltered(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var got []int64
			for _, e := range page.Entries {
				got = append(got, e.Seq)
			}
			if len(got) != len(want) || page.Total != 5 {
				t.Fatalf("%s: entries %v (total %d), want %v", name, got, page.Total, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: entries %v, want %v (newest first)", name, got, want)
				}
			}
		}
		check("all", store.AuditFilter{}, 5, 4, 3, 2, 1)
		check("actor", store.AuditFilter{Actor: "u1"}, 3, 1)
		check("family", store.AuditFilter{Kind: "review"}, 2, 1) // not review_x.other
		check("action", store.AuditFilter{Kind: "review.undo"}, 2)
		check("object", store.AuditFilter{Object: "d1"}, 2, 1)
		check("entry", store.AuditFilter{Seq: 4}, 4)
		check("days", store.AuditFilter{From: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)}, 3, 2)
		check("page", store.AuditFilter{Limit: 2, Offset: 2}, 3, 2)
		check("actor and family", store.AuditFilter{Actor: "u2", Kind: "review"}, 2)
		page, err := s.AuditEntriesFiltered(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Entries[0].PrevHash != page.Entries[1].Hash {
			t.Error("an entry's previous hash is not the hash of the one before it")
		}
		want := map[string]bool{"review": true, "review.decide": true, "export": true, "review_x": true}
		n := 0
		for _, k := range page.Kinds {
			if want[k] {
				n++
			}
		}
		if n != len(want) {
			t.Errorf("kinds offered: %v", page.Kinds)
		}
	})
}
