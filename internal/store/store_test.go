package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// clock gives a store times one minute apart, so known-at tests are exact.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Minute); return c.t }

func withClock(s *store.Store) *clock {
	c := &clock{t: time.Date(2022, 8, 1, 12, 0, 0, 0, time.UTC)}
	s.Now = c.now
	return c
}

func writeCSV(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "list.csv")
	body := "source,record,name,sex,birth_year,region,status,date,verification,note\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func importCSV(t *testing.T, s *store.Store, lines ...string) intake.Result {
	t.Helper()
	res, err := intake.ImportFile(context.Background(), s, writeCSV(t, lines...), intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func counts(t *testing.T, s *store.Store, asOf string, knownAt time.Time, min registry.Verification) registry.Counts {
	t.Helper()
	d, err := registry.ParseDay(asOf)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Counts(context.Background(), registry.Query{AsOf: d, KnownAt: knownAt, MinVerification: min})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMigrationsApplyOnceAndReopen(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			dir, dsn := storetest.Fresh(t, d)
			ctx := context.Background()
			for i := 0; i < 2; i++ {
				s, err := store.Open(ctx, dir, dsn)
				if err != nil {
					t.Fatalf("open #%d: %v", i+1, err)
				}
				if s.Dialect() != d {
					t.Errorf("dialect = %s, want %s", s.Dialect(), d)
				}
				tot, err := s.Totals(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if tot != (store.Stats{}) {
					t.Errorf("fresh store holds %+v", tot)
				}
				s.Close()
			}
		})
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	dir, _ := storetest.Fresh(t, store.SQLite)
	s, err := store.Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := os.Stat(filepath.Join(dir, "rollcall.db"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("database file mode %v: readable by others", perm)
	}
}

func TestImportThenCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		importCSV(t, s,
			"vol,1,Иван Петров,m,1990,Nukus,detained,2022-07-02,corroborated,",
			"vol,1,Иван Петров,m,1990,Nukus,released,2022-07-20,corroborated,",
			"vol,2,Aygul Saparova,f,,Nukus,missing,2022-07-01,verified,",
			"vol,3,Bekzod Qurbanov,m,,Chimbay,killed,2022-07-01,corroborated,",
			"vol,4,Unverified Person,m,,Chimbay,detained,2022-07-02,unverified,",
			"vol,5,Month Person,m,,Chimbay,sentenced,2022-08,corroborated,",
		)
		later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		got := counts(t, s, "2022-08-03", later, registry.Corroborated)
		want := registry.Counts{MissingNow: 1, ReleasedNow: 1, Killed: 1, DetainedEver: 1, MissingEver: 1}
		if got != want {
			t.Errorf("as of 3 August: %+v\nwant %+v", got, want)
		}
		got = counts(t, s, "2022-08-31", later, registry.Unverified)
		want = registry.Counts{MissingNow: 1, DetainedNow: 2, ReleasedNow: 1, Killed: 1, DetainedEver: 3, MissingEver: 1, SentencedEver: 1}
		if got != want {
			t.Errorf("as of 31 August, unverified included: %+v\nwant %+v", got, want)
		}
		tot, err := s.Totals(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tot != (store.Stats{Sources: 1, Records: 5, Persons: 5, Claims: 6}) {
			t.Errorf("totals %+v", tot)
		}
	})
}

// recordID finds a record's id through the export, as any client would.
func recordIDs(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	ids := map[string]string{}
	err := s.EachClaim(context.Background(), func(r store.ClaimRow) error {
		ids[r.Record.Key] = r.Record.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestRelinkKeepsPastCountsExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,a,Даулет Сапаров,m,1990,Nukus,detained,2022-07-02,corroborated,",
			"hot,b,Dawlet Saparov,m,1990,Nókis,released,2022-07-20,corroborated,",
		)
		beforeMerge := clk.now()
		ids := recordIDs(t, s)
		personA, err := s.PersonOf(ctx, ids["a"])
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Relink(ctx, []store.Move{{RecordID: ids["b"], PersonID: personA}}, "test", "same person")
		if err != nil || n != 1 {
			t.Fatalf("relink: %d, %v", n, err)
		}
		afterMerge := clk.now()
		if got := counts(t, s, "2022-08-03", afterMerge, registry.Corroborated); got != (registry.Counts{ReleasedNow: 1, DetainedEver: 1}) {
			t.Errorf("after the merge: %+v, want one person released", got)
		}
		if got := counts(t, s, "2022-08-03", beforeMerge, registry.Corroborated); got != (registry.Counts{DetainedNow: 1, ReleasedNow: 1, DetainedEver: 2}) {
			t.Errorf("as known before the merge: %+v, want two persons", got)
		}
		// Split them again: now is two persons, the merged past stays merged.
		if _, err := s.Relink(ctx, []store.Move{{RecordID: ids["b"]}}, "test", "different after all"); err != nil {
			t.Fatal(err)
		}
		if got := counts(t, s, "2022-08-03", clk.now(), registry.Corroborated); got != (registry.Counts{DetainedNow: 1, ReleasedNow: 1, DetainedEver: 2}) {
			t.Errorf("after the split: %+v", got)
		}
		if got := counts(t, s, "2022-08-03", afterMerge, registry.Corroborated); got != (registry.Counts{ReleasedNow: 1, DetainedEver: 1}) {
			t.Errorf("as known while merged: %+v", got)
		}
		if n, err := s.Relink(ctx, []store.Move{{RecordID: ids["a"], PersonID: personA}}, "test", "no-op"); err != nil || n != 0 {
			t.Errorf("moving a record to its own person changed %d links, err %v", n, err)
		}
		if _, err := s.Relink(ctx, []store.Move{{RecordID: "no-such-record"}}, "test", ""); err == nil {
			t.Error("relinking an unknown record succeeded")
		}
	})
}

func TestRetractionKeepsPastCountsExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := withClock(s)
		ctx := context.Background()
		importCSV(t, s, "vol,a,Person A,m,,Nukus,killed,2022-07-02,corroborated,")
		var claimID string
		s.EachClaim(ctx, func(r store.ClaimRow) error { claimID = r.Claim.ID; return nil })
		before := clk.now()
		if err := s.WithdrawClaim(ctx, "editor", claimID, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.WithdrawClaim(ctx, "editor", claimID, ""); err == nil {
			t.Error("a claim was retracted twice")
		}
		if got := counts(t, s, "2022-08-03", clk.now(), registry.Corroborated); got != (registry.Counts{}) {
			t.Errorf("after retraction: %+v, want nothing counted", got)
		}
		if got := counts(t, s, "2022-08-03", before, registry.Corroborated); got != (registry.Counts{Killed: 1}) {
			t.Errorf("as known before retraction: %+v, want one killed", got)
		}
	})
}

// TestCountsAgreeWithRegistry checks that the SQL that narrows the rows read
// never drops a claim the counting rules would count: the store's counts
// equal registry.Count over every claim, for many random questions.
func TestCountsAgreeWithRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := withClock(s)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(1, 2))
		statuses := []string{"missing", "detained", "sentenced", "restricted", "released", "found", "killed", "died_in_custody", "tortured"}
		levels := []string{"unverified", "corroborated", "verified"}
		var times []time.Time
		for file := 0; file < 3; file++ {
			var lines []string
			for i := 0; i < 60; i++ {
				date := fmt.Sprintf("2022-%02d-%02d", 7+rng.IntN(2), 1+rng.IntN(28))
				switch rng.IntN(5) {
				case 0:
					date = date[:7]
				case 1:
					date = date[:4]
				}
				lines = append(lines, fmt.Sprintf("src%d,%d,Person %d,,,,%s,%s,%s,n%d", file, i/2, i/2,
					statuses[rng.IntN(len(statuses))], date, levels[rng.IntN(3)], i))
			}
			importCSV(t, s, lines...)
			times = append(times, clk.now())
		}
		ids := recordIDs(t, s)
		var moves []store.Move
		var recordList []string
		for _, id := range ids {
			recordList = append(recordList, id)
		}
		for _, id := range recordList {
			switch rng.IntN(3) {
			case 0: // split off into a new person
				moves = append(moves, store.Move{RecordID: id})
			case 1: // merge into another record's person
				other, err := s.PersonOf(ctx, recordList[rng.IntN(len(recordList))])
				if err != nil {
					t.Fatal(err)
				}
				moves = append(moves, store.Move{RecordID: id, PersonID: other})
			}
		}
		if _, err := s.Relink(ctx, moves, "test", "shuffle"); err != nil {
			t.Fatal(err)
		}
		times = append(times, clk.now())
		all := map[string][]registry.ClaimFacts{}
		if err := s.EachClaimFacts(ctx, func(p string, c registry.ClaimFacts) { all[p] = append(all[p], c) }); err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		for i := 0; i < 40; i++ {
			q := registry.Query{AsOf: registry.Day(20220700 + 1 + rng.IntN(31)), KnownAt: times[rng.IntN(len(times))],
				MinVerification: registry.Verification(rng.IntN(3))}
			if i%4 == 0 {
				q.AsOf = 20221231
			}
			want := registry.Count(q, all)
			got, err := s.Counts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("query %+v: store %+v, registry %+v", q, got, want)
			}
			if got != (registry.Counts{}) {
				nonzero++
			}
		}
		if nonzero < 20 {
			t.Errorf("only %d of 40 random queries counted anyone; the comparison proves little", nonzero)
		}
	})
}
