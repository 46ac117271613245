package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"rollcall/internal/registry"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// AddSource stores a new source with its kind and reliability and, when
// identity is not empty, who the source is, sealed.
func (s *Store) AddSource(ctx context.Context, actor, key string, kind registry.SourceKind, reliability int, identity string) (string, error) {
	if strings.TrimSpace(key) == "" {
		return "", errors.New("a source needs a key")
	}
	if reliability < 0 || reliability > 5 {
		return "", fmt.Errorf("reliability %d: want 0 (unknown) to 5", reliability)
	}
	id := NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sources WHERE key = ?`), key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("source %q: %w", key, ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sources (id, key, kind, reliability, created_at) VALUES (?, ?, ?, ?, ?)`),
			id, key, string(kind), reliability, s.Now().UnixMicro()); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, actor, "source.add", id, "kind="+string(kind)); err != nil {
			return err
		}
		return s.setSealedTx(ctx, tx, actor, SealedSourceIdentity, id, identity)
	})
	return id, err
}

// SetSourceRating changes a source's kind and reliability (the workspace's
// `rollcall source set`), with an audit entry naming the old and new
// values. Setting what it is already is ErrDuplicate and writes nothing.
func (s *Store) SetSourceRating(ctx context.Context, actor, id string, kind registry.SourceKind, reliability int) error {
	if reliability < 0 || reliability > 5 {
		return fmt.Errorf("reliability %d: want 0 (unknown) to 5", reliability)
	}
	if _, err := registry.ParseSourceKind(string(kind)); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var oldKind string
		var oldReliability int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT kind, reliability FROM sources WHERE id = ?`), id).Scan(&oldKind, &oldReliability)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("source %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if oldKind == string(kind) && oldReliability == reliability {
			return fmt.Errorf("source %s is %s, %d already: %w", id, kind, reliability, ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE sources SET kind = ?, reliability = ? WHERE id = ?`), string(kind), reliability, id); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "source.set", id, fmt.Sprintf("kind=%s reliability=%d from kind=%s reliability=%d", kind, reliability, oldKind, oldReliability))
		return err
	})
}
