package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rollcall/internal/registry"
)

// SourceSummary is a source with how many records it gave.
type SourceSummary struct {
	registry.Source
	Records int
}

// sourceSummaries selects sources as scanSourceSummary reads them.
const sourceSummaries = `SELECT s.id, s.key, s.kind, s.reliability, s.created_at,
	(SELECT count(*) FROM records r WHERE r.source_id = s.id) FROM sources s`

func scanSourceSummary(row interface{ Scan(...any) error }) (SourceSummary, error) {
	var src SourceSummary
	var kind string
	var created int64
	if err := row.Scan(&src.ID, &src.Key, &kind, &src.Reliability, &created, &src.Records); err != nil {
		return src, err
	}
	src.Kind = registry.SourceKind(kind)
	src.CreatedAt = time.UnixMicro(created).UTC()
	return src, nil
}

// Sources lists every source by key.
func (s *Store) Sources(ctx context.Context) ([]SourceSummary, error) {
	rows, err := s.read.QueryContext(ctx, sourceSummaries+` ORDER BY s.key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceSummary
	for rows.Next() {
		src, err := scanSourceSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// Source returns one source by id.
func (s *Store) Source(ctx context.Context, id string) (SourceSummary, error) {
	src, err := scanSourceSummary(s.read.QueryRowContext(ctx, s.rebind(sourceSummaries+` WHERE s.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return src, fmt.Errorf("source %s: %w", id, ErrNotFound)
	}
	return src, err
}

// SourceByKey returns one source by its key.
func (s *Store) SourceByKey(ctx context.Context, key string) (SourceSummary, error) {
	src, err := scanSourceSummary(s.read.QueryRowContext(ctx, s.rebind(sourceSummaries+` WHERE s.key = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return src, fmt.Errorf("source %q: %w", key, ErrNotFound)
	}
	return src, err
}

// SetSource sets the kind (public) and reliability (0 unknown, 1 to 5) of
// the source with this key, as SetSourceRating does for an id: audited,
// and ErrDuplicate when nothing would change.
func (s *Store) SetSource(ctx context.Context, actor, key string, kind registry.SourceKind, reliability int) error {
	src, err := s.SourceByKey(ctx, key)
	if err != nil {
		return err
	}
	return s.SetSourceRating(ctx, actor, src.ID, kind, reliability)
}
