package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"rollcall/internal/linkage"
)

// ReviewWaiting is what the review queue holds now, for the editors' home.
type ReviewWaiting struct {
	Pairs   int // open pairs (those people are unsure of aside)
	Unsure  int // pairs people marked unsure
	Persons int // queued persons whose records conflict
	// Fates are the queued persons dead in one record before alive in
	// another: the conflicts that change a count.
	Fates int
}

// ReviewWaitingNow counts what the review queue holds.
func (s *Store) ReviewWaitingNow(ctx context.Context) (ReviewWaiting, error) {
	var w ReviewWaiting
	if err := s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) `+reviewOpen+`), (SELECT count(*) `+reviewUnsure+`)`).Scan(&w.Pairs, &w.Unsure); err != nil {
		return w, err
	}
	persons, open, err := s.PersonReviews(ctx, 0)
	if err != nil {
		return w, err
	}
	w.Persons = open
	for _, p := range persons {
		for _, c := range p.Conflicts {
			if c.Kind == linkage.ConflictFate {
				w.Fates++
				break
			}
		}
	}
	return w, nil
}

// ImportRun is one file imported: its name, what it added and when.
type ImportRun struct {
	ID, FileName             string
	Rows, Claims, NewRecords int
	At                       time.Time
}

// LastImport returns the latest import; ErrNotFound when none was made.
func (s *Store) LastImport(ctx context.Context) (ImportRun, error) {
	var r ImportRun
	var at int64
	err := s.read.QueryRowContext(ctx, `SELECT id, file_name, rows_read, claims_new, records_new, imported_at FROM imports ORDER BY imported_at DESC, id DESC LIMIT 1`).
		Scan(&r.ID, &r.FileName, &r.Rows, &r.Claims, &r.NewRecords, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.At = time.UnixMicro(at).UTC()
	return r, err
}
