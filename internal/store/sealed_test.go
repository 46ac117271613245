package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func TestSealedValuesReadsAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		k := s.Keys()
		if err := s.SetSealed(ctx, "ed-1", store.SealedReporterContact, "report-1", "+998 90 000 00 00"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Sealed(ctx, "ed-2", store.SealedReporterContact, "report-1")
		if err != nil || got != "+998 90 000 00 00" {
			t.Fatalf("read back %q %v", got, err)
		}
		if _, err := s.Sealed(ctx, "ed-2", store.SealedPrivateNote, "report-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("absent value: %v", err)
		}
		if err := s.SetSealed(ctx, "ed-1", "shoe_size", "x", "42"); err == nil {
			t.Error("unknown kind accepted")
		}
		s.SetKeys(testKeys(t))
		if _, err := s.Sealed(ctx, "ed-2", store.SealedReporterContact, "report-1"); !errors.Is(err, seal.ErrUnknownKey) {
			t.Errorf("read with another key: %v", err)
		}
		s.SetKeys(k)
		es, _ := s.AuditEntries(ctx, 0, 10)
		if len(es) != 2 || es[0].Action != "sealed.write" || es[1].Action != "sealed.read" || es[1].Actor != "ed-2" || es[1].Object != "report-1" || es[1].Detail != store.SealedReporterContact {
			t.Fatalf("audit: %+v", es)
		}
		// An empty value deletes.
		s.SetSealed(ctx, "ed-1", store.SealedReporterContact, "report-1", "")
		if _, err := s.Sealed(ctx, "ed-2", store.SealedReporterContact, "report-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted value: %v", err)
		}
	})
}

func TestRotationResealsEverything(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, _ store.Dialect) {
		ctx := context.Background()
		dir := t.TempDir()
		k, _ := seal.Open(dir, nil)
		s.SetKeys(k)
		u, _ := s.CreateUser(ctx, store.ActorCLI, "rotate@example.org", "editor")
		s.SetPendingTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP")
		s.ConfirmTOTP(ctx, u.ID, 1, nil)
		s.SetSealed(ctx, "a", store.SealedSourceIdentity, "src-1", "the informant")
		const list = "vol,1,Azamat Qurbanov,m,1990,Nukus,detained,2022-07-02,verified,a private note"
		importCSV(t, s, list)
		var claimID, note, fingerprint string
		if err := raw.QueryRow(`SELECT id, note, fingerprint FROM claims`).Scan(&claimID, &note, &fingerprint); err != nil {
			t.Fatal(err)
		}
		if !seal.IsSealed(note) {
			t.Fatalf("the import stored the note in clear: %q", note)
		}

		if err := k.BeginRotation(dir); err != nil {
			t.Fatal(err)
		}
		rep, err := s.ResealAll(ctx, store.ActorCLI)
		if err != nil {
			t.Fatal(err)
		}
		if rep != (store.RotationReport{Users: 1, SealedValues: 1, ClaimNotes: 1}) {
			t.Errorf("report %+v", rep)
		}
		if err := k.FinishRotation(dir); err != nil {
			t.Fatal(err)
		}
		onlyNew, err := seal.Open(dir, nil)
		if err != nil || len(onlyNew.KeyIDs()) != 1 {
			t.Fatalf("key file after rotation: %v %v", onlyNew.KeyIDs(), err)
		}
		s.SetKeys(onlyNew)
		got, err := s.UserByEmail(ctx, "rotate@example.org")
		if err != nil || got.ID != u.ID {
			t.Fatalf("lookup under the new key: %v", err)
		}
		if sec, err := s.TOTPSecret(ctx, got); err != nil || sec != "JBSWY3DPEHPK3PXP" {
			t.Errorf("second-factor secret: %q %v", sec, err)
		}
		if v, err := s.Sealed(ctx, "a", store.SealedSourceIdentity, "src-1"); err != nil || v != "the informant" {
			t.Errorf("sealed value: %q %v", v, err)
		}
		var newFingerprint string
		raw.QueryRow(`SELECT note, fingerprint FROM claims`).Scan(&note, &newFingerprint)
		if v, err := onlyNew.UnsealString(store.ClaimNotePlace(claimID), note); err != nil || v != "a private note" {
			t.Errorf("claim note: %q %v", v, err)
		}
		// The fingerprint hashes the note with the key, so it moved with
		// the key, and the same list imported again is still recognised.
		if newFingerprint == fingerprint {
			t.Error("the claim's fingerprint did not follow the new key")
		}
		if res := importCSV(t, s, list); res.ClaimsNew != 0 || res.ClaimsUnchanged != 1 {
			t.Errorf("the same list after rotation: %+v", res.ImportSummary)
		}
		if list, err := s.Users(ctx, "a"); err != nil || list[0].Email != "rotate@example.org" {
			t.Errorf("list: %v", err)
		}
	})
}

// Canary values entered through the store's functions appear nowhere in
// clear: not in the SQLite file, its WAL, any PostgreSQL table, or the
// audit log.
func TestCanariesNotInClear(t *testing.T) {
	canaries := map[string]string{
		"email":    "canary.editor.7731@example.org",
		"identity": "CanaryInformant Zhaqsylyq 7731",
		"reporter": "canary-reporter +998-90-7731",
		"relative": "canary-relative Nukus street 7731",
		"note":     "canary private note 7731",
		"totp":     "CANARYTOTPSECRET7731AAAA",
		"password": "canary password 7731 long enough",
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dir, dsn := storetest.Fresh(t, d)
			s, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetKeys(testKeys(t))
			u, err := s.CreateUser(ctx, store.ActorCLI, canaries["email"], "editor")
			if err != nil {
				t.Fatal(err)
			}
			s.SetPendingTOTP(ctx, u.ID, canaries["totp"])
			s.ConfirmTOTP(ctx, u.ID, 5, []string{"hash"})
			s.SetSealed(ctx, u.ID, store.SealedSourceIdentity, "src-1", canaries["identity"])
			s.SetSealed(ctx, u.ID, store.SealedReporterContact, "rep-1", canaries["reporter"])
			s.SetSealed(ctx, u.ID, store.SealedRelativeContact, "per-1", canaries["relative"])
			s.SetSealed(ctx, u.ID, store.SealedPrivateNote, "rec-1", canaries["note"])
			for _, kind := range []string{store.SealedSourceIdentity, store.SealedPrivateNote} {
				if _, err := s.Sealed(ctx, u.ID, kind, map[string]string{store.SealedSourceIdentity: "src-1", store.SealedPrivateNote: "rec-1"}[kind]); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Users(ctx, u.ID); err != nil {
				t.Fatal(err)
			}

			haystack := storetest.AtRest(t, dir, dsn)
			if !bytes.Contains(haystack, []byte("user.email")) {
				t.Fatal("the dump holds no audit entries: the search is broken")
			}
			lower := bytes.ToLower(haystack)
			for what, c := range canaries {
				if bytes.Contains(lower, bytes.ToLower([]byte(c))) {
					t.Errorf("the %s canary %q is in the database in clear", what, c)
				}
			}
		})
	}
}

func TestCheckSealKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		k := s.Keys()
		if ids, err := s.SealKeysInUse(ctx); err != nil || len(ids) != 0 {
			t.Fatalf("empty database: %v %v", ids, err)
		}
		s.CreateUser(ctx, store.ActorCLI, "a@example.org", "viewer")
		s.SetSealed(ctx, "a", store.SealedPrivateNote, "r1", "note")
		if ids, _ := s.SealKeysInUse(ctx); len(ids) != 1 || ids[0] != k.KeyID() {
			t.Errorf("keys in use %v, want [%s]", ids, k.KeyID())
		}
		if err := s.CheckSealKey(ctx, k); err != nil {
			t.Error(err)
		}
		if err := s.CheckSealKey(ctx, testKeys(t)); err == nil || !strings.Contains(err.Error(), k.KeyID()) {
			t.Errorf("another key: %v", err)
		}
	})
}
