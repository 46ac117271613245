package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

var (
	queueGiven    = []string{"Aziz", "Bekzod", "Dilshod", "Farrukh", "Jasur", "Kamol"}
	queueSurnames = []string{"Karimov", "Saidov", "Tursunov", "Umarov", "Yusupov", "Nazarov", "Rakhimov", "Ergashev", "Khodjaev", "Mirzaev"}
)

// queueOf60 imports 60 persons twice (vol writes "Given Surname" in Nukus,
// press "Surname Given" in Muynak or Kungrad) and queues the 60 pairs,
// the heaviest first: pair i weighs 6.0 - i/10.
func queueOf60(t *testing.T, s *store.Store) []storetest.QueuedPair {
	var lines []string
	var pairs []storetest.QueuedPair
	for i := range 60 {
		given, surname := queueGiven[i%6], queueSurnames[i/6]
		region := "Muynak"
		if i%2 == 1 {
			region = "Kungrad"
		}
		lines = append(lines,
			fmt.Sprintf("vol,%d,%s %s,m,1990,Нукус,detained,2022-07-02,corroborated,", i, given, surname),
			fmt.Sprintf("press,%d,%s %s,m,1990,%s,detained,2022-07-02,corroborated,", i, surname, given, region))
		pairs = append(pairs, storetest.QueuedPair{NameA: given + " " + surname, NameB: surname + " " + given, Weight: 6.0 - float64(i)/10})
	}
	importCSV(t, s, lines...)
	if _, err := s.BuildSearchKeys(context.Background()); err != nil { // as a refresh of the public list does
		t.Fatal(err)
	}
	storetest.QueuePairs(t, s, pairs)
	return pairs
}

func TestReviewQueuePageFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		queueOf60(t, s)
		all := store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound, Limit: 50}
		first, err := s.ReviewQueuePage(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if first.Open != 60 || first.Matching != 60 || len(first.Pairs) != 50 {
			t.Fatalf("page 1: open %d matching %d shown %d, want 60 60 50", first.Open, first.Matching, len(first.Pairs))
		}
		if first.Pairs[0].A.Name != "Aziz Karimov" && first.Pairs[0].B.Name != "Aziz Karimov" {
			t.Errorf("the heaviest pair is not first: %s — %s", first.Pairs[0].A.Name, first.Pairs[0].B.Name)
		}
		second := all
		second.Offset = 50
		rest, err := s.ReviewQueuePage(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		if len(rest.Pairs) != 10 {
			t.Fatalf("page 2 shows %d pairs, want the last 10", len(rest.Pairs))
		}
		seen := map[string]bool{}
		for _, p := range append(first.Pairs, rest.Pairs...) {
			if seen[p.ID] {
				t.Errorf("pair %s on both pages", p.ID)
			}
			seen[p.ID] = true
		}

		check := func(name string, f store.ReviewFilter, want int) store.ReviewPage {
			t.Helper()
			f.Limit = 50
			page, err := s.ReviewQueuePage(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if page.Matching != want || len(page.Pairs) != min(want, 50) || page.Open != 60 {
				t.Errorf("%s: %d match (%d shown, %d open), want %d", name, page.Matching, len(page.Pairs), page.Open, want)
			}
			return page
		}
		weights := all
		weights.MinWeight, weights.MaxWeight = 5.05, 5.95 // pairs 1..9
		for _, p := range check("weights 5.05–5.95", weights, 9).Pairs {
			if p.Weight < 5.05 || p.Weight > 5.95 {
				t.Errorf("weight %.2f outside the range", p.Weight)
			}
		}
		region := all
		region.Region = store.RegionKey("Кунград") // press writes Kungrad: the odd pairs
		check("region Kungrad in Cyrillic", region, 30)
		region.Region = store.RegionKey("Nukus") // every vol record
		check("region Nukus", region, 60)
		source := all
		source.Source = "press"
		check("source press", source, 60)
		source.Source = "nobody"
		check("source nobody", source, 0)
		name := all
		name.Name = "Karimov"
		for _, p := range check("name Karimov", name, 6).Pairs {
			if !strings.Contains(p.A.Name+p.B.Name, "Karimov") {
				t.Errorf("name filter shows %s — %s", p.A.Name, p.B.Name)
			}
		}
		name.Name = "Каримов" // the search's transliteration finds the Latin spellings
		check("name Каримов", name, 6)
		name.Name = "Karimov"
		both := name
		both.Region = store.RegionKey("Kungrad")
		check("name Karimov in Kungrad", both, 3)
		if len(first.Regions) != 3 || len(first.Sources) != 2 {
			t.Errorf("filter choices: regions %+v sources %+v", first.Regions, first.Sources)
		}
	})
}

func TestReviewWaitingAndLastImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.LastImport(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("last import of an empty store: %v", err)
		}
		queueOf60(t, s)
		pair := firstPairs(t, s, 1)[0]
		if _, err := s.DecideQueued(ctx, pair.ID, linkage.Unsure, "editor-1", ""); err != nil {
			t.Fatal(err)
		}
		w, err := s.ReviewWaitingNow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w.Pairs != 59 || w.Unsure != 1 || w.Persons != 0 || w.Fates != 0 {
			t.Errorf("waiting: %+v, want 59 pairs and 1 unsure", w)
		}
		last, err := s.LastImport(ctx)
		if err != nil || !strings.HasSuffix(last.FileName, "list.csv") || last.Rows != 120 || last.NewRecords != 120 {
			t.Errorf("last import: %+v %v", last, err)
		}
	})
}
