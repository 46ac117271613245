package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// Move puts a record into a person; an empty PersonID makes a new person.
type Move struct {
	RecordID string
	PersonID string
}

// Relink moves records between persons in one transaction. The current
// link of each record is closed and a new one opened at the same moment,
// so that counts as known before the move stay exactly as they were.
// Moving a record to the person it is in already changes nothing.
func (s *Store) Relink(ctx context.Context, moves []Move, by, why string) (int, error) {
	now := s.Now().UnixMicro()
	changed := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range moves {
			var linkID, current string
			err := tx.QueryRowContext(ctx, s.rebind(`SELECT id, person_id FROM links WHERE record_id = ? AND unlinked_at IS NULL`), m.RecordID).Scan(&linkID, &current)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("record %s: %w", m.RecordID, ErrNotFound)
			}
			if err != nil {
				return err
			}
			if current == m.PersonID {
				continue
			}
			person := m.PersonID
			if person == "" {
				person = NewID()
				if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO persons (id, created_at) VALUES (?, ?)`), person, now); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE links SET unlinked_at = ? WHERE id = ?`), now, linkID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO links (id, record_id, person_id, linked_at, by_whom, why) VALUES (?, ?, ?, ?, ?, ?)`),
				NewID(), m.RecordID, person, now, by, why); err != nil {
				return fmt.Errorf("record %s to person %s: %w", m.RecordID, person, err)
			}
			changed++
		}
		return nil
	})
	return changed, err
}

// PersonOf returns the person a record belongs to now.
func (s *Store) PersonOf(ctx context.Context, recordID string) (string, error) {
	var person string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT person_id FROM links WHERE record_id = ? AND unlinked_at IS NULL`), recordID).Scan(&person)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("record %s: %w", recordID, ErrNotFound)
	}
	return person, err
}

// RetractClaim withdraws a claim from now on; it stays stored, so counts as
// known before the retraction are unchanged. Retracting twice is an error.
func (s *Store) RetractClaim(ctx context.Context, claimID string) error {
	res, err := s.write.ExecContext(ctx, s.rebind(`UPDATE claims SET retracted_at = ? WHERE id = ? AND retracted_at IS NULL`), s.Now().UnixMicro(), claimID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("claim %s (or it is retracted already): %w", claimID, ErrNotFound)
	}
	return nil
}
