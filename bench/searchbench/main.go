// Command searchbench measures name search (issue 13) on a synthetic
// mixed-script list (bench/linkage/synth, with its truth): recall per kind
// of query — the searched record among the matches of the workspace's
// record search — and the public list's search latency (p50/p95/p99).
// Every record is its own person (no dedupe), so a query must reach the
// very spelling the source wrote, typos and all.
//
//	go run ./bench/searchbench -records 100000 -seed 1 -queries 300
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"rollcall/bench/linkage/synth"
	"rollcall/internal/intake"
	"rollcall/internal/names"
	"rollcall/internal/store"
)

func main() {
	records := flag.Int("records", 100000, "about how many records (each its own person)")
	seed := flag.Uint64("seed", 1, "generator seed")
	queries := flag.Int("queries", 300, "queries per kind")
	keep := flag.String("keep", "", "keep the database in this directory and reuse it when it is there (same -records and -seed)")
	flag.Parse()
	ctx := context.Background()
	work := *keep
	if work == "" {
		var err error
		work, err = os.MkdirTemp("", "searchbench")
		check(err)
		defer os.RemoveAll(work)
	}
	check(os.MkdirAll(work, 0o755))
	d := synth.Generate(synth.Config{Persons: *records * 10 / 24, Seed: *seed})
	_, statErr := os.Stat(filepath.Join(work, "data", "rollcall.db"))
	st, err := store.Open(ctx, filepath.Join(work, "data"), "")
	check(err)
	defer st.Close()
	if statErr != nil {
		file := filepath.Join(work, "list.csv")
		f, err := os.Create(file)
		check(err)
		check(d.WriteCSV(f))
		check(f.Close())
		t0 := time.Now()
		_, err = intake.ImportFile(ctx, st, file, intake.Options{Bulk: true})
		check(err)
		t1 := time.Now()
		sum, err := st.RefreshPublic(ctx)
		check(err)
		fmt.Fprintf(os.Stderr, "%d records imported in %v; public list of %d persons (%d search keys) in %v\n",
			len(d.Entries), t1.Sub(t0).Round(time.Millisecond), sum.People, sum.SearchKeys, time.Since(t1).Round(time.Millisecond))
	}
	list, err := st.PublicPeople(ctx, store.PeopleFilter{PerPage: 1})
	check(err)
	people := list.Total

	persons := map[string]*synth.Person{}
	for i := range d.Persons {
		persons[d.Persons[i].ID] = &d.Persons[i]
	}
	rng := rand.New(rand.NewPCG(*seed, 13))
	latin := []int{3, 4, 5, 6} // kaa-lat, uz-lat, ru-icao, ru-press
	cyrillic := []int{0, 1, 2} // ru-cyr, kaa-cyr, uz-cyr
	kinds := []struct {
		name string
		make func(e *synth.Entry, p *synth.Person) string
	}{
		{"other-script given+surname", func(e *synth.Entry, p *synth.Person) string {
			sc := latin
			if names.DetectScript(e.Names[0]) == names.ScriptLatin {
				sc = cyrillic
			}
			g, s, _ := synth.NameIn(p, sc[rng.IntN(len(sc))], false, false)
			return g + " " + s
		}},
		{"surname given patronymic", func(e *synth.Entry, p *synth.Person) string {
			g, s, pt := synth.NameIn(p, rng.IntN(7), true, true)
			return s + " " + g + " " + pt
		}},
		{"partial: given + surname prefix", func(e *synth.Entry, p *synth.Person) string {
			g, s, _ := synth.NameIn(p, rng.IntN(7), false, false)
			rs := []rune(s)
			cut := 3 + rng.IntN(max(1, len(rs)-3))
			if rng.IntN(3) == 0 {
				// the given name cut instead
				gr := []rune(g)
				return string(gr[:min(len(gr), 3+rng.IntN(max(1, len(gr)-3)))]) + " " + s
			}
			return g + " " + string(rs[:min(len(rs), cut)])
		}},
		{"partial: every part cut to 3+ letters, patronymic too, any order", func(e *synth.Entry, p *synth.Person) string {
			g, s, pt := synth.NameIn(p, rng.IntN(7), rng.IntN(2) == 0, false)
			cut := func(w string) string {
				r := []rune(w)
				return string(r[:min(len(r), 3+rng.IntN(max(1, len(r)-2)))])
			}
			parts := []string{cut(s), cut(g)}
			if pt != "" {
				parts = append(parts, cut(strings.Fields(pt)[0]))
			}
			rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
			return strings.Join(parts, " ")
		}},
		{"Karakalpak letters vs Russian stand-ins", func(e *synth.Entry, p *synth.Person) string {
			sc := 3 // kaa-lat with diacritics for a Cyrillic record
			if names.DetectScript(e.Names[0]) == names.ScriptLatin {
				sc = []int{0, 1}[rng.IntN(2)] // ru-cyr stand-ins or kaa-cyr letters
			}
			g, s, _ := synth.NameIn(p, sc, false, true)
			q := s + " " + g
			switch rng.IntN(3) {
			case 0:
				q = strings.ToUpper(q)
			case 1:
				q = strings.ToLower(q)
			}
			return q
		}},
	}
	var all []time.Duration
	pct := func(ds []time.Duration, p float64) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return ds[int(p*float64(len(ds)-1))].Round(10 * time.Microsecond)
	}
	fmt.Println("| kind of query | queries | recall | mean results | public search p95 |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for _, k := range kinds {
		found, results := 0, 0
		var took []time.Duration
		for i := 0; i < *queries; i++ {
			e := &d.Entries[rng.IntN(len(d.Entries))]
			p := persons[e.Person]
			q := k.make(e, p)
			recs, err := st.Records(ctx, store.RecordFilter{Query: q, Limit: 1000})
			check(err)
			results += len(recs)
			if slices.ContainsFunc(recs, func(r store.EnteredRecord) bool { return r.SourceKey == e.Source && r.Key == e.Local }) {
				found++
			} else if os.Getenv("SEARCHBENCH_MISSES") != "" {
				fmt.Fprintf(os.Stderr, "miss [%s] %q → %q\n", k.name, q, e.Names)
			}
			start := time.Now()
			_, err = st.PublicPeople(ctx, store.PeopleFilter{Query: q})
			check(err)
			took = append(took, time.Since(start))
		}
		all = append(all, took...)
		fmt.Printf("| %s | %d | **%.3f** | %.1f | %v |\n", k.name, *queries, float64(found)/float64(*queries), float64(results)/float64(*queries), pct(took, 0.95))
	}
	var prefixes []time.Duration
	// Prefixes as typed, letter by letter: 3, 4, 5… letters of a surname.
	for i := 0; i < *queries; i++ {
		p := persons[d.Entries[rng.IntN(len(d.Entries))].Person]
		_, s, _ := synth.NameIn(p, rng.IntN(7), false, false)
		rs := []rune(s)
		n := min(len(rs), 3+rng.IntN(3))
		start := time.Now()
		_, err := st.PublicPeople(ctx, store.PeopleFilter{Query: string(rs[:n])})
		check(err)
		prefixes = append(prefixes, time.Since(start))
	}
	all = append(all, prefixes...)
	fmt.Printf("| a surname's first 3–5 letters alone (latency only) | %d | | | %v |\n", *queries, pct(prefixes, 0.95))
	fmt.Printf("\npublic list search over %d persons, all %d queries: p50 %v, p95 %v, p99 %v\n",
		people, len(all), pct(all, 0.5), pct(all, 0.95), pct(all, 0.99))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
