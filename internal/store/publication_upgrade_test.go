package store_test

import (
	"context"
	"slices"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// publicList is who the public list shows by name and who it withholds.
func publicList(t *testing.T, s *store.Store) (named, withheld []string) {
	t.Helper()
	page, err := s.PublicPeople(context.Background(), store.PeopleFilter{PerPage: store.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.People {
		if p.Withheld {
			withheld = append(withheld, p.ID)
		} else {
			named = append(named, p.ID)
		}
	}
	slices.Sort(named)
	slices.Sort(withheld)
	return named, withheld
}

// Upgrading across the publication rule (storetest.PrePublicationRule's
// data directory): whoever the public list showed by
// name stays shown, now on a recorded mark "public before the publication
// rule" (audited, once, in a chain that verifies) that editors are asked
// to review; nobody withheld appears, and pAfter, never shown, is not
// published by the upgrade.
func TestUpgradeAcrossThePublicationRule(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dir, dsn := storetest.PrePublicationRule(t, d)
			keys, err := seal.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			s.SetKeys(keys)
			named, withheld := publicList(t, s)
			if !slices.Equal(named, []string{"pListed", "pMarked"}) || !slices.Equal(withheld, []string{"pMinor", "pWithheld"}) {
				t.Errorf("right after the upgrade: named %v, withheld %v", named, withheld)
			}
			if _, err := s.RefreshPublic(ctx); err != nil {
				t.Fatal(err)
			}
			named, withheld = publicList(t, s)
			if !slices.Equal(named, []string{"pListed", "pMarked"}) {
				t.Errorf("after the first rebuild under the rule, listed by name: %v; want exactly those listed before", named)
			}
			if !slices.Equal(withheld, []string{"pAfter", "pMinor", "pWithheld"}) {
				t.Errorf("after the first rebuild, withheld: %v", withheld)
			}
			legacy, err := s.LegacyPublic(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(legacy, []string{"pListed"}) {
				t.Errorf("public by the migration's mark (the workspace home's list): %v, want [pListed] (pMarked has an editor's mark)", legacy)
			}
			marks, err := s.PersonMarks(ctx, "pListed")
			if err != nil || len(marks) != 1 || marks[0].Mark != registry.MarkPublic || marks[0].Reason != registry.LegacyReason {
				t.Errorf("pListed's marks: %+v %v", marks, err)
			}
			if marks, _ := s.PersonMarks(ctx, "pMarked"); len(marks) != 1 {
				t.Errorf("pMarked, marked by an editor, got another mark: %+v", marks)
			}
			legacyEntries := func(s *store.Store) []string {
				entries, err := s.AuditEntries(ctx, 0, 1000)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, e := range entries {
					if e.Action == "person.mark" && e.Actor == store.ActorSystem && e.Detail == "mark=public legacy" {
						out = append(out, e.Object)
					}
				}
				return out
			}
			if got := legacyEntries(s); !slices.Equal(got, []string{"pListed"}) {
				t.Errorf("audit entries of the migration's marks: %v, want one for pListed", got)
			}
			if n, _, err := s.VerifyAudit(ctx, nil); err != nil || n == 0 {
				t.Errorf("audit verify after the upgrade: %d entries, %v", n, err)
			}
			s.Close()
			// Once: opening again writes no second entry.
			s2, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			if got := legacyEntries(s2); len(got) != 1 {
				t.Errorf("after a second open the migration's marks have entries for %v", got)
			}
		})
	}
}
