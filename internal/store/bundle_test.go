package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// fieldBundle exports what the field store has not had acknowledged.
func fieldBundle(t *testing.T, s *store.Store) []store.FieldRow {
	t.Helper()
	var buf bytes.Buffer
	if _, err := s.ExportFieldRows(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := store.ReadFieldRows(&buf, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func applyBundle(t *testing.T, hq *store.Store, d store.Device, id string, rows []store.FieldRow) store.BundleResult {
	t.Helper()
	res, err := hq.ApplyBundle(context.Background(), store.ActorCLI, d, id, time.Now(), append([]store.FieldRow(nil), rows...), nil, nil)
	if err != nil {
		t.Fatalf("bundle %s: %v", id, err)
	}
	return res
}

func countsAt(t *testing.T, s *store.Store, knownAt time.Time) registry.Counts {
	t.Helper()
	c, err := s.Counts(context.Background(), registry.Query{AsOf: registry.DayOf(time.Date(2022, 8, 3, 0, 0, 0, 0, time.UTC)), KnownAt: knownAt, MinVerification: registry.Corroborated})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBundlesInAnyOrderGiveOneRegistryAndHonestTimes(t *testing.T) {
	ctx := context.Background()
	laptop := storetest.Open(t, store.SQLite)
	src, err := laptop.AddSource(ctx, "vol", "vol", registry.KindRelative, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	detained := registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02"), Verification: registry.Corroborated, Note: "seen at the gate"}
	_, _ = addRecord(t, laptop, src, "vol", "Azamat Qurbanov", detained)
	rec2, _ := addRecord(t, laptop, src, "vol", "Daulet Saparov", registry.Claim{Status: registry.Missing, Date: period(t, "2022-07-01"), Verification: registry.Corroborated})
	first := fieldBundle(t, laptop)
	// Later in the field: the second record's claim is withdrawn and a
	// third record entered; nothing was acknowledged, so the second
	// bundle carries everything again.
	_, claims, err := laptop.Record(ctx, rec2)
	if err != nil || len(claims) != 1 {
		t.Fatalf("record: %v %v", claims, err)
	}
	if err := laptop.WithdrawClaim(ctx, "ed", claims[0].ID, "a mistake"); err != nil {
		t.Fatal(err)
	}
	addRecord(t, laptop, src, "vol", "Bekzod Mambetov", registry.Claim{Status: registry.Killed, Date: period(t, "2022-07-01"), Verification: registry.Verified})
	second := fieldBundle(t, laptop)
	now := time.Now()
	want := countsAt(t, laptop, now.Add(time.Hour))

	storetest.Each(t, func(t *testing.T, hqA *store.Store) {
		hqB := storetest.Open(t, store.Dialect(hqA.Dialect()))
		var results []registry.Counts
		for i, hq := range []*store.Store{hqA, hqB} {
			// Headquarters had the source already: the field's is that one.
			if _, err := hq.AddSource(ctx, "ed", "vol", registry.KindRelative, 2, ""); err != nil {
				t.Fatal(err)
			}
			d, err := hq.AddDevice(ctx, store.ActorCLI, "laptop", store.RoleField, "key-"+string(rune('a'+i)), "age1x")
			if err != nil {
				t.Fatal(err)
			}
			received := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			hq.Now = func() time.Time { return received }
			order := [][]store.FieldRow{first, second}
			ids := []string{"b1", "b2"}
			if hq == hqB {
				order, ids = [][]store.FieldRow{second, first}, []string{"b2", "b1"}
			}
			r1 := applyBundle(t, hq, d, ids[0], order[0])
			if r1.Matched != 1 {
				t.Errorf("the source headquarters had was not recognised: %+v", r1)
			}
			hq.Now = func() time.Time { return received.Add(time.Hour) }
			r2 := applyBundle(t, hq, d, ids[1], order[1])
			if r2.Conflicts != 0 {
				t.Errorf("conflicts where the field only withdrew a claim: %+v", r2)
			}
			if again := applyBundle(t, hq, d, ids[1], order[1]); !again.Replay {
				t.Errorf("a replay was applied again: %+v", again)
			}
			// Known at a moment before headquarters received anything, it
			// knew nothing, whatever the field's times say.
			if got := countsAt(t, hq, received.Add(-time.Second)); got != (registry.Counts{}) {
				t.Errorf("counts known before the bundle arrived: %+v", got)
			}
			results = append(results, countsAt(t, hq, received.Add(2*time.Hour)))
		}
		if results[0] != want || results[1] != want {
			t.Errorf("bundles in order %+v, in the other order %+v, the field %+v", results[0], results[1], want)
		}
		for _, hq := range []*store.Store{hqA, hqB} {
			n, err := hq.TableCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n["sources"] != 1 || n["records"] != 3 || n["claims"] != 3 {
				t.Errorf("headquarters holds %d sources, %d records, %d claims; want 1, 3, 3", n["sources"], n["records"], n["claims"])
			}
		}
	})
}

func TestARecordCorrectedOnBothSidesIsKeptAsAConflict(t *testing.T) {
	ctx := context.Background()
	laptop := storetest.Open(t, store.SQLite)
	importCSV(t, laptop, "vol,7,Azamat Qurbanov,m,1990,Nukus,detained,2022-07-02,corroborated,")
	rows := fieldBundle(t, laptop)
	storetest.Each(t, func(t *testing.T, hq *store.Store) {
		// Headquarters has the same record of the same list, with
		// another birth year.
		importCSV(t, hq, "vol,7,Azamat Qurbanov,m,1991,Nukus,detained,2022-07-02,corroborated,")
		before, err := hq.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d, err := hq.AddDevice(ctx, store.ActorCLI, "laptop", store.RoleField, "key", "age1x")
		if err != nil {
			t.Fatal(err)
		}
		res := applyBundle(t, hq, d, "b1", rows)
		if res.Conflicts != 1 || res.Matched != 3 {
			t.Fatalf("the record corrected on both sides: %+v, want 1 conflict, the source, the record and its claim matched", res)
		}
		list, err := hq.FieldConflicts(ctx)
		if err != nil || len(list) != 1 || list[0].Table != "records" || list[0].Device != "laptop" {
			t.Fatalf("conflicts listed for editors: %+v %v", list, err)
		}
		after, err := hq.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after["records"] != before["records"] || after["sources"] != before["sources"] {
			t.Errorf("a conflicting record was added beside headquarters' own: %d records, %d sources", after["records"], after["sources"])
		}
		if again := applyBundle(t, hq, d, "b2", rows); again.Conflicts != 0 || again.New != 0 {
			t.Errorf("the same rows in another bundle: %+v", again)
		}
	})
}
