package store

import (
	"context"
	"database/sql"
	"math"

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
	moves, err := s.moves(ctx, t)
	if err != nil {
		return err
	}
	return s.scanClaims(ctx, `WHERE c.date_end <= ? AND c.verification >= ? AND c.recorded_at <= ? AND (c.retracted_at IS NULL OR c.retracted_at > ?)`,
		[]any{int64(q.AsOf), int(q.MinVerification), t, t}, moves, func(person []byte, c registry.ClaimFacts) {
			if q.Counted(c) {
				f(person, c)
			}
		}, t)
}

// EachClaimFacts calls f for every claim with every person its record was
// ever in and when: all that any count, at any as-of date and known-at
// time, needs. One pass over it can give counts for many dates.
func (s *Store) EachClaimFacts(ctx context.Context, f func(person string, c registry.ClaimFacts)) error {
	moves, err := s.moves(ctx, math.MaxInt64)
	if err != nil {
		return err
	}
	return s.scanClaims(ctx, "", nil, moves, func(person []byte, c registry.ClaimFacts) { f(string(person), c) }, -1)
}

// move is one period in which a record belonged to a person other than the
// one it was first stored in.
type move struct {
	person             string
	linkedAt, unlinked int64 // unlinked 0 while current
}

// moves reads the link rows that began at or before t, by record, oldest
// first. They are few beside the claims, so holding them in memory and
// scanning claims alone beats joining for every claim.
func (s *Store) moves(ctx context.Context, t int64) (map[string][]move, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT record_id, person_id, linked_at, COALESCE(unlinked_at, 0) FROM links WHERE linked_at <= ? ORDER BY record_id, linked_at`), t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]move{}
	for rows.Next() {
		var record string
		var m move
		if err := rows.Scan(&record, &m.person, &m.linkedAt, &m.unlinked); err != nil {
			return nil, err
		}
		out[record] = append(out[record], m)
	}
	return out, rows.Err()
}

// scanClaims reads claims (filtered by where) and calls f with the person
// of each period of their record. With at >= 0 only the period holding the
// moment at is given; with at < 0 every period is.
func (s *Store) scanClaims(ctx context.Context, where string, args []any, moves map[string][]move, f func(person []byte, c registry.ClaimFacts), at int64) error {
	rows, err := s.read.QueryContext(ctx, s.rebind(`
		SELECT c.record_id, c.record_person, c.status, c.date_start, c.date_end, c.verification, c.recorded_at, COALESCE(c.retracted_at, 0)
		FROM claims c `+where), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var record, first, status sql.RawBytes
	for rows.Next() {
		var c registry.ClaimFacts
		var start, end, verification int64
		if err := rows.Scan(&record, &first, &status, &start, &end, &verification, &c.RecordedAt, &c.RetractedAt); err != nil {
			return err
		}
		c.Status = internStatus(status)
		c.Start, c.End, c.Verification = registry.Day(start), registry.Day(end), registry.Verification(verification)
		// The first period: from the record's creation (no claim of it is
		// recorded earlier) until its first move, if any.
		ms := moves[string(record)]
		c.LinkedAt, c.UnlinkedAt = c.RecordedAt, 0
		if len(ms) > 0 {
			c.UnlinkedAt = ms[0].linkedAt
		}
		if at < 0 || c.UnlinkedAt == 0 || at < c.UnlinkedAt {
			f(first, c)
		}
		for _, m := range ms {
			if at >= 0 && (m.linkedAt > at || (m.unlinked != 0 && m.unlinked <= at)) {
				continue
			}
			c.LinkedAt, c.UnlinkedAt = m.linkedAt, m.unlinked
			f([]byte(m.person), c)
		}
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
