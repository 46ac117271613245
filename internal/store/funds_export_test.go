package store

import (
	"context"
	"database/sql"
	"strings"

	"rollcall/internal/funds"
)

// OpenAt opens a store as a release whose last migration was version
// left it, for tests of the migrations after it.
func OpenAt(ctx context.Context, dataDir, dsn string, version int) (*Store, error) {
	open := func() (*Store, error) { return openSQLite(dataDir) }
	if strings.HasPrefix(dsn, "postgres://") {
		open = func() (*Store, error) { return openPostgres(dsn) }
	}
	s, err := open()
	if err != nil {
		return nil, err
	}
	if err := s.migrateUpTo(ctx, version); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

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
