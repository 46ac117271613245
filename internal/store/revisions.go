package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rollcall/internal/names"
	"rollcall/internal/registry"
)

// Corrections of a record (issue 15): a typo in a name, a wrong region or
// birth year is corrected by an appended revision, never by overwriting
// what the source said without a trace (migration 0025).

// PersonFields are the fields of a record a correction may change.
type PersonFields struct {
	Name      string
	NameAlt   []string
	Sex       string
	BirthYear int
	BirthDate string
	Region    string
	Locality  string
}

// FieldsOf are a record's correctable fields.
func FieldsOf(rec registry.Record) PersonFields {
	return PersonFields{Name: rec.Name, NameAlt: rec.NameAlt, Sex: rec.Sex, BirthYear: rec.BirthYear, BirthDate: rec.BirthDate, Region: rec.Region, Locality: rec.Locality}
}

// Changed names the fields in which f and g differ, in a fixed order.
func (f PersonFields) Changed(g PersonFields) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("name", f.Name != g.Name)
	add("name_alt", !slices.Equal(f.NameAlt, g.NameAlt))
	add("sex", f.Sex != g.Sex)
	add("birth_year", f.BirthYear != g.BirthYear)
	add("birth_date", f.BirthDate != g.BirthDate)
	add("region", f.Region != g.Region)
	add("locality", f.Locality != g.Locality)
	return out
}

// Revision is one state of a record's fields: Seq 0 is the record as first
// stored, each later one a correction.
type Revision struct {
	Seq int
	PersonFields
	Why       string
	RevisedBy string // user id; "" for revision 0 (see RecordOrigin)
	RevisedAt time.Time
	Changed   []string // the fields this revision changed from the one before
}

// ErrNoChange is returned for a correction that changes nothing.
var ErrNoChange = errors.New("the correction changes nothing")

// ReviseRecord corrects a record's person fields: in one transaction with
// its audit entry ("record.revise": the revision and the fields changed,
// no values), the record's first state is kept as revision 0 if this is
// its first correction, the correction is appended, and the record itself
// (with its normalised names and search keys) takes the corrected values,
// which every reader then uses. The record's digest stays the original's:
// importing the original file again changes nothing. It returns the new
// revision's number.
func (s *Store) ReviseRecord(ctx context.Context, actor, recordID string, f PersonFields, why string) (int, error) {
	if strings.TrimSpace(f.Name) == "" {
		return 0, errors.New("a record needs a name")
	}
	var seq int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var cur PersonFields
		var alt string
		var created int64
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT name, name_alt, sex, birth_year, birth_date, region, locality, created_at FROM records WHERE id = ?`), recordID).
			Scan(&cur.Name, &alt, &cur.Sex, &cur.BirthYear, &cur.BirthDate, &cur.Region, &cur.Locality, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record %s: %w", recordID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		cur.NameAlt = splitList(alt)
		changed := cur.Changed(f)
		if len(changed) == 0 {
			return ErrNoChange
		}
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(MAX(seq), -1) FROM record_revisions WHERE record_id = ?`), recordID).Scan(&seq); err != nil {
			return err
		}
		insert := func(seq int, v PersonFields, why, by string, at int64) error {
			_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO record_revisions (record_id, seq, name, name_alt, sex, birth_year, birth_date, region, locality, why, revised_by, revised_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), recordID, seq, v.Name, strings.Join(v.NameAlt, ";"), v.Sex, v.BirthYear, v.BirthDate, v.Region, v.Locality, why, by, at)
			return err
		}
		if seq < 0 {
			if err := insert(0, cur, "", "", created); err != nil {
				return err
			}
			seq = 0
		}
		seq++
		if err := insert(seq, f, why, actor, s.Now().UnixMicro()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE records SET name = ?, name_norm = ?, name_alt = ?, name_alt_norm = ?, sex = ?, birth_year = ?, birth_date = ?, region = ?, locality = ? WHERE id = ?`),
			f.Name, names.Normalize(f.Name), strings.Join(f.NameAlt, ";"), normalizedSpellings(f.NameAlt), f.Sex, f.BirthYear, f.BirthDate, f.Region, f.Locality, recordID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM record_search_keys WHERE record_id = ?`), recordID); err != nil {
			return err
		}
		for _, key := range searchKeysOf(f.Name, f.NameAlt) {
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO record_search_keys (key, record_id) VALUES (?, ?) ON CONFLICT DO NOTHING`), key, recordID); err != nil {
				return err
			}
		}
		_, err = s.appendAudit(ctx, tx, actor, "record.revise", recordID, fmt.Sprintf("revision=%d fields=%s", seq, strings.Join(changed, ",")))
		return err
	})
	return seq, err
}

// RecordRevisions lists a record's revisions, the original first; none
// for a record never corrected.
func (s *Store) RecordRevisions(ctx context.Context, recordID string) ([]Revision, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT seq, name, name_alt, sex, birth_year, birth_date, region, locality, why, revised_by, revised_at
		FROM record_revisions WHERE record_id = ? ORDER BY seq`), recordID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var v Revision
		var alt string
		var at int64
		if err := rows.Scan(&v.Seq, &v.Name, &alt, &v.Sex, &v.BirthYear, &v.BirthDate, &v.Region, &v.Locality, &v.Why, &v.RevisedBy, &at); err != nil {
			return nil, err
		}
		v.NameAlt = splitList(alt)
		v.RevisedAt = time.UnixMicro(at).UTC()
		if n := len(out); n > 0 {
			v.Changed = out[n-1].PersonFields.Changed(v.PersonFields)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RecordOrigin is who made a record and how.
type RecordOrigin struct {
	At        time.Time
	EnteredBy string // the account that entered it in the workspace
	File      string // the imported file it came from
	ReportID  string // the public report it was made from
	// RecordedBy is the account that made the record of the report.
	RecordedBy string
}

// RecordOrigin says where a record came from: an account's entry, an
// import of a file (the imports row written with it, at the same moment),
// or a public report (and who recorded it).
func (s *Store) RecordOrigin(ctx context.Context, recordID string) (RecordOrigin, error) {
	var o RecordOrigin
	var created int64
	var sourceKey, sourceRecord string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT r.created_at, r.entered_by, s.key, r.source_record FROM records r JOIN sources s ON s.id = r.source_id WHERE r.id = ?`), recordID).
		Scan(&created, &o.EnteredBy, &sourceKey, &sourceRecord)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("record %s: %w", recordID, ErrNotFound)
	}
	if err != nil {
		return o, err
	}
	o.At = time.UnixMicro(created).UTC()
	if o.EnteredBy != "" {
		return o, nil
	}
	if sourceKey == PublicReportsSource {
		err := s.read.QueryRowContext(ctx, s.rebind(`SELECT id, closed_by FROM reports WHERE id = ? AND record_id = ?`), sourceRecord, recordID).Scan(&o.ReportID, &o.RecordedBy)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return o, err
		}
	}
	o.File, err = s.ImportFileAt(ctx, o.At)
	return o, err
}

// ImportFileAt names the file whose import wrote rows at t (every row of
// an import carries the import's moment); "" when none did.
func (s *Store) ImportFileAt(ctx context.Context, t time.Time) (string, error) {
	var file string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT file_name FROM imports WHERE imported_at = ? ORDER BY id LIMIT 1`), t.UnixMicro()).Scan(&file)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return file, err
}

// LinkChange is one move of a record into a person: when, by whom ("dedupe"
// for a dedupe run, else an account's id) and why.
type LinkChange struct {
	PersonID string
	At       time.Time
	ByWhom   string
	Why      string
}

// RecordLinks lists the moves of a record after it was first stored,
// oldest first.
func (s *Store) RecordLinks(ctx context.Context, recordID string) ([]LinkChange, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT person_id, linked_at, by_whom, why FROM links WHERE record_id = ? ORDER BY linked_at, id`), recordID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LinkChange
	for rows.Next() {
		var l LinkChange
		var at int64
		if err := rows.Scan(&l.PersonID, &at, &l.ByWhom, &l.Why); err != nil {
			return nil, err
		}
		l.At = time.UnixMicro(at).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}
