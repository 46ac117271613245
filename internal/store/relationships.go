package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rollcall/internal/registry"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// AddRelation records that person a is kind of person b, with the
// relative's contact details (how to reach them) sealed.
func (s *Store) AddRelation(ctx context.Context, actor, a, b string, kind registry.RelationshipKind, contact string) (string, error) {
	if !slices.Contains(registry.RelationshipKinds, kind) {
		return "", fmt.Errorf("relationship %q: want parent, child, sibling, spouse or colleague", kind)
	}
	if a == b {
		return "", errors.New("a person is not their own relative")
	}
	id := NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range []string{a, b} {
			if ok, err := s.personExists(ctx, tx, p); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("person %s: %w", p, ErrNotFound)
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO relationships (id, person_a, person_b, kind, recorded_at) VALUES (?, ?, ?, ?, ?)`),
			id, a, b, string(kind), s.Now().UnixMicro()); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, actor, "relationship.add", id, "kind="+string(kind)); err != nil {
			return err
		}
		return s.setSealedTx(ctx, tx, actor, SealedRelativeContact, id, contact)
	})
	return id, err
}

// PersonRelation is a relationship as the workspace shows it, with why it
// was retracted.
type PersonRelation struct {
	registry.Relationship
	RetractReason string
}

// ErrRelationRetracted refuses retracting a relationship twice.
var ErrRelationRetracted = errors.New("the relationship is retracted already")

const relationColumns = `SELECT id, person_a, person_b, kind, recorded_at, COALESCE(retracted_at, 0), retract_reason FROM relationships`

func (s *Store) scanRelations(ctx context.Context, where string, args ...any) ([]PersonRelation, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(relationColumns+" "+where+" ORDER BY recorded_at, id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonRelation
	for rows.Next() {
		var r PersonRelation
		var kind string
		var recorded, retracted int64
		if err := rows.Scan(&r.ID, &r.PersonA, &r.PersonB, &kind, &recorded, &retracted, &r.RetractReason); err != nil {
			return nil, err
		}
		r.Kind = registry.RelationshipKind(kind)
		r.RecordedAt = time.UnixMicro(recorded).UTC()
		if retracted != 0 {
			r.RetractedAt = time.UnixMicro(retracted).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RelationsOf returns the relationships a person is part of, retracted
// ones included, in the order they were recorded.
func (s *Store) RelationsOf(ctx context.Context, personID string) ([]PersonRelation, error) {
	return s.scanRelations(ctx, `WHERE person_a = ? OR person_b = ?`, personID, personID)
}

// Relation returns one relationship by id.
func (s *Store) Relation(ctx context.Context, id string) (PersonRelation, error) {
	rels, err := s.scanRelations(ctx, `WHERE id = ?`, id)
	if err != nil {
		return PersonRelation{}, err
	}
	if len(rels) == 0 {
		return PersonRelation{}, fmt.Errorf("relationship %s: %w", id, ErrNotFound)
	}
	return rels[0], nil
}

// RetractRelation withdraws a relationship from now on, with who (the
// audit entry) and why (kept with the relationship). The row stays, so
// what was known before is unchanged; the public pages stop showing it at
// the next rebuild of the public list.
func (s *Store) RetractRelation(ctx context.Context, actor, id, why string) error {
	if strings.TrimSpace(why) == "" {
		return errors.New("retracting a relationship needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE relationships SET retracted_at = ?, retract_reason = ? WHERE id = ? AND retracted_at IS NULL`), s.Now().UnixMicro(), why, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var count int
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM relationships WHERE id = ?`), id).Scan(&count); err != nil {
				return err
			}
			if count == 0 {
				return fmt.Errorf("relationship %s: %w", id, ErrNotFound)
			}
			return ErrRelationRetracted
		}
		_, err = s.appendAudit(ctx, tx, actor, "relationship.retract", id, "")
		return err
	})
}
