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

// SourceBasis is an editor's recorded statement that a source published
// the names it gives itself (a media list, a court verdict, an official
// statement): who, when and why. An empty Text is a withdrawn basis.
type SourceBasis struct {
	SourceID string
	Text     string
	By       string
	At       time.Time
}

// Errors of SetSourceBasis.
var (
	ErrBasisNeedsText  = errors.New("a public basis needs a statement of where the source published these names")
	ErrReportFormBasis = errors.New("the public report form's records never give a public basis: families are told nothing is published until they agree")
)

// SetSourceBasis records (text not empty) or withdraws (text empty, with
// withdraw) the public basis of the source with this key, audited. It
// refuses the report form's source, a basis without text, and
// ErrDuplicate when nothing would change. It does not refresh the public
// list: call RefreshPublic.
func (s *Store) SetSourceBasis(ctx context.Context, actor, key, text string, withdraw bool) error {
	text = strings.TrimSpace(text)
	if !withdraw && text == "" {
		return ErrBasisNeedsText
	}
	if withdraw {
		text = ""
	}
	if key == PublicReportsSource && !withdraw {
		return ErrReportFormBasis
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT id FROM sources WHERE key = ?`), key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("source %q: %w", key, ErrNotFound)
		}
		if err != nil {
			return err
		}
		old, err := s.sourceBasis(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Text == text {
			return fmt.Errorf("source %s: the public basis is already so: %w", key, ErrDuplicate)
		}
		rowID := NewID()
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO source_basis (id, source_id, basis, by_whom, set_at) VALUES (?, ?, ?, ?, ?)`),
			rowID, id, text, actor, s.Now().UnixMicro()); err != nil {
			return err
		}
		action := "source.basis"
		if withdraw {
			action = "source.basis_withdrawn"
		}
		_, err = s.appendAudit(ctx, tx, actor, action, id, rowID)
		return err
	})
}

func (s *Store) sourceBasis(ctx context.Context, q querier, sourceID string) (SourceBasis, error) {
	b := SourceBasis{SourceID: sourceID}
	var at int64
	err := q.QueryRowContext(ctx, s.rebind(`SELECT basis, by_whom, set_at FROM source_basis WHERE source_id = ? ORDER BY set_at DESC, id DESC LIMIT 1`), sourceID).
		Scan(&b.Text, &b.By, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil
	}
	b.At = time.UnixMicro(at).UTC()
	return b, err
}

// SourceBasisOf returns the public basis in force of a source (by id):
// Text empty when it has none.
func (s *Store) SourceBasisOf(ctx context.Context, sourceID string) (SourceBasis, error) {
	return s.sourceBasis(ctx, s.read, sourceID)
}

// sourcesWithBasis returns the ids of the sources whose public basis is in
// force. The report form's source is never among them.
func (s *Store) sourcesWithBasis(ctx context.Context) (map[string]bool, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT b.source_id, b.basis FROM source_basis b JOIN sources s ON s.id = b.source_id
		WHERE s.key <> ? ORDER BY b.source_id, b.set_at, b.id`), PublicReportsSource)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		out[id] = text != ""
	}
	return out, rows.Err()
}

// markInForce is a person's latest mark and what it carries.
type markInForce struct {
	mark    registry.Publicity
	consent bool
	legacy  bool
}

// currentMarks returns each marked person's mark in force.
func (s *Store) currentMarks(ctx context.Context) (map[string]markInForce, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT m.person_id, m.mark, m.legacy,
		EXISTS (SELECT 1 FROM person_consents c WHERE c.publicity_id = m.id)
		FROM person_publicity m ORDER BY m.person_id, m.marked_at, m.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	marks := map[string]markInForce{}
	for rows.Next() {
		var p, m string
		var legacy int
		var consent bool
		if err := rows.Scan(&p, &m, &legacy, &consent); err != nil {
			return nil, err
		}
		marks[p] = markInForce{registry.Publicity(m), consent, legacy == 1}
	}
	return marks, rows.Err()
}

// LegacyPublic returns the persons whose mark in force is the migration's
// "public before the publication rule", for editors to review.
func (s *Store) LegacyPublic(ctx context.Context) ([]string, error) {
	marks, err := s.currentMarks(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for p, m := range marks {
		if m.mark == registry.MarkPublic && m.legacy {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}
