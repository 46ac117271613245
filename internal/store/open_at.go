package store

import (
	"context"
	"strings"
)

// OpenAt opens a store as a release whose last migration was version
// left it, without the steps after the migrations: for tests that build
// a data directory as an older release left it and then upgrade it
// with Open.
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
