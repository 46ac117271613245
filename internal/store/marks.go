package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"rollcall/internal/registry"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// Consent is a recorded consent as pages show it: who gave it stays
// sealed (a relative_contact sealed value owned by ID).
type Consent struct {
	ID         string
	PersonID   string
	Given      registry.Day
	How        string
	RecordedBy string
	RecordedAt time.Time
}

// MarkWithConsent appends a mark on a person (withheld or public) under
// the rule of registry.CheckMark: public only with a complete consent or a
// recorded reason. The consent is stored with the mark, who gave it
// sealed; the mark, the consent and the audit entry land together. It
// does not refresh the public list: call RefreshPublic.
func (s *Store) MarkWithConsent(ctx context.Context, actor, personID string, mark registry.Publicity, reason string, c registry.Consent) error {
	_, err := s.MarkMany(ctx, actor, []string{personID}, mark, reason, c)
	var missing *MarkError
	if errors.As(err, &missing) {
		return fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	return err
}

// markTx appends one mark (and its consent, if complete) with its audit
// entry; the caller checked the mark and that the person exists.
func (s *Store) markTx(ctx context.Context, tx *sql.Tx, actor, personID string, mark registry.Publicity, reason string, c registry.Consent) error {
	now := s.Now().UnixMicro()
	markID := NewID()
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at) VALUES (?, ?, ?, ?, ?, ?)`),
		markID, personID, string(mark), reason, actor, now); err != nil {
		return err
	}
	detail := "mark=" + string(mark)
	if c.Complete() {
		consentID := NewID()
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_consents (id, person_id, publicity_id, given_on, how, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			consentID, personID, markID, int64(c.Given), strings.TrimSpace(c.How), actor, now); err != nil {
			return err
		}
		if err := s.setSealedTx(ctx, tx, actor, SealedRelativeContact, consentID, strings.TrimSpace(c.GivenBy)); err != nil {
			return err
		}
		detail += " consent=" + consentID
	}
	_, err := s.appendAudit(ctx, tx, actor, "person.mark", personID, detail)
	return err
}

// Consents returns the consents recorded for a person, oldest first.
func (s *Store) Consents(ctx context.Context, personID string) ([]Consent, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT id, given_on, how, recorded_by, recorded_at FROM person_consents WHERE person_id = ? ORDER BY recorded_at, id`), personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		c := Consent{PersonID: personID}
		var given, at int64
		if err := rows.Scan(&c.ID, &given, &c.How, &c.RecordedBy, &at); err != nil {
			return nil, err
		}
		c.Given = registry.Day(given)
		c.RecordedAt = time.UnixMicro(at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
