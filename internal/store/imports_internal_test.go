package store

import (
	"context"
	"testing"
	"time"

	"rollcall/internal/registry"
)

// The SQLite import turns foreign-key checks off on the writer connection
// for its duration, and a bulk import leaves WAL mode; every later write
// must have both back.
func TestImportLeavesForeignKeysOnAndWAL(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, commit := range []bool{true, false, true, false} {
		begin, bulk := s.BeginImport, i >= 2
		if bulk {
			begin = s.BeginBulkImport
		}
		im, err := begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if im.rollbackJournal != bulk {
			t.Errorf("bulk %v: the import runs under a rollback journal: %v", bulk, im.rollbackJournal)
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
		var mode string
		if err := s.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("after an import (bulk %v, commit %v) the journal mode is %q (%v)", bulk, commit, mode, err)
		}
		_, err = s.write.ExecContext(ctx, `INSERT INTO claims (id, record_id, record_person, status, date_start, date_end, precision, verification, fingerprint, recorded_at)
			VALUES (?, 'no-such-record', 'p', 'missing', 20220701, 20220701, 'day', 0, 'x', ?)`, NewID(), time.Now().UnixMicro())
		if err == nil {
			t.Fatal("a claim of a record that does not exist was accepted after an import")
		}
	}
}

// A batch leaves out a column only when every one of its rows holds the
// default the schema gives that column, read from the schema itself.
func TestBatchLeavesOutOnlyColumnsAtTheirDefault(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	defaults, err := sqliteDefaults(ctx, tx, "claims", claimColumns)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": nil, "record_id": nil, "status": nil, "place": "", "details": "", "note": "", "recorded_at": nil}
	for i, c := range claimColumns {
		if w, ok := want[c]; ok && defaults[i] != w {
			t.Errorf("default of claims.%s: %#v, want %#v", c, defaults[i], w)
		}
	}
	b := newBatchInsert(s, tx, "claims", claimColumns, "")
	b.leaveOutDefaults(defaults)
	row := func(place, note string) []any {
		return []any{NewID(), "r", "p", "detained", int64(20220701), int64(20220701), "day", place, "", int64(0), note, "f", int64(1)}
	}
	b.args = append(append(b.args, row("", "")...), row("Nukus", "")...)
	out := b.leftOut()
	for i, c := range claimColumns {
		left := out&(1<<i) != 0
		if wantLeft := c == "details" || c == "note"; left != wantLeft {
			t.Errorf("column %s left out: %v, want %v", c, left, wantLeft)
		}
	}
}
