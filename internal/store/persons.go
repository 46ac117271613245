package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// personExists reports whether a person holds at least one record now.
func (s *Store) personExists(ctx context.Context, q querier, personID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, s.rebind(`SELECT
		(SELECT count(*) FROM links WHERE person_id = ? AND unlinked_at IS NULL) +
		(SELECT count(*) FROM records r WHERE r.person_id = ? AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL))`),
		personID, personID).Scan(&n)
	return n > 0, err
}

// PersonExists reports whether a person holds at least one record now.
func (s *Store) PersonExists(ctx context.Context, personID string) (bool, error) {
	return s.personExists(ctx, s.read, personID)
}

// MoveRecord moves a record into another person now (toPerson), or splits
// it out into a new person of its own (toPerson ""), with who and why; it
// returns the person the record is in afterwards. The link history keeps
// where it was, so past counts are unchanged.
func (s *Store) MoveRecord(ctx context.Context, actor, recordID, toPerson, why string) (string, error) {
	if strings.TrimSpace(why) == "" {
		return "", errors.New("moving a record needs a reason")
	}
	person := toPerson
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockLinks(ctx, tx); err != nil {
			return err
		}
		_, current, err := s.currentPerson(ctx, tx, recordID)
		if err != nil {
			return err
		}
		action := "record.move"
		if toPerson == "" {
			action = "record.split"
			members, err := s.membersTx(ctx, tx, current)
			if err != nil {
				return err
			}
			if len(members) < 2 {
				return ErrCannotMove
			}
			// The id stays with the records it was first shown with: when
			// this record holds more of them than the others, they leave.
			anchors, err := s.anchorsOf(ctx, tx, current)
			if err != nil {
				return err
			}
			var rest []string
			for _, r := range members {
				if r != recordID {
					rest = append(rest, r)
				}
			}
			if anchors[recordID] && countIn(rest, anchors) == 0 {
				if person, err = s.idForLeaving(ctx, tx, rest); err != nil {
					return err
				}
				var moves []Move
				for _, r := range rest {
					moves = append(moves, Move{RecordID: r, PersonID: person})
				}
				if _, err := s.relinkTx(ctx, tx, s.Now().UnixMicro(), moves, actor, why); err != nil {
					return err
				}
				_, err = s.appendAudit(ctx, tx, actor, action, recordID, "from="+current+" to="+current+" others="+person)
				person = current
				return err
			}
			if person, err = s.idForLeaving(ctx, tx, []string{recordID}); err != nil {
				return err
			}
		} else {
			if toPerson == current {
				return ErrCannotMove
			}
			if ok, err := s.personExists(ctx, tx, toPerson); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("person %s: %w", toPerson, ErrNotFound)
			}
		}
		if _, err := s.relinkTx(ctx, tx, s.Now().UnixMicro(), []Move{{RecordID: recordID, PersonID: person}}, actor, why); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, action, recordID, "from="+current+" to="+person)
		return err
	})
	return person, err
}
