package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rollcall/internal/registry"
)

// Snapshot is a published, signed, immutable snapshot. Body is the signed
// file byte for byte; Signature its ed25519 signature, base64.
type Snapshot struct {
	ID          string
	Slug        string // its stable name in URLs: the as-of date, then -2, -3 … when republished
	AsOf        registry.Day
	KnownAt     time.Time
	Note        string
	CountsJSON  string
	People      int
	Body        []byte
	Signature   string
	PublicKey   string // base64 of the ed25519 public key that signed it
	PublishedAt time.Time
}

// NextSnapshotSlug is the slug the next snapshot as of day gets.
func (s *Store) NextSnapshotSlug(ctx context.Context, asOf registry.Day) (string, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM snapshots WHERE as_of = ?`), int64(asOf)).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return asOf.String(), nil
	}
	return fmt.Sprintf("%s-%d", asOf, n+1), nil
}

// SaveSnapshot stores a snapshot. Snapshots are never changed or deleted
// (the database refuses it).
func (s *Store) SaveSnapshot(ctx context.Context, sn Snapshot) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`INSERT INTO snapshots (id, slug, as_of, known_at, note, counts, people, body, signature, public_key, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		sn.ID, sn.Slug, int64(sn.AsOf), sn.KnownAt.UnixMicro(), sn.Note, sn.CountsJSON, sn.People, string(sn.Body), sn.Signature, sn.PublicKey, sn.PublishedAt.UnixMicro())
	return err
}

const snapshotColumns = `id, slug, as_of, known_at, note, counts, people, signature, public_key, published_at`

func scanSnapshot(sc interface{ Scan(...any) error }, withBody bool) (Snapshot, error) {
	var sn Snapshot
	var asOf, knownAt, published int64
	dest := []any{&sn.ID, &sn.Slug, &asOf, &knownAt, &sn.Note, &sn.CountsJSON, &sn.People, &sn.Signature, &sn.PublicKey, &published}
	var body string
	if withBody {
		dest = append(dest, &body)
	}
	if err := sc.Scan(dest...); err != nil {
		return sn, err
	}
	sn.AsOf, sn.KnownAt, sn.PublishedAt = registry.Day(asOf), time.UnixMicro(knownAt).UTC(), time.UnixMicro(published).UTC()
	if withBody {
		sn.Body = []byte(body)
	}
	return sn, nil
}

// Snapshots lists every snapshot without its body, latest published first.
func (s *Store) Snapshots(ctx context.Context) ([]Snapshot, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots ORDER BY published_at DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		sn, err := scanSnapshot(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}

// SnapshotBySlug returns one snapshot with its body; ErrNotFound if none.
func (s *Store) SnapshotBySlug(ctx context.Context, slug string) (Snapshot, error) {
	sn, err := scanSnapshot(s.read.QueryRowContext(ctx, s.rebind(`SELECT `+snapshotColumns+`, body FROM snapshots WHERE slug = ?`), slug), true)
	if errors.Is(err, sql.ErrNoRows) {
		return sn, fmt.Errorf("snapshot %s: %w", slug, ErrNotFound)
	}
	return sn, err
}
