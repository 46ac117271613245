package store

import (
	"context"
	"database/sql"

	"rollcall/internal/funds"
)

// ExecForTest runs a statement as an older release's code would have.
func (s *Store) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := s.write.ExecContext(ctx, s.rebind(query), args...)
	return err
}

// BookForTest books a transaction as the ledger always has.
func (s *Store) BookForTest(ctx context.Context, t funds.Transaction, campaignID, giftID string, day int, ref string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.book(ctx, tx, t, campaignID, giftID, day, ref)
		return err
	})
}
