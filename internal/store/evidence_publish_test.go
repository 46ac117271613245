package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rollcall/internal/evidence"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// TestPublishingACopyRefusedTheMomentAPersonIsWithheld: a copy of an item
// linked to a listed person is refused publication as soon as the person
// is marked withheld, before the public list's next refresh (serve's
// minute tick), not only after it.
func TestPublishingACopyRefusedTheMomentAPersonIsWithheld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		s.SetKeys(testKeys(t))
		importCSV(t, s, "vol,1,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,")
		giveBasis(t, s, "vol")
		refresh(t, s)
		person := people(t, s, store.PeopleFilter{}).People[0].ID
		blobs, _ := evidence.NewDir(t.TempDir())
		it, _, err := s.IntakeEvidence(ctx, blobs, strings.NewReader("a photo's bytes"), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli",
			Links: []store.EvidenceLink{{Kind: "person", TargetID: person}}, Want: -1})
		if err != nil {
			t.Fatal(err)
		}
		copyOf := func() store.EvidenceDerivative {
			d, err := s.AddEvidenceDerivative(ctx, blobs, store.ActorCLI, it.ID, strings.NewReader("\x89PNG copy "+store.NewID()), "image/png", nil)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		first, second := copyOf(), copyOf()
		if err := s.PublishEvidenceDerivative(ctx, "editor", first.ID, "shows the square"); err != nil {
			t.Fatalf("a listed person's copy: %v", err)
		}
		if err := s.MarkWithConsent(ctx, "editor", person, registry.MarkWithheld, "threats", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		if err := s.PublishEvidenceDerivative(ctx, "editor", second.ID, "shows the square"); !errors.Is(err, store.ErrWithheldPerson) {
			t.Fatalf("publishing before the list's refresh: %v, want ErrWithheldPerson", err)
		}
		if err := s.MarkWithConsent(ctx, "editor", person, registry.MarkPublic, "safe again", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		if err := s.PublishEvidenceDerivative(ctx, "editor", second.ID, "shows the square"); err != nil {
			t.Fatalf("after a later public mark: %v", err)
		}
	})
}
