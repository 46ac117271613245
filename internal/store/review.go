package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
)

// ReviewPair is a queued pair with both records as people need to see
// them to decide. Claims carry no notes: notes are private to the source.
type ReviewPair struct {
	ID     string
	Weight float64
	// Impact is how much deciding the pair changes (RankReview): the
	// counts that move, and more when a person is listed by name;
	// ImpactReason names them (count names and ImpactPublic).
	Impact       int
	ImpactReason string
	Evidence     []linkage.Evidence // empty when the run kept none for this pair
	A, B         ReviewRecord
}

// ReviewRecord is a record with the person it is in now and its claims in
// force (without notes).
type ReviewRecord struct {
	registry.Record
	PersonID string
	Claims   []registry.Claim
}

// reviewOpen selects the queued pairs whose records are in two persons
// now; a pair joined since (by a decision on another pair) needs no look.
// Every record has its source, so the joins on sources (sa, sb: for the
// filters) leave the pairs as they are.
const reviewOpen = `FROM review_queue q
	JOIN records ra ON ra.id = q.record_a LEFT JOIN links la ON la.record_id = ra.id AND la.unlinked_at IS NULL
	JOIN records rb ON rb.id = q.record_b LEFT JOIN links lb ON lb.record_id = rb.id AND lb.unlinked_at IS NULL
	JOIN sources sa ON sa.id = ra.source_id JOIN sources sb ON sb.id = rb.source_id
	WHERE COALESCE(la.person_id, ra.person_id) <> COALESCE(lb.person_id, rb.person_id)` + reviewNotUnsure

// reviewNotUnsure leaves out the pairs people said they are unsure of: they
// stay queued, and the list shows them apart (ReviewFilter.Unsure).
const reviewNotUnsure = ` AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.record_a = q.record_a AND d.record_b = q.record_b
		AND d.superseded_at IS NULL AND d.verdict = 'unsure')`

// reviewUnsure is reviewOpen for the pairs people are unsure of.
var reviewUnsure = strings.Replace(reviewOpen, "AND NOT EXISTS", "AND EXISTS", 1)

// ReviewQueue returns up to limit open pairs (all when limit <= 0), those
// whose decision changes the most first (RankReview), then the heaviest,
// and how many are open in all.
func (s *Store) ReviewQueue(ctx context.Context, limit int) ([]ReviewPair, int, error) {
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) `+reviewOpen).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := `SELECT q.id ` + reviewOpen + ` ORDER BY q.impact DESC, q.weight DESC, q.id`
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	ids, err := queryStrings(ctx, s.read, query)
	if err != nil {
		return nil, 0, err
	}
	pairs := make([]ReviewPair, 0, len(ids))
	for _, id := range ids {
		p, err := s.ReviewPair(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		pairs = append(pairs, p)
	}
	return pairs, total, nil
}

// ReviewPair returns one queued pair; ErrNotFound when it is not queued.
func (s *Store) ReviewPair(ctx context.Context, id string) (ReviewPair, error) {
	p := ReviewPair{ID: id}
	var a, b, evidence string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT record_a, record_b, weight, evidence, impact, impact_reason FROM review_queue WHERE id = ?`), id).
		Scan(&a, &b, &p.Weight, &evidence, &p.Impact, &p.ImpactReason)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("pair %s is not in the review queue: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, err
	}
	if evidence != "" {
		if err := json.Unmarshal([]byte(evidence), &p.Evidence); err != nil {
			return p, fmt.Errorf("pair %s: evidence: %w", id, err)
		}
	}
	if p.A, err = s.reviewRecord(ctx, a); err != nil {
		return p, err
	}
	p.B, err = s.reviewRecord(ctx, b)
	return p, err
}

// NextReviewPair returns the id of the open pair that follows the pair in
// the queue's order (impact, weight, id), or "" when there is none.
func (s *Store) NextReviewPair(ctx context.Context, after ReviewPair) (string, error) {
	impact, weight, id := after.Impact, after.Weight, after.ID
	ids, err := queryStrings(ctx, s.read, s.rebind(`SELECT q.id `+reviewOpen+` AND (q.impact < ? OR (q.impact = ? AND (q.weight < ? OR (q.weight = ? AND q.id > ?))))
		ORDER BY q.impact DESC, q.weight DESC, q.id LIMIT 1`), impact, impact, weight, weight, id)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

func (s *Store) reviewRecord(ctx context.Context, id string) (ReviewRecord, error) {
	var r ReviewRecord
	var alt, roles string
	err := s.read.QueryRowContext(ctx, s.rebind(`
		SELECT r.id, s.key, r.source_record, r.name, r.name_alt, r.sex, r.birth_year, r.birth_date, r.region, r.locality, r.roles,
		       COALESCE(l.person_id, r.person_id)
		FROM records r JOIN sources s ON s.id = r.source_id
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
		WHERE r.id = ?`), id).
		Scan(&r.ID, &r.SourceKey, &r.Key, &r.Name, &alt, &r.Sex, &r.BirthYear, &r.BirthDate, &r.Region, &r.Locality, &roles, &r.PersonID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	r.NameAlt = splitList(alt)
	r.Roles = registry.SplitRoles(roles)
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT id, status, date_start, precision, place, verification FROM claims
		WHERE record_id = ? AND retracted_at IS NULL ORDER BY date_start, id`), id)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		c := registry.Claim{RecordID: id}
		var status, precision string
		var start, verification int64
		if err := rows.Scan(&c.ID, &status, &start, &precision, &c.Place, &verification); err != nil {
			return r, err
		}
		c.Status = registry.Status(status)
		c.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		c.Verification = registry.Verification(verification)
		r.Claims = append(r.Claims, c)
	}
	return r, rows.Err()
}
