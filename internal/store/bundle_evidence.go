package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"rollcall/internal/evidence"
)

// Evidence originals in bundles: the field opens each original it sends
// (a custody entry there), headquarters encrypts it to its own evidence
// key as it comes out of the bundle (StageOriginal, before the bundle's
// transaction: a file is not a row) and ApplyBundle records the item, its
// metadata (sealed) and a custody entry, or throws the staged copy away
// when headquarters kept the file already.

// StagedOriginal is an original received in a bundle, kept encrypted under
// headquarters' evidence key, not yet recorded.
type StagedOriginal struct {
	SHA256, MD5, MediaType, Blob string
	Size                         int64
	details                      []byte // EvidenceDetails as JSON, to be sealed to the item
}

// StageOriginal takes in an original whose SHA-256 must be sha and whose
// size must be size.
func (s *Store) StageOriginal(ctx context.Context, blobs evidence.Blobs, src io.Reader, sha string, size int64) (StagedOriginal, error) {
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return StagedOriginal{}, err
	}
	rec, err := evidence.Intake(src, key, blobs, 0, size)
	if err != nil {
		return StagedOriginal{}, err
	}
	if rec.SHA256 != sha {
		rec.Discard()
		return StagedOriginal{}, fmt.Errorf("original %s: its bytes hash to %s", sha, rec.SHA256)
	}
	st := StagedOriginal{SHA256: rec.SHA256, MD5: rec.MD5, MediaType: rec.Type, Size: rec.Size, Blob: "bundle-" + NewID() + ".age"}
	if err := rec.Keep(st.Blob); err != nil {
		return StagedOriginal{}, err
	}
	details := EvidenceDetails{}
	if md, err := readMetadata(key, blobs, EvidenceItem{Blob: st.Blob, MediaType: st.MediaType}); err == nil {
		details.Metadata = md
	} else {
		details.Metadata = &evidence.Metadata{Errors: []string{err.Error()}}
	}
	if st.details, err = json.Marshal(details); err != nil {
		blobs.Remove(st.Blob)
		return StagedOriginal{}, err
	}
	return st, nil
}

// stagedFor completes a new evidence item's row with its staged copy.
func (a *applier) stagedFor(vals map[string]any) (StagedOriginal, error) {
	sha, _ := vals["sha256"].(string)
	st, ok := a.originals[sha]
	if !ok {
		return st, fmt.Errorf("evidence item without its original (sha256 %s) in the bundle", sha)
	}
	vals["md5"], vals["size"], vals["media_type"], vals["blob"] = st.MD5, st.Size, st.MediaType, st.Blob
	return st, nil
}

// recordOriginal records a new item's sealed details and custody entry.
func (a *applier) recordOriginal(ctx context.Context, itemID string, st StagedOriginal) error {
	sealed, err := a.s.keys.Seal(sealedPlace(sealedEvidenceItem, itemID), st.details)
	if err != nil {
		return err
	}
	if _, err := a.tx.ExecContext(ctx, a.s.rebind(`INSERT INTO sealed_values (kind, owner_id, sealed, updated_at) VALUES (?, ?, ?, ?)`),
		sealedEvidenceItem, itemID, sealed, a.received); err != nil {
		return err
	}
	a.used[st.SHA256] = true
	_, err = a.s.appendAudit(ctx, a.tx, ActorCLI, CustodyReceived, itemID, fmt.Sprintf("sha256=%s size=%d type=%s from=device:%s bundle=%s", st.SHA256, st.Size, st.MediaType, a.device.ID, a.bundle))
	return err
}

// DiscardStaged removes the staged copies a bundle did not use (all of
// them when it was refused).
func DiscardStaged(blobs evidence.Blobs, staged map[string]StagedOriginal, used map[string]bool) {
	for sha, st := range staged {
		if !used[sha] {
			blobs.Remove(st.Blob)
		}
	}
}
