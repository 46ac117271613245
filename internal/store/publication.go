package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

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
