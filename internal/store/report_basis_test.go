package store_test

import (
	"context"
	"errors"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Records made from the public report form never count as a public basis:
// families are told nothing is published until they agree. An editor
// cannot give the form's source a basis, and a basis row for it (written
// by hand, or by a bug) is not read: the reported person, raised to
// corroborated, is counted withheld, never named.
func TestReportFormGivesNoPublicBasis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, err := s.AddReport(ctx, newReport(t, "Азамат Курбанов", "x", "y"))
		if err != nil {
			t.Fatal(err)
		}
		r, _ := s.Report(ctx, id)
		recordID, err := intake.MakeRecord(ctx, s, "ed-1", r)
		if err != nil {
			t.Fatal(err)
		}
		_, claims, err := s.Record(ctx, recordID)
		if err != nil || len(claims) != 1 {
			t.Fatalf("claims %+v %v", claims, err)
		}
		if _, err := s.SetVerification(ctx, "ed-1", claims[0].ID, registry.Corroborated); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSourceBasis(ctx, "ed-1", store.PublicReportsSource, "the family posted it", false); !errors.Is(err, store.ErrReportFormBasis) {
			t.Errorf("a basis for the report form's source: %v, want ErrReportFormBasis", err)
		}
		var sourceID string
		for _, src := range mustSources(t, s) {
			if src.Key == store.PublicReportsSource {
				sourceID = src.ID
			}
		}
		if sourceID == "" {
			t.Fatal("no report form source after a report became a record")
		}
		if err := s.ExecForTest(ctx, `INSERT INTO source_basis (id, source_id, basis, by_whom, set_at) VALUES ('forced', ?, 'forced by hand', 'x', 1)`, sourceID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefreshPublic(ctx); err != nil {
			t.Fatal(err)
		}
		person, _ := s.PersonOf(ctx, recordID)
		p, err := s.PublicPerson(ctx, person)
		if err != nil {
			t.Fatalf("the corroborated reported person is not counted in the list: %v", err)
		}
		if !p.Withheld || p.Name != registry.WithheldName(person) {
			t.Errorf("the reported person is shown as %q (withheld %v)", p.Name, p.Withheld)
		}
		if st, err := s.PublicationOf(ctx, person); err != nil || st.Public() {
			t.Errorf("publication of the reported person: %+v %v", st, err)
		}
	})
}

func mustSources(t *testing.T, s *store.Store) []store.SourceSummary {
	t.Helper()
	sources, err := s.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sources
}
