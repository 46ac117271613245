package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// ErrDuplicate is returned when a row that must be unique exists already
// (a source key, the same claim twice in a record).
var ErrDuplicate = errors.New("exists already")

// setSealedTx seals value and stores it as the kind of ownerID, with its
// audit entry, inside the caller's transaction, so that a sealed value
// lands with the object it belongs to or not at all (SetSealed, which
// replaces an earlier value, writes through it too). An empty value
// writes nothing.
func (s *Store) setSealedTx(ctx context.Context, tx *sql.Tx, actor, kind, ownerID, value string) error {
	if value == "" {
		return nil
	}
	if s.keys == nil {
		return ErrNoKeys
	}
	if !sealedKinds[kind] || len(value) > maxSealedValue {
		return fmt.Errorf("sealed value of kind %q: unknown kind or longer than %d bytes", kind, maxSealedValue)
	}
	sealed, err := s.keys.SealString(sealedPlace(kind, ownerID), value)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sealed_values (kind, owner_id, sealed, updated_at) VALUES (?, ?, ?, ?)`),
		kind, ownerID, sealed, s.Now().UnixMicro()); err != nil {
		return err
	}
	_, err = s.appendAudit(ctx, tx, actor, "sealed.write", ownerID, kind)
	return err
}

// HasSealed reports whether ownerID has a sealed value of kind, without
// opening it (pages say "kept sealed" and offer to reveal it).
func (s *Store) HasSealed(ctx context.Context, kind, ownerID string) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sealed_values WHERE kind = ? AND owner_id = ?`), kind, ownerID).Scan(&n)
	return n > 0, err
}

// Exists reports whether a row with id is in table, one of the tables
// whose rows own sealed values the workspace opens: a consent's giver is
// opened through the consent, a relative's contact through the
// relationship, never one through the other.
func (s *Store) Exists(ctx context.Context, table, id string) (bool, error) {
	switch table {
	case "person_consents", "relationships", "sources", "claims":
	default:
		return false, fmt.Errorf("table %q: not one whose rows own sealed values", table)
	}
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM `+table+` WHERE id = ?`), id).Scan(&n)
	return n > 0, err
}
