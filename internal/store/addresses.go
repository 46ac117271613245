package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// One public address, one human. A person id shown publicly is anchored
// to the records it held then (person_anchors); every change of links
// keeps the id with the person holding most of those records, an id whose
// records all went elsewhere redirects to where they went
// (person_redirects), and an id that lost some records says where they
// went (person_splits).

// currentPersonSQL is every record with the person it is in now.
const currentPersonSQL = `SELECT r.id AS record_id, COALESCE(l.person_id, r.person_id) AS person_id
	FROM records r LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL`

// anchorNewlyListedTx anchors every person of the public list (as just
// rebuilt in tx) that was never shown before to the records it holds now.
func (s *Store) anchorNewlyListedTx(ctx context.Context, tx *sql.Tx, at int64) error {
	// Two indexed halves (records still where they were stored, and
	// records moved by a link) rather than one join over every record's
	// current person: SQLite scanned that once per listed person.
	const fresh = `(SELECT p.person_id FROM public_people p WHERE NOT EXISTS (SELECT 1 FROM person_anchors a WHERE a.person_id = p.person_id))`
	_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_anchors (person_id, record_id, published_at)
		SELECT r.person_id, r.id, CAST(? AS BIGINT) FROM records r
		WHERE r.person_id IN `+fresh+` AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL)
		UNION ALL
		SELECT l.person_id, l.record_id, CAST(? AS BIGINT) FROM links l WHERE l.unlinked_at IS NULL AND l.person_id IN `+fresh), at, at)
	return err
}

// shownAt is when a person id was first shown publicly (0: never).
func (s *Store) shownAt(ctx context.Context, q querier, person string) (int64, error) {
	var at sql.NullInt64
	err := q.QueryRowContext(ctx, s.rebind(`SELECT min(published_at) FROM person_anchors WHERE person_id = ?`), person).Scan(&at)
	return at.Int64, err
}

// anchorsOf is the set of records a person id was first shown with.
func (s *Store) anchorsOf(ctx context.Context, q querier, person string) (map[string]bool, error) {
	ids, err := queryStrings(ctx, q, s.rebind(`SELECT record_id FROM person_anchors WHERE person_id = ?`), person)
	return set(ids), err
}

// countIn counts the records of xs in the set.
func countIn(xs []string, in map[string]bool) int {
	n := 0
	for _, x := range xs {
		if in[x] {
			n++
		}
	}
	return n
}

// earlierShown reports whether the id b was shown publicly before a (an id
// never shown comes last), so that of two persons joined, b keeps its id.
func (s *Store) earlierShown(ctx context.Context, q querier, a, b string) (bool, error) {
	atA, err := s.shownAt(ctx, q, a)
	if err != nil {
		return false, err
	}
	atB, err := s.shownAt(ctx, q, b)
	if err != nil {
		return false, err
	}
	return atB != 0 && (atA == 0 || atB < atA), nil
}

// settleAddressesTx runs after records moved (moved[from][to] records) in
// tx: an id that holds records again stops redirecting; a shown id left
// with no record redirects to the person holding most of the records it
// was shown with (and whatever redirected to it follows); a shown id that
// still exists notes where its records went.
func (s *Store) settleAddressesTx(ctx context.Context, tx *sql.Tx, now int64, moved map[string]map[string]int, by, why string) error {
	if len(moved) == 0 {
		return nil
	}
	var targets, froms []string
	seen := map[string]bool{}
	for from, tos := range moved {
		froms = append(froms, from)
		for to := range tos {
			if !seen[to] {
				seen[to] = true
				targets = append(targets, to)
			}
		}
	}
	sort.Strings(froms)
	const chunk = 500
	for start := 0; start < len(targets); start += chunk {
		part := targets[start:min(start+chunk, len(targets))]
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM person_redirects WHERE person_id IN (`+placeholders(len(part))+`)`), anyStrings(part)...); err != nil {
			return err
		}
	}
	var shown []string
	for start := 0; start < len(froms); start += chunk {
		part := froms[start:min(start+chunk, len(froms))]
		ids, err := queryStrings(ctx, tx, s.rebind(`SELECT DISTINCT person_id FROM person_anchors WHERE person_id IN (`+placeholders(len(part))+`) ORDER BY 1`), anyStrings(part)...)
		if err != nil {
			return err
		}
		shown = append(shown, ids...)
	}
	for _, from := range shown {
		exists, err := s.personExists(ctx, tx, from)
		if err != nil {
			return err
		}
		if exists {
			for to, n := range moved[from] {
				if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_splits (person_id, to_person, records, split_at) VALUES (?, ?, ?, ?)`), from, to, n, now); err != nil {
					return err
				}
			}
			continue
		}
		var survivor string
		var n int
		// Joined directly, not through currentPersonSQL: a derived table
		// may be built whole for every person (SQLite did, doubling dedupe).
		err = tx.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(l.person_id, r.person_id) AS now, count(*) FROM person_anchors a
			JOIN records r ON r.id = a.record_id
			LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
			WHERE a.person_id = ? GROUP BY COALESCE(l.person_id, r.person_id) ORDER BY 2 DESC, 1 LIMIT 1`), from).Scan(&survivor, &n)
		if err != nil {
			return fmt.Errorf("survivor of person %s: %w", from, err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_redirects (person_id, survivor_id, merged_at, by_whom, why) VALUES (?, ?, ?, ?, ?)`), from, survivor, now, by, why); err != nil {
			return err
		}
		// One redirect, never a chain of them.
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE person_redirects SET survivor_id = ? WHERE survivor_id = ?`), survivor, from); err != nil {
			return err
		}
	}
	return nil
}

func anyStrings(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// PersonRedirect is a published person id whose records all went into
// another person.
type PersonRedirect struct {
	PersonID, SurvivorID string
	At                   time.Time
}

// RedirectOf returns where a person id that no longer exists leads;
// ErrNotFound when it does not redirect.
func (s *Store) RedirectOf(ctx context.Context, person string) (PersonRedirect, error) {
	r := PersonRedirect{PersonID: person}
	var at int64
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT survivor_id, merged_at FROM person_redirects WHERE person_id = ?`), person).Scan(&r.SurvivorID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("redirect of person %s: %w", person, ErrNotFound)
	}
	r.At = time.UnixMicro(at).UTC()
	return r, err
}

// Redirects lists the merged-away ids, latest first, at most limit.
func (s *Store) Redirects(ctx context.Context, limit int) ([]PersonRedirect, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT person_id, survivor_id, merged_at FROM person_redirects ORDER BY merged_at DESC, person_id LIMIT ?`), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonRedirect
	for rows.Next() {
		var r PersonRedirect
		var at int64
		if err := rows.Scan(&r.PersonID, &r.SurvivorID, &at); err != nil {
			return nil, err
		}
		r.At = time.UnixMicro(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecordsSplitOff is records that left a published person for another.
type RecordsSplitOff struct {
	ToPerson string
	Records  int
	At       time.Time
}

// SplitsOf lists where records of a published person went, oldest first;
// a person they went to that merged away since is named by its survivor.
func (s *Store) SplitsOf(ctx context.Context, person string) ([]RecordsSplitOff, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT COALESCE(r.survivor_id, sp.to_person), sp.records, sp.split_at
		FROM person_splits sp LEFT JOIN person_redirects r ON r.person_id = sp.to_person
		WHERE sp.person_id = ? ORDER BY sp.split_at, sp.to_person`), person)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecordsSplitOff
	for rows.Next() {
		var sp RecordsSplitOff
		var at int64
		if err := rows.Scan(&sp.ToPerson, &sp.Records, &at); err != nil {
			return nil, err
		}
		sp.At = time.UnixMicro(at).UTC()
		if sp.ToPerson != person {
			out = append(out, sp)
		}
	}
	return out, rows.Err()
}

// PersonNow is the person a person id stands for now: itself while it
// holds records, else the survivor it was merged into (merged true).
// ErrNotFound when it neither exists nor redirects.
func (s *Store) PersonNow(ctx context.Context, person string) (current string, merged bool, err error) {
	if ok, err := s.personExists(ctx, s.read, person); err != nil || ok {
		return person, false, err
	}
	r, err := s.RedirectOf(ctx, person)
	if err != nil {
		return "", false, fmt.Errorf("person %s: %w", person, ErrNotFound)
	}
	return r.SurvivorID, true, nil
}

// idForLeaving is the id for records leaving a person: the merged-away
// id that was first shown with most of them, when there is one (the split
// undoes a merge, and the old address leads to its human again), else a
// new one.
func (s *Store) idForLeaving(ctx context.Context, q querier, leaving []string) (string, error) {
	part := leaving[:min(len(leaving), 500)]
	if len(part) == 0 {
		return NewID(), nil
	}
	var id string
	var n int
	var first int64
	err := q.QueryRowContext(ctx, s.rebind(`SELECT a.person_id, count(*), min(a.published_at) FROM person_anchors a
		JOIN person_redirects r ON r.person_id = a.person_id
		WHERE a.record_id IN (`+placeholders(len(part))+`)
		GROUP BY a.person_id ORDER BY 2 DESC, 3, 1 LIMIT 1`), anyStrings(part)...).Scan(&id, &n, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return NewID(), nil
	}
	return id, err
}

// survivorOf is the person a merged-away id redirects to (found false when
// it does not redirect).
func (s *Store) survivorOf(ctx context.Context, q querier, person string) (string, bool, error) {
	var survivor string
	err := q.QueryRowContext(ctx, s.rebind(`SELECT survivor_id FROM person_redirects WHERE person_id = ?`), person).Scan(&survivor)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return survivor, err == nil, err
}

// MergedInto maps each of ids that no longer holds records but was merged
// into another person to that survivor: what a mark or a link to it means
// now, said to whoever used the old id.
func (s *Store) MergedInto(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if ok, err := s.personExists(ctx, s.read, id); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		survivor, found, err := s.survivorOf(ctx, s.read, id)
		if err != nil {
			return nil, err
		}
		if found {
			out[id] = survivor
		}
	}
	return out, nil
}

// uniqueInOrder drops repeated strings, keeping the first of each.
func uniqueInOrder(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// AnchorShown anchors person ids shown by a snapshot (which can list
// persons the public list has not shown yet: an import does not refresh
// it) to the records they hold now, unless they were shown before, and
// notes the snapshot as anchored (anchorSnapshots would do it otherwise).
func (s *Store) AnchorShown(ctx context.Context, snapshotID string, ids []string) error {
	at := s.Now().UnixMicro()
	const chunk = 500
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO snapshot_anchoring (snapshot_id, anchored_at) VALUES (?, ?)`), snapshotID, at); err != nil {
			return err
		}
		for start := 0; start < len(ids); start += chunk {
			part := anyStrings(ids[start:min(start+chunk, len(ids))])
			in := placeholders(len(part))
			args := append(append(append([]any{at}, part...), at), part...)
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_anchors (person_id, record_id, published_at)
				SELECT r.person_id, r.id, CAST(? AS BIGINT) FROM records r
				WHERE r.person_id IN (`+in+`) AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL)
				  AND NOT EXISTS (SELECT 1 FROM person_anchors a WHERE a.person_id = r.person_id)
				UNION ALL
				SELECT l.person_id, l.record_id, CAST(? AS BIGINT) FROM links l
				WHERE l.unlinked_at IS NULL AND l.person_id IN (`+in+`)
				  AND NOT EXISTS (SELECT 1 FROM person_anchors a WHERE a.person_id = l.person_id)`), args...); err != nil {
				return err
			}
		}
		return nil
	})
}
