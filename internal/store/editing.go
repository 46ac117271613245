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
	"rollcall/internal/seal"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// ErrDuplicate is returned when a row that must be unique exists already
// (a source key, the same claim twice in a record).
var ErrDuplicate = errors.New("exists already")

// setSealedTx seals value and stores it as the kind of ownerID, with its
// audit entry, inside the caller's transaction, so that a sealed value
// lands with the object it belongs to or not at all (SetSealed, which
// replaces an earlier value, writes through it too). An empty value
// writes nothing.
func (s *Store) setSealedTx(ctx context.Context, tx *sql.Tx, k *seal.Keyring, actor, kind, ownerID, value string) error {
	if value == "" {
		return nil
	}
	if k == nil {
		return ErrNoKeys
	}
	if !sealedKinds[kind] || len(value) > maxSealedValue {
		return fmt.Errorf("sealed value of kind %q: unknown kind or longer than %d bytes", kind, maxSealedValue)
	}
	sealed, err := k.SealString(sealedPlace(kind, ownerID), value)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sealed_values (kind, owner_id, sealed, updated_at) VALUES (?, ?, ?, ?)`),
		kind, ownerID, sealed, s.Now().UnixMicro()); err != nil {
		return err
	}
	_, err = s.appendAudit(ctx, tx, actor, "sealed.write", ownerID, kind)
	return err
}

// HasSealed reports whether ownerID has a sealed value of kind, without
// opening it (pages say "kept sealed" and offer to reveal it).
func (s *Store) HasSealed(ctx context.Context, kind, ownerID string) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sealed_values WHERE kind = ? AND owner_id = ?`), kind, ownerID).Scan(&n)
	return n > 0, err
}

// AddSource stores a new source with its kind and reliability and, when
// identity is not empty, who the source is, sealed.
func (s *Store) AddSource(ctx context.Context, k *seal.Keyring, actor, key string, kind registry.SourceKind, reliability int, identity string) (string, error) {
	if strings.TrimSpace(key) == "" {
		return "", errors.New("a source needs a key")
	}
	if reliability < 0 || reliability > 5 {
		return "", fmt.Errorf("reliability %d: want 0 (unknown) to 5", reliability)
	}
	id := NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sources WHERE key = ?`), key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("source %q: %w", key, ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sources (id, key, kind, reliability, created_at) VALUES (?, ?, ?, ?, ?)`),
			id, key, string(kind), reliability, s.Now().UnixMicro()); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, actor, "source.add", id, "kind="+string(kind)); err != nil {
			return err
		}
		return s.setSealedTx(ctx, tx, k, actor, SealedSourceIdentity, id, identity)
	})
	return id, err
}

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
		if err := s.setSealedTx(ctx, tx, s.keys, actor, SealedPrivateNote, id, c.Note); err != nil {
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

// AddIncident stores a dated event that claims can point to.
func (s *Store) AddIncident(ctx context.Context, actor string, in registry.Incident) (string, error) {
	if strings.TrimSpace(in.Name) == "" || in.Date.Start == 0 {
		return "", errors.New("an incident needs a name and a date")
	}
	id := NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO incidents (id, name, date_start, precision, place, description) VALUES (?, ?, ?, ?, ?, ?)`),
			id, in.Name, int64(in.Date.Start), string(in.Date.Precision), in.Place, in.Description); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "incident.add", id, "")
		return err
	})
	return id, err
}

// Incidents lists the incidents, earliest first.
func (s *Store) Incidents(ctx context.Context) ([]registry.Incident, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, date_start, precision, place, description FROM incidents ORDER BY date_start, name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.Incident
	for rows.Next() {
		var in registry.Incident
		var start int64
		var precision string
		if err := rows.Scan(&in.ID, &in.Name, &start, &precision, &in.Place, &in.Description); err != nil {
			return nil, err
		}
		in.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		out = append(out, in)
	}
	return out, rows.Err()
}

// personExists reports whether a person holds at least one record now.
func (s *Store) personExists(ctx context.Context, q querier, personID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, s.rebind(`SELECT
		(SELECT count(*) FROM links WHERE person_id = ? AND unlinked_at IS NULL) +
		(SELECT count(*) FROM records r WHERE r.person_id = ? AND NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id AND l.unlinked_at IS NULL))`),
		personID, personID).Scan(&n)
	return n > 0, err
}

// PersonExists reports whether a person holds at least one record now.
func (s *Store) PersonExists(ctx context.Context, personID string) (bool, error) {
	return s.personExists(ctx, s.read, personID)
}

// AddRelation records that person a is kind of person b, with the
// relative's contact details (how to reach them) sealed.
func (s *Store) AddRelation(ctx context.Context, k *seal.Keyring, actor, a, b string, kind registry.RelationshipKind, contact string) (string, error) {
	if !slices.Contains(registry.RelationshipKinds, kind) {
		return "", fmt.Errorf("relationship %q: want parent, child, sibling, spouse or colleague", kind)
	}
	if a == b {
		return "", errors.New("a person is not their own relative")
	}
	id := NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range []string{a, b} {
			if ok, err := s.personExists(ctx, tx, p); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("person %s: %w", p, ErrNotFound)
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO relationships (id, person_a, person_b, kind, recorded_at) VALUES (?, ?, ?, ?, ?)`),
			id, a, b, string(kind), s.Now().UnixMicro()); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, actor, "relationship.add", id, "kind="+string(kind)); err != nil {
			return err
		}
		return s.setSealedTx(ctx, tx, k, actor, SealedRelativeContact, id, contact)
	})
	return id, err
}

// PersonRelation is a relationship as the workspace shows it, with why it
// was retracted.
type PersonRelation struct {
	registry.Relationship
	RetractReason string
}

// ErrRelationRetracted refuses retracting a relationship twice.
var ErrRelationRetracted = errors.New("the relationship is retracted already")

const relationColumns = `SELECT id, person_a, person_b, kind, recorded_at, COALESCE(retracted_at, 0), retract_reason FROM relationships`

func (s *Store) scanRelations(ctx context.Context, where string, args ...any) ([]PersonRelation, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(relationColumns+" "+where+" ORDER BY recorded_at, id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonRelation
	for rows.Next() {
		var r PersonRelation
		var kind string
		var recorded, retracted int64
		if err := rows.Scan(&r.ID, &r.PersonA, &r.PersonB, &kind, &recorded, &retracted, &r.RetractReason); err != nil {
			return nil, err
		}
		r.Kind = registry.RelationshipKind(kind)
		r.RecordedAt = time.UnixMicro(recorded).UTC()
		if retracted != 0 {
			r.RetractedAt = time.UnixMicro(retracted).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RelationsOf returns the relationships a person is part of, retracted
// ones included, in the order they were recorded.
func (s *Store) RelationsOf(ctx context.Context, personID string) ([]PersonRelation, error) {
	return s.scanRelations(ctx, `WHERE person_a = ? OR person_b = ?`, personID, personID)
}

// Relation returns one relationship by id.
func (s *Store) Relation(ctx context.Context, id string) (PersonRelation, error) {
	rels, err := s.scanRelations(ctx, `WHERE id = ?`, id)
	if err != nil {
		return PersonRelation{}, err
	}
	if len(rels) == 0 {
		return PersonRelation{}, fmt.Errorf("relationship %s: %w", id, ErrNotFound)
	}
	return rels[0], nil
}

// RetractRelation withdraws a relationship from now on, with who (the
// audit entry) and why (kept with the relationship). The row stays, so
// what was known before is unchanged; the public pages stop showing it at
// the next rebuild of the public list.
func (s *Store) RetractRelation(ctx context.Context, actor, id, why string) error {
	if strings.TrimSpace(why) == "" {
		return errors.New("retracting a relationship needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE relationships SET retracted_at = ?, retract_reason = ? WHERE id = ? AND retracted_at IS NULL`), s.Now().UnixMicro(), why, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var count int
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM relationships WHERE id = ?`), id).Scan(&count); err != nil {
				return err
			}
			if count == 0 {
				return fmt.Errorf("relationship %s: %w", id, ErrNotFound)
			}
			return ErrRelationRetracted
		}
		_, err = s.appendAudit(ctx, tx, actor, "relationship.retract", id, "")
		return err
	})
}

// SetSourceRating changes a source's kind and reliability (the workspace's
// `rollcall source set`), with an audit entry naming the old and new
// values. Setting what it is already is ErrDuplicate and writes nothing.
func (s *Store) SetSourceRating(ctx context.Context, actor, id string, kind registry.SourceKind, reliability int) error {
	if reliability < 0 || reliability > 5 {
		return fmt.Errorf("reliability %d: want 0 (unknown) to 5", reliability)
	}
	if _, err := registry.ParseSourceKind(string(kind)); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var oldKind string
		var oldReliability int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT kind, reliability FROM sources WHERE id = ?`), id).Scan(&oldKind, &oldReliability)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("source %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if oldKind == string(kind) && oldReliability == reliability {
			return fmt.Errorf("source %s is %s, %d already: %w", id, kind, reliability, ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE sources SET kind = ?, reliability = ? WHERE id = ?`), string(kind), reliability, id); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "source.set", id, fmt.Sprintf("kind=%s reliability=%d from kind=%s reliability=%d", kind, reliability, oldKind, oldReliability))
		return err
	})
}

// MoveRecord moves a record into another person now (toPerson), or splits
// it out into a new person of its own (toPerson ""), with who and why; it
// returns the person the record is in afterwards. The link history keeps
// where it was, so past counts are unchanged.
func (s *Store) MoveRecord(ctx context.Context, actor, recordID, toPerson, why string) (string, error) {
	if strings.TrimSpace(why) == "" {
		return "", errors.New("moving a record needs a reason")
	}
	person := toPerson
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockLinks(ctx, tx); err != nil {
			return err
		}
		_, current, err := s.currentPerson(ctx, tx, recordID)
		if err != nil {
			return err
		}
		action := "record.move"
		if toPerson == "" {
			action = "record.split"
			members, err := s.membersTx(ctx, tx, current)
			if err != nil {
				return err
			}
			if len(members) < 2 {
				return ErrCannotMove
			}
			person = NewID()
		} else {
			if toPerson == current {
				return ErrCannotMove
			}
			if ok, err := s.personExists(ctx, tx, toPerson); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("person %s: %w", toPerson, ErrNotFound)
			}
		}
		if _, err := s.relinkTx(ctx, tx, s.Now().UnixMicro(), []Move{{RecordID: recordID, PersonID: person}}, actor, why); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, action, recordID, "from="+current+" to="+person)
		return err
	})
	return person, err
}

// Consent is a recorded consent as pages show it: who gave it stays
// sealed (a relative_contact sealed value owned by ID).
type Consent struct {
	ID         string
	PersonID   string
	Given      registry.Day
	How        string
	RecordedBy string
	RecordedAt time.Time
}

// MarkWithConsent appends a mark on a person (withheld or public) under
// the rule of registry.CheckMark: public only with a complete consent or a
// recorded reason. The consent is stored with the mark, who gave it
// sealed; the mark, the consent and the audit entry land together. It
// does not refresh the public list: call RefreshPublic.
func (s *Store) MarkWithConsent(ctx context.Context, k *seal.Keyring, actor, personID string, mark registry.Publicity, reason string, c registry.Consent) error {
	if err := registry.CheckMark(mark, reason, c); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		reason = "consent"
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if ok, err := s.personExists(ctx, tx, personID); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("person %s: %w", personID, ErrNotFound)
		}
		now := s.Now().UnixMicro()
		markID := NewID()
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at) VALUES (?, ?, ?, ?, ?, ?)`),
			markID, personID, string(mark), reason, actor, now); err != nil {
			return err
		}
		detail := "mark=" + string(mark)
		if c.Complete() {
			consentID := NewID()
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO person_consents (id, person_id, publicity_id, given_on, how, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				consentID, personID, markID, int64(c.Given), strings.TrimSpace(c.How), actor, now); err != nil {
				return err
			}
			if err := s.setSealedTx(ctx, tx, k, actor, SealedRelativeContact, consentID, strings.TrimSpace(c.GivenBy)); err != nil {
				return err
			}
			detail += " consent=" + consentID
		}
		_, err := s.appendAudit(ctx, tx, actor, "person.mark", personID, detail)
		return err
	})
}

// Exists reports whether a row with id is in table, one of the tables
// whose rows own sealed values the workspace opens: a consent's giver is
// opened through the consent, a relative's contact through the
// relationship, never one through the other.
func (s *Store) Exists(ctx context.Context, table, id string) (bool, error) {
	switch table {
	case "person_consents", "relationships", "sources", "claims":
	default:
		return false, fmt.Errorf("table %q: not one whose rows own sealed values", table)
	}
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM `+table+` WHERE id = ?`), id).Scan(&n)
	return n > 0, err
}

// Consents returns the consents recorded for a person, oldest first.
func (s *Store) Consents(ctx context.Context, personID string) ([]Consent, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT id, given_on, how, recorded_by, recorded_at FROM person_consents WHERE person_id = ? ORDER BY recorded_at, id`), personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		c := Consent{PersonID: personID}
		var given, at int64
		if err := rows.Scan(&c.ID, &given, &c.How, &c.RecordedBy, &at); err != nil {
			return nil, err
		}
		c.Given = registry.Day(given)
		c.RecordedAt = time.UnixMicro(at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveSnapshotAudited stores a snapshot and its audit entry in one
// transaction and returns the audit chain's head after it: the line to
// keep away from the server.
func (s *Store) SaveSnapshotAudited(ctx context.Context, actor string, sn Snapshot) (AuditHead, error) {
	var head AuditHead
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO snapshots (id, slug, as_of, known_at, note, counts, people, body, signature, public_key, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			sn.ID, sn.Slug, int64(sn.AsOf), sn.KnownAt.UnixMicro(), sn.Note, sn.CountsJSON, sn.People, string(sn.Body), sn.Signature, sn.PublicKey, sn.PublishedAt.UnixMicro()); err != nil {
			return err
		}
		e, err := s.appendAudit(ctx, tx, actor, "publish", sn.ID, fmt.Sprintf("slug=%s people=%d", sn.Slug, sn.People))
		head = AuditHead{Seq: e.Seq, Hash: e.Hash}
		return err
	})
	return head, err
}

// PublicationHead is the audit chain's head as it stood right after a
// snapshot was published (its "publish" entry).
func (s *Store) PublicationHead(ctx context.Context, snapshotID string) (AuditHead, error) {
	var h AuditHead
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT seq, hash FROM audit_log WHERE action = 'publish' AND object = ? ORDER BY seq LIMIT 1`), snapshotID).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("no audit entry for snapshot %s: %w", snapshotID, ErrNotFound)
	}
	return h, err
}
