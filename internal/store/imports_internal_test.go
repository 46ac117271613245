package store

import (
	"context"
	"testing"
	"time"

	"rollcall/internal/registry"
)

// The SQLite import turns foreign-key checks off on the writer connection
// for its duration; every later write must have them back.
func TestImportLeavesForeignKeysOn(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, commit := range []bool{true, false} {
		im, err := s.BeginImport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rec := registry.Record{SourceKey: "v", Key: "1", Name: "A B"}
		period, _ := registry.ParsePeriod("2022-07-01")
		row, err := im.Prepare(2, rec, "digestdigestdige", FieldHashes{}, registry.Claim{Status: registry.Detained, Date: period})
		if err != nil {
			t.Fatal(err)
		}
		if err := im.Add(ctx, row); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Finish(ctx, "f.csv", "sha", commit); err != nil {
			t.Fatal(err)
		}
		var on int
		if err := s.write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
			t.Fatal(err)
		}
		if on != 1 {
			t.Fatalf("after an import (commit %v) foreign keys are off on the writer connection", commit)
		}
		_, err = s.write.ExecContext(ctx, `INSERT INTO claims (id, record_id, record_person, status, date_start, date_end, precision, verification, fingerprint, recorded_at)
			VALUES (?, 'no-such-record', 'p', 'missing', 20220701, 20220701, 'day', 0, 'x', ?)`, NewID(), time.Now().UnixMicro())
		if err == nil {
			t.Fatal("a claim of a record that does not exist was accepted after an import")
		}
	}
}
