// Package storetest opens real databases for tests: a fresh SQLite file,
// and a fresh schema in a real PostgreSQL. Every store test runs on both.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"rollcall/internal/seal"
	"rollcall/internal/store"
)

// DefaultPostgres is the server the test machines run.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL is the server tests use: ROLLCALL_TEST_POSTGRES or the default.
func PostgresURL() string {
	if v := os.Getenv("ROLLCALL_TEST_POSTGRES"); v != "" {
		return v
	}
	return DefaultPostgres
}

// PostgresRequired is true in CI, where an unreachable server must fail
// the run rather than skip half the suite.
func PostgresRequired() bool { return os.Getenv("ROLLCALL_REQUIRE_POSTGRES") == "1" }

// Dialects are the databases every store test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// Each runs f once on a fresh SQLite store and once on a fresh PostgreSQL
// store, as subtests named after the dialect.
func Each(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			f(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store of the given dialect with a data
// key of its own, closed (and for PostgreSQL its schema dropped) when the
// test ends.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	s, _, _ := OpenIn(t, d)
	return s
}

// OpenIn is Open that also says where the store lives (its data directory
// and database URL, "" for SQLite), for tests that look at what it keeps
// at rest (AtRest).
func OpenIn(t testing.TB, d store.Dialect) (s *store.Store, dataDir, dsn string) {
	t.Helper()
	dataDir, dsn = Fresh(t, d)
	s, err := store.Open(context.Background(), dataDir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	keys, err := seal.Open(dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetKeys(keys)
	return s, dataDir, dsn
}

// Fresh returns a data directory and a database URL ("" for SQLite) that
// no other test uses.
func Fresh(t testing.TB, d store.Dialect) (dataDir, dsn string) {
	t.Helper()
	dataDir = t.TempDir()
	if d == store.SQLite {
		return dataDir, ""
	}
	return dataDir, FreshPostgres(t)
}

// FreshPostgres creates an empty schema and returns a URL whose
// search_path points at it; it skips (or, when required, fails) the test
// when no server answers.
func FreshPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if PostgresRequired() {
			t.Fatalf("PostgreSQL is required (ROLLCALL_REQUIRE_POSTGRES=1) but unreachable at %s: %v", redacted(base), err)
		}
		t.Skipf("SKIPPING the PostgreSQL half of this test: no server at %s (%v); set ROLLCALL_TEST_POSTGRES", redacted(base), err)
	}
	schema := fmt.Sprintf("rollcall_test_%d_%x", time.Now().Unix(), rand.Uint64())
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(bad URL)"
	}
	return u.Redacted()
}

// AtRest returns everything a database holds at rest, for tests that look
// for values which must never be stored in clear: for SQLite (dsn "") the
// bytes of the database file, its WAL and shared memory, read while the
// store is open (the WAL holds the latest pages until a checkpoint); for
// PostgreSQL every row of every table of the test's schema as text, a
// line each.
func AtRest(t testing.TB, dataDir, dsn string) []byte {
	t.Helper()
	var dump []byte
	if dsn == "" {
		for _, name := range []string{"rollcall.db", "rollcall.db-wal", "rollcall.db-shm"} {
			b, err := os.ReadFile(filepath.Join(dataDir, name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			dump = append(dump, b...)
		}
		return dump
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) == 0 {
		t.Fatal("no tables in the test's schema: the dump would prove nothing")
	}
	for _, table := range tables {
		rows, err := db.Query(`SELECT t::text FROM "` + table + `" t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			dump = append(dump, line...)
			dump = append(dump, '\n')
		}
		rows.Close()
	}
	return dump
}

// GiveAllBases records a public basis for every source but the report
// form's, as an editor would for lists their sources published
// themselves, and refreshes the public list: for tests about what a
// listed person shows rather than about who is listed.
func GiveAllBases(t testing.TB, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	sources, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range sources {
		if src.Key == store.PublicReportsSource {
			continue
		}
		err := s.SetSourceBasis(ctx, store.ActorCLI, src.Key, "published this list itself", false)
		if err != nil && !errors.Is(err, store.ErrDuplicate) {
			t.Fatal(err)
		}
	}
	if _, err := s.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
}
