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

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// EnteredRecord is a record as the workspace shows it: its fields, the
// person it is in now, and who entered it.
type EnteredRecord struct {
	registry.Record
	PersonID  string
	EnteredBy string // user id; "" for imported records
	TakenBy   string
	TakenAt   time.Time
}

// Taken reports whether an editor has taken the record over.
func (r EnteredRecord) Taken() bool { return !r.TakenAt.IsZero() }

// AddRecord stores a record entered by hand, with its first claim, the way
// an import stores one: normalised names, search keys of every spelling,
// a new person of its own. It belongs to the source rec.SourceID; its own
// key is made from its id. enteredBy is the user who entered it: a
// volunteer sees it until an editor takes it. A record an editor enters
// (editorial) is in the editors' hands at once: it is stored taken.
func (s *Store) AddRecord(ctx context.Context, enteredBy string, editorial bool, rec registry.Record, first registry.Claim) (recordID, personID string, err error) {
	if strings.TrimSpace(rec.Name) == "" {
		return "", "", errors.New("a record needs a name")
	}
	recordID, personID = NewID(), NewID()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sources WHERE id = ?`), rec.SourceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("source %s: %w", rec.SourceID, ErrNotFound)
		}
		now := s.Now().UnixMicro()
		takenBy, takenAt := "", any(nil)
		if editorial {
			takenBy, takenAt = enteredBy, now
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO records (id, source_id, source_record, person_id, name, name_norm, name_alt, name_alt_norm,
			sex, birth_year, birth_date, region, locality, roles, fields_hash, created_at, entered_by, taken_by, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			recordID, rec.SourceID, "web-"+recordID, personID, rec.Name, names.Normalize(rec.Name), strings.Join(rec.NameAlt, ";"), normalizedSpellings(rec.NameAlt),
			rec.Sex, rec.BirthYear, rec.BirthDate, rec.Region, rec.Locality, registry.JoinRoles(rec.Roles), RecordDigest(rec), now, enteredBy, takenBy, takenAt); err != nil {
			return err
		}
		for _, key := range searchKeysOf(rec.Name, rec.NameAlt) {
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO record_search_keys (key, record_id) VALUES (?, ?)`), key, recordID); err != nil {
				return err
			}
		}
		if _, err := s.appendAudit(ctx, tx, enteredBy, "record.add", recordID, "person="+personID); err != nil {
			return err
		}
		_, err := s.addClaimTx(ctx, tx, enteredBy, recordID, personID, first, "")
		return err
	})
	if err != nil {
		return "", "", err
	}
	return recordID, personID, nil
}

// addClaimTx appends a claim to a record whose first person is
// recordPerson; supersedes names the claim it restates ("" for none). The
// note is sealed, bound to the new claim.
func (s *Store) addClaimTx(ctx context.Context, tx *sql.Tx, actor, recordID, recordPerson string, c registry.Claim, supersedes string) (string, error) {
	if _, err := registry.ParseStatus(string(c.Status)); err != nil {
		return "", err
	}
	if c.Date.Start == 0 {
		return "", errors.New("a claim needs a date")
	}
	id := NewID()
	note, noteKey, err := s.sealNote(id, c.Note)
	if err != nil {
		return "", err
	}
	var incident any
	if c.IncidentID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM incidents WHERE id = ?`), c.IncidentID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", fmt.Errorf("incident %s: %w", c.IncidentID, ErrNotFound)
		}
		incident = c.IncidentID
	}
	fingerprint := ClaimFingerprint(c, noteKey)
	var n int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM claims WHERE record_id = ? AND fingerprint = ? AND retracted_at IS NULL`),
		recordID, fingerprint).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "", fmt.Errorf("the record has this claim: %w", ErrDuplicate)
	}
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM claims WHERE record_id = ? AND fingerprint = ?`), recordID, fingerprint).Scan(&n); err != nil {
		return "", err
	}
	noteApart := false
	if n > 0 {
		// The same claim was stated and retracted before (a level set back
		// to an earlier one): a fingerprint of its own keeps both rows. A
		// re-import still finds the first and leaves it retracted. Its note
		// is kept apart, in sealed_values: a key rotation recomputes the
		// fingerprints of claims holding notes from their content, which
		// would make this one collide with the first again.
		fingerprint = Digest(fingerprint, id)
		noteApart, note = note != "", ""
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO claims (id, record_id, record_person, status, date_start, date_end, precision, place, details,
		incident_id, verification, note, fingerprint, recorded_at, entered_by, supersedes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		id, recordID, recordPerson, string(c.Status), int64(c.Date.Start), int64(c.Date.End), string(c.Date.Precision), c.Place, c.Details,
		incident, int64(c.Verification), note, fingerprint, s.Now().UnixMicro(), actor, supersedes); err != nil {
		return "", err
	}
	if noteApart {
		if err := s.setSealedTx(ctx, tx, actor, SealedPrivateNote, id, c.Note); err != nil {
			return "", err
		}
	}
	action := "claim.add"
	if supersedes != "" {
		action = "claim.verify"
	}
	_, err = s.appendAudit(ctx, tx, actor, action, id, "record="+recordID+" verification="+c.Verification.String())
	return id, err
}

// AddClaim appends a claim to a record.
func (s *Store) AddClaim(ctx context.Context, actor, recordID string, c registry.Claim) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var person string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT person_id FROM records WHERE id = ?`), recordID).Scan(&person)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record %s: %w", recordID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		id, err = s.addClaimTx(ctx, tx, actor, recordID, person, c, "")
		return err
	})
	return id, err
}

// claimRow reads one claim in tx.
func (s *Store) claimRow(ctx context.Context, q querier, claimID string) (c registry.Claim, recordPerson, sealedNote string, err error) {
	var status, precision string
	var start, verification, recorded int64
	var retracted sql.NullInt64
	err = q.QueryRowContext(ctx, s.rebind(`SELECT record_id, record_person, status, date_start, precision, place, details, COALESCE(incident_id, ''),
		verification, note, recorded_at, retracted_at FROM claims WHERE id = ?`), claimID).
		Scan(&c.RecordID, &recordPerson, &status, &start, &precision, &c.Place, &c.Details, &c.IncidentID, &verification, &sealedNote, &recorded, &retracted)
	if errors.Is(err, sql.ErrNoRows) {
		return c, "", "", fmt.Errorf("claim %s: %w", claimID, ErrNotFound)
	}
	c.ID = claimID
	c.Status = registry.Status(status)
	c.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
	c.Verification = registry.Verification(verification)
	c.RecordedAt = time.UnixMicro(recorded).UTC()
	c.RetractedAt = fromMicros(retracted)
	return c, recordPerson, sealedNote, err
}

// ClaimRecord returns the record a claim belongs to.
func (s *Store) ClaimRecord(ctx context.Context, claimID string) (string, error) {
	var record string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT record_id FROM claims WHERE id = ?`), claimID).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("claim %s: %w", claimID, ErrNotFound)
	}
	return record, err
}

// ErrRetracted refuses a change to a claim already withdrawn.
var ErrRetracted = errors.New("the claim is retracted")

// ErrCannotMove refuses a move that changes nothing: into the person the
// record is in, or a split of a record alone in its person.
var ErrCannotMove = errors.New("the record is in that person already, or alone in its person")

// WithdrawClaim retracts a claim from now on, with who (the audit entry)
// and why (kept with the claim: free text stays out of the audit log,
// which holds ids only). The claim stays stored: counts as known before
// are unchanged.
func (s *Store) WithdrawClaim(ctx context.Context, actor, claimID, why string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE claims SET retracted_at = ?, retract_reason = ? WHERE id = ? AND retracted_at IS NULL`), s.Now().UnixMicro(), why, claimID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := s.ClaimRecord(ctx, claimID); err != nil {
				return err
			}
			return ErrRetracted
		}
		_, err = s.appendAudit(ctx, tx, actor, "claim.retract", claimID, "")
		return err
	})
}

// SetVerification sets a claim's verification level the append-only way:
// a new claim, the same in every other field and naming the old one in
// supersedes, is recorded, and the old one is retracted at the same
// moment. So at any known-at time exactly one of them is in force, the
// counting rules count the level of that time, and the history stays.
// It returns the new claim's id.
func (s *Store) SetVerification(ctx context.Context, actor, claimID string, level registry.Verification) (string, error) {
	if level < registry.Unverified || level > registry.Verified {
		return "", fmt.Errorf("verification %d: unknown level", level)
	}
	var id string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, person, sealedNote, err := s.claimRow(ctx, tx, claimID)
		if err != nil {
			return err
		}
		if !c.RetractedAt.IsZero() {
			return ErrRetracted
		}
		if c.Verification == level {
			return fmt.Errorf("the claim is %s already: %w", level, ErrDuplicate)
		}
		if c.Note, err = s.claimNoteTx(ctx, tx, claimID, sealedNote); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE claims SET retracted_at = ?, retract_reason = ? WHERE id = ?`), s.Now().UnixMicro(), "verification set to "+level.String(), claimID); err != nil {
			return err
		}
		from := c.Verification
		c.Verification = level
		if id, err = s.addClaimTx(ctx, tx, actor, c.RecordID, person, c, claimID); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "claim.supersede", claimID, "by="+id+" from="+from.String()+" to="+level.String())
		return err
	})
	return id, err
}

// EnteredClaim is a claim as the workspace shows it.
type EnteredClaim struct {
	registry.Claim
	IncidentName  string
	EnteredBy     string
	Supersedes    string
	RetractReason string
	HasNote       bool // the note is sealed; ReadSealed may open it
}

// Record returns a record, the person it is in now and its claims (all of
// them, retracted ones included, in the order they were recorded).
func (s *Store) Record(ctx context.Context, id string) (EnteredRecord, []EnteredClaim, error) {
	rec, err := s.scanRecords(ctx, `WHERE r.id = ?`, []any{id}, 1)
	if err != nil {
		return EnteredRecord{}, nil, err
	}
	if len(rec) == 0 {
		return EnteredRecord{}, nil, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT c.id, c.status, c.date_start, c.precision, c.place, c.details, COALESCE(c.incident_id, ''),
		COALESCE(i.name, ''), c.verification,
		c.note <> '' OR EXISTS (SELECT 1 FROM sealed_values v WHERE v.kind = 'private_note' AND v.owner_id = c.id), c.recorded_at, c.retracted_at, c.entered_by, c.supersedes, c.retract_reason
		FROM claims c LEFT JOIN incidents i ON i.id = c.incident_id WHERE c.record_id = ? ORDER BY c.recorded_at, c.id`), id)
	if err != nil {
		return EnteredRecord{}, nil, err
	}
	defer rows.Close()
	var claims []EnteredClaim
	for rows.Next() {
		var c EnteredClaim
		var status, precision string
		var start, verification, recorded int64
		var retracted sql.NullInt64
		if err := rows.Scan(&c.ID, &status, &start, &precision, &c.Place, &c.Details, &c.IncidentID, &c.IncidentName, &verification,
			&c.HasNote, &recorded, &retracted, &c.EnteredBy, &c.Supersedes, &c.RetractReason); err != nil {
			return EnteredRecord{}, nil, err
		}
		c.RecordID = id
		c.Status = registry.Status(status)
		c.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		c.Verification = registry.Verification(verification)
		c.RecordedAt = time.UnixMicro(recorded).UTC()
		c.RetractedAt = fromMicros(retracted)
		claims = append(claims, c)
	}
	return rec[0], claims, rows.Err()
}

// ClaimNote opens a claim's sealed note for actor; the read is an audit
// entry committed before the note is returned. ErrNotFound when the claim
// has no note.
func (s *Store) ClaimNote(ctx context.Context, actor, claimID string) (string, error) {
	var note string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, _, sealedNote, err := s.claimRow(ctx, tx, claimID)
		if err != nil {
			return err
		}
		if note, err = s.claimNoteTx(ctx, tx, claimID, sealedNote); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "sealed.read", claimID, "claim_note")
		return err
	})
	return note, err
}

// claimNoteTx opens a claim's note: claims.note (sealedNote, bound to the
// claim) or, for a restated claim whose note is kept apart, its
// private_note sealed value. ErrNotFound when it has none.
func (s *Store) claimNoteTx(ctx context.Context, tx *sql.Tx, claimID, sealedNote string) (string, error) {
	if s.keys == nil {
		return "", ErrNoKeys
	}
	if sealedNote != "" {
		return s.keys.UnsealString(ClaimNotePlace(claimID), sealedNote)
	}
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT sealed FROM sealed_values WHERE kind = ? AND owner_id = ?`), SealedPrivateNote, claimID).Scan(&sealedNote)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("claim %s has no note: %w", claimID, ErrNotFound)
	}
	if err != nil {
		return "", err
	}
	return s.keys.UnsealString(sealedPlace(SealedPrivateNote, claimID), sealedNote)
}

// RecordFilter narrows a list of records.
type RecordFilter struct {
	// EnteredBy, when set, keeps only the records that user entered and no
	// editor has taken yet: what a volunteer may see.
	EnteredBy string
	// Query keeps records whose spellings hold every key of the name query.
	Query    string
	PersonID string // the records in this person now
	Limit    int
}

// membersOf lists the records in a person now.
func (s *Store) membersOf(ctx context.Context, personID string) ([]string, error) {
	return queryStrings(ctx, s.read, s.rebind(`
		SELECT r.id FROM records r WHERE r.person_id = ?
		  AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL)
		UNION
		SELECT record_id FROM links WHERE person_id = ? AND unlinked_at IS NULL`), personID, personID)
}

// Records lists records, newest first (ids are UUIDv7: their order is
// the order they were made in, and the primary key serves it).
func (s *Store) Records(ctx context.Context, f RecordFilter) ([]EnteredRecord, error) {
	var where []string
	var args []any
	if f.EnteredBy != "" {
		// entered_by <> '' lets the partial index records_entered_by serve.
		where = append(where, `r.entered_by = ? AND r.entered_by <> '' AND r.taken_at IS NULL`)
		args = append(args, f.EnteredBy)
	}
	if f.PersonID != "" {
		// The person's records through the two indexed ways in (first
		// person, current link), not a scan of every record's person.
		ids, err := s.membersOf(ctx, f.PersonID)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		where = append(where, `r.id IN (`+placeholders(len(ids))+`)`)
		for _, id := range ids {
			args = append(args, id)
		}
	}
	var rank map[string]int
	if strings.TrimSpace(f.Query) != "" {
		cond, qargs, r, err := s.recordQuery(ctx, f.Query)
		if err != nil || cond == "" {
			return nil, err
		}
		where, args, rank = append(where, cond), append(args, qargs...), r
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	if rank == nil {
		return s.scanRecords(ctx, clause, args, limit)
	}
	// Best matches first, then the limit.
	recs, err := s.scanRecords(ctx, clause, args, len(rank))
	slices.SortFunc(recs, func(a, b EnteredRecord) int { return rank[a.ID] - rank[b.ID] })
	return recs[:min(len(recs), limit)], err
}

func (s *Store) scanRecords(ctx context.Context, where string, args []any, limit int) ([]EnteredRecord, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT r.id, r.source_id, s.key, r.source_record, r.name, r.name_alt, r.sex, r.birth_year, r.birth_date,
		r.region, r.locality, r.roles, r.created_at, COALESCE(l.person_id, r.person_id), r.entered_by, r.taken_by, r.taken_at
		FROM records r JOIN sources s ON s.id = r.source_id
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL `+where+`
		ORDER BY r.id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EnteredRecord
	for rows.Next() {
		var r EnteredRecord
		var alt, roles string
		var created int64
		var taken sql.NullInt64
		if err := rows.Scan(&r.ID, &r.SourceID, &r.SourceKey, &r.Key, &r.Name, &alt, &r.Sex, &r.BirthYear, &r.BirthDate,
			&r.Region, &r.Locality, &roles, &created, &r.PersonID, &r.EnteredBy, &r.TakenBy, &taken); err != nil {
			return nil, err
		}
		r.NameAlt = splitList(alt)
		r.Roles = registry.SplitRoles(roles)
		r.CreatedAt = time.UnixMicro(created).UTC()
		r.TakenAt = fromMicros(taken)
		out = append(out, r)
	}
	return out, rows.Err()
}

// TakeRecord hands a volunteer's record over to the editors: from now on
// only the roles that read the registry see it.
func (s *Store) TakeRecord(ctx context.Context, actor, recordID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE records SET taken_by = ?, taken_at = ? WHERE id = ? AND taken_at IS NULL`), actor, s.Now().UnixMicro(), recordID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM records WHERE id = ?`), recordID).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return fmt.Errorf("record %s: %w", recordID, ErrNotFound)
			}
			return fmt.Errorf("record %s is taken: %w", recordID, ErrDuplicate)
		}
		_, err = s.appendAudit(ctx, tx, actor, "record.take", recordID, "")
		return err
	})
}
