package store_test

import (
	"context"
	"fmt"
	"testing"

	"rollcall/internal/seal"
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
			dir, dsn := storetest.Fresh(t, d)
			keys, err := seal.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			old, err := store.OpenAt(ctx, dir, dsn, 19)
			if err != nil {
				t.Fatal(err)
			}
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
