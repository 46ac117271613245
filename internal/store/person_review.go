package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"rollcall/internal/linkage"
)

// Verdicts on a person as a whole.
const (
	PersonKeep  = "keep"  // the records are one person, conflicts and all
	PersonSplit = "split" // the records are the people of the proposed split
)

// PersonReview is a person whose records conflict, queued for people to
// look at beside the pairs: the conflicts, the split the model would make,
// and what deciding it would change.
type PersonReview struct {
	PersonID     string
	Records      []ReviewRecord
	Conflicts    []linkage.Conflict
	Split        [][]string
	Impact       int
	ImpactReason string
}

// QueueSuspects replaces the person review queue with the persons whose
// records conflict (linkage.Suspects over the clusters just applied). A
// person people decided to keep, with the same records, is not queued again.
func (s *Store) QueueSuspects(ctx context.Context, suspects []linkage.Suspect) error {
	now := s.Now().UnixMicro()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM person_review`); err != nil {
			return err
		}
		for _, sp := range suspects {
			if len(sp.Records) == 0 {
				continue
			}
			_, person, err := s.currentPerson(ctx, tx, sp.Records[0])
			if err != nil {
				return err
			}
			members, err := s.membersTx(ctx, tx, person)
			if err != nil {
				return err
			}
			slices.Sort(members) // byte order, as linkage sorted them, whatever the collation
			records := strings.Join(members, ",")
			if !slices.Equal(members, sp.Records) {
				continue // the run's cluster is not the person now
			}
			var kept int
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM person_decisions
				WHERE person_id = ? AND records = ? AND verdict = 'keep' AND superseded_at IS NULL`), person, records).Scan(&kept); err != nil {
				return err
			}
			if kept > 0 {
				continue
			}
			reasons, err := json.Marshal(sp.Conflicts)
			if err != nil {
				return err
			}
			split, err := json.Marshal(sp.Split)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_review (person_id, records, reasons, split, queued_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`), person, records, string(reasons), string(split), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// PersonReviews returns up to limit queued persons (all when limit <= 0)
// whose records are still those queued, those whose decision changes the
// most first, and how many are open in all.
func (s *Store) PersonReviews(ctx context.Context, limit int) ([]PersonReview, int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT person_id, records, reasons, split, impact, impact_reason FROM person_review ORDER BY impact DESC, person_id`)
	if err != nil {
		return nil, 0, err
	}
	type queued struct {
		p                     PersonReview
		records, reasons, spl string
	}
	var all []queued
	for rows.Next() {
		var q queued
		if err := rows.Scan(&q.p.PersonID, &q.records, &q.reasons, &q.spl, &q.p.Impact, &q.p.ImpactReason); err != nil {
			rows.Close()
			return nil, 0, err
		}
		all = append(all, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var out []PersonReview
	total := 0
	for _, q := range all {
		members, err := s.membersTx(ctx, s.read, q.p.PersonID)
		if err != nil {
			return nil, 0, err
		}
		slices.Sort(members)
		if strings.Join(members, ",") != q.records {
			continue // decided or relinked since: no longer the person queued
		}
		total++
		if limit > 0 && len(out) >= limit {
			continue
		}
		if err := json.Unmarshal([]byte(q.reasons), &q.p.Conflicts); err != nil {
			return nil, 0, fmt.Errorf("person %s: reasons: %w", q.p.PersonID, err)
		}
		if err := json.Unmarshal([]byte(q.spl), &q.p.Split); err != nil {
			return nil, 0, fmt.Errorf("person %s: split: %w", q.p.PersonID, err)
		}
		for _, id := range members {
			r, err := s.reviewRecord(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			q.p.Records = append(q.p.Records, r)
		}
		out = append(out, q.p)
	}
	return out, total, nil
}

// DecidePerson records a decision on a queued person and applies it in one
// transaction. keep: the person stays as it is and is not queued again
// while its records are the same. split: the records are parted into the
// queued split's groups, kept as pair decisions ("same" inside a group,
// "different" across groups), so every later dedupe run keeps them apart.
func (s *Store) DecidePerson(ctx context.Context, person, verdict, by, why string) (moved int, err error) {
	if verdict != PersonKeep && verdict != PersonSplit {
		return 0, fmt.Errorf("verdict %q: want %s or %s", verdict, PersonKeep, PersonSplit)
	}
	if strings.TrimSpace(by) == "" {
		return 0, errors.New("a decision needs the name of who took it")
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var records, split string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT records, split FROM person_review WHERE person_id = ?`), person).Scan(&records, &split)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("person %s is not in the review queue: %w", person, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := s.lockLinks(ctx, tx); err != nil {
			return err
		}
		members, err := s.membersTx(ctx, tx, person)
		if err != nil {
			return err
		}
		slices.Sort(members)
		if strings.Join(members, ",") != records {
			return fmt.Errorf("person %s has other records than when it was queued; run dedupe again", person)
		}
		now := s.Now().UnixMicro()
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE person_decisions SET superseded_at = ? WHERE person_id = ? AND superseded_at IS NULL`), now, person); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_decisions (id, person_id, records, verdict, split, by_whom, why, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			NewID(), person, records, verdict, split, by, why, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM person_review WHERE person_id = ?`), person); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, by, AuditReviewPerson, person, "verdict="+verdict); err != nil {
			return err
		}
		if verdict == PersonKeep {
			return nil
		}
		var groups [][]string
		if err := json.Unmarshal([]byte(split), &groups); err != nil {
			return fmt.Errorf("person %s: split: %w", person, err)
		}
		note := personSplitNote(person)
		if why != "" {
			note += ": " + why
		}
		for k, g := range groups {
			for _, r := range g[1:] {
				if _, err := s.decideTx(ctx, tx, g[0], r, "same", by, note); err != nil {
					return err
				}
			}
			if k == 0 {
				continue
			}
			// the first "different" moves the group out (with the records
			// just decided the same as its first); the others keep it out
			for j := 0; j < k; j++ {
				for _, a := range groups[j] {
					for _, b := range g {
						out, err := s.decideTx(ctx, tx, a, b, "different", by, note)
						if err != nil {
							return err
						}
						moved += out.Moved
					}
				}
			}
		}
		return nil
	})
	return moved, err
}

// personSplitNote is the reason a person's split gives its pair decisions;
// an undo of one of them alone is refused (partOfPersonSplit).
func personSplitNote(person string) string { return "person " + person + " split" }

// partOfPersonSplit says whether a pair decision was taken as part of a
// person's split (its why begins with personSplitNote).
func partOfPersonSplit(why string) bool {
	rest, ok := strings.CutPrefix(why, "person ")
	return ok && strings.Contains(rest, " split")
}
