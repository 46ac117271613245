package storetest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
	"rollcall/internal/store"
)

// OldExec runs statements on a data directory's database as an older
// release's code would have (placeholders written ?), for tests that build
// a data directory as that release left it (store.OpenAt makes its schema).
func OldExec(t testing.TB, dataDir, dsn string, stmts ...Stmt) {
	t.Helper()
	driver, source := "sqlite", "file:"+filepath.Join(dataDir, "rollcall.db")
	if dsn != "" {
		driver, source = "pgx", dsn
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, st := range stmts {
		q := st.SQL
		if dsn != "" {
			q = dollarPlaceholders(q)
		}
		if _, err := db.Exec(q, st.Args...); err != nil {
			t.Fatalf("%s: %v", st.SQL, err)
		}
	}
}

// Stmt is one statement with its arguments.
type Stmt struct {
	SQL  string
	Args []any
}

func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// OldRelease opens a fresh data directory (and database, for PostgreSQL)
// at schema version, as the release that stopped there left it, with the
// data key made in it; the caller gives the store its keys when that
// release would have had them, and closes it.
func OldRelease(t testing.TB, d store.Dialect, version int) (old *store.Store, keys *seal.Keyring, dataDir, dsn string) {
	t.Helper()
	dataDir, dsn = Fresh(t, d)
	keys, err := seal.Open(dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if old, err = store.OpenAt(context.Background(), dataDir, dsn, version); err != nil {
		t.Fatal(err)
	}
	return old, keys, dataDir, dsn
}

// PrePublicationRule makes a data directory as a release before the
// publication rule (migration 0017) left it: a source with no public
// basis, four adults and a minor in Nukus, each with a corroborated claim
// (detained on 2 July 2022), and the public list as that release last
// built it: pListed (listed by the old default) and pMarked (an editor's
// public mark) by name; pMinor and pWithheld (an editor's withheld mark)
// withheld. pAfter was stored after that last rebuild; the old release
// would have listed it at the next one. Names are in PrePublicationNames.
func PrePublicationRule(t testing.TB, d store.Dialect) (dataDir, dsn string) {
	t.Helper()
	dataDir, dsn = Fresh(t, d)
	old, err := store.OpenAt(context.Background(), dataDir, dsn, 15)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	const t0 = int64(1_700_000_000_000_000)
	stmts := []Stmt{{`INSERT INTO sources (id, key, kind, reliability, created_at) VALUES ('src', 'volunteers', 'volunteers', 0, ?)`, []any{t0}}}
	for _, p := range []struct {
		id     string
		born   int
		listed int // 0 by name, 1 withheld, -1 not in the list
	}{{"pListed", 1990, 0}, {"pMarked", 1985, 0}, {"pWithheld", 1979, 1}, {"pMinor", 2010, 1}, {"pAfter", 1992, -1}} {
		rec, name := "r-"+p.id, PrePublicationNames[p.id]
		stmts = append(stmts,
			Stmt{`INSERT INTO records (id, source_id, source_record, person_id, name, name_norm, birth_year, region, fields_hash, created_at) VALUES (?, 'src', ?, ?, ?, ?, ?, 'Nukus', 'h', ?)`,
				[]any{rec, rec, p.id, name, strings.ToLower(name), p.born, t0}},
			Stmt{`INSERT INTO claims (id, record_id, record_person, status, date_start, date_end, precision, verification, fingerprint, recorded_at) VALUES (?, ?, ?, 'detained', 20220702, 20220702, 'day', ?, ?, ?)`,
				[]any{"c-" + p.id, rec, p.id, int(registry.Corroborated), "f-" + p.id, t0}})
		if p.listed >= 0 {
			if p.listed == 1 {
				name = registry.WithheldName(p.id)
			}
			stmts = append(stmts, Stmt{`INSERT INTO public_people (person_id, sort_key, name, withheld, state, state_since, region, region_key, sex, birth_year, roles, first_day, last_day, doc)
				VALUES (?, ?, ?, ?, 'detained', '2022-07-02', 'Nukus', 'nukus', '', 0, '', 20220702, 20220702, '{}')`, []any{p.id, p.id, name, p.listed}})
		}
	}
	stmts = append(stmts,
		Stmt{`INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at) VALUES ('m1', 'pMarked', 'public', 'named in the verdict', 'editor', ?)`, []any{t0}},
		Stmt{`INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at) VALUES ('m2', 'pWithheld', 'withheld', 'family asked', 'editor', ?)`, []any{t0}},
		Stmt{`INSERT INTO public_meta (name, value) VALUES ('refreshed_at', ?)`, []any{t0 + 1}})
	OldExec(t, dataDir, dsn, stmts...)
	return dataDir, dsn
}

// PrePublicationNames are the names of PrePublicationRule's persons.
var PrePublicationNames = map[string]string{
	"pListed": "Aybek Tursunov", "pMarked": "Gulnara Saidova", "pWithheld": "Rustam Aliev", "pMinor": "Timur Qasimov", "pAfter": "Azamat Qurbanov",
}
