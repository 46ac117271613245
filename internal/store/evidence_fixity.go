package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"rollcall/internal/evidence"
)

// Fixity checks: every original read back, decrypted and re-hashed; the
// result kept on the item (so that a damaged one is never served) and in
// its chain of custody; a run over every item leaves one more entry,
// CustodyFixityRun, that says what it found.

// Fixity results.
const (
	FixityOK       = "ok"
	FixityMismatch = "mismatch"
	FixityMissing  = "missing"
	FixityDamaged  = "damaged"
)

// EvidenceCheck is the result of reading one original back.
type EvidenceCheck struct {
	Item   EvidenceItem
	Result string // ok, mismatch, missing, damaged
	Detail string
}

// VerifyEvidence reads the originals back (ids, or every item when ids is
// empty), decrypts and re-hashes each, and records each result on the item
// and as a custody entry. It returns every result; the error is for the
// database, not for a bad file.
func (s *Store) VerifyEvidence(ctx context.Context, blobs evidence.Blobs, actor string, ids []string) ([]EvidenceCheck, error) {
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return nil, err
	}
	var items []EvidenceItem
	if len(ids) == 0 {
		if items, err = s.EvidenceItems(ctx, nil); err != nil {
			return nil, err
		}
	} else {
		for _, id := range ids {
			it, err := s.EvidenceItem(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("item %s: %w", id, err)
			}
			items = append(items, it)
		}
	}
	var out []EvidenceCheck
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		c := checkOne(key, blobs, it)
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE evidence_items SET checked = ?, checked_at = ? WHERE id = ?`), c.Result, s.Now().UnixMicro(), it.ID); err != nil {
				return err
			}
			detail := c.Result
			if c.Detail != "" {
				detail += " " + c.Detail
			}
			_, err := s.appendAudit(ctx, tx, actor, CustodyVerified, it.ID, detail)
			return err
		})
		if err != nil {
			return out, err
		}
		c.Item.Checked = c.Result
		out = append(out, c)
	}
	return out, nil
}

func checkOne(key *evidence.Key, blobs evidence.Blobs, it EvidenceItem) EvidenceCheck {
	c := EvidenceCheck{Item: it}
	o, err := blobs.Open(it.Blob)
	if err != nil {
		c.Result, c.Detail = FixityMissing, "the stored file cannot be opened"
		return c
	}
	defer o.Close()
	fx, err := key.Check(o)
	switch {
	case err != nil:
		c.Result, c.Detail = FixityDamaged, "the stored file does not decrypt (altered or cut)"
	case fx.SHA256 != it.SHA256 || fx.Size != it.Size:
		c.Result, c.Detail = FixityMismatch, fmt.Sprintf("sha256=%s size=%d", fx.SHA256, fx.Size)
	default:
		c.Result = FixityOK
	}
	return c
}

// ErrEvidenceDamaged refuses to serve an item the last fixity check found
// not intact.
var ErrEvidenceDamaged = errors.New("the last fixity check found this stored file not intact: it is not served; restore it from a backup and run 'rollcall evidence verify' on it")

// refuseDamaged refuses an item whose last check failed.
func refuseDamaged(it EvidenceItem) error {
	switch it.Checked {
	case FixityDamaged, FixityMismatch, FixityMissing:
		return fmt.Errorf("item %s (%s, checked %s): %w", it.ID, it.Checked, it.CheckedAt.Format(time.RFC3339), ErrEvidenceDamaged)
	}
	return nil
}

// CustodyFixityRun is the audit entry of a check of every item (object
// "evidence"): how many were checked and which were not intact.
const CustodyFixityRun = "evidence.fixity"

// FixityRun is what a check of every item found.
type FixityRun struct {
	Checked int
	Bad     []EvidenceCheck
}

// Summary is the run in one line, as the audit entry keeps it.
func (r FixityRun) Summary() string {
	s := fmt.Sprintf("checked=%d intact=%d not_intact=%d", r.Checked, r.Checked-len(r.Bad), len(r.Bad))
	var bad []string
	for _, c := range r.Bad {
		bad = append(bad, c.Item.ID+":"+c.Result)
	}
	if len(bad) > 0 {
		s += " " + strings.Join(bad, " ")
	}
	return s
}

// RunEvidenceFixity checks every item (VerifyEvidence) and records the run
// as one audit entry, CustodyFixityRun, after the items' own entries.
func (s *Store) RunEvidenceFixity(ctx context.Context, blobs evidence.Blobs, actor string) (FixityRun, error) {
	checks, err := s.VerifyEvidence(ctx, blobs, actor, nil)
	if err != nil {
		return FixityRun{}, err
	}
	run := FixityRun{Checked: len(checks)}
	for _, c := range checks {
		if c.Result != FixityOK {
			run.Bad = append(run.Bad, c)
		}
	}
	return run, s.Audit(ctx, actor, CustodyFixityRun, evidenceKeyOwner, run.Summary())
}

// LastEvidenceFixity is when the last check of every item was recorded
// (zero when there was none), so that a schedule survives restarts.
func (s *Store) LastEvidenceFixity(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT max(at) FROM audit_log WHERE action = ?`), CustodyFixityRun).Scan(&at)
	return fromMicros(at), err
}
