// Package storetest opens real databases for tests: a fresh SQLite file,
// and a fresh schema in a real PostgreSQL. Every store test runs on both.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
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
	dir, dsn := Fresh(t, d)
	s, err := store.Open(context.Background(), dir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	keys, err := seal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetKeys(keys)
	return s
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
