package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// This instance's identity and the other instances it knows (issue 17:
// field instances and headquarters). The identity's private keys are a
// sealed value, like the evidence key, so that key rotation re-seals them
// and a copy of the database without the data key holds nothing usable.

const (
	sealedInstanceIdentity = "instance_identity"
	instanceIdentityOwner  = "instance"
)

// Roles of a device.
const (
	RoleField        = "field"
	RoleHeadquarters = "headquarters"
)

// Device is another instance this one knows.
type Device struct {
	ID        string
	Name      string
	Role      string
	SignKey   string // base64url ed25519 public key
	Recipient string // age1…
	AddedAt   time.Time
	RevokedAt time.Time // zero while accepted
}

// Revoked says whether the device's messages are refused.
func (d Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// ErrUnknownDevice means no device of that name or key is registered.
var ErrUnknownDevice = errors.New("no such device")

// InstanceIdentity returns this instance's private identity as text,
// making it with generate (and keeping it sealed) at first use.
func (s *Store) InstanceIdentity(ctx context.Context, generate func() (string, error)) (string, error) {
	return s.sealedOnce(ctx, sealedInstanceIdentity, instanceIdentityOwner, "instance.identity", "instance identity", generate)
}

// sealedOnce returns the secret kept sealed as kind/owner, making it with
// generate (and auditing that as action) at first use; what names it in
// errors. Two callers making
// it at once keep the one that was stored first.
func (s *Store) sealedOnce(ctx context.Context, kind, owner, action, what string, generate func() (string, error)) (string, error) {
	if s.keys == nil {
		return "", ErrNoKeys
	}
	place := sealedPlace(kind, owner)
	var sealed string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT sealed FROM sealed_values WHERE kind = ? AND owner_id = ?`), kind, owner).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		text, err := generate()
		if err != nil {
			return "", err
		}
		if sealed, err = s.keys.SealString(place, text); err != nil {
			return "", err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sealed_values (kind, owner_id, sealed, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
				kind, owner, sealed, s.Now().UnixMicro())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				_, err = s.appendAudit(ctx, tx, ActorSystem, action, owner, "created")
			}
			return err
		})
		if err != nil {
			return "", err
		}
		return s.sealedOnce(ctx, kind, owner, action, what, generate)
	}
	if err != nil {
		return "", err
	}
	text, err := s.keys.UnsealString(place, sealed)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return text, nil
}

var deviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// AddDevice registers another instance by its public keys; audited.
// A name or signing key registered already (revoked or not) is refused:
// a revoked laptop does not come back under a new name with the same key.
func (s *Store) AddDevice(ctx context.Context, actor, name, role, signKey, recipient string) (Device, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if !deviceName.MatchString(name) {
		return Device{}, fmt.Errorf("device name %q: use lower-case letters, digits, '.', '_' and '-' (at most 63)", name)
	}
	if role != RoleField && role != RoleHeadquarters {
		return Device{}, fmt.Errorf("unknown device role %q", role)
	}
	d := Device{ID: NewID(), Name: name, Role: role, SignKey: signKey, Recipient: recipient, AddedAt: s.Now().UTC()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT (SELECT count(*) FROM devices WHERE name = ? OR sign_key = ?) + (SELECT count(*) FROM phones WHERE name = ?)`), name, signKey, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("a device named %q or with that key is registered already (see 'rollcall device list')", name)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO devices (id, name, role, sign_key, recipient, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			d.ID, d.Name, d.Role, d.SignKey, d.Recipient, d.AddedAt.UnixMicro(), actor); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "device.add", d.ID, "role="+role)
		return err
	})
	return d, err
}

// RevokeDevice refuses from now on every message the device signs, or,
// for a phone, every request with its token; audited. Revoking twice
// changes nothing.
func (s *Store) RevokeDevice(ctx context.Context, actor, name string) (Device, error) {
	var d Device
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if d, err = s.deviceWhere(ctx, tx, "name = ?", strings.ToLower(name)); errors.Is(err, ErrUnknownDevice) {
			p, err := s.revokePhoneTx(ctx, tx, actor, strings.ToLower(name))
			d = Device{ID: p.ID, Name: p.Name, Role: RolePhone, AddedAt: p.AddedAt, RevokedAt: p.RevokedAt}
			return err
		}
		if err != nil {
			return err
		}
		if d.Revoked() {
			return nil
		}
		d.RevokedAt = s.Now().UTC()
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE devices SET revoked_at = ?, revoked_by = ? WHERE id = ?`), d.RevokedAt.UnixMicro(), actor, d.ID); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "device.revoke", d.ID, "")
		return err
	})
	return d, err
}

// Devices lists every registered device, revoked ones included.
func (s *Store) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, role, sign_key, recipient, added_at, revoked_at FROM devices ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeviceByKey finds a device by its signing key; ErrUnknownDevice when none.
func (s *Store) DeviceByKey(ctx context.Context, signKey string) (Device, error) {
	return s.deviceWhere(ctx, s.read, "sign_key = ?", signKey)
}

// DeviceByName finds a device by name; ErrUnknownDevice when none.
func (s *Store) DeviceByName(ctx context.Context, name string) (Device, error) {
	return s.deviceWhere(ctx, s.read, "name = ?", strings.ToLower(name))
}

func (s *Store) deviceWhere(ctx context.Context, q querier, where string, arg any) (Device, error) {
	d, err := scanDevice(q.QueryRowContext(ctx, s.rebind(`SELECT id, name, role, sign_key, recipient, added_at, revoked_at FROM devices WHERE `+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrUnknownDevice
	}
	return d, err
}

func scanDevice(sc interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var added int64
	var revoked sql.NullInt64
	if err := sc.Scan(&d.ID, &d.Name, &d.Role, &d.SignKey, &d.Recipient, &added, &revoked); err != nil {
		return d, err
	}
	d.AddedAt = time.UnixMicro(added).UTC()
	d.RevokedAt = fromMicros(revoked)
	return d, nil
}

// VerifyKey is the device's signing key, decoded; nil when it does not
// decode (then nothing verifies against it).
func (d Device) VerifyKey() ed25519.PublicKey {
	b, err := base64.RawURLEncoding.DecodeString(d.SignKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return b
}
