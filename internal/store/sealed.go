package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
)

// Kinds of sealed values kept in sealed_values, each belonging to an object
// (a source, a report, a person, a record) by its id.
const (
	SealedSourceIdentity  = "source_identity"  // who a source (an informant) is
	SealedReporterContact = "reporter_contact" // how to reach whoever filed a report
	SealedRelativeContact = "relative_contact" // how to reach a person's relatives
	SealedPrivateNote     = "private_note"     // an editor's note, never published
)

var sealedKinds = map[string]bool{SealedSourceIdentity: true, SealedReporterContact: true, SealedRelativeContact: true, SealedPrivateNote: true}

// maxSealedValue bounds one sealed value (contact details, a note).
const maxSealedValue = 64 << 10

func sealedPlace(kind, ownerID string) string { return "sealed_values." + kind + ":" + ownerID }

// ClaimNotePlace is where a claim's note is bound when claims.note holds a
// sealed value (seal.Keyring.Seal(ClaimNotePlace(id), note)).
func ClaimNotePlace(claimID string) string { return "claims.note:" + claimID }

// sealNote seals a new claim's note, as claims.note keeps it, and gives
// the keyed hash of it that the claim's fingerprint takes (Lookup): both
// "" for a claim without a note. ErrNoKeys without the data key.
func (s *Store) sealNote(claimID, note string) (sealed, lookup string, err error) {
	if note == "" {
		return "", "", nil
	}
	if s.keys == nil {
		return "", "", ErrNoKeys
	}
	if sealed, err = s.keys.SealString(ClaimNotePlace(claimID), note); err != nil {
		return "", "", err
	}
	return sealed, s.keys.Lookup(note), nil
}

// SetSealed seals value and keeps it as the kind of ownerID, replacing an
// earlier one; an empty value deletes it. The write is audited.
func (s *Store) SetSealed(ctx context.Context, actor, kind, ownerID, value string) error {
	if !sealedKinds[kind] {
		return fmt.Errorf("unknown kind of sealed value %q", kind)
	}
	if ownerID == "" {
		return errors.New("sealed value: no owner id")
	}
	if !utf8.ValidString(value) || len(value) > maxSealedValue {
		return fmt.Errorf("sealed value: not UTF-8 or longer than %d bytes", maxSealedValue)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM sealed_values WHERE kind = ? AND owner_id = ?`), kind, ownerID); err != nil {
			return err
		}
		if value != "" {
			return s.setSealedTx(ctx, tx, actor, kind, ownerID, value)
		}
		_, err := s.appendAudit(ctx, tx, actor, "sealed.delete", ownerID, kind)
		return err
	})
}

// Sealed unseals the kind of ownerID for actor; every read is an audit
// entry, committed before the value is returned. ErrNotFound when none.
func (s *Store) Sealed(ctx context.Context, actor, kind, ownerID string) (string, error) {
	var value string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var sealed string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT sealed FROM sealed_values WHERE kind = ? AND owner_id = ?`), kind, ownerID).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if s.keys == nil {
			return ErrNoKeys
		}
		if value, err = s.keys.UnsealString(sealedPlace(kind, ownerID), sealed); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "sealed.read", ownerID, kind)
		return err
	})
	return value, err
}

// RotationReport counts what a key rotation re-encrypted.
type RotationReport struct {
	Users, SealedValues, ClaimNotes int
	// Columns counts the other sealed cells: public reports' parts,
	// donors' and payees' details.
	Columns int
}

// sealedColumn is a column of sealed values outside sealed_values, with
// the place each cell is bound to.
type sealedColumn struct {
	table, column string
	place         func(id string) string
}

// sealedColumns lists every such column: a feature that seals a column
// adds it here, or key rotation would leave it under the old key.
var sealedColumns = []sealedColumn{
	{"reports", "relation_sealed", func(id string) string { return reportPlace("relation", id) }},
	{"reports", "contact_sealed", func(id string) string { return reportPlace("contact", id) }},
	{"reports", "text_sealed", func(id string) string { return reportPlace("text", id) }},
	{"reports", "content_sealed", func(id string) string { return reportPlace("content", id) }},
	{"fund_gifts", "display_name", func(id string) string { return giftPlace("display_name", id) }},
	{"fund_gifts", "donor_email", func(id string) string { return giftPlace("donor_email", id) }},
	{"fund_gifts", "donor_name", func(id string) string { return giftPlace("donor_name", id) }},
	{"fund_disbursements", "payee", func(id string) string { return disbursementPlace("payee", id) }},
	{"fund_disbursements", "memo", func(id string) string { return disbursementPlace("memo", id) }},
}

// resealColumns re-encrypts every non-empty cell of sealedColumns under
// k's current key, inside tx.
func (s *Store) resealColumns(ctx context.Context, tx *sql.Tx, k *seal.Keyring) (int, error) {
	n := 0
	for _, c := range sealedColumns {
		type cell struct{ id, sealed string }
		var cells []cell
		rows, err := tx.QueryContext(ctx, `SELECT id, `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> ''`)
		if err != nil {
			return n, err
		}
		for rows.Next() {
			var v cell
			if err := rows.Scan(&v.id, &v.sealed); err != nil {
				rows.Close()
				return n, err
			}
			cells = append(cells, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		for _, v := range cells {
			resealed, err := k.Reseal(c.place(v.id), v.sealed)
			if err != nil {
				return n, fmt.Errorf("%s.%s of %s: %w", c.table, c.column, v.id, err)
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE `+c.table+` SET `+c.column+` = ? WHERE id = ?`), resealed, v.id); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// ResealAll re-encrypts every sealed value under the current key of the
// store's keyring (SetKeys) and recomputes the e-mail lookup hashes, in one
// transaction: either all of it moves to the new key or none. The keyring
// must still hold the old key(s) (seal.Keyring.BeginRotation); drop them
// only after this returns nil.
func (s *Store) ResealAll(ctx context.Context, actor string) (RotationReport, error) {
	var rep RotationReport
	k := s.keys
	if k == nil {
		return rep, ErrNoKeys
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		type userRow struct{ id, email, totp, pending, password string }
		var users []userRow
		rows, err := tx.QueryContext(ctx, `SELECT id, email_sealed, totp_sealed, totp_pending_sealed, password_hash FROM users`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var u userRow
			if err := rows.Scan(&u.id, &u.email, &u.totp, &u.pending, &u.password); err != nil {
				rows.Close()
				return err
			}
			users = append(users, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range users {
			email, err := k.UnsealString(emailPlace(u.id), u.email)
			if err != nil {
				return fmt.Errorf("user %s: %w", u.id, err)
			}
			newEmail, err := k.SealString(emailPlace(u.id), email)
			if err != nil {
				return err
			}
			newTOTP, newPending := "", ""
			if u.totp != "" {
				if newTOTP, err = k.Reseal(totpPlace(u.id), u.totp); err != nil {
					return fmt.Errorf("user %s: %w", u.id, err)
				}
			}
			if u.pending != "" {
				if newPending, err = k.Reseal(totpPendingPlace(u.id), u.pending); err != nil {
					return fmt.Errorf("user %s: %w", u.id, err)
				}
			}
			// A peppered password hash is sealed; one stored before
			// peppering (plain argon2id) stays as it is until its
			// account signs in.
			newPassword := u.password
			if seal.IsSealed(u.password) {
				if newPassword, err = k.Reseal(PasswordPlace(u.id), u.password); err != nil {
					return fmt.Errorf("user %s: %w", u.id, err)
				}
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET email_lookup = ?, email_sealed = ?, totp_sealed = ?, totp_pending_sealed = ?, password_hash = ? WHERE id = ?`),
				k.Lookup(email), newEmail, newTOTP, newPending, newPassword, u.id); err != nil {
				return err
			}
			rep.Users++
		}

		type valueRow struct{ kind, owner, sealed string }
		var values []valueRow
		rows, err = tx.QueryContext(ctx, `SELECT kind, owner_id, sealed FROM sealed_values`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v valueRow
			if err := rows.Scan(&v.kind, &v.owner, &v.sealed); err != nil {
				rows.Close()
				return err
			}
			values = append(values, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range values {
			resealed, err := k.Reseal(sealedPlace(v.kind, v.owner), v.sealed)
			if err != nil {
				return fmt.Errorf("%s of %s: %w", v.kind, v.owner, err)
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE sealed_values SET sealed = ? WHERE kind = ? AND owner_id = ?`), resealed, v.kind, v.owner); err != nil {
				return err
			}
			rep.SealedValues++
		}

		// Claims' notes, and the fingerprints that hash them with the key.
		type noteRow struct {
			id, note, status, precision, place string
			start, verification                int64
		}
		var notes []noteRow
		rows, err = tx.QueryContext(ctx, s.rebind(`SELECT id, note, status, precision, place, date_start, verification FROM claims WHERE note LIKE ?`), seal.Prefix+"%")
		if err != nil {
			return err
		}
		for rows.Next() {
			var n noteRow
			if err := rows.Scan(&n.id, &n.note, &n.status, &n.precision, &n.place, &n.start, &n.verification); err != nil {
				rows.Close()
				return err
			}
			notes = append(notes, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range notes {
			plain, err := k.UnsealString(ClaimNotePlace(n.id), n.note)
			if err != nil {
				return fmt.Errorf("note of claim %s: %w", n.id, err)
			}
			resealed, err := k.SealString(ClaimNotePlace(n.id), plain)
			if err != nil {
				return err
			}
			c := registry.Claim{Status: registry.Status(n.status), Date: registry.PeriodFrom(registry.Day(n.start), registry.Precision(n.precision)),
				Verification: registry.Verification(n.verification), Place: n.place}
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE claims SET note = ?, fingerprint = ? WHERE id = ?`), resealed, ClaimFingerprint(c, k.Lookup(plain)), n.id); err != nil {
				return err
			}
			rep.ClaimNotes++
		}
		if rep.Columns, err = s.resealColumns(ctx, tx, k); err != nil {
			return err
		}
		// Reports still in the clear columns (filed before migration
		// 0015) are sealed under the new key.
		clear, err := s.sealClearReportsTx(ctx, tx, k)
		if err != nil {
			return err
		}
		rep.Columns += clear
		_, err = s.appendAudit(ctx, tx, actor, "key.rotate", k.KeyID(), fmt.Sprintf("users=%d values=%d notes=%d columns=%d", rep.Users, rep.SealedValues, rep.ClaimNotes, rep.Columns))
		return err
	})
	return rep, err
}

// SealKeysInUse names the keys that sealed a sample of the database's
// sealed values (the newest of each kind): enough to tell that a key file
// is the wrong one, or missing, before anything is sealed under it.
func (s *Store) SealKeysInUse(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	queries := []string{
		`SELECT email_sealed FROM users ORDER BY created_at DESC LIMIT 1`,
		`SELECT sealed FROM sealed_values ORDER BY updated_at DESC LIMIT 1`,
		`SELECT note FROM claims WHERE note <> '' LIMIT 1`,
	}
	for _, c := range sealedColumns {
		queries = append(queries, `SELECT `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> '' LIMIT 1`)
	}
	for _, q := range queries {
		var v string
		err := s.read.QueryRowContext(ctx, q).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if id := seal.KeyIDOf(v); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// CheckSealKey fails when the database holds values sealed under a key the
// keyring lacks.
func (s *Store) CheckSealKey(ctx context.Context, k *seal.Keyring) error {
	ids, err := s.SealKeysInUse(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !k.Has(id) {
			return fmt.Errorf("the database holds values sealed with key %s, which the key file does not have: restore the key file (seal.key or seal.key.age) from its backup", id)
		}
	}
	return nil
}
