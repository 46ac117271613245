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
	return s.claimFacts(ctx, `WHERE c.date_end <= ? AND c.verification >= ? AND c.recorded_at <= ?
		  AND (c.retracted_at IS NULL OR c.retracted_at > ?)
		  AND l.linked_at <= ? AND (l.unlinked_at IS NULL OR l.unlinked_at > ?)`,
		[]any{int64(q.AsOf), int(q.MinVerification), t, t, t, t}, func(person []byte, c registry.ClaimFacts) {
			if q.Counted(c) {
				f(person, c)
			}
		})
}

// EachClaimFacts calls f for every claim with every link its record ever
// had: all that any count, at any as-of date and known-at time, needs. One
// pass over it can give counts for many dates (a chart over time).
func (s *Store) EachClaimFacts(ctx context.Context, f func(person string, c registry.ClaimFacts)) error {
	return s.claimFacts(ctx, "", nil, func(person []byte, c registry.ClaimFacts) { f(string(person), c) })
}

func (s *Store) claimFacts(ctx context.Context, where string, args []any, f func(person []byte, c registry.ClaimFacts)) error {
	rows, err := s.read.QueryContext(ctx, s.rebind(`
		SELECT l.person_id, c.status, c.date_start, c.date_end, c.verification, c.recorded_at,
		       COALESCE(c.retracted_at, 0), l.linked_at, COALESCE(l.unlinked_at, 0)
		FROM claims c JOIN links l ON l.record_id = c.record_id `+where), args...)
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
