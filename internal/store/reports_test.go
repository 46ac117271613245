package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"github.com/google/uuid"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func newReport(t *testing.T, name, contact, text string) store.NewReport {
	t.Helper()
	r, problems := intake.ParseReport(url.Values{
		"name": {name}, "name_alt": {"Azamat Qurbanov"}, "age": {"30"}, "region": {"Nukus"}, "status": {"missing"},
		"year": {"2022"}, "month": {"7"}, "relation": {"sibling"}, "contact": {contact}, "text": {text},
	}, "ru", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	r.Reference = intake.NewReference()
	return r
}

func TestReportsFileListUnseal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := fixedClock(s)
		id, err := s.AddReport(ctx, newReport(t, "Азамат Курбанов", "signal 7731", "taken at night"))
		if err != nil {
			t.Fatal(err)
		}
		list, total, err := s.Reports(ctx, store.ReportFilter{})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("open reports: %d %v", total, err)
		}
		r := list[0]
		if r.ID != id || r.Name != "Азамат Курбанов" || r.NameAlt[0] != "Azamat Qurbanov" || r.Age != 30 || r.BirthYear != 1996 ||
			r.Status != registry.Missing || r.Date.String() != "2022-07" || r.State != store.ReportOpen || r.Lang != "ru" {
			t.Errorf("stored %+v", r)
		}
		if byRef, n, _ := s.Reports(ctx, store.ReportFilter{Reference: strings.ToLower(r.Reference)}); n != 1 || byRef[0].ID != id {
			t.Errorf("by reference: %d", n)
		}
		again := newReport(t, "C D", "", "")
		again.Reference = r.Reference
		if _, err := s.AddReport(ctx, again); !errors.Is(err, store.ErrReferenceTaken) {
			t.Errorf("a reference given twice: %v", err)
		}
		if _, err := s.Report(ctx, "no-such-id"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		sec, err := s.ReportSealed(ctx, "ed-1", id)
		if err != nil || sec.Contact != "signal 7731" || sec.Text != "taken at night" || sec.Relation != "sibling" {
			t.Fatalf("unsealed %+v %v", sec, err)
		}
		// The filing's hour has not closed: nothing in the chain yet.
		if got := auditActions(t, s); strings.Join(got, "|") != "report.unseal "+id+" " {
			t.Errorf("audit %q", got)
		}
		*now = now.Add(time.Hour)
		s.AddReport(ctx, newReport(t, "E F", "", ""))
		if page, n, err := s.Reports(ctx, store.ReportFilter{Limit: 1}); err != nil || n != 2 || len(page) != 1 || page[0].ID != id {
			t.Errorf("the oldest of 2 with a limit of 1: %d of %d, %v", len(page), n, err)
		}
	})
}

func TestReportDismissOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, _ := s.AddReport(ctx, newReport(t, "A B", "", ""))
		if err := s.DismissReport(ctx, "ed-1", id, " "); err == nil {
			t.Error("dismissed without a reason")
		}
		if err := s.DismissReport(ctx, "ed-1", id, "a duplicate"); err != nil {
			t.Fatal(err)
		}
		if err := s.DismissReport(ctx, "ed-2", id, "again"); !errors.Is(err, store.ErrReportClosed) {
			t.Errorf("second dismissal: %v", err)
		}
		if err := s.DismissReport(ctx, "ed-2", "nope", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown report: %v", err)
		}
		r, _ := s.Report(ctx, id)
		if r.State != store.ReportDismissed || r.DismissReason != "a duplicate" || r.ClosedBy != "ed-1" || r.ClosedAt.IsZero() {
			t.Errorf("after dismissal %+v", r)
		}
		if _, n, _ := s.Reports(ctx, store.ReportFilter{}); n != 0 {
			t.Errorf("%d still open", n)
		}
		if _, n, _ := s.Reports(ctx, store.ReportFilter{State: store.ReportDismissed}); n != 1 {
			t.Errorf("%d dismissed", n)
		}
	})
}

// A report becomes a record exactly as an imported row would: normalised
// names, search keys, a person, an unverified claim that counts once the
// threshold allows it.
func TestReportBecomesRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, _ := s.AddReport(ctx, newReport(t, "Азамат Курбанов", "x", "y"))
		r, _ := s.Report(ctx, id)
		recordID, err := intake.MakeRecord(ctx, s, "ed-1", r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := intake.MakeRecord(ctx, s, "ed-2", r); !errors.Is(err, store.ErrReportClosed) {
			t.Errorf("second record of one report: %v", err)
		}
		r, _ = s.Report(ctx, id)
		if r.State != store.ReportRecorded || r.RecordID != recordID || r.ClosedBy != "ed-1" {
			t.Errorf("report after %+v", r)
		}
		var rows []store.ClaimRow
		s.EachClaim(ctx, func(c store.ClaimRow) error { rows = append(rows, c); return nil })
		if len(rows) != 1 {
			t.Fatalf("%d claims", len(rows))
		}
		got := rows[0]
		if got.Record.ID != recordID || got.Record.SourceKey != store.PublicReportsSource || got.SourceKind != registry.KindRelative ||
			got.Record.Key != id || got.Record.Name != "Азамат Курбанов" || got.Record.BirthYear != 1996 || got.Record.Region != "Nukus" ||
			got.Claim.Status != registry.Missing || got.Claim.Verification != registry.Unverified || got.Claim.Date.String() != "2022-07" ||
			got.PersonID == "" || got.Claim.Note != "" {
			t.Errorf("record %+v", got)
		}
		// Found by another script's spelling, like any imported record.
		if ids, err := s.SearchRecords(ctx, "Azamat Kurbanov", 10); err != nil || len(ids) != 1 || ids[0] != recordID {
			t.Errorf("search: %v %v", ids, err)
		}
		now := time.Now().Add(time.Hour)
		if c := counts(t, s, "2026-01-01", now, registry.Unverified); c.MissingNow != 1 {
			t.Errorf("counted at unverified: %+v", c)
		}
		if c := counts(t, s, "2026-01-01", now, registry.Corroborated); c.MissingNow != 0 {
			t.Errorf("an unverified report counted: %+v", c)
		}
		acts := auditActions(t, s)
		if last := acts[len(acts)-1]; last != "report.record "+id+" "+recordID {
			t.Errorf("audit %q", acts)
		}
		// A second report lands in the same source.
		id2, _ := s.AddReport(ctx, newReport(t, "Лалагул Каллыханова", "", ""))
		r2, _ := s.Report(ctx, id2)
		if _, err := intake.MakeRecord(ctx, s, "ed-1", r2); err != nil {
			t.Fatal(err)
		}
		if srcs, _ := s.Sources(ctx); len(srcs) != 1 || srcs[0].Records != 2 {
			t.Errorf("sources %+v", srcs)
		}
	})
}

// The reporter's contact, relationship and words are nowhere in clear.
func TestReportCanariesNotInClear(t *testing.T) {
	const contact, text = "canary-contact-5519 @example.org", "canary free text 5519"
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		ctx := context.Background()
		s.SetKeys(testKeys(t))
		rep := newReport(t, "A B", contact, text)
		rep.Relation = "canaryrelation5519"
		id, err := s.AddReport(ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		if sec, err := s.ReportSealed(ctx, "ed", id); err != nil || sec.Contact != contact {
			t.Fatal(sec, err)
		}
		var haystack []byte
		if d == store.SQLite {
			var dir string
			raw.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&dir)
			for _, name := range []string{dir, dir + "-wal"} {
				b, _ := os.ReadFile(name)
				haystack = append(haystack, b...)
			}
			if filepath.Base(dir) != "rollcall.db" {
				t.Fatalf("database file %q", dir)
			}
		} else {
			rows, err := raw.Query(`SELECT t::text FROM reports t`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var line string
				rows.Scan(&line)
				haystack = append(haystack, line...)
			}
			rows.Close()
		}
		if !bytes.Contains(haystack, []byte(rep.Reference)) {
			t.Fatal("the search does not even find the reference (kept in clear): it is broken")
		}
		for _, c := range []string{contact, text, "canaryrelation5519", "A B"} {
			if bytes.Contains(haystack, []byte(c)) {
				t.Errorf("%q is in the database in clear", c)
			}
		}
	})
}

// Issue 14, item 7: a report's filing time, matched with network logs,
// could point to the reporter. The row keeps the hour, the id is random
// (not a UUIDv7, whose first 48 bits are the millisecond), and the audit
// entry of the filing names no report.
func TestReportFilingTimeKeptToTheHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 10, 37, 12, 345678000, time.UTC)
		s.Now = func() time.Time { return at }
		id, err := s.AddReport(ctx, newReport(t, "Hour Person", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Report(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC); !r.CreatedAt.Equal(want) {
			t.Errorf("filed at %v, want %v", r.CreatedAt, want)
		}
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 {
			t.Errorf("report id %s: version %d (%v), want a random one", id, u.Version(), err)
		}
		// An editor acts at 10:59 and the hour has not closed: the chain
		// says nothing of the filing yet, so the editor's entry, timed to
		// the microsecond, does not bound it.
		s.Now = func() time.Time { return at.Add(22 * time.Minute) }
		if err := s.Audit(ctx, "ed", "report.view", id, ""); err != nil {
			t.Fatal(err)
		}
		if got := auditActions(t, s); slices.Contains(got, "report.file  ") {
			t.Errorf("the filing audited before its hour closed: %q", got)
		}
		// A second report in the hour, then an editor at 11:05: one entry
		// for the hour 10:00 comes before the editor's, with the count.
		s.Now = func() time.Time { return at.Add(22*time.Minute + 30*time.Second) }
		if _, err := s.AddReport(ctx, newReport(t, "G H", "", "")); err != nil {
			t.Fatal(err)
		}
		s.Now = func() time.Time { return at.Add(28 * time.Minute) }
		if err := s.Audit(ctx, "ed", "report.view", id, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.AuditClosedReportHours(ctx); err != nil {
			t.Fatal(err)
		}
		es, _ := s.AuditEntries(ctx, 0, 100)
		filings := 0
		for i, e := range es {
			if e.Action != "report.file" {
				continue
			}
			filings++
			if e.Object != "" || e.Detail != "2 reports filed" {
				t.Errorf("the hour's audit entry names %q %q, want only the count", e.Object, e.Detail)
			}
			if i != len(es)-2 {
				t.Errorf("the hour's entry is %d of %d, want just before the editor's at 11:05", i+1, len(es))
			}
			if want := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC); !e.At.Equal(want) {
				t.Errorf("the filing's audit entry is at %v, want the hour %v", e.At, want)
			}
		}
		if filings != 1 {
			t.Errorf("%d filing entries, want 1", filings)
		}
		if _, _, err := s.VerifyAudit(ctx, nil); err != nil {
			t.Errorf("the chain with an hourly entry: %v", err)
		}
	})
}

// Issue 14, item 7: a report's content is one sealed value; the database
// file holds none of it in clear, and the store reads it back whole.
func TestReportContentSealedAsAWhole(t *testing.T) {
	for _, d := range storetest.Dialects {
		s, dir, dsn := storetest.OpenIn(t, d)
		ctx := context.Background()
		r := newReport(t, "Canarysealed Reportperson", "", "")
		r.Region, r.Place, r.Locality = "CANARYREGION", "CANARYPLACE", "CANARYLOCALITY"
		id, err := s.AddReport(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Report(ctx, id)
		if err != nil || got.Name != r.Name || got.Region != "CANARYREGION" || got.Place != "CANARYPLACE" || got.Locality != "CANARYLOCALITY" ||
			got.Status != r.Status || got.Date != r.Date || got.Age != r.Age || got.BirthYear != r.BirthYear || strings.Join(got.NameAlt, ";") != strings.Join(r.NameAlt, ";") {
			t.Fatalf("%s: read back %+v %v, filed %+v", d, got, err, r)
		}
		if at := strings.ToLower(string(storetest.AtRest(t, dir, dsn))); strings.Contains(at, "canary") {
			t.Errorf("%s: the report's content is in the database in clear", d)
		}
	}
}
