package store

import (
	"context"
	"database/sql"
	"fmt"

	"rollcall/internal/registry"
)

// SourceSummary is a source with how many records it gave.
type SourceSummary struct {
	registry.Source
	Records int
}

// Sources lists every source by key.
func (s *Store) Sources(ctx context.Context) ([]SourceSummary, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT s.id, s.key, s.kind, s.reliability, s.created_at,
		(SELECT count(*) FROM records r WHERE r.source_id = s.id) FROM sources s ORDER BY s.key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceSummary
	for rows.Next() {
		var src SourceSummary
		var kind string
		var created int64
		if err := rows.Scan(&src.ID, &src.Key, &kind, &src.Reliability, &created, &src.Records); err != nil {
			return nil, err
		}
		src.Kind = registry.SourceKind(kind)
		src.CreatedAt = fromMicros(sql.NullInt64{Int64: created, Valid: true})
		out = append(out, src)
	}
	return out, rows.Err()
}

// SetSource sets a source's kind (public) and reliability (0 unknown, 1 to
// 5). The kind is what public pages say of where a record came from.
func (s *Store) SetSource(ctx context.Context, key string, kind registry.SourceKind, reliability int) error {
	if reliability < 0 || reliability > 5 {
		return fmt.Errorf("reliability %d: want 0 (unknown) to 5", reliability)
	}
	res, err := s.write.ExecContext(ctx, s.rebind(`UPDATE sources SET kind = ?, reliability = ? WHERE key = ?`), string(kind), reliability, key)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("source %q: %w", key, ErrNotFound)
	}
	return nil
}
