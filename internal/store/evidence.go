package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"rollcall/internal/evidence"
)

// Evidence items: originals kept encrypted in an evidence.Blobs, their
// rows, links and sealed details here, their chain of custody in the audit
// log (actions evidence.*, object the item's id). docs/evidence.md.

// Sealed kinds of evidence (in sealed_values, so key rotation re-seals
// them with everything else).
const (
	sealedEvidenceIdentity = "evidence_identity" // owner "evidence": the age identity originals are encrypted to
	sealedEvidenceItem     = "evidence_item"     // owner the item: its name as sent and its metadata
	evidenceKeyOwner       = "evidence"
)

// Custody actions, as they appear in the audit log.
const (
	CustodyReceived  = "evidence.received" // detail: sha256=… size=… from=…
	CustodyOpened    = "evidence.opened"   // an editor or the operator read the sealed details or the original
	CustodyCopied    = "evidence.copied"   // the original was written out (decrypted)
	CustodyDerived   = "evidence.derived"  // a public derivative was made
	CustodyExported  = "evidence.exported" // written into a bag
	CustodyVerified  = "evidence.verified" // a fixity check: ok, mismatch or missing
	CustodyLinked    = "evidence.linked"   // detail: person:ID, claim:ID or incident:ID
	CustodyPublished = "evidence.published"
)

// EvidenceItem is an item's plain row.
type EvidenceItem struct {
	ID         string
	SHA256     string
	MD5        string
	Size       int64
	MediaType  string
	Blob       string
	ReceivedBy string
	ReceivedAt time.Time
	Checked    string // last fixity check: ok, mismatch, missing or ""
	CheckedAt  time.Time
}

// EvidenceLink ties an item to a person, claim or incident.
type EvidenceLink struct {
	Kind     string // person, claim, incident
	TargetID string
}

func (l EvidenceLink) String() string { return l.Kind + ":" + l.TargetID }

// EvidenceDetails is what is sealed about an item.
type EvidenceDetails struct {
	Name         string             `json:"name,omitempty"`          // the file's name as it came
	DeclaredType string             `json:"declared_type,omitempty"` // what the sender said it was
	Metadata     *evidence.Metadata `json:"metadata,omitempty"`
}

// EvidenceIntake says who hands a file in and what it belongs to.
type EvidenceIntake struct {
	Actor        string // audit actor: a user id or ActorCLI
	From         string // user:ID, device:ID or cli
	Name         string
	DeclaredType string
	Links        []EvidenceLink
	Limit        int64 // bytes; 0: none
	Want         int64 // announced size; -1: unknown
}

// EvidenceKey opens the evidence key, making it at first use: an age
// identity sealed under the data key, and the offline recipients.
func (s *Store) EvidenceKey(ctx context.Context) (*evidence.Key, error) {
	if s.keys == nil {
		return nil, ErrNoKeys
	}
	place := sealedPlace(sealedEvidenceIdentity, evidenceKeyOwner)
	var sealed string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT sealed FROM sealed_values WHERE kind = ? AND owner_id = ?`), sealedEvidenceIdentity, evidenceKeyOwner).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		id, err := evidence.NewIdentity()
		if err != nil {
			return nil, err
		}
		if sealed, err = s.keys.SealString(place, id); err != nil {
			return nil, err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sealed_values (kind, owner_id, sealed, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
				sealedEvidenceIdentity, evidenceKeyOwner, sealed, s.Now().UnixMicro())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				_, err = s.appendAudit(ctx, tx, ActorSystem, "evidence.key", evidenceKeyOwner, "created")
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		return s.EvidenceKey(ctx)
	}
	if err != nil {
		return nil, err
	}
	identity, err := s.keys.UnsealString(place, sealed)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	offline, err := s.EvidenceRecipients(ctx)
	if err != nil {
		return nil, err
	}
	return evidence.OpenKey(identity, offline)
}

// EvidenceRecipients lists the offline recipients.
func (s *Store) EvidenceRecipients(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, s.read, `SELECT recipient FROM evidence_recipients ORDER BY added_at, recipient`)
}

// AddEvidenceRecipient adds an offline recipient (an age public key) that
// every original received from now on is also encrypted to.
func (s *Store) AddEvidenceRecipient(ctx context.Context, actor, recipient string) error {
	r, err := evidence.ParseRecipient(recipient)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO evidence_recipients (recipient, added_at, added_by) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), r.String(), s.Now().UnixMicro(), actor)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = s.appendAudit(ctx, tx, actor, "evidence.recipient", r.String(), "added")
		return err
	})
}

// ErrEvidenceLinkTarget means a link names a person, claim or incident
// that does not exist.
var ErrEvidenceLinkTarget = errors.New("no such person, claim or incident")

// CheckEvidenceLinks says whether every link names a person, claim or
// incident that exists (ErrEvidenceLinkTarget when one does not).
func (s *Store) CheckEvidenceLinks(ctx context.Context, links []EvidenceLink) error {
	return s.checkLinks(ctx, s.read, links)
}

func (s *Store) checkLinks(ctx context.Context, q querier, links []EvidenceLink) error {
	for _, l := range links {
		var ok bool
		var err error
		switch l.Kind {
		case "person":
			ok, err = s.personExists(ctx, q, l.TargetID)
		case "claim", "incident":
			var n int
			err = q.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM `+l.Kind+`s WHERE id = ?`), l.TargetID).Scan(&n)
			ok = n > 0
		default:
			return fmt.Errorf("link kind %q: want person, claim or incident", l.Kind)
		}
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s %s", ErrEvidenceLinkTarget, l.Kind, l.TargetID)
		}
	}
	return nil
}

// IntakeEvidence receives one file: streams it into blobs (hashing and
// encrypting on the way), reads its metadata, and records the item, its
// details (sealed), its links and the custody entry in one transaction. A
// file whose SHA-256 is already kept is not stored twice: the new links go
// to the existing item, and dup is true. Any error leaves nothing behind.
func (s *Store) IntakeEvidence(ctx context.Context, blobs evidence.Blobs, src io.Reader, in EvidenceIntake) (item EvidenceItem, dup bool, err error) {
	if err := s.checkLinks(ctx, s.read, in.Links); err != nil {
		return EvidenceItem{}, false, err
	}
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return EvidenceItem{}, false, err
	}
	rec, err := evidence.Intake(src, key, blobs, in.Limit, in.Want)
	if err != nil {
		return EvidenceItem{}, false, err
	}
	return s.KeepEvidence(ctx, blobs, rec, in)
}

// KeepEvidence records a file received already (evidence.Intake: hashed
// and encrypted into a temporary object, not yet kept), as IntakeEvidence
// does: so a request carrying several files (a phone's submission) can
// receive them all, check the whole, and keep them only then. in.Links
// must have been checked (CheckEvidenceLinks).
func (s *Store) KeepEvidence(ctx context.Context, blobs evidence.Blobs, rec *evidence.Received, in EvidenceIntake) (item EvidenceItem, dup bool, err error) {
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		rec.Discard()
		return EvidenceItem{}, false, err
	}
	if existing, err := s.evidenceBySHA(ctx, rec.SHA256); err == nil {
		rec.Discard()
		return existing, true, s.receivedAgain(ctx, in, existing)
	} else if !errors.Is(err, ErrNotFound) {
		rec.Discard()
		return EvidenceItem{}, false, err
	}
	item = EvidenceItem{ID: NewID(), SHA256: rec.SHA256, MD5: rec.MD5, Size: rec.Size, MediaType: rec.Type,
		ReceivedBy: in.From, ReceivedAt: s.Now().UTC().Truncate(time.Microsecond)}
	item.Blob = item.ID + ".age"
	if err := rec.Keep(item.Blob); err != nil {
		return EvidenceItem{}, false, err
	}
	details := EvidenceDetails{Name: in.Name, DeclaredType: in.DeclaredType}
	if md, err := readMetadata(key, blobs, item); err == nil {
		details.Metadata = md
	} else {
		details.Metadata = &evidence.Metadata{Errors: []string{err.Error()}}
	}
	body, err := json.Marshal(details)
	if err != nil {
		blobs.Remove(item.Blob)
		return EvidenceItem{}, false, err
	}
	sealed, err := s.keys.Seal(sealedPlace(sealedEvidenceItem, item.ID), body)
	if err != nil {
		blobs.Remove(item.Blob)
		return EvidenceItem{}, false, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO evidence_items (id, sha256, md5, size, media_type, blob, received_by, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			item.ID, item.SHA256, item.MD5, item.Size, item.MediaType, item.Blob, item.ReceivedBy, item.ReceivedAt.UnixMicro()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sealed_values (kind, owner_id, sealed, updated_at) VALUES (?, ?, ?, ?)`),
			sealedEvidenceItem, item.ID, sealed, item.ReceivedAt.UnixMicro()); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, in.Actor, CustodyReceived, item.ID, fmt.Sprintf("sha256=%s size=%d type=%s from=%s", item.SHA256, item.Size, item.MediaType, in.From)); err != nil {
			return err
		}
		return s.linkTx(ctx, tx, in.Actor, item.ID, in.Links)
	})
	if err != nil {
		blobs.Remove(item.Blob)
		if existing, e := s.evidenceBySHA(ctx, rec.SHA256); e == nil {
			// The same file arrived at the same moment by another way.
			return existing, true, s.receivedAgain(ctx, in, existing)
		}
		return EvidenceItem{}, false, err
	}
	return item, false, nil
}

// readMetadata reads the metadata of a kept original.
func readMetadata(key *evidence.Key, blobs evidence.Blobs, item EvidenceItem) (*evidence.Metadata, error) {
	o, err := blobs.Open(item.Blob)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	ra, n, err := key.DecryptAt(o)
	if err != nil {
		return nil, err
	}
	return evidence.ReadMetadata(ra, n, item.MediaType), nil
}

// receivedAgain records that a file already kept came again, and links it
// where the new sender said.
func (s *Store) receivedAgain(ctx context.Context, in EvidenceIntake, item EvidenceItem) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.appendAudit(ctx, tx, in.Actor, CustodyReceived, item.ID, fmt.Sprintf("sha256=%s size=%d again from=%s", item.SHA256, item.Size, in.From)); err != nil {
			return err
		}
		return s.linkTx(ctx, tx, in.Actor, item.ID, in.Links)
	})
}

func (s *Store) linkTx(ctx context.Context, tx *sql.Tx, actor, itemID string, links []EvidenceLink) error {
	for _, l := range links {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO evidence_links (item_id, kind, target_id, linked_at, linked_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			itemID, l.Kind, l.TargetID, s.Now().UnixMicro(), actor)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if _, err := s.appendAudit(ctx, tx, actor, CustodyLinked, itemID, l.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// LinkEvidence links an item to persons, claims or incidents.
func (s *Store) LinkEvidence(ctx context.Context, actor, itemID string, links []EvidenceLink) error {
	if _, err := s.EvidenceItem(ctx, itemID); err != nil {
		return err
	}
	if err := s.checkLinks(ctx, s.read, links); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.linkTx(ctx, tx, actor, itemID, links) })
}

const evidenceColumns = `id, sha256, md5, size, media_type, blob, received_by, received_at, checked, checked_at`

func scanEvidence(sc interface{ Scan(...any) error }) (EvidenceItem, error) {
	var it EvidenceItem
	var at int64
	var checkedAt sql.NullInt64
	err := sc.Scan(&it.ID, &it.SHA256, &it.MD5, &it.Size, &it.MediaType, &it.Blob, &it.ReceivedBy, &at, &it.Checked, &checkedAt)
	it.ReceivedAt = time.UnixMicro(at).UTC()
	it.CheckedAt = fromMicros(checkedAt)
	return it, err
}

func (s *Store) evidenceBySHA(ctx context.Context, sha string) (EvidenceItem, error) {
	it, err := scanEvidence(s.write.QueryRowContext(ctx, s.rebind(`SELECT `+evidenceColumns+` FROM evidence_items WHERE sha256 = ?`), sha))
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	return it, err
}

// EvidenceItem returns one item; ErrNotFound when there is none.
func (s *Store) EvidenceItem(ctx context.Context, id string) (EvidenceItem, error) {
	it, err := scanEvidence(s.read.QueryRowContext(ctx, s.rebind(`SELECT `+evidenceColumns+` FROM evidence_items WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	return it, err
}

// EvidenceItems lists items, newest first; with a link, only the items
// linked to it.
func (s *Store) EvidenceItems(ctx context.Context, linked *EvidenceLink) ([]EvidenceItem, error) {
	q := `SELECT ` + evidenceColumns + ` FROM evidence_items ORDER BY received_at DESC, id`
	var args []any
	if linked != nil {
		q = `SELECT ` + evidenceColumns + ` FROM evidence_items WHERE id IN (SELECT item_id FROM evidence_links WHERE kind = ? AND target_id = ?) ORDER BY received_at DESC, id`
		args = []any{linked.Kind, linked.TargetID}
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EvidenceItem
	for rows.Next() {
		it, err := scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// EvidenceLinks lists what an item belongs to.
func (s *Store) EvidenceLinks(ctx context.Context, itemID string) ([]EvidenceLink, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT kind, target_id FROM evidence_links WHERE item_id = ? ORDER BY kind, target_id`), itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EvidenceLink
	for rows.Next() {
		var l EvidenceLink
		if err := rows.Scan(&l.Kind, &l.TargetID); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// EvidenceDetails unseals an item's name and metadata for actor; the
// reading is a custody entry (opened), committed before they are returned.
func (s *Store) EvidenceDetails(ctx context.Context, actor, itemID string) (EvidenceDetails, error) {
	var d EvidenceDetails
	if s.keys == nil {
		return d, ErrNoKeys
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var sealed string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT sealed FROM sealed_values WHERE kind = ? AND owner_id = ?`), sealedEvidenceItem, itemID).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		body, err := s.keys.Unseal(sealedPlace(sealedEvidenceItem, itemID), sealed)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, CustodyOpened, itemID, "details")
		return err
	})
	return d, err
}

// EvidenceCustody is an item's chain of custody: its entries in the audit
// log, oldest first.
func (s *Store) EvidenceCustody(ctx context.Context, itemID string) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log WHERE object = ? AND action LIKE 'evidence.%' ORDER BY seq`), itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At = time.UnixMicro(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceCustodyEvent appends a custody entry (opened, copied, derived,
// exported) for an item.
func (s *Store) EvidenceCustodyEvent(ctx context.Context, actor, action, itemID, detail string) error {
	if !strings.HasPrefix(action, "evidence.") {
		return fmt.Errorf("custody action %q", action)
	}
	return s.Audit(ctx, actor, action, itemID, detail)
}

// OpenEvidence gives the original as it was received, for actor; the
// opening is a custody entry (copied, with why). An item the last fixity
// check found damaged, changed or missing is refused (ErrEvidenceDamaged);
// otherwise the bytes are re-hashed as they are read and the last one is
// given only if the whole is the file received, so a damaged file gives a
// read error, never a copy that looks whole.
func (s *Store) OpenEvidence(ctx context.Context, blobs evidence.Blobs, actor, itemID, why string) (EvidenceItem, io.ReadCloser, error) {
	return s.openOriginal(ctx, blobs, actor, CustodyCopied, itemID, why)
}

// OpenEvidenceForExport is OpenEvidence for writing the original into a
// bag: the custody entry is "exported", with detail (which bag).
func (s *Store) OpenEvidenceForExport(ctx context.Context, blobs evidence.Blobs, actor, itemID, detail string) (EvidenceItem, io.ReadCloser, error) {
	return s.openOriginal(ctx, blobs, actor, CustodyExported, itemID, detail)
}

func (s *Store) openOriginal(ctx context.Context, blobs evidence.Blobs, actor, action, itemID, why string) (EvidenceItem, io.ReadCloser, error) {
	it, err := s.EvidenceItem(ctx, itemID)
	if err != nil {
		return it, nil, err
	}
	if err := refuseDamaged(it); err != nil {
		return it, nil, err
	}
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return it, nil, err
	}
	o, err := blobs.Open(it.Blob)
	if err != nil {
		return it, nil, fmt.Errorf("item %s: the stored file is missing: %w", itemID, err)
	}
	r, err := key.Decrypt(o)
	if err != nil {
		o.Close()
		return it, nil, err
	}
	if err := s.EvidenceCustodyEvent(ctx, actor, action, itemID, why); err != nil {
		o.Close()
		return it, nil, err
	}
	return it, readCloser{evidence.Verified(r, it.SHA256, it.Size), o}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
