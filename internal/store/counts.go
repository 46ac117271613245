package store

import (
	"context"
	"database/sql"

	"rollcall/internal/registry"
)

// Counts computes the figures of docs/counting.md. The SQL only narrows the
// rows read; the rules themselves are registry's, applied to every row.
func (s *Store) Counts(ctx context.Context, q registry.Query) (registry.Counts, error) {
	tallies := map[string]*registry.Tally{}
	err := s.countedClaims(ctx, q, func(person []byte, c registry.ClaimFacts) {
		t, ok := tallies[string(person)]
		if !ok {
			t = new(registry.Tally)
			tallies[string(person)] = t
		}
		t.Add(c)
	})
	var counts registry.Counts
	for _, t := range tallies {
		t.AddTo(&counts)
	}
	return counts, err
}

// countedClaims calls f for every claim that counts under q, with the id of
// the person its record was linked to as known at q.KnownAt.
func (s *Store) countedClaims(ctx context.Context, q registry.Query, f func(person []byte, c registry.ClaimFacts)) error {
	t := q.KnownAt.UnixMicro()
	claim := `c.date_end <= ? AND c.verification >= ? AND c.recorded_at <= ? AND (c.retracted_at IS NULL OR c.retracted_at > ?)`
	claimArgs := []any{int64(q.AsOf), int(q.MinVerification), t, t}
	args := append(append(append(append([]any{}, claimArgs...), t, t), claimArgs...), t, t)
	return s.claimFacts(ctx,
		claim+` AND r.created_at <= ? AND NOT EXISTS (SELECT 1 FROM links x WHERE x.record_id = r.id AND x.linked_at <= ?)`,
		claim+` AND l.linked_at <= ? AND (l.unlinked_at IS NULL OR l.unlinked_at > ?)`, args,
		func(person []byte, c registry.ClaimFacts) {
			if q.Counted(c) {
				f(person, c)
			}
		})
}

// EachClaimFacts calls f for every claim with every person its record was
// ever in and when: all that any count, at any as-of date and known-at
// time, needs. One pass over it can give counts for many dates.
func (s *Store) EachClaimFacts(ctx context.Context, f func(person string, c registry.ClaimFacts)) error {
	return s.claimFacts(ctx, "1=1", "1=1", nil, func(person []byte, c registry.ClaimFacts) { f(string(person), c) })
}

// claimFacts reads claims with the periods in which their record belonged
// to a person: first the person the record was stored in (until its first
// move, if any), then each move in links. Each part has its own filter.
func (s *Store) claimFacts(ctx context.Context, whereFirst, whereMoved string, args []any, f func(person []byte, c registry.ClaimFacts)) error {
	const cols = `c.status, c.date_start, c.date_end, c.verification, c.recorded_at, COALESCE(c.retracted_at, 0)`
	rows, err := s.read.QueryContext(ctx, s.rebind(`
		SELECT r.person_id, `+cols+`, r.created_at,
		       COALESCE((SELECT min(x.linked_at) FROM links x WHERE x.record_id = r.id), 0)
		FROM claims c JOIN records r ON r.id = c.record_id
		WHERE `+whereFirst+`
		UNION ALL
		SELECT l.person_id, `+cols+`, l.linked_at, COALESCE(l.unlinked_at, 0)
		FROM claims c JOIN links l ON l.record_id = c.record_id
		WHERE `+whereMoved), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var person, status sql.RawBytes
	for rows.Next() {
		var c registry.ClaimFacts
		var start, end, verification int64
		if err := rows.Scan(&person, &status, &start, &end, &verification, &c.RecordedAt, &c.RetractedAt, &c.LinkedAt, &c.UnlinkedAt); err != nil {
			return err
		}
		c.Status = internStatus(status)
		c.Start, c.End, c.Verification = registry.Day(start), registry.Day(end), registry.Verification(verification)
		f(person, c)
	}
	return rows.Err()
}

// internStatus returns the shared Status for stored bytes without
// allocating a string per row.
func internStatus(b []byte) registry.Status {
	for _, st := range registry.Statuses {
		if string(st) == string(b) {
			return st
		}
	}
	return registry.Status(b)
}
