package store_test

import (
	"context"
	"errors"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// publicRelatives returns the relatives the public projection shows on
// each person's page, by person id.
func publicRelatives(t *testing.T, s *store.Store) map[string][]registry.PublicRelative {
	t.Helper()
	out := map[string][]registry.PublicRelative{}
	err := s.ProjectAll(context.Background(), registry.PublicQuery(s.Now()), func(p registry.PublicPerson) error {
		out[p.ID] = p.Relatives
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRetractedRelationshipLeavesThePublicPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 3, "")
		c := registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02"), Verification: registry.Corroborated}
		_, pa := addRecord(t, s, src, "ed", "Azamat Qurbanov", c)
		_, pb := addRecord(t, s, src, "ed", "Aziz Qurbanov", c)
		rel, err := s.AddRelation(ctx, "ed", pa, pb, registry.Sibling, "")
		if err != nil {
			t.Fatal(err)
		}
		giveBasis(t, s, "hotline")
		if got := publicRelatives(t, s); len(got[pa]) != 1 || got[pa][0].PersonID != pb || len(got[pb]) != 1 {
			t.Fatalf("public relatives before the retraction: %+v", got)
		}
		if _, err := s.RefreshPublic(ctx); err != nil {
			t.Fatal(err)
		}
		before, _ := s.AuditEntries(ctx, 0, 1000)

		if err := s.RetractRelation(ctx, "ed", rel, "  "); err == nil {
			t.Error("a retraction without a reason was accepted")
		}
		if err := s.RetractRelation(ctx, "ed", "no-such-relationship", "wrong person"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("retracting an unknown relationship: %v, want ErrNotFound", err)
		}
		if after, _ := s.AuditEntries(ctx, 0, 1000); len(after) != len(before) {
			t.Errorf("refused retractions wrote %d audit entries", len(after)-len(before))
		}
		if err := s.RetractRelation(ctx, "ed", rel, "not brothers: cousins"); err != nil {
			t.Fatal(err)
		}
		if err := s.RetractRelation(ctx, "ed", rel, "again"); !errors.Is(err, store.ErrRelationRetracted) {
			t.Errorf("retracting twice: %v, want ErrRelationRetracted", err)
		}

		// Kept, with its reason, on both persons' lists.
		for _, p := range []string{pa, pb} {
			rels, err := s.RelationsOf(ctx, p)
			if err != nil || len(rels) != 1 || rels[0].ID != rel || rels[0].RetractedAt.IsZero() || rels[0].RetractReason != "not brothers: cousins" {
				t.Errorf("relations of %s after the retraction: %+v %v", p, rels, err)
			}
		}
		es, _ := s.AuditEntries(ctx, before[len(before)-1].Seq, 10)
		if len(es) != 1 || es[0].Actor != "ed" || es[0].Action != "relationship.retract" || es[0].Object != rel || es[0].Detail != "" {
			t.Errorf("audit entries of the retraction: %+v (want one, holding no free text)", es)
		}

		if stale, err := s.PublicStale(ctx); err != nil || !stale {
			t.Errorf("the public list is not stale after a retraction: %v %v", stale, err)
		}
		if got := publicRelatives(t, s); len(got[pa]) != 0 || len(got[pb]) != 0 {
			t.Errorf("a retracted relationship still reaches the public pages: %+v", got)
		}
	})
}

func TestSourceRatingSetAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		src, err := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 2, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSourceRating(ctx, "ed", src, registry.KindMedia, 4); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Source(ctx, src); err != nil || got.Kind != registry.KindMedia || got.Reliability != 4 {
			t.Errorf("source after the change: %+v %v", got, err)
		}
		es, _ := s.AuditEntries(ctx, 0, 100)
		last := es[len(es)-1]
		if last.Actor != "ed" || last.Action != "source.set" || last.Object != src || last.Detail != "kind=media reliability=4 from kind=relative reliability=2" {
			t.Errorf("audit entry of the change: %+v", last)
		}
		for name, try := range map[string]func() error{
			"the same again":    func() error { return s.SetSourceRating(ctx, "ed", src, registry.KindMedia, 4) },
			"an unknown kind":   func() error { return s.SetSourceRating(ctx, "ed", src, "gossip", 3) },
			"reliability 6":     func() error { return s.SetSourceRating(ctx, "ed", src, registry.KindMedia, 6) },
			"an unknown source": func() error { return s.SetSourceRating(ctx, "ed", "no-such-source", registry.KindMedia, 1) },
		} {
			if err := try(); err == nil {
				t.Errorf("%s was accepted", name)
			}
		}
		if err := s.SetSourceRating(ctx, "ed", "no-such-source", registry.KindMedia, 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown source: %v, want ErrNotFound", err)
		}
		if err := s.SetSourceRating(ctx, "ed", src, registry.KindMedia, 4); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("setting what it is: %v, want ErrDuplicate", err)
		}
		if after, _ := s.AuditEntries(ctx, 0, 100); len(after) != len(es) {
			t.Errorf("refused changes wrote %d audit entries", len(after)-len(es))
		}
		if got, _ := s.Source(ctx, src); got.Kind != registry.KindMedia || got.Reliability != 4 {
			t.Errorf("refused changes changed the source: %+v", got)
		}
	})
}
