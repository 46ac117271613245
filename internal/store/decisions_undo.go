package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rollcall/internal/linkage"
)

// Audit actions of the review.
const (
	AuditReviewDecide = "review.decide" // a decision on a pair (object: the decision)
	AuditReviewUndo   = "review.undo"   // a decision undone (object: the decision)
	AuditReviewPerson = "review.person" // a decision on a queued person (object: the person)
)

// DecisionRecord is a decision with when it was taken and whether it is
// still in force, as the review page shows it.
type DecisionRecord struct {
	Decision
	At      time.Time
	InForce bool
}

// queuedRow is a review queue row as a decision keeps it for its undo.
type queuedRow struct {
	ID           string  `json:"id"`
	Weight       float64 `json:"weight"`
	Evidence     string  `json:"evidence"`
	Impact       int     `json:"impact"`
	ImpactReason string  `json:"impact_reason"`
	QueuedAt     int64   `json:"queued_at"`
}

// queueRowTx is the queue's row of the pair as JSON, "" when not queued.
func (s *Store) queueRowTx(ctx context.Context, tx *sql.Tx, a, b string) (string, error) {
	var q queuedRow
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT id, weight, evidence, impact, impact_reason, queued_at FROM review_queue WHERE record_a = ? AND record_b = ?`), a, b).
		Scan(&q.ID, &q.Weight, &q.Evidence, &q.Impact, &q.ImpactReason, &q.QueuedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	j, err := json.Marshal(q)
	return string(j), err
}

const decisionColumns = `id, record_a, record_b, verdict, by_whom, why, decided_at, superseded_at IS NULL`

func scanDecision(row interface{ Scan(...any) error }) (DecisionRecord, error) {
	var d DecisionRecord
	var at int64
	err := row.Scan(&d.ID, &d.RecordA, &d.RecordB, &d.Verdict, &d.By, &d.Why, &at, &d.InForce)
	d.At = time.UnixMicro(at).UTC()
	return d, err
}

// DecisionByID returns one decision; ErrNotFound when there is none.
func (s *Store) DecisionByID(ctx context.Context, id string) (DecisionRecord, error) {
	d, err := scanDecision(s.read.QueryRowContext(ctx, s.rebind(`SELECT `+decisionColumns+` FROM decisions WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("decision %s: %w", id, ErrNotFound)
	}
	return d, err
}

// LastDecisionBy returns the latest pair decision in force that this
// person took on a pair (not as part of a person's split, which cannot be
// undone alone); ErrNotFound when there is none.
func (s *Store) LastDecisionBy(ctx context.Context, by string) (DecisionRecord, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT `+decisionColumns+` FROM decisions
		WHERE by_whom = ? AND superseded_at IS NULL ORDER BY decided_at DESC, id DESC LIMIT 50`), by)
	if err != nil {
		return DecisionRecord{}, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return d, err
		}
		if !partOfPersonSplit(d.Why) {
			return d, nil
		}
	}
	if err := rows.Err(); err != nil {
		return DecisionRecord{}, err
	}
	return DecisionRecord{}, fmt.Errorf("no decision by %s: %w", by, ErrNotFound)
}

// UndoBlockedError refuses an undo that later work depends on: decisions
// in force taken after it on records of the persons it joined or parted,
// and records moved since by other means (a dedupe run, an editor).
type UndoBlockedError struct {
	Decision DecisionRecord
	Later    []DecisionRecord
	Moved    []string // records moved since, other than by Later
}

func (e *UndoBlockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "decision %s cannot be undone: later work depends on it:", e.Decision.ID)
	for _, d := range e.Later {
		fmt.Fprintf(&b, " decision %s (%s %s %s, by %s);", d.ID, d.RecordA, d.Verdict, d.RecordB, d.By)
	}
	if len(e.Moved) > 0 {
		fmt.Fprintf(&b, " records moved since: %s;", strings.Join(e.Moved, ", "))
	}
	b.WriteString(" undo those first")
	return b.String()
}

// ErrNotInForce refuses an undo of a decision already superseded or undone.
var ErrNotInForce = errors.New("the decision is no longer in force (decided again or undone)")

// ErrPartOfSplit refuses an undo of one of the pair decisions a person's
// split made: undone alone it would leave the split half done. The person
// is decided again instead.
var ErrPartOfSplit = errors.New("the decision is part of a person's split; decide the pairs or the person again instead")

// UndoDecision undoes a pair decision in force, in one transaction: the
// records it moved go back to the persons they were in, the decision on
// the pair before it (if any) is in force again, the pair is queued again
// as it was, and the undo is an audit entry. Nothing is deleted: the
// decision stays as history (superseded), the links keep their history.
// Refused with *UndoBlockedError when later decisions or moves depend on
// it; ErrNotFound for no such decision, ErrNotInForce for one not in force.
func (s *Store) UndoDecision(ctx context.Context, id, by string) (DecisionRecord, error) {
	if strings.TrimSpace(by) == "" {
		return DecisionRecord{}, errors.New("an undo needs the name of who did it")
	}
	var d DecisionRecord
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockLinks(ctx, tx); err != nil {
			return err
		}
		var err error
		var queued string
		var at int64
		d, err = scanDecision(tx.QueryRowContext(ctx, s.rebind(`SELECT `+decisionColumns+` FROM decisions WHERE id = ?`), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("decision %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !d.InForce {
			return fmt.Errorf("decision %s: %w", id, ErrNotInForce)
		}
		if partOfPersonSplit(d.Why) {
			return fmt.Errorf("decision %s: %w", id, ErrPartOfSplit)
		}
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT queued, decided_at FROM decisions WHERE id = ?`), id).Scan(&queued, &at); err != nil {
			return err
		}
		records, err := s.decisionReach(ctx, tx, d)
		if err != nil {
			return err
		}
		blocked := &UndoBlockedError{Decision: d}
		if blocked.Later, err = s.laterDecisions(ctx, tx, d, at, records); err != nil {
			return err
		}
		moves, moved, err := s.undoMoves(ctx, tx, d.ID, at, records)
		if err != nil {
			return err
		}
		byLater := map[string]bool{}
		for _, l := range blocked.Later {
			byLater[l.RecordA], byLater[l.RecordB] = true, true
		}
		for _, r := range moved {
			if !byLater[r] {
				blocked.Moved = append(blocked.Moved, r)
			}
		}
		if len(blocked.Later) > 0 || len(moved) > 0 {
			return blocked
		}
		now := s.Now().UnixMicro()
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE decisions SET superseded_at = ? WHERE id = ?`), now, d.ID); err != nil {
			return err
		}
		// The decision it superseded, if any, is in force again.
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE decisions SET superseded_at = NULL WHERE id = (
			SELECT id FROM decisions WHERE record_a = ? AND record_b = ? AND superseded_at = ? AND id <> ? ORDER BY decided_at DESC, id DESC LIMIT 1)`),
			d.RecordA, d.RecordB, at, d.ID); err != nil {
			return err
		}
		n, err := s.relinkTx(ctx, tx, now, moves, by, "undo of decision "+d.ID)
		if err != nil {
			return err
		}
		if queued != "" {
			var q queuedRow
			if err := json.Unmarshal([]byte(queued), &q); err != nil {
				return fmt.Errorf("decision %s: queued: %w", d.ID, err)
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO review_queue (id, record_a, record_b, weight, evidence, queued_at, impact, impact_reason)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), q.ID, d.RecordA, d.RecordB, q.Weight, q.Evidence, q.QueuedAt, q.Impact, q.ImpactReason); err != nil {
				return err
			}
		}
		_, err = s.appendAudit(ctx, tx, by, AuditReviewUndo, d.ID, fmt.Sprintf("a=%s b=%s verdict=%s moved=%d", d.RecordA, d.RecordB, d.Verdict, n))
		return err
	})
	if err == nil {
		d.InForce = false
	}
	return d, err
}

// decisionReach is every record of the persons the decision's two records
// are in now: what it joined or parted, and what later work may touch.
func (s *Store) decisionReach(ctx context.Context, tx *sql.Tx, d DecisionRecord) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, r := range []string{d.RecordA, d.RecordB} {
		_, person, err := s.currentPerson(ctx, tx, r)
		if err != nil {
			return nil, err
		}
		members, err := s.membersTx(ctx, tx, person)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// laterDecisions are the decisions in force taken after at that touch
// any of the records, oldest first.
func (s *Store) laterDecisions(ctx context.Context, tx *sql.Tx, d DecisionRecord, at int64, records []string) ([]DecisionRecord, error) {
	var out []DecisionRecord
	for _, verdict := range []string{linkage.Same, linkage.Different, linkage.Unsure} {
		ds, err := s.decisionsOf(ctx, tx, verdict, records)
		if err != nil {
			return nil, err
		}
		for _, x := range ds {
			if x.ID == d.ID {
				continue
			}
			full, err := scanDecision(tx.QueryRowContext(ctx, s.rebind(`SELECT `+decisionColumns+` FROM decisions WHERE id = ? AND decided_at > ?`), x.ID, at))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, full)
		}
	}
	return out, nil
}

// undoMoves are the moves that put the records the decision moved back
// where they were, and the records among them (or among records) moved
// again since, which an undo must not move back over.
func (s *Store) undoMoves(ctx context.Context, tx *sql.Tx, decisionID string, at int64, records []string) ([]Move, []string, error) {
	made, err := queryStrings(ctx, tx, s.rebind(`SELECT record_id FROM links WHERE why LIKE ? AND linked_at = ?`), "decision "+decisionID+":%", at)
	if err != nil {
		return nil, nil, err
	}
	var moves []Move
	var moved []string
	for _, r := range made {
		var before sql.NullString
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT person_id FROM links WHERE record_id = ? AND unlinked_at = ? ORDER BY linked_at DESC LIMIT 1`), r, at).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
		person := before.String
		if !before.Valid {
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT person_id FROM records WHERE id = ?`), r).Scan(&person); err != nil {
				return nil, nil, err
			}
		}
		moves = append(moves, Move{RecordID: r, PersonID: person})
	}
	for _, r := range append(made, records...) {
		var later int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM links WHERE record_id = ? AND linked_at > ?`), r, at).Scan(&later); err != nil {
			return nil, nil, err
		}
		if later > 0 && !slices.Contains(moved, r) {
			moved = append(moved, r)
		}
	}
	return moves, moved, nil
}
