package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"rollcall/internal/registry"
)

// Phones speaking OpenRosa (issue 18): ODK Collect and Tella. A phone is
// known by the SHA-256 of the token in its URL; the token itself is shown
// once, when the phone is added, and kept nowhere.

// RolePhone is how a phone is listed among devices.
const RolePhone = "phone"

// Phone is a registered phone.
type Phone struct {
	ID, Name  string
	UserID    string // the volunteer its records are entered as
	SourceID  string // its own source, "phone-NAME"
	AddedAt   time.Time
	RevokedAt time.Time
}

// Revoked says whether the phone is refused.
func (p Phone) Revoked() bool { return !p.RevokedAt.IsZero() }

// PhoneSourceKey is the key of a phone's own source.
func PhoneSourceKey(name string) string { return "phone-" + name }

// AddPhone registers a phone under name, whose records are entered as the
// account userID, with the token whose hash is tokenHash; it makes the
// phone's source (kind volunteers). Audited (device.add role=phone).
func (s *Store) AddPhone(ctx context.Context, actor, name, userID, tokenHash string) (Phone, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if !deviceName.MatchString(name) {
		return Phone{}, fmt.Errorf("device name %q: use lower-case letters, digits, '.', '_' and '-' (at most 63)", name)
	}
	p := Phone{ID: NewID(), Name: name, UserID: userID, SourceID: NewID(), AddedAt: s.Now().UTC().Truncate(time.Microsecond)}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT (SELECT count(*) FROM devices WHERE name = ?) + (SELECT count(*) FROM phones WHERE name = ?)`), name, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("a device named %q is registered already (see 'rollcall device list')", name)
		}
		if ok, err := s.userExists(ctx, tx, userID); err != nil || !ok {
			return errors.Join(err, fmt.Errorf("account %s: %w", userID, ErrNotFound))
		}
		key := PhoneSourceKey(name)
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sources WHERE key = ?`), key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("source %q exists already: %w", key, ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sources (id, key, kind, reliability, created_at) VALUES (?, ?, ?, 0, ?)`),
			p.SourceID, key, string(registry.KindVolunteers), p.AddedAt.UnixMicro()); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, actor, "source.add", p.SourceID, "kind=volunteers phone="+p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO phones (id, name, token_hash, user_id, source_id, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			p.ID, p.Name, tokenHash, userID, p.SourceID, p.AddedAt.UnixMicro(), actor); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "device.add", p.ID, "role=phone user="+userID)
		return err
	})
	return p, err
}

// PhoneByToken finds the phone whose token hashes to tokenHash, revoked or
// not; ErrUnknownDevice when none.
func (s *Store) PhoneByToken(ctx context.Context, tokenHash string) (Phone, error) {
	return s.phoneWhere(ctx, s.read, "token_hash = ?", tokenHash)
}

// Phones lists every phone, revoked ones included.
func (s *Store) Phones(ctx context.Context) ([]Phone, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, user_id, source_id, added_at, revoked_at FROM phones ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Phone
	for rows.Next() {
		p, err := scanPhone(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// revokePhoneTx revokes the phone named name; ErrUnknownDevice when none.
func (s *Store) revokePhoneTx(ctx context.Context, tx *sql.Tx, actor, name string) (Phone, error) {
	p, err := s.phoneWhere(ctx, tx, "name = ?", name)
	if err != nil || p.Revoked() {
		return p, err
	}
	p.RevokedAt = s.Now().UTC()
	if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE phones SET revoked_at = ?, revoked_by = ? WHERE id = ?`), p.RevokedAt.UnixMicro(), actor, p.ID); err != nil {
		return p, err
	}
	_, err = s.appendAudit(ctx, tx, actor, "device.revoke", p.ID, "role=phone")
	return p, err
}

func (s *Store) phoneWhere(ctx context.Context, q querier, where string, arg any) (Phone, error) {
	p, err := scanPhone(q.QueryRowContext(ctx, s.rebind(`SELECT id, name, user_id, source_id, added_at, revoked_at FROM phones WHERE `+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrUnknownDevice
	}
	return p, err
}

func scanPhone(sc interface{ Scan(...any) error }) (Phone, error) {
	var p Phone
	var added int64
	var revoked sql.NullInt64
	if err := sc.Scan(&p.ID, &p.Name, &p.UserID, &p.SourceID, &added, &revoked); err != nil {
		return p, err
	}
	p.AddedAt = time.UnixMicro(added).UTC()
	p.RevokedAt = fromMicros(revoked)
	return p, nil
}

// Kinds of what a phone's submission became.
const (
	SubmissionReport  = "report"
	SubmissionRecord  = "record"
	SubmissionPending = "pending" // parts of it came (*isIncomplete*), not the last
)

// PhoneSubmission is one submission taken from a phone.
type PhoneSubmission struct {
	FormID, InstanceID string
	PhoneID            string
	Kind               string
	TargetID           string    // the report's or the record's id
	StartedAt, EndedAt time.Time // the phone's own times (zero when it gave none)
	ReceivedAt         time.Time
	Attachments        map[string]string // file name → evidence item id
}

// ErrSubmissionTaken means the instance was taken whole already: answer
// the phone that it arrived, and store nothing more.
var ErrSubmissionTaken = errors.New("this submission was received already")

// PhoneSubmissionOf returns what is kept of a submission; ErrNotFound when
// nothing is.
func (s *Store) PhoneSubmissionOf(ctx context.Context, formID, instanceID string) (PhoneSubmission, error) {
	sub := PhoneSubmission{FormID: formID, InstanceID: instanceID, Attachments: map[string]string{}}
	var started, ended sql.NullInt64
	var received int64
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT phone_id, kind, target_id, started_at, ended_at, received_at FROM phone_submissions WHERE form_id = ? AND instance_id = ?`),
		formID, instanceID).Scan(&sub.PhoneID, &sub.Kind, &sub.TargetID, &started, &ended, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, ErrNotFound
	}
	if err != nil {
		return sub, err
	}
	sub.StartedAt, sub.EndedAt, sub.ReceivedAt = fromMicros(started), fromMicros(ended), time.UnixMicro(received).UTC()
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT name, item_id FROM phone_attachments WHERE form_id = ? AND instance_id = ?`), formID, instanceID)
	if err != nil {
		return sub, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, item string
		if err := rows.Scan(&name, &item); err != nil {
			return sub, err
		}
		sub.Attachments[name] = item
	}
	return sub, rows.Err()
}

// BeginPhoneSubmission claims (form, instance) for phone before anything of
// it is stored, so two copies of one instance arriving together make one:
// ErrSubmissionTaken when it was taken whole already. A pending claim (an
// earlier part of a split submission) is taken again by its own phone.
func (s *Store) BeginPhoneSubmission(ctx context.Context, phoneID, formID, instanceID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var kind, owner string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT kind, phone_id FROM phone_submissions WHERE form_id = ? AND instance_id = ?`), formID, instanceID).Scan(&kind, &owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO phone_submissions (form_id, instance_id, phone_id, kind, received_at) VALUES (?, ?, ?, ?, ?)`),
				formID, instanceID, phoneID, SubmissionPending, s.Now().UnixMicro())
			return err
		case err != nil:
			return err
		case kind != SubmissionPending || owner != phoneID:
			return ErrSubmissionTaken
		}
		return nil
	})
}

// AddPhoneAttachment notes that the file name of a submission became the
// evidence item itemID.
func (s *Store) AddPhoneAttachment(ctx context.Context, formID, instanceID, name, itemID string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`INSERT INTO phone_attachments (form_id, instance_id, name, item_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		formID, instanceID, name, itemID)
	return err
}

// FinishPhoneSubmission records what a submission became, with the
// phone's times.
func (s *Store) FinishPhoneSubmission(ctx context.Context, sub PhoneSubmission) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`UPDATE phone_submissions SET kind = ?, target_id = ?, started_at = ?, ended_at = ?, received_at = ? WHERE form_id = ? AND instance_id = ?`),
		sub.Kind, sub.TargetID, nullMicros(sub.StartedAt), nullMicros(sub.EndedAt), s.Now().UnixMicro(), sub.FormID, sub.InstanceID)
	return err
}

// AbandonPhoneSubmission lets go of a claim whose submission was refused
// before any part of it was kept, so the phone may send it again.
func (s *Store) AbandonPhoneSubmission(ctx context.Context, formID, instanceID string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM phone_submissions WHERE form_id = ? AND instance_id = ? AND kind = ?
		AND NOT EXISTS (SELECT 1 FROM phone_attachments a WHERE a.form_id = phone_submissions.form_id AND a.instance_id = phone_submissions.instance_id)`),
		formID, instanceID, SubmissionPending)
	return err
}

// PhoneOrigin is where a report or record from a phone came from.
type PhoneOrigin struct {
	PhoneSubmission
	PhoneName string
}

// PhoneOriginOf returns the submission that made the report or record
// targetID (kind SubmissionReport or SubmissionRecord), with its
// attachments; ErrNotFound for one that came otherwise.
func (s *Store) PhoneOriginOf(ctx context.Context, kind, targetID string) (PhoneOrigin, error) {
	var o PhoneOrigin
	var formID, instanceID string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT ps.form_id, ps.instance_id, p.name FROM phone_submissions ps JOIN phones p ON p.id = ps.phone_id
		WHERE ps.kind = ? AND ps.target_id = ?`), kind, targetID).Scan(&formID, &instanceID, &o.PhoneName)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, err
	}
	o.PhoneSubmission, err = s.PhoneSubmissionOf(ctx, formID, instanceID)
	return o, err
}
