package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
)

// Snapshots published before person ids were anchored (migration 0022)
// showed ids that nobody anchored: the public list anchored only what it
// listed on the day of the migration, so an id that one old snapshot alone
// showed, or that had already lost its records, could go to another human
// at the next merge. anchorSnapshots gives every such id the records it
// held as known at the snapshot's known-at time; the earliest showing of
// an id wins, as everywhere else (an id is anchored once, to what it was
// first shown with).

// snapshotRedirectWhy is why a redirect made from an old snapshot exists.
const snapshotRedirectWhy = "shown in snapshot %s before person addresses were kept; its records are now in this person"

// anchorSnapshots anchors the person ids of every snapshot not anchored
// yet (oldest published first), and lets an id that no longer holds
// records redirect to the person holding most of them. It runs after the
// migrations, once per snapshot.
func (s *Store) anchorSnapshots(ctx context.Context) error {
	type pending struct {
		id, slug             string
		knownAt, publishedAt int64
	}
	rows, err := s.write.QueryContext(ctx, `SELECT id, slug, known_at, published_at FROM snapshots
		WHERE NOT EXISTS (SELECT 1 FROM snapshot_anchoring a WHERE a.snapshot_id = snapshots.id)
		ORDER BY published_at, id`)
	if err != nil {
		return fmt.Errorf("snapshots to anchor: %w", err)
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.slug, &p.knownAt, &p.publishedAt); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, sn := range todo {
		if err := s.inTx(ctx, func(tx *sql.Tx) error {
			ids, err := snapshotPersonIDs(ctx, tx, s.rebind(`SELECT body FROM snapshots WHERE id = ?`), sn.id)
			if err != nil {
				return err
			}
			held, err := s.recordsKnownAt(ctx, tx, ids, sn.knownAt)
			if err != nil {
				return err
			}
			if err := s.anchorEarliestTx(ctx, tx, held, sn.publishedAt, fmt.Sprintf(snapshotRedirectWhy, sn.slug)); err != nil {
				return fmt.Errorf("snapshot %s: %w", sn.slug, err)
			}
			_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO snapshot_anchoring (snapshot_id, anchored_at) VALUES (?, ?)`), sn.id, s.Now().UnixMicro())
			return err
		}); err != nil {
			return fmt.Errorf("anchoring the ids of snapshot %s: %w", sn.slug, err)
		}
	}
	return nil
}

// snapshotPersonIDs reads the person ids a stored snapshot's body lists.
func snapshotPersonIDs(ctx context.Context, q querier, query, snapshotID string) ([]string, error) {
	var body string
	if err := q.QueryRowContext(ctx, query, snapshotID).Scan(&body); err != nil {
		return nil, err
	}
	var file struct {
		People []struct {
			ID string `json:"id"`
		} `json:"people"`
	}
	if err := json.Unmarshal([]byte(body), &file); err != nil {
		return nil, fmt.Errorf("reading its body: %w", err)
	}
	ids := make([]string, 0, len(file.People))
	for _, p := range file.People {
		if p.ID != "" {
			ids = append(ids, p.ID)
		}
	}
	return uniqueInOrder(ids), nil
}

// recordsKnownAt gives, for each of ids, the records it held as known at
// t: the records stored by t whose link in force at t (or, with none, the
// person they were stored in) is that id.
func (s *Store) recordsKnownAt(ctx context.Context, q querier, ids []string, t int64) (map[string][]string, error) {
	want := set(ids)
	out := map[string][]string{}
	// Records stored in one of the ids, unless a link held them elsewhere
	// at t.
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := anyStrings(ids[start:min(start+chunk, len(ids))])
		rows, err := q.QueryContext(ctx, s.rebind(`SELECT r.id, r.person_id FROM records r
			WHERE r.person_id IN (`+placeholders(len(part))+`) AND r.created_at <= CAST(? AS BIGINT)
			  AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.linked_at <= CAST(? AS BIGINT) AND (l.unlinked_at IS NULL OR l.unlinked_at > CAST(? AS BIGINT)))`),
			append(part, t, t, t)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r, p string
			if err := rows.Scan(&r, &p); err != nil {
				rows.Close()
				return nil, err
			}
			out[p] = append(out[p], r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// Records a link in force at t put into one of the ids. Links are few
	// beside records; the closed ones have no index by person.
	rows, err := q.QueryContext(ctx, s.rebind(`SELECT l.record_id, l.person_id FROM links l
		WHERE l.linked_at <= CAST(? AS BIGINT) AND (l.unlinked_at IS NULL OR l.unlinked_at > CAST(? AS BIGINT))`), t, t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r, p string
		if err := rows.Scan(&r, &p); err != nil {
			return nil, err
		}
		if want[p] {
			out[p] = append(out[p], r)
		}
	}
	return out, rows.Err()
}

// anchorEarliestTx anchors each id of held to its records as shown at
// shownAt, unless the id was anchored by an earlier showing (an id
// anchored later is re-anchored: this showing came first). An anchored id
// that holds no record now redirects to the person holding most of its
// anchored records, unless a redirect made by a later change already says
// where it went. What it reads it reads whole, once: a snapshot lists
// every person, and a query per id took minutes at 100,000.
func (s *Store) anchorEarliestTx(ctx context.Context, tx *sql.Tx, held map[string][]string, shownAt int64, why string) error {
	ids := make([]string, 0, len(held))
	for id, records := range held {
		if len(records) > 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	first, err := firstShown(ctx, tx)
	if err != nil {
		return err
	}
	var reanchor []string
	for _, id := range ids {
		if at, ok := first[id]; !ok || at > shownAt {
			reanchor = append(reanchor, id)
		}
	}
	const chunk = 500
	for start := 0; start < len(reanchor); start += chunk {
		part := reanchor[start:min(start+chunk, len(reanchor))]
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM person_anchors WHERE person_id IN (`+placeholders(len(part))+`)`), anyStrings(part)...); err != nil {
			return err
		}
	}
	anchors := newBatchInsert(s, tx, "person_anchors", []string{"person_id", "record_id", "published_at"}, "")
	defer anchors.close()
	for _, id := range reanchor {
		for _, r := range held[id] {
			if err := anchors.add(ctx, id, r, shownAt); err != nil {
				return err
			}
		}
	}
	if err := anchors.flush(ctx); err != nil {
		return err
	}
	existing, err := currentPersons(ctx, tx)
	if err != nil {
		return err
	}
	redirects, err := queryStrings(ctx, tx, `SELECT person_id FROM person_redirects`)
	if err != nil {
		return err
	}
	redirected, reanchored := set(redirects), set(reanchor)
	for _, id := range ids {
		if existing[id] || (redirected[id] && !reanchored[id]) {
			continue
		}
		if err := s.redirectToAnchorsTx(ctx, tx, id, why); err != nil {
			return err
		}
	}
	return nil
}

// firstShown is when each anchored person id was first shown.
func firstShown(ctx context.Context, q querier) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT person_id, min(published_at) FROM person_anchors GROUP BY person_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[id] = at
	}
	return out, rows.Err()
}

// currentPersons is the set of persons that hold a record now.
func currentPersons(ctx context.Context, q querier) (map[string]bool, error) {
	ids, err := queryStrings(ctx, q, `SELECT r.person_id FROM records r WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL)
		UNION SELECT person_id FROM links WHERE unlinked_at IS NULL`)
	return set(ids), err
}

// redirectToAnchorsTx makes a person id that holds no record lead to the
// person holding most of the records it was anchored to (nothing when
// none of them is left), and whatever redirected to it follows.
func (s *Store) redirectToAnchorsTx(ctx context.Context, tx *sql.Tx, id, why string) error {
	var survivor string
	var n int
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(l.person_id, r.person_id) AS now, count(*) FROM person_anchors a
		JOIN records r ON r.id = a.record_id
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
		WHERE a.person_id = ? GROUP BY COALESCE(l.person_id, r.person_id) ORDER BY 2 DESC, 1 LIMIT 1`), id).Scan(&survivor, &n)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("survivor of person %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM person_redirects WHERE person_id = ?`), id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_redirects (person_id, survivor_id, merged_at, by_whom, why) VALUES (?, ?, ?, ?, ?)`),
		id, survivor, s.Now().UnixMicro(), "system", why); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.rebind(`UPDATE person_redirects SET survivor_id = ? WHERE survivor_id = ?`), survivor, id)
	return err
}
