package store

import (
	"context"
	"slices"
	"time"
)

// PersonsChangedSince returns the persons (as they are now) whose facts
// changed after t: a record entered, a claim recorded or retracted, a
// record linked or unlinked, a mark, or a public basis of one of their
// records' sources set or withdrawn. The publish preview warns of them:
// their entry in the next snapshot was not in the last one as it stands.
func (s *Store) PersonsChangedSince(ctx context.Context, t time.Time) ([]string, error) {
	at := t.UnixMicro()
	ids, err := queryStrings(ctx, s.read, s.rebind(`
		SELECT DISTINCT COALESCE(l.person_id, r.person_id) FROM records r
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
		WHERE r.created_at > ?
		   OR EXISTS (SELECT 1 FROM claims c WHERE c.record_id = r.id AND (c.recorded_at > ? OR c.retracted_at > ?))
		   OR EXISTS (SELECT 1 FROM links m WHERE m.record_id = r.id AND (m.linked_at > ? OR m.unlinked_at > ?))
		   OR r.source_id IN (SELECT b.source_id FROM source_basis b WHERE b.set_at > ?)
		UNION
		-- The persons records left: by the link that ended, or the first
		-- person of a record linked elsewhere since.
		SELECT person_id FROM links WHERE unlinked_at > ?
		UNION
		SELECT r.person_id FROM records r WHERE EXISTS (SELECT 1 FROM links m WHERE m.record_id = r.id AND m.linked_at > ?)
		UNION
		SELECT person_id FROM person_publicity WHERE marked_at > ?`), at, at, at, at, at, at, at, at, at)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	// A mark can outlive its person (merged away): keep the living only.
	out := ids[:0]
	for _, id := range ids {
		if ok, err := s.personExists(ctx, s.read, id); err != nil {
			return nil, err
		} else if ok {
			out = append(out, id)
		}
	}
	return slices.Compact(out), nil
}
