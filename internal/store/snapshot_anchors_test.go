package store_test

import (
	"context"
	"fmt"
	"testing"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// A data directory as a release before migration 0022 left it: a snapshot
// showed three persons, then that release merged one away and split
// another off to a new id (no redirects then), and its public list, last
// rebuilt after the merge, listed the survivor with every record. After
// the upgrade every id of the old snapshot resolves, directly or by one
// redirect, to a person holding the records the snapshot listed for it,
// and is anchored to those records (what keeps it with them later).
func TestOldSnapshotIDsKeepTheirHumans(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			old, keys, dir, dsn := storetest.OldRelease(t, d, 19)
			old.SetKeys(keys)
			const (
				t0 = int64(1_700_000_000_000_000) // records stored
				t1 = t0 + 1_000_000               // the snapshot
				t2 = t1 + 1_000_000               // the old release's merge and split
				t3 = t2 + 1_000_000               // its last rebuild of the public list
				t4 = t3 + 1_000_000               // stored after the snapshot
			)
			exec := func(q string, args ...any) {
				t.Helper()
				if err := old.ExecForTest(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO sources (id, key, kind, reliability, created_at) VALUES ('src', 'volunteers', 'volunteers', 0, ?)`, t0)
			record := func(id, person, name string, at int64) {
				exec(`INSERT INTO records (id, source_id, source_record, person_id, name, name_norm, fields_hash, created_at) VALUES (?, 'src', ?, ?, ?, ?, 'h', ?)`,
					id, id, person, name, name, at)
			}
			// pSent: the sentenced man; pSplit: one record; pDied: the man
			// who died in custody, two records.
			record("rSent", "pSent", "Sentenced Man", t0)
			record("rSplit", "pSplit", "Split Man", t0)
			record("rDied1", "pDied", "Died Man", t0)
			record("rDied2", "pDied", "Died Man", t0)
			// Stored after the snapshot in a listed person: not what the
			// snapshot listed.
			record("rLater", "pDied", "Died Man", t4)
			body := `{"format":"rollcall-snapshot/1","slug":"2022-08-03","people":[` +
				`{"id":"pSent","withheld":false,"name":"Sentenced Man"},` +
				`{"id":"pSplit","withheld":true,"name":"Name withheld (#pSplit)"},` +
				`{"id":"pDied","withheld":false,"name":"Died Man"}]}`
			exec(`INSERT INTO snapshots (id, slug, as_of, known_at, note, counts, people, body, signature, public_key, published_at) VALUES ('sn1', '2022-08-03', 20220803, ?, '', '{}', 3, ?, 'sig', 'key', ?)`, t1, body, t1)
			// The old release's dedupe: the sentenced man into the dead
			// man's id, the split record to a new id.
			exec(`INSERT INTO links (id, record_id, person_id, linked_at, by_whom, why) VALUES ('l1', 'rSent', 'pDied', ?, 'dedupe', 'auto')`, t2)
			exec(`INSERT INTO links (id, record_id, person_id, linked_at, by_whom, why) VALUES ('l2', 'rSplit', 'pNew', ?, 'dedupe', 'auto')`, t2)
			exec(`INSERT INTO public_people (person_id, sort_key, name, withheld, state, state_since, region, region_key, sex, birth_year, roles, first_day, last_day, doc)
				VALUES ('pDied', 'died', 'Died Man', 0, 'killed', '', '', '', '', 0, '', 0, 0, '{}')`)
			exec(`INSERT INTO public_meta (name, value) VALUES ('refreshed_at', ?)`, t3)
			old.Close()

			s, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetKeys(keys)
			want := map[string][]string{"pSent": {"rSent"}, "pSplit": {"rSplit"}, "pDied": {"rDied1", "rDied2"}}
			wantNow := map[string]string{"pSent": "pDied", "pSplit": "pNew", "pDied": "pDied"}
			for id, records := range want {
				now, merged, err := s.PersonNow(ctx, id)
				if err != nil {
					t.Fatalf("snapshot id %s resolves to nothing: %v", id, err)
				}
				if now != wantNow[id] || merged != (now != id) {
					t.Errorf("snapshot id %s leads to %s (merged %v), want %s", id, now, merged, wantNow[id])
				}
				for _, r := range records {
					if p, err := s.PersonOf(ctx, r); err != nil || p != now {
						t.Errorf("snapshot id %s leads to %s, which does not hold record %s (in %s, %v)", id, now, r, p, err)
					}
				}
				got, err := s.AnchorsForTest(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(records) {
					t.Errorf("id %s anchored to %v, want the snapshot's %v (the earliest showing wins over the later public list)", id, got, records)
				}
			}
			// Once per snapshot: opening again changes nothing.
			s.Close()
			s2, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			if got, _ := s2.AnchorsForTest(ctx, "pDied"); fmt.Sprint(got) != "[rDied1 rDied2]" {
				t.Errorf("after a second open pDied is anchored to %v", got)
			}
		})
	}
}

// The case the upgrade leaves to dedupe: an older release gave an id an
// old snapshot showed (a sentenced woman's) wholly to another human's
// records and moved hers to a new id, which its public list then showed.
// The upgrade anchors the id to her record (the earliest showing), and the
// next dedupe gives it back to her: the snapshot's link leads to her, and
// the id the later list showed her under redirects there.
func TestOldSnapshotIDGivenAwayComesBackAtDedupe(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dir, dsn := storetest.Fresh(t, d)
			old, err := store.OpenAt(ctx, dir, dsn, 19)
			if err != nil {
				t.Fatal(err)
			}
			const (
				t0 = int64(1_700_000_000_000_000)
				t1 = t0 + 1_000_000 // the snapshot
				t2 = t1 + 1_000_000 // the old release's moves
				t3 = t2 + 1_000_000 // its last rebuild of the list
			)
			stmts := []storetest.Stmt{
				{SQL: `INSERT INTO sources (id, key, kind, reliability, created_at) VALUES ('s1', 'vol', 'volunteers', 0, ?)`, Args: []any{t0}},
				{SQL: `INSERT INTO sources (id, key, kind, reliability, created_at) VALUES ('s2', 'hot', 'relative', 0, ?)`, Args: []any{t0}},
				{SQL: `INSERT INTO sources (id, key, kind, reliability, created_at) VALUES ('s3', 'med', 'media', 0, ?)`, Args: []any{t0}},
			}
			for _, r := range []struct{ id, src, person, name, sex, region string }{
				{"rG", "s1", "pG", "Гульнара Юсупова", "f", "Нукус"},
				{"x1", "s2", "pX1", "Бекзод Мамбетов", "m", "Ходжейли"},
				{"x2", "s3", "pX2", "Bekzod Mambetov", "m", "Xojeli"},
			} {
				stmts = append(stmts, storetest.Stmt{SQL: `INSERT INTO records (id, source_id, source_record, person_id, name, name_norm, sex, birth_year, region, fields_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1975, ?, 'h', ?)`,
					Args: []any{r.id, r.src, r.id, r.person, r.name, r.name, r.sex, r.region, t0}})
			}
			body := `{"format":"rollcall-snapshot/1","people":[{"id":"pG","withheld":false,"name":"Гульнара Юсупова"}]}`
			stmts = append(stmts,
				storetest.Stmt{SQL: `INSERT INTO snapshots (id, slug, as_of, known_at, note, counts, people, body, signature, public_key, published_at) VALUES ('sn1', '2022-08-03', 20220803, ?, '', '{}', 1, ?, 'sig', 'key', ?)`, Args: []any{t1, body, t1}},
				// Her record to a new id, his two records into hers.
				storetest.Stmt{SQL: `INSERT INTO links (id, record_id, person_id, linked_at) VALUES ('l1', 'rG', 'pNew', ?)`, Args: []any{t2}},
				storetest.Stmt{SQL: `INSERT INTO links (id, record_id, person_id, linked_at) VALUES ('l2', 'x1', 'pG', ?)`, Args: []any{t2}},
				storetest.Stmt{SQL: `INSERT INTO links (id, record_id, person_id, linked_at) VALUES ('l3', 'x2', 'pG', ?)`, Args: []any{t2}},
				storetest.Stmt{SQL: `INSERT INTO public_meta (name, value) VALUES ('refreshed_at', ?)`, Args: []any{t3}})
			for _, p := range []string{"pG", "pNew"} {
				stmts = append(stmts, storetest.Stmt{SQL: `INSERT INTO public_people (person_id, sort_key, name, withheld, state, state_since, region, region_key, sex, birth_year, roles, first_day, last_day, doc)
					VALUES (?, ?, 'x', 0, 'detained', '', '', '', '', 0, '', 0, 0, '{}')`, Args: []any{p, p}})
			}
			old.Close()
			storetest.OldExec(t, dir, dsn, stmts...)

			s, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got, _ := s.AnchorsForTest(ctx, "pG"); fmt.Sprint(got) != "[rG]" {
				t.Fatalf("pG anchored to %v after the upgrade, want the snapshot's [rG]", got)
			}
			dedupeAuto(t, s)
			if p, _ := s.PersonOf(ctx, "rG"); p != "pG" {
				t.Errorf("after dedupe her record is in %s; the snapshot's id pG should hold it", p)
			}
			if x1, _ := s.PersonOf(ctx, "x1"); x1 == "pG" {
				t.Errorf("after dedupe his records are still under her snapshot's id")
			}
			if now, merged, err := s.PersonNow(ctx, "pNew"); err != nil || !merged || now != "pG" {
				t.Errorf("the id the later list showed her under leads to %s (merged %v, %v), want pG", now, merged, err)
			}
		})
	}
}
