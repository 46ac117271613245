package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"rollcall/internal/linkage"
)

// Decision is a person's verdict on a pair of records: linkage.Same,
// linkage.Different or linkage.Unsure. Decisions are appended; a later one
// on the same pair supersedes the earlier, which stays as history.
type Decision struct {
	ID               string
	RecordA, RecordB string
	Verdict          string
	By, Why          string
}

// DecisionOutcome says what a decision changed.
type DecisionOutcome struct {
	Decision Decision
	Moved    int    // records moved to another person
	Person   string // the person record A is in afterwards
}

// ConflictError refuses a decision that contradicts decisions in force:
// "same" across a "different", or "different" inside a "same".
type ConflictError struct {
	Verdict   string
	Conflicts []Decision // the decisions in force it contradicts
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q contradicts decisions people took before:", e.Verdict)
	for _, d := range e.Conflicts {
		fmt.Fprintf(&b, " %s %s %s (by %s);", d.RecordA, d.Verdict, d.RecordB, d.By)
	}
	b.WriteString(" decide those pairs again first")
	return b.String()
}

// decisionsInForce returns the latest decision on every decided pair.
func (s *Store) decisionsInForce(ctx context.Context, tx *sql.Tx) ([]linkage.Decision, error) {
	rows, err := tx.QueryContext(ctx, `SELECT record_a, record_b, verdict FROM decisions WHERE superseded_at IS NULL ORDER BY record_a, record_b`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []linkage.Decision
	for rows.Next() {
		var d linkage.Decision
		if err := rows.Scan(&d.A, &d.B, &d.Verdict); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DecideQueued records a decision on a queued pair, applies it at once and
// takes the pair off the queue; see Decide.
func (s *Store) DecideQueued(ctx context.Context, pairID, verdict, by, why string) (DecisionOutcome, error) {
	var out DecisionOutcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var a, b string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT record_a, record_b FROM review_queue WHERE id = ?`), pairID).Scan(&a, &b)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("pair %s is not in the review queue: %w", pairID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		out, err = s.decideTx(ctx, tx, a, b, verdict, by, why)
		return err
	})
	return out, err
}

// Decide records a decision on two records and applies it at once, in one
// transaction:
//   - same: every record of B's person moves into A's person;
//   - different: if A and B are in one person, B leaves it for a new person,
//     together with the records people decided are the same as B (so no
//     "same" decision is undone); the records the model had linked to B
//     stay with A until the next dedupe run weighs them again;
//   - unsure: nothing moves.
//
// Any verdict takes the pair off the review queue. A decision that
// contradicts decisions in force is refused with a *ConflictError.
func (s *Store) Decide(ctx context.Context, recordA, recordB, verdict, by, why string) (DecisionOutcome, error) {
	var out DecisionOutcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.decideTx(ctx, tx, recordA, recordB, verdict, by, why)
		return err
	})
	return out, err
}

func (s *Store) decideTx(ctx context.Context, tx *sql.Tx, recordA, recordB, verdict, by, why string) (DecisionOutcome, error) {
	switch verdict {
	case linkage.Same, linkage.Different, linkage.Unsure:
	default:
		return DecisionOutcome{}, fmt.Errorf("verdict %q: want same, different or unsure", verdict)
	}
	if recordA == recordB {
		return DecisionOutcome{}, errors.New("a decision needs two different records")
	}
	if by == "" {
		return DecisionOutcome{}, errors.New("a decision needs the name of who took it")
	}
	if err := s.lockLinks(ctx, tx); err != nil {
		return DecisionOutcome{}, err
	}
	now := s.Now().UnixMicro()
	a, b := orderPair(recordA, recordB)
	d := Decision{ID: NewID(), RecordA: a, RecordB: b, Verdict: verdict, By: by, Why: why}
	if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE decisions SET superseded_at = ? WHERE record_a = ? AND record_b = ? AND superseded_at IS NULL`), now, a, b); err != nil {
		return DecisionOutcome{}, err
	}
	// "unsure" leaves the pair queued (the list shows it under "unsure");
	// "same" and "different" take it off, keeping its row for an undo.
	queued := ""
	if verdict != linkage.Unsure {
		row, err := s.queueRowTx(ctx, tx, a, b)
		if err != nil {
			return DecisionOutcome{}, err
		}
		queued = row
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM review_queue WHERE record_a = ? AND record_b = ?`), a, b); err != nil {
			return DecisionOutcome{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO decisions (id, record_a, record_b, verdict, by_whom, why, decided_at, queued) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		d.ID, a, b, verdict, by, why, now, queued); err != nil {
		return DecisionOutcome{}, fmt.Errorf("decision on %s and %s: %w", a, b, err)
	}
	out := DecisionOutcome{Decision: d}
	// Keep the caller's order from here on: A is the record that stays.
	_, personA, err := s.currentPerson(ctx, tx, recordA)
	if err != nil {
		return out, err
	}
	_, personB, err := s.currentPerson(ctx, tx, recordB)
	if err != nil {
		return out, err
	}
	out.Person = personA
	var moves []Move
	switch {
	case verdict == linkage.Same && personA != personB:
		membersA, err := s.membersTx(ctx, tx, personA)
		if err != nil {
			return out, err
		}
		membersB, err := s.membersTx(ctx, tx, personB)
		if err != nil {
			return out, err
		}
		if conflicts, err := s.decisionsAcross(ctx, tx, linkage.Different, membersA, membersB); err != nil {
			return out, err
		} else if len(conflicts) > 0 {
			return out, &ConflictError{Verdict: verdict, Conflicts: conflicts}
		}
		// The id shown publicly first survives; the other redirects to it.
		survivor, leaving := personA, membersB
		if bFirst, err := s.earlierShown(ctx, tx, personA, personB); err != nil {
			return out, err
		} else if bFirst {
			survivor, leaving, out.Person = personB, membersA, personB
		}
		for _, r := range leaving {
			moves = append(moves, Move{RecordID: r, PersonID: survivor})
		}
	case verdict == linkage.Different && personA == personB:
		members, err := s.membersTx(ctx, tx, personA)
		if err != nil {
			return out, err
		}
		group, joining, err := s.sameGroup(ctx, tx, recordB, members)
		if err != nil {
			return out, err
		}
		if group[recordA] {
			return out, &ConflictError{Verdict: verdict, Conflicts: joining}
		}
		// The id stays with the records it was first shown with: when
		// B's group holds more of them, A's side leaves instead.
		anchors, err := s.anchorsOf(ctx, tx, personA)
		if err != nil {
			return out, err
		}
		var groupRecords, rest []string
		for _, r := range members {
			if group[r] {
				groupRecords = append(groupRecords, r)
			} else {
				rest = append(rest, r)
			}
		}
		leaving, aLeaves := groupRecords, false
		if countIn(groupRecords, anchors) > countIn(rest, anchors) {
			leaving, aLeaves = rest, true
		}
		person, err := s.idForLeaving(ctx, tx, leaving)
		if err != nil {
			return out, err
		}
		if aLeaves {
			out.Person = person
		}
		for _, r := range leaving {
			moves = append(moves, Move{RecordID: r, PersonID: person})
		}
	}
	if out.Moved, err = s.relinkTx(ctx, tx, now, moves, by, fmt.Sprintf("decision %s: %s", d.ID, verdict)); err != nil {
		return out, err
	}
	_, err = s.appendAudit(ctx, tx, by, AuditReviewDecide, d.ID, fmt.Sprintf("a=%s b=%s verdict=%s moved=%d", a, b, verdict, out.Moved))
	return out, err
}

// membersTx lists the records in a person now.
func (s *Store) membersTx(ctx context.Context, tx querier, person string) ([]string, error) {
	return queryStrings(ctx, tx, s.rebind(`
		SELECT r.id FROM records r WHERE r.person_id = ?
		  AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL)
		UNION
		SELECT record_id FROM links WHERE person_id = ? AND unlinked_at IS NULL
		ORDER BY 1`), person, person)
}

// decisionsOf returns the decisions in force with this verdict that touch
// any of the records.
func (s *Store) decisionsOf(ctx context.Context, tx *sql.Tx, verdict string, records []string) ([]Decision, error) {
	var out []Decision
	const perStatement = 400
	for start := 0; start < len(records); start += perStatement {
		part := records[start:min(start+perStatement, len(records))]
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")
		args := []any{verdict}
		for _, r := range part {
			args = append(args, r)
		}
		for _, r := range part {
			args = append(args, r)
		}
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT id, record_a, record_b, verdict, by_whom, why FROM decisions
			WHERE superseded_at IS NULL AND verdict = ? AND (record_a IN (`+marks+`) OR record_b IN (`+marks+`))`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d Decision
			if err := rows.Scan(&d.ID, &d.RecordA, &d.RecordB, &d.Verdict, &d.By, &d.Why); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decisionsAcross returns the decisions in force with this verdict
// between a record of xs and a record of ys.
func (s *Store) decisionsAcross(ctx context.Context, tx *sql.Tx, verdict string, xs, ys []string) ([]Decision, error) {
	ds, err := s.decisionsOf(ctx, tx, verdict, xs)
	if err != nil {
		return nil, err
	}
	inX, inY := set(xs), set(ys)
	var out []Decision
	for _, d := range ds {
		if inX[d.RecordA] && inY[d.RecordB] || inY[d.RecordA] && inX[d.RecordB] {
			out = append(out, d)
		}
	}
	return out, nil
}

// sameGroup returns record and, among members, every record that "same"
// decisions in force join to it, directly or through others, with the
// decisions that join them.
func (s *Store) sameGroup(ctx context.Context, tx *sql.Tx, record string, members []string) (map[string]bool, []Decision, error) {
	ds, err := s.decisionsOf(ctx, tx, linkage.Same, members)
	if err != nil {
		return nil, nil, err
	}
	inPerson := set(members)
	next := map[string][]string{}
	for _, d := range ds {
		if inPerson[d.RecordA] && inPerson[d.RecordB] {
			next[d.RecordA] = append(next[d.RecordA], d.RecordB)
			next[d.RecordB] = append(next[d.RecordB], d.RecordA)
		}
	}
	group := map[string]bool{record: true}
	for todo := []string{record}; len(todo) > 0; {
		r := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, o := range next[r] {
			if !group[o] {
				group[o] = true
				todo = append(todo, o)
			}
		}
	}
	var joining []Decision
	for _, d := range ds {
		if group[d.RecordA] && group[d.RecordB] {
			joining = append(joining, d)
		}
	}
	return group, joining, nil
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// DecisionsOf returns every decision ever taken on the pair, oldest first,
// with the one in force last.
func (s *Store) DecisionsOf(ctx context.Context, recordA, recordB string) ([]Decision, error) {
	a, b := orderPair(recordA, recordB)
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT id, record_a, record_b, verdict, by_whom, why FROM decisions
		WHERE record_a = ? AND record_b = ? ORDER BY decided_at, id`), a, b)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.RecordA, &d.RecordB, &d.Verdict, &d.By, &d.Why); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
