package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The OpenRosa key is the RSA key phones encrypt submissions to (ODK's
// encryption, internal/openrosa/odkcrypt): one for the instance, kept like
// the instance identity and the evidence key, sealed under the data key in
// sealed_values so that a key rotation re-seals it.
const (
	sealedOpenRosaKey = "openrosa_key"
	openRosaKeyOwner  = "instance"
)

// OpenRosaKey returns the OpenRosa private key as text, making it with
// generate (and keeping it sealed, audited) at first use. Two callers
// making it at once keep the one that was stored first.
func (s *Store) OpenRosaKey(ctx context.Context, generate func() (string, error)) (string, error) {
	if s.keys == nil {
		return "", ErrNoKeys
	}
	place := sealedPlace(sealedOpenRosaKey, openRosaKeyOwner)
	var sealed string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT sealed FROM sealed_values WHERE kind = ? AND owner_id = ?`), sealedOpenRosaKey, openRosaKeyOwner).Scan(&sealed)
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
				sealedOpenRosaKey, openRosaKeyOwner, sealed, s.Now().UnixMicro())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				_, err = s.appendAudit(ctx, tx, ActorSystem, "openrosa.key", openRosaKeyOwner, "created")
			}
			return err
		})
		if err != nil {
			return "", err
		}
		return s.OpenRosaKey(ctx, generate)
	}
	if err != nil {
		return "", err
	}
	text, err := s.keys.UnsealString(place, sealed)
	if err != nil {
		return "", fmt.Errorf("OpenRosa key: %w", err)
	}
	return text, nil
}
