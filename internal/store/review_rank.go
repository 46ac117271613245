package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"rollcall/internal/registry"
)

// ImpactPublic marks, in a queued decision's impact reason, that one of
// its persons is on the public list by name. It weighs more than any
// number of counts: a public mistake is seen by everyone.
const (
	ImpactPublic       = "public_list"
	impactPublicWeight = 100
)

// RankReview says, for every queued pair and person, what its decision
// would change: the counts as of today that move if the pair's two persons
// are one (or the queued person is split as proposed), and whether one of
// them is listed by name. The queue lists what changes most first.
func (s *Store) RankReview(ctx context.Context) error {
	now := s.Now()
	q := registry.Query{AsOf: registry.DayOf(now), KnownAt: now, MinVerification: registry.DefaultMinVerification}
	personOf, err := s.currentPersons(ctx)
	if err != nil {
		return err
	}
	byRecord := map[string][]registry.ClaimFacts{}
	rows, err := s.read.QueryContext(ctx, `SELECT record_id, status, date_start, date_end, verification, recorded_at FROM claims WHERE retracted_at IS NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, status string
		var start, end, verification int64
		var c registry.ClaimFacts
		if err := rows.Scan(&id, &status, &start, &end, &verification, &c.RecordedAt); err != nil {
			rows.Close()
			return err
		}
		c.Status, c.Start, c.End, c.Verification = registry.Status(status), registry.Day(start), registry.Day(end), registry.Verification(verification)
		byRecord[id] = append(byRecord[id], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	byPerson := map[string][]registry.ClaimFacts{}
	for record, claims := range byRecord {
		p := personOf[record]
		byPerson[p] = append(byPerson[p], claims...)
	}
	public := map[string]bool{}
	listed, err := queryStrings(ctx, s.read, `SELECT person_id FROM public_people WHERE withheld = 0`)
	if err != nil {
		return err
	}
	for _, p := range listed {
		public[p] = true
	}
	impact := func(moved []string, persons ...string) (int, string) {
		n, reason := len(moved), moved
		for _, p := range persons {
			if public[p] {
				n += impactPublicWeight
				reason = append(reason, ImpactPublic)
				break
			}
		}
		return n, strings.Join(reason, ",")
	}

	type update struct {
		key    string
		impact int
		reason string
	}
	var pairs, persons []update
	rows, err = s.read.QueryContext(ctx, `SELECT id, record_a, record_b FROM review_queue`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, a, b string
		if err := rows.Scan(&id, &a, &b); err != nil {
			rows.Close()
			return err
		}
		pa, pb := personOf[a], personOf[b]
		if pa == pb {
			continue
		}
		n, why := impact(registry.CountsMoved(q, byPerson[pa], byPerson[pb]), pa, pb)
		pairs = append(pairs, update{id, n, why})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.read.QueryContext(ctx, `SELECT person_id, split FROM person_review`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var person, split string
		if err := rows.Scan(&person, &split); err != nil {
			rows.Close()
			return err
		}
		var groups [][]string
		if err := json.Unmarshal([]byte(split), &groups); err != nil {
			continue
		}
		claims := make([][]registry.ClaimFacts, len(groups))
		for g, records := range groups {
			for _, r := range records {
				claims[g] = append(claims[g], byRecord[r]...)
			}
		}
		n, why := impact(registry.CountsMoved(q, claims...), person)
		persons = append(persons, update{person, n, why})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, u := range pairs {
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE review_queue SET impact = ?, impact_reason = ? WHERE id = ?`), u.impact, u.reason, u.key); err != nil {
				return err
			}
		}
		for _, u := range persons {
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE person_review SET impact = ?, impact_reason = ? WHERE person_id = ?`), u.impact, u.reason, u.key); err != nil {
				return err
			}
		}
		return nil
	})
}

// currentPersons maps every record to the person it is in now.
func (s *Store) currentPersons(ctx context.Context) (map[string]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, COALESCE(l.person_id, r.person_id) FROM records r
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, rows.Err()
}
