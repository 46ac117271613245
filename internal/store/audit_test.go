package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// eachRaw runs f on both databases with the store and a second, raw
// connection to the same database: the one an intruder with the files
// (or the database password) would use.
func eachRaw(t *testing.T, f func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			dir, dsn := storetest.Fresh(t, d)
			s, err := store.Open(context.Background(), dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			var raw *sql.DB
			if d == store.SQLite {
				raw, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "rollcall.db")+"?_pragma=busy_timeout(10000)")
			} else {
				raw, err = sql.Open("pgx", dsn)
			}
			if err != nil {
				t.Fatal(err)
			}
			raw.SetMaxOpenConns(1)
			t.Cleanup(func() { raw.Close() })
			f(t, s, raw, d)
		})
	}
}

func dropAuditGuards(t *testing.T, raw *sql.DB, d store.Dialect) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if d == store.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func fiveEntries(t *testing.T, s *store.Store) store.AuditHead {
	t.Helper()
	ctx := context.Background()
	for i, action := range []string{"user.create", "signin.ok", "sealed.read", "publish", "export"} {
		if err := s.Audit(ctx, "u1", action, "obj"+string(rune('a'+i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	n, head, err := s.VerifyAudit(ctx, nil)
	if err != nil || n != 5 || head.Seq != 5 {
		t.Fatalf("untouched chain: n=%d head=%v err=%v", n, head, err)
	}
	if got, _ := s.AuditHead(ctx); got != head {
		t.Fatalf("AuditHead %v, verify's head %v", got, head)
	}
	return head
}

func wantBreak(t *testing.T, s *store.Store, want *store.AuditHead, seq int64, reason string) {
	t.Helper()
	_, _, err := s.VerifyAudit(context.Background(), want)
	var b *store.AuditBreak
	if !errors.As(err, &b) {
		t.Fatalf("tampered log verified: %v", err)
	}
	if b.Seq != seq || !strings.Contains(b.Reason, reason) {
		t.Fatalf("break at %d (%s), want at %d with %q", b.Seq, b.Reason, seq, reason)
	}
}

func TestAuditLogRefusesChanges(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		fiveEntries(t, s)
		if _, err := raw.Exec(`UPDATE audit_log SET detail = 'x' WHERE seq = 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update: %v", err)
		}
		if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq = 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("delete: %v", err)
		}
	})
}

func TestAuditVerifyFindsEditedEntry(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		fiveEntries(t, s)
		dropAuditGuards(t, raw, d)
		if _, err := raw.Exec(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		wantBreak(t, s, nil, 3, "edited")
	})
}

func TestAuditVerifyFindsDeletedEntry(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		head := fiveEntries(t, s)
		dropAuditGuards(t, raw, d)
		if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		wantBreak(t, s, nil, 2, "missing")
		// Renumbering the rest to hide the gap breaks the links instead.
		if _, err := raw.Exec(`UPDATE audit_log SET seq = seq - 1 WHERE seq > 2`); err != nil {
			t.Fatal(err)
		}
		wantBreak(t, s, nil, 2, "does not follow entry 1")
		// Cutting the last entry is caught only with the head kept elsewhere.
		if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq > 1`); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.VerifyAudit(context.Background(), nil); err != nil {
			t.Fatalf("a cut chain is consistent in itself: %v", err)
		}
		wantBreak(t, s, &head, 2, "cut from the end")
	})
}

func TestAuditVerifyFindsReorderedEntries(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		fiveEntries(t, s)
		dropAuditGuards(t, raw, d)
		// Swap entries 3 and 4 (through a free number, for the primary key).
		for _, q := range []string{`UPDATE audit_log SET seq = 100 WHERE seq = 3`, `UPDATE audit_log SET seq = 3 WHERE seq = 4`, `UPDATE audit_log SET seq = 4 WHERE seq = 100`} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		wantBreak(t, s, nil, 3, "does not follow entry 2")
	})
}

func TestAuditHeadKeptElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		empty, err := s.AuditHead(ctx)
		if err != nil || empty.Seq != 0 {
			t.Fatalf("empty log head %v %v", empty, err)
		}
		head := fiveEntries(t, s)
		parsed, err := store.ParseAuditHead(head.String())
		if err != nil || parsed != head {
			t.Fatalf("head %q read back as %v (%v)", head.String(), parsed, err)
		}
		// More entries after the kept head: still fine.
		if err := s.Audit(ctx, "u2", "publish", "snap", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.VerifyAudit(ctx, &head); err != nil {
			t.Fatal(err)
		}
		forged := head
		forged.Hash = strings.Repeat("a", 64)
		wantBreak(t, s, &forged, 5, "rewritten")
		if _, err := store.ParseAuditHead("5:abc"); err == nil {
			t.Error("short hash accepted")
		}
	})
}

func TestAuditChainHoldsUnderConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		errs := make(chan error, 40)
		for i := range 40 {
			go func() { errs <- s.Audit(ctx, "u", "signin.ok", fmt.Sprint(i), "") }()
		}
		for range 40 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		n, head, err := s.VerifyAudit(ctx, nil)
		if err != nil || n != 40 || head.Seq != 40 {
			t.Fatalf("after 40 concurrent appends: n=%d head=%v err=%v", n, head, err)
		}
	})
}
