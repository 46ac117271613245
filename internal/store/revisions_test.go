package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// A correction is an appended revision: the original is kept as revision
// 0, the record takes the corrected values (so search, the public list
// and linkage use them), the audit log says who and which fields, and the
// original file imported again changes nothing.
func TestRecordRevisionKeepsOriginalAndIsUsedEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		path := filepath.Join(t.TempDir(), "volunteers.csv")
		body := "source,record,name,sex,birth_year,region,status,date,verification\n" +
			"volunteers,1,Azamat Qurbnaov,m,1990,Nukus,detained,2022-07-02,verified\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := intake.ImportFile(ctx, s, path, intake.Options{}); err != nil {
			t.Fatal(err)
		}
		giveBasis(t, s, "volunteers")
		refresh(t, s) // makes the imported records' search keys
		ids, err := s.SearchRecords(ctx, "Qurbnaov", 10)
		if err != nil || len(ids) != 1 {
			t.Fatalf("record by its typo: %v %v", ids, err)
		}
		id := ids[0]
		origin, err := s.RecordOrigin(ctx, id)
		if err != nil || origin.File != "volunteers.csv" || origin.EnteredBy != "" {
			t.Fatalf("origin %+v %v", origin, err)
		}
		if revs, err := s.RecordRevisions(ctx, id); err != nil || len(revs) != 0 {
			t.Fatalf("revisions before any correction: %v %v", revs, err)
		}
		head, _ := s.AuditHead(ctx)
		rec, _, err := s.Record(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f := store.FieldsOf(rec.Record)
		if _, err := s.ReviseRecord(ctx, "ed", id, f, "no change"); !errors.Is(err, store.ErrNoChange) {
			t.Errorf("a correction changing nothing: %v", err)
		}
		f.Name, f.Region, f.BirthYear = "Azamat Qurbanov", "Xojeli", 1991
		seq, err := s.ReviseRecord(ctx, "ed", id, f, "typo in the surname; the family says Xojeli")
		if err != nil || seq != 1 {
			t.Fatalf("revise: %d %v", seq, err)
		}
		revs, err := s.RecordRevisions(ctx, id)
		if err != nil || len(revs) != 2 {
			t.Fatalf("revisions %+v %v", revs, err)
		}
		if o := revs[0]; o.Seq != 0 || o.Name != "Azamat Qurbnaov" || o.Region != "Nukus" || o.BirthYear != 1990 || o.RevisedBy != "" {
			t.Errorf("original %+v", o)
		}
		if c := revs[1]; c.Name != "Azamat Qurbanov" || c.RevisedBy != "ed" || strings.Join(c.Changed, ",") != "name,birth_year,region" || !strings.Contains(c.Why, "typo") {
			t.Errorf("correction %+v", c)
		}
		if got := auditActorActions(t, s, head.Seq); strings.Join(got, "|") != "ed record.revise" {
			t.Errorf("audit %v", got)
		}
		es, _ := s.AuditEntries(ctx, head.Seq, 10)
		if len(es) != 1 || es[0].Object != id || es[0].Detail != "revision=1 fields=name,birth_year,region" || strings.Contains(es[0].Detail, "Qurbanov") {
			t.Errorf("audit entry %+v", es)
		}
		// search: the correction, and no longer the typo
		if ids, _ := s.SearchRecords(ctx, "Qurbanov", 10); len(ids) != 1 || ids[0] != id {
			t.Errorf("search by the corrected name: %v", ids)
		}
		// the public list and its region filter
		refresh(t, s)
		if p := people(t, s, store.PeopleFilter{Query: "Qurbanov"}); namesOf(p) != "Azamat Qurbanov" || p.People[0].Region != "Xojeli" || p.People[0].BirthYear != 1991 {
			t.Errorf("public list: %+v", p.People)
		}
		if p := people(t, s, store.PeopleFilter{Region: "Nukus"}); p.Total != 0 {
			t.Errorf("the old region still counts: %q", namesOf(p))
		}
		// linkage reads the corrected fields
		in, err := s.LoadLinkageInput(ctx)
		if err != nil || len(in.Records) != 1 || in.Records[0].BirthYear != 1991 {
			t.Errorf("linkage input %+v %v", in.Records, err)
		}
		// the original file again: nothing changes, nothing refused
		res, err := intake.ImportFile(ctx, s, path, intake.Options{})
		if err != nil || res.RecordsNew != 0 || res.ClaimsNew != 0 {
			t.Errorf("re-import after a correction: %+v %v", res, err)
		}
		if rec, _, _ := s.Record(ctx, id); rec.Name != "Azamat Qurbanov" {
			t.Errorf("the re-import undid the correction: %q", rec.Name)
		}
		// a second correction appends again
		f.Sex = ""
		if seq, err := s.ReviseRecord(ctx, "ed2", id, f, ""); err != nil || seq != 2 {
			t.Errorf("second revision %d %v", seq, err)
		}
		if _, err := s.ReviseRecord(ctx, "ed", "no-such-record", f, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown record: %v", err)
		}
	})
}
