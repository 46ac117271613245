package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"rollcall/internal/evidence"
)

// EvidenceDerivative is a public copy an editor made of an item.
type EvidenceDerivative struct {
	ID            string
	ItemID        string
	SHA256        string
	Size          int64
	MediaType     string
	Blob          string
	Redactions    string
	CreatedBy     string
	CreatedAt     time.Time
	PublishedBy   string
	PublishedAt   time.Time
	PublishReason string
	// OriginalSHA256 is the item's hash, shown beside the copy's.
	OriginalSHA256 string
}

// Published says whether an editor published the copy.
func (d EvidenceDerivative) Published() bool { return !d.PublishedAt.IsZero() }

// AddEvidenceDerivative keeps a public copy made of an item (src: its
// bytes, already stripped and redacted by the evidence package), encrypted
// like originals until it is published. The making is a custody entry.
func (s *Store) AddEvidenceDerivative(ctx context.Context, blobs evidence.Blobs, actor, itemID string, src io.Reader, mediaType string, areas []evidence.Rect) (EvidenceDerivative, error) {
	it, err := s.EvidenceItem(ctx, itemID)
	if err != nil {
		return EvidenceDerivative{}, err
	}
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return EvidenceDerivative{}, err
	}
	rec, err := evidence.Intake(src, key, blobs, 0, -1)
	if err != nil {
		return EvidenceDerivative{}, err
	}
	var marks []string
	for _, a := range areas {
		marks = append(marks, a.String())
	}
	d := EvidenceDerivative{ID: NewID(), ItemID: itemID, SHA256: rec.SHA256, Size: rec.Size, MediaType: mediaType,
		Redactions: strings.Join(marks, " "), CreatedBy: actor, CreatedAt: s.Now().UTC().Truncate(time.Microsecond), OriginalSHA256: it.SHA256}
	d.Blob = d.ID + ".public.age"
	if err := rec.Keep(d.Blob); err != nil {
		return EvidenceDerivative{}, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO evidence_derivatives (id, item_id, sha256, size, media_type, blob, redactions, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			d.ID, d.ItemID, d.SHA256, d.Size, d.MediaType, d.Blob, d.Redactions, d.CreatedBy, d.CreatedAt.UnixMicro()); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, CustodyDerived, itemID, fmt.Sprintf("derivative=%s sha256=%s type=%s areas=%d", d.ID, d.SHA256, d.MediaType, len(areas)))
		return err
	})
	if err != nil {
		blobs.Remove(d.Blob)
		return EvidenceDerivative{}, err
	}
	return d, nil
}

const derivativeColumns = `d.id, d.item_id, d.sha256, d.size, d.media_type, d.blob, d.redactions, d.created_by, d.created_at, d.published_by, d.published_at, d.publish_reason, i.sha256`

func scanDerivative(sc interface{ Scan(...any) error }) (EvidenceDerivative, error) {
	var d EvidenceDerivative
	var at int64
	var pub sql.NullInt64
	err := sc.Scan(&d.ID, &d.ItemID, &d.SHA256, &d.Size, &d.MediaType, &d.Blob, &d.Redactions, &d.CreatedBy, &at, &d.PublishedBy, &pub, &d.PublishReason, &d.OriginalSHA256)
	d.CreatedAt = time.UnixMicro(at).UTC()
	d.PublishedAt = fromMicros(pub)
	return d, err
}

func (s *Store) derivatives(ctx context.Context, where string, args ...any) ([]EvidenceDerivative, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT `+derivativeColumns+` FROM evidence_derivatives d JOIN evidence_items i ON i.id = d.item_id WHERE `+where+` ORDER BY d.created_at, d.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EvidenceDerivative
	for rows.Next() {
		d, err := scanDerivative(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// EvidenceDerivatives lists an item's public copies, published or not.
func (s *Store) EvidenceDerivatives(ctx context.Context, itemID string) ([]EvidenceDerivative, error) {
	return s.derivatives(ctx, `d.item_id = ?`, itemID)
}

// EvidenceDerivative returns one copy; ErrNotFound when none.
func (s *Store) EvidenceDerivative(ctx context.Context, id string) (EvidenceDerivative, error) {
	ds, err := s.derivatives(ctx, `d.id = ?`, id)
	if err != nil {
		return EvidenceDerivative{}, err
	}
	if len(ds) == 0 {
		return EvidenceDerivative{}, ErrNotFound
	}
	return ds[0], nil
}

// ErrWithheldPerson refuses to publish a copy of an item that shows a
// person who is withheld (or not publicly listed).
var ErrWithheldPerson = errors.New("the item is linked to a person who is withheld or not publicly listed: its copy cannot be published")

// notShowable is the SQL condition under which an item's copy must not be
// shown: a person it is linked to is withheld, or not on the public list.
const notShowable = `EXISTS (SELECT 1 FROM evidence_links l WHERE l.item_id = d.item_id AND l.kind = 'person'
	AND NOT EXISTS (SELECT 1 FROM public_people p WHERE p.person_id = l.target_id AND p.withheld = 0))`

// withheldNow is the SQL condition under which a person the item is
// linked to is marked withheld by their latest mark, though the public
// list (public_people, notShowable's source) is refreshed only on serve's
// next tick: publishing must not go through in that minute.
const withheldNow = `EXISTS (SELECT 1 FROM evidence_links l WHERE l.item_id = d.item_id AND l.kind = 'person'
	AND (SELECT m.mark FROM person_publicity m WHERE m.person_id = l.target_id ORDER BY m.marked_at DESC, m.id DESC LIMIT 1) = 'withheld')`

// PublishEvidenceDerivative publishes a public copy, with the editor's
// reason (required). Refused while any person the item is linked to is
// withheld or not publicly listed; a person withheld later hides the copy
// again (PublicEvidence checks at every reading).
func (s *Store) PublishEvidenceDerivative(ctx context.Context, actor, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errors.New("publishing a public copy needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var itemID string
		var blocked bool
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT d.item_id, (`+notShowable+` OR `+withheldNow+`) FROM evidence_derivatives d WHERE d.id = ?`), id).Scan(&itemID, &blocked)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if blocked {
			return ErrWithheldPerson
		}
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE evidence_derivatives SET published_by = ?, published_at = ?, publish_reason = ? WHERE id = ? AND published_at IS NULL`),
			actor, s.Now().UnixMicro(), reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("this copy is published already")
		}
		_, err = s.appendAudit(ctx, tx, actor, CustodyPublished, itemID, "derivative="+id)
		return err
	})
}

// PublicEvidence lists the published copies that may be shown on a
// person's public page now: published, of items linked to the person, and
// every person each item is linked to listed and not withheld.
func (s *Store) PublicEvidence(ctx context.Context, personID string) ([]EvidenceDerivative, error) {
	return s.derivatives(ctx, `d.published_at IS NOT NULL AND d.item_id IN (SELECT item_id FROM evidence_links WHERE kind = 'person' AND target_id = ?) AND NOT `+notShowable, personID)
}

// PublicDerivative returns a copy only if it may be shown publicly now.
func (s *Store) PublicDerivative(ctx context.Context, id string) (EvidenceDerivative, error) {
	ds, err := s.derivatives(ctx, `d.id = ? AND d.published_at IS NOT NULL AND NOT `+notShowable, id)
	if err != nil {
		return EvidenceDerivative{}, err
	}
	if len(ds) == 0 {
		return EvidenceDerivative{}, ErrNotFound
	}
	return ds[0], nil
}

// OpenDerivative decrypts a public copy's bytes, re-hashed as they are
// read: a damaged copy gives a read error before its last byte
// (evidence.Verified), never a picture that looks whole.
func (s *Store) OpenDerivative(ctx context.Context, blobs evidence.Blobs, d EvidenceDerivative) (io.ReadCloser, error) {
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return nil, err
	}
	o, err := blobs.Open(d.Blob)
	if err != nil {
		return nil, err
	}
	r, err := key.Decrypt(o)
	if err != nil {
		o.Close()
		return nil, err
	}
	return readCloser{evidence.Verified(r, d.SHA256, d.Size), o}, nil
}

// OriginalAt opens an item's original for random access (metadata,
// ffmpeg), as a custody entry (opened, with why).
func (s *Store) OriginalAt(ctx context.Context, blobs evidence.Blobs, actor, itemID, why string) (EvidenceItem, io.ReaderAt, int64, io.Closer, error) {
	it, err := s.EvidenceItem(ctx, itemID)
	if err != nil {
		return it, nil, 0, nil, err
	}
	if err := refuseDamaged(it); err != nil {
		return it, nil, 0, nil, err
	}
	key, err := s.EvidenceKey(ctx)
	if err != nil {
		return it, nil, 0, nil, err
	}
	o, err := blobs.Open(it.Blob)
	if err != nil {
		return it, nil, 0, nil, fmt.Errorf("item %s: the stored file is missing: %w", itemID, err)
	}
	ra, n, err := key.DecryptAt(o)
	if err != nil {
		o.Close()
		return it, nil, 0, nil, err
	}
	if n != it.Size {
		o.Close()
		return it, nil, 0, nil, fmt.Errorf("item %s: %w (its size changed)", itemID, evidence.ErrDamaged)
	}
	if err := s.EvidenceCustodyEvent(ctx, actor, CustodyOpened, itemID, why); err != nil {
		o.Close()
		return it, nil, 0, nil, err
	}
	return it, ra, n, o, nil
}

// DeriveEvidence makes a public copy of an item (evidence.DeriveImage for
// pictures, evidence.DeriveMedia through ffmpeg for video and audio, with
// the marked areas) and keeps it as a derivative, unpublished. tmpDir
// takes ffmpeg's output for the moment it is encrypted (the redacted,
// metadata-free copy, never the original).
func (s *Store) DeriveEvidence(ctx context.Context, blobs evidence.Blobs, tmpDir, actor, itemID string, areas []evidence.Rect, how evidence.Redaction) (EvidenceDerivative, error) {
	it, err := s.EvidenceItem(ctx, itemID)
	if err != nil {
		return EvidenceDerivative{}, err
	}
	orientation := 0
	if evidence.Kind(it.MediaType) == "image" {
		d, err := s.EvidenceDetails(ctx, actor, itemID)
		if err != nil {
			return EvidenceDerivative{}, err
		}
		if d.Metadata != nil {
			orientation = d.Metadata.Orientation
		}
	}
	it, ra, n, closer, err := s.OriginalAt(ctx, blobs, actor, itemID, "derive")
	if err != nil {
		return EvidenceDerivative{}, err
	}
	defer closer.Close()
	switch evidence.Kind(it.MediaType) {
	case "image":
		pr, pw := io.Pipe()
		go func() {
			_, err := evidence.DeriveImage(ra, n, it.MediaType, orientation, areas, how, pw)
			pw.CloseWithError(err)
		}()
		d, err := s.AddEvidenceDerivative(ctx, blobs, actor, itemID, pr, evidence.DerivedImageType(it.MediaType), areas)
		pr.CloseWithError(errors.New("stopped"))
		return d, unwrapTruncated(err)
	case "video", "audio":
		out := evidence.TempPath(tmpDir, ".mp4")
		defer os.Remove(out)
		dm, err := evidence.DeriveMedia(ctx, ra, n, it.MediaType, areas, out)
		if err != nil {
			return EvidenceDerivative{}, err
		}
		f, err := os.Open(out)
		if err != nil {
			return EvidenceDerivative{}, err
		}
		defer f.Close()
		return s.AddEvidenceDerivative(ctx, blobs, actor, itemID, f, dm.MediaType, areas)
	}
	return EvidenceDerivative{}, evidence.ErrNotDerivable
}

// unwrapTruncated gives the deriving error rather than the intake's view
// of it (the pipe closed with it).
func unwrapTruncated(err error) error {
	if errors.Is(err, evidence.ErrTruncated) {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 {
			return errors.New(msg[i+2:])
		}
	}
	return err
}
