package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"rollcall/internal/openrosa/odkcrypt"
	"rollcall/internal/seal"
	"rollcall/internal/store"
)

func TestOpenRosaKeyMadeOnceAndSealed(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, _ store.Dialect) {
		ctx := context.Background()
		if _, err := s.OpenRosaKey(ctx, odkcrypt.NewKeyText); !errors.Is(err, store.ErrNoKeys) {
			t.Fatalf("without the data key: %v", err)
		}
		dir := t.TempDir()
		k, _ := seal.Open(dir, nil)
		s.SetKeys(k)
		made := 0
		generate := func() (string, error) { made++; return odkcrypt.NewKeyText() }
		first, err := s.OpenRosaKey(ctx, generate)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.OpenRosaKey(ctx, generate)
		if err != nil || again != first || made != 1 {
			t.Fatalf("second call: same=%v made=%d err=%v", again == first, made, err)
		}
		if _, err := odkcrypt.ParseKey(first); err != nil {
			t.Fatalf("kept key does not parse: %v", err)
		}
		var atRest string
		if err := raw.QueryRow(`SELECT sealed FROM sealed_values WHERE kind = 'openrosa_key'`).Scan(&atRest); err != nil {
			t.Fatal(err)
		}
		if !seal.IsSealed(atRest) || strings.Contains(atRest, strings.TrimPrefix(first, "odkrsa1:")[:40]) {
			t.Fatalf("the private key is not sealed at rest: %.60q", atRest)
		}
		es, _ := s.AuditEntries(ctx, 0, 10)
		if len(es) != 1 || es[0].Action != "openrosa.key" || es[0].Detail != "created" {
			t.Fatalf("audit: %+v", es)
		}
		// Rotation re-seals it, and it still opens after.
		if err := k.BeginRotation(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResealAll(ctx, store.ActorCLI); err != nil {
			t.Fatal(err)
		}
		if err := k.FinishRotation(dir); err != nil {
			t.Fatal(err)
		}
		if after, err := s.OpenRosaKey(ctx, generate); err != nil || after != first || made != 1 {
			t.Fatalf("after rotation: same=%v made=%d err=%v", after == first, made, err)
		}
	})
}
