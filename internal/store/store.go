// Package store keeps the registry in SQLite (the embedded default) or
// PostgreSQL, through database/sql. All SQL of the project lives here.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"rollcall/internal/seal"
)

// Dialect names the SQL database behind a Store.
type Dialect string

// The two databases Rollcall runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// sqliteCacheKiB is each SQLite connection's page cache, negative meaning
// KiB (SQLite's convention). An import does not run faster with more.
const sqliteCacheKiB = -32 << 10

// readersIdle is how many SQLite reader connections stay open between uses.
const readersIdle = 2

// Store is the registry's storage. SQLite gets one writer connection (it
// allows one writer at a time anyway, and queuing in Go beats busy retries)
// and a pool of readers; PostgreSQL uses one pool for both.
type Store struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// Now gives the current time; tests set it to make known-at times exact.
	Now func() time.Time
	// keys seal private fields (claims' notes) as they are written; see
	// SetKeys.
	keys *seal.Keyring
	// forms are the confirmed name forms search reads (searchforms.go).
	forms formsCache
}

// SetKeys gives the store the data key, without which it refuses to write
// or read a private field: a note is never stored in clear.
func (s *Store) SetKeys(k *seal.Keyring) { s.keys = k }

// Keys returns the data key SetKeys gave (nil before).
func (s *Store) Keys() *seal.Keyring { return s.keys }

// Open opens the database that dsn names, or when dsn is empty the SQLite
// file rollcall.db in dataDir, and brings its schema up to date.
func Open(ctx context.Context, dataDir, dsn string) (*Store, error) {
	var s *Store
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s, err = openPostgres(dsn)
	} else if dsn == "" {
		s, err = openSQLite(dataDir)
	} else {
		return nil, fmt.Errorf("database %q: only postgres:// URLs are supported; leave --db empty for the embedded SQLite file", redactDSN(dsn))
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(dataDir string) (*Store, error) {
	if dataDir == "" {
		return nil, errors.New("no data directory given")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dataDir, "rollcall.db")
	pragmas := fmt.Sprintf("_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(%d)&_pragma=temp_store(memory)&_pragma=journal_size_limit(%d)", sqliteCacheKiB, walSizeLimit)
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// Create the file before readers open it read-only.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+pragmas)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(readersIdle)
	return &Store{dialect: SQLite, write: write, read: read, Now: time.Now}, nil
}

func openPostgres(dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", redactDSN(dsn), err)
	}
	db.SetMaxOpenConns(8)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", redactDSN(dsn), err)
	}
	return &Store{dialect: Postgres, write: db, read: db, Now: time.Now}, nil
}

// redactDSN hides a password in a connection URL before it is shown.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Dialect says which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// walSizeLimit is SQLite's journal_size_limit: a write-ahead log that
// was reset is cut back to this size instead of keeping its largest.
const walSizeLimit = 64 << 20

// Close closes both pools: with SQLite the read-only readers first, then
// the writer after a checkpoint that empties the write-ahead log. SQLite
// removes the log when the last connection closes only if that
// connection may write; closing the readers last left a log as large as
// the last long transaction beside the database (551 MB after a rebuild
// of the public list), and every later command paid for reading it.
func (s *Store) Close() error {
	if s.read == s.write {
		return s.write.Close()
	}
	err := s.read.Close()
	err = errors.Join(err, s.Checkpoint(context.Background()))
	return errors.Join(err, s.write.Close())
}

// Checkpoint copies SQLite's write-ahead log into the database and cuts
// the log to nothing (wal_checkpoint(TRUNCATE)), waiting for readers up to
// the busy timeout; run after long work (a rebuild of the public list) and
// at close. Nothing to do for PostgreSQL or under a rollback journal.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	var busy, logFrames, done int
	if err := s.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// migrate applies, in order and each in its own transaction, the embedded
// migrations this database has not seen yet, then does what SQL cannot:
// anchors the person ids of snapshots published before ids were anchored
// (it reads the snapshots' bodies) and writes the audit entries of the
// migration's publication marks (the log is a hash chain).
func (s *Store) migrate(ctx context.Context) error {
	if err := s.migrateUpTo(ctx, 0); err != nil {
		return err
	}
	if err := s.anchorSnapshots(ctx); err != nil {
		return err
	}
	return s.auditLegacyMarks(ctx)
}

// migrateUpTo is migrate stopping after version last (0: none left out);
// tests use it to make a database as an older release left it.
func (s *Store) migrateUpTo(ctx context.Context, last int) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	dir := "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		if last > 0 && version > last {
			break
		}
		body, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return err
		}
		if err := s.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, s.Now().UnixMicro())
			return err
		}); err != nil {
			return fmt.Errorf("migration %s: %w", e.Name(), err)
		}
	}
	return nil
}

// inTx runs f in a write transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// rebind turns the ? placeholders our SQL is written with into PostgreSQL's
// $1, $2 …; our SQL has no ? inside string literals.
func (s *Store) rebind(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// NewID makes a globally unique, time-ordered id (UUIDv7), so that field
// laptops can create rows offline and merge them later.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// nullMicros stores a zero time as NULL.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}
