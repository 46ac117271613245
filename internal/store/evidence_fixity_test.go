package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"rollcall/internal/evidence"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// keepTwo keeps two originals in a directory store and returns them.
func keepTwo(t *testing.T, s *store.Store, blobs evidence.Blobs) (a, b store.EvidenceItem, bodyA []byte) {
	t.Helper()
	ctx := context.Background()
	bodyA = bytes.Repeat([]byte("the first witness's video "), 20_000)
	var err error
	a, _, err = s.IntakeEvidence(ctx, blobs, bytes.NewReader(bodyA), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli", Want: -1})
	if err != nil {
		t.Fatal(err)
	}
	// The same size, one byte different: a replacement no length gives away.
	bodyB := bytes.Clone(bodyA)
	bodyB[len(bodyB)-1] = '!'
	b, _, err = s.IntakeEvidence(ctx, blobs, bytes.NewReader(bodyB), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli", Want: -1})
	if err != nil {
		t.Fatal(err)
	}
	return a, b, bodyA
}

func TestADamagedOriginalIsNeverServedWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.SetKeys(testKeys(t))
		blobs, err := evidence.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		a, b, bodyA := keepTwo(t, s, blobs)
		_, r, err := s.OpenEvidence(ctx, blobs, store.ActorCLI, a.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, bodyA) {
			t.Fatalf("intact original: %v, %d bytes", err, len(got))
		}
		r.Close()
		// Replaced by another original encrypted to the same key: it
		// decrypts, but it is not what was received.
		other, _ := os.ReadFile(blobs.Path(b.Blob))
		if err := os.WriteFile(blobs.Path(a.Blob), other, 0o600); err != nil {
			t.Fatal(err)
		}
		_, r, err = s.OpenEvidence(ctx, blobs, store.ActorCLI, a.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if !errors.Is(err, evidence.ErrNotAsReceived) || len(got) >= len(bodyA) {
			t.Fatalf("a replaced original read back: %v, %d bytes", err, len(got))
		}
		// A byte flipped in the ciphertext of the other.
		raw, _ := os.ReadFile(blobs.Path(b.Blob))
		raw[len(raw)-2] ^= 0x40
		os.WriteFile(blobs.Path(b.Blob), raw, 0o600)
		_, r, err = s.OpenEvidence(ctx, blobs, store.ActorCLI, b.ID, "test")
		if err == nil {
			got, err = io.ReadAll(r)
			r.Close()
		}
		if err == nil || len(got) >= len(bodyA) {
			t.Fatalf("a damaged original read back whole: %d bytes", len(got))
		}

		run, err := s.RunEvidenceFixity(ctx, blobs, store.ActorSystem)
		if err != nil {
			t.Fatal(err)
		}
		if run.Checked != 2 || len(run.Bad) != 2 {
			t.Fatalf("fixity run: %+v", run)
		}
		results := map[string]string{}
		for _, c := range run.Bad {
			results[c.Item.ID] = c.Result
		}
		if results[a.ID] != store.FixityMismatch || results[b.ID] != store.FixityDamaged {
			t.Errorf("results: %v", results)
		}
		es, _ := s.AuditEntries(ctx, 0, 1000)
		last := es[len(es)-1]
		if last.Action != store.CustodyFixityRun || !strings.Contains(last.Detail, "checked=2 intact=0 not_intact=2") || !strings.Contains(last.Detail, a.ID+":mismatch") {
			t.Errorf("the run's audit entry: %+v", last)
		}
		if at, err := s.LastEvidenceFixity(ctx); err != nil || !at.Equal(last.At) {
			t.Errorf("last run %v %v, entry at %v", at, err, last.At)
		}
		// Marked not intact: refused before a byte is read, for copies and
		// for public derivatives alike.
		if _, _, err := s.OpenEvidence(ctx, blobs, store.ActorCLI, a.ID, "test"); !errors.Is(err, store.ErrEvidenceDamaged) {
			t.Errorf("open a damaged item: %v", err)
		}
		if _, _, _, _, err := s.OriginalAt(ctx, blobs, store.ActorCLI, b.ID, "derive"); !errors.Is(err, store.ErrEvidenceDamaged) {
			t.Errorf("random access to a damaged item: %v", err)
		}
		// Restored from a backup and checked again: served again.
		os.WriteFile(blobs.Path(a.Blob), mustEncryptAgain(t, s, blobs, bodyA), 0o600)
		if checks, err := s.VerifyEvidence(ctx, blobs, store.ActorCLI, []string{a.ID}); err != nil || checks[0].Result != store.FixityOK {
			t.Fatalf("after restoring: %+v %v", checks, err)
		}
		if _, r, err := s.OpenEvidence(ctx, blobs, store.ActorCLI, a.ID, "test"); err != nil {
			t.Errorf("a restored item: %v", err)
		} else {
			r.Close()
		}
	})
}

// mustEncryptAgain gives a ciphertext of body under the store's evidence
// key, as a restored backup would hold.
func mustEncryptAgain(t *testing.T, s *store.Store, blobs *evidence.Dir, body []byte) []byte {
	t.Helper()
	key, err := s.EvidenceKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := evidence.Intake(bytes.NewReader(body), key, blobs, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Keep("restored"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(blobs.Path("restored"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
