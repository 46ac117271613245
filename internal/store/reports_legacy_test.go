package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Issue 14, item 7: a report filed by a release before its content was
// sealed (migration 0015) and before its time was kept to the hour is, once
// the data key is given: sealed (no clear column holds any of it, nor the
// file's free space or log), read back whole by triage, and filed at the
// hour (migration 0021).
func TestOlderReportsSealedAndHourly(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			old, keys, dir, dsn := storetest.OldRelease(t, d, 14)
			filed := time.Date(2025, 8, 3, 21, 47, 31, 123456000, time.UTC)
			relation, _ := keys.SealString("reports.relation:r-old", "sibling")
			contact, _ := keys.SealString("reports.contact:r-old", "")
			text, _ := keys.SealString("reports.text:r-old", "")
			if err := old.ExecForTest(ctx, `INSERT INTO reports (id, reference, lang, name, name_alt, birth_year, age, region, locality, status, date_start, precision, place,
				relation_sealed, contact_sealed, text_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				"r-old", "OLDREF7", "ru", "Canaryolder Personname", "Canaryspelling Other", 1990, 35, "CANARYREGION", "CANARYLOCALITY", "detained",
				int64(registry.DayOf(time.Date(2022, 7, 2, 0, 0, 0, 0, time.UTC))), string(registry.PrecisionDay), "CANARYPLACE", relation, contact, text, filed.UnixMicro()); err != nil {
				t.Fatal(err)
			}
			old.Close()
			if at := strings.ToLower(string(storetest.AtRest(t, dir, dsn))); !strings.Contains(at, "canaryolder") {
				t.Fatal("the older report is not in clear before: the search below proves nothing")
			}

			s, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetKeys(keys)
			if n, err := s.SealClearReports(ctx); err != nil || n != 1 {
				t.Fatalf("sealed %d (%v), want 1", n, err)
			}
			if n, err := s.SealClearReports(ctx); err != nil || n != 0 {
				t.Fatalf("the second time sealed %d (%v), want none", n, err)
			}
			if at := strings.ToLower(string(storetest.AtRest(t, dir, dsn))); strings.Contains(at, "canary") {
				i := strings.Index(at, "canary")
				t.Errorf("the older report's content is still at rest in clear: …%q…", at[max(0, i-40):min(len(at), i+60)])
			}
			got, err := s.Report(ctx, "r-old")
			if err != nil || got.Name != "Canaryolder Personname" || strings.Join(got.NameAlt, ";") != "Canaryspelling Other" || got.BirthYear != 1990 || got.Age != 35 ||
				got.Region != "CANARYREGION" || got.Locality != "CANARYLOCALITY" || got.Place != "CANARYPLACE" || got.Status != registry.Detained ||
				got.Date != registry.PeriodFrom(registry.DayOf(time.Date(2022, 7, 2, 0, 0, 0, 0, time.UTC)), registry.PrecisionDay) {
				t.Fatalf("read back %+v (%v)", got, err)
			}
			if want := time.Date(2025, 8, 3, 21, 0, 0, 0, time.UTC); !got.CreatedAt.Equal(want) {
				t.Errorf("filed at %v, want the hour %v", got.CreatedAt, want)
			}
			if sec, err := s.ReportSealed(ctx, "ed", "r-old"); err != nil || sec.Relation != "sibling" {
				t.Errorf("sealed parts %+v (%v)", sec, err)
			}
		})
	}
}
