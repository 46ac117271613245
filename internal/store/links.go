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
		var err error
		changed, err = s.relinkTx(ctx, tx, now, moves, by, why)
		return err
	})
	return changed, err
}

// relinkTx is Relink inside a transaction of the caller's, so that moves
// can be one step of a larger change (a dedupe run, a decision).
func (s *Store) relinkTx(ctx context.Context, tx *sql.Tx, now int64, moves []Move, by, why string) (int, error) {
	changed := 0
	moved := map[string]map[string]int{} // from → to → records
	for _, m := range moves {
		linkID, current, err := s.currentPerson(ctx, tx, m.RecordID)
		if err != nil {
			return changed, err
		}
		if current == m.PersonID {
			continue
		}
		person := m.PersonID
		if person == "" {
			person = NewID()
		}
		if linkID != "" {
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE links SET unlinked_at = ? WHERE id = ?`), now, linkID); err != nil {
				return changed, err
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO links (id, record_id, person_id, linked_at, by_whom, why) VALUES (?, ?, ?, ?, ?, ?)`),
			NewID(), m.RecordID, person, now, by, why); err != nil {
			return changed, fmt.Errorf("record %s to person %s: %w", m.RecordID, person, err)
		}
		if moved[current] == nil {
			moved[current] = map[string]int{}
		}
		moved[current][person]++
		changed++
	}
	return changed, s.settleAddressesTx(ctx, tx, now, moved, by, why)
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryStrings returns the first column of every row of a query.
func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// currentPerson returns the person a record is in now, and the id of the
// link row that put it there ("" while it is still where it was stored).
func (s *Store) currentPerson(ctx context.Context, q querier, recordID string) (linkID, person string, err error) {
	var link sql.NullString
	err = q.QueryRowContext(ctx, s.rebind(`SELECT l.id, COALESCE(l.person_id, r.person_id) FROM records r
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL WHERE r.id = ?`), recordID).Scan(&link, &person)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("record %s: %w", recordID, ErrNotFound)
	}
	return link.String, person, err
}

// PersonOf returns the person a record belongs to now.
func (s *Store) PersonOf(ctx context.Context, recordID string) (string, error) {
	_, person, err := s.currentPerson(ctx, s.read, recordID)
	return person, err
}
