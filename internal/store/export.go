package store

import (
	"context"
	"strings"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
)

// ClaimRow is one claim of one record with the person the record belongs
// to now: the unit of the interchange format.
type ClaimRow struct {
	PersonID   string
	Record     registry.Record
	SourceKind registry.SourceKind
	Claim      registry.Claim
}

// EachClaim calls f for every claim in force (not retracted), ordered by
// person, record and date, so a caller can stream any number of them.
func (s *Store) EachClaim(ctx context.Context, f func(ClaimRow) error) error {
	rows, err := s.read.QueryContext(ctx, `
		SELECT COALESCE(l.person_id, r.person_id), r.id, s.key, s.kind, r.source_record, r.name, r.name_alt, r.sex, r.birth_year, r.birth_date,
		       r.region, r.locality, r.roles, r.created_at,
		       c.id, c.status, c.date_start, c.precision, c.place, c.details, c.verification, c.note, c.recorded_at
		FROM claims c
		JOIN records r ON r.id = c.record_id
		JOIN sources s ON s.id = r.source_id
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
		WHERE c.retracted_at IS NULL
		ORDER BY 1, r.id, c.date_start, c.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var row ClaimRow
		var alt, roles, kind, status, precision string
		var created, recorded int64
		var start, verification int64
		rec, c := &row.Record, &row.Claim
		if err := rows.Scan(&row.PersonID, &rec.ID, &rec.SourceKey, &kind, &rec.Key, &rec.Name, &alt, &rec.Sex, &rec.BirthYear, &rec.BirthDate,
			&rec.Region, &rec.Locality, &roles, &created,
			&c.ID, &status, &start, &precision, &c.Place, &c.Details, &verification, &c.Note, &recorded); err != nil {
			return err
		}
		row.SourceKind = registry.SourceKind(kind)
		rec.NameAlt = splitList(alt)
		rec.Roles = registry.SplitRoles(roles)
		rec.CreatedAt = time.UnixMicro(created).UTC()
		c.RecordID = rec.ID
		c.Status = registry.Status(status)
		c.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		c.Verification = registry.Verification(verification)
		c.RecordedAt = time.UnixMicro(recorded).UTC()
		if c.Note, err = s.unsealNote(c.ID, c.Note); err != nil {
			return err
		}
		if err := f(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// unsealNote opens a claim's sealed note (notes imported before notes
// were sealed are returned as they are).
func (s *Store) unsealNote(claimID, note string) (string, error) {
	if !seal.IsSealed(note) {
		return note, nil
	}
	if s.keys == nil {
		return "", ErrNoKeys
	}
	return s.keys.UnsealString(ClaimNotePlace(claimID), note)
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// Stats says how much the registry holds.
type Stats struct {
	Sources, Records, Persons, Claims int
}

// Totals counts the rows of the main tables; persons are those with at
// least one record linked now.
func (s *Store) Totals(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sources), (SELECT count(*) FROM records),
		(SELECT count(DISTINCT COALESCE(l.person_id, r.person_id)) FROM records r LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL), (SELECT count(*) FROM claims)`).
		Scan(&st.Sources, &st.Records, &st.Persons, &st.Claims)
	return st, err
}
