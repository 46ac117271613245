// Command linkage measures the quality and speed of internal/linkage.
//
//	go run ./bench/linkage                    # synthetic lists, FEBRL, Splink
//	go run ./bench/linkage -scale 100000      # speed: 100,000 synthetic records
//	go run ./bench/linkage -persons 500 -csv lists.csv -truth truth.csv
//	go run ./bench/linkage -only febrl3 -errors 50 -explain   # missed and false pairs, the model
//
// Scores are printed for all records and for the decidable ones only:
// empty names, one word, initials alone and other scripts are never
// linked automatically, so their pairs are misses by policy.
//
// The reference data are read from ../shared/data (or ROLLCALL_REFDATA)
// and never copied into the repository.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"rollcall/bench/linkage/eval"
	"rollcall/bench/linkage/synth"
	"rollcall/internal/linkage"
)

func main() {
	persons := flag.Int("persons", 2000, "true persons in the synthetic lists")
	sources := flag.Int("sources", 5, "synthetic sources")
	seed := flag.Uint64("seed", 1, "synthetic seed")
	scale := flag.Int("scale", 0, "only measure speed on about this many synthetic records")
	only := flag.String("only", "", "run one data set: synth, febrl1, febrl2, febrl3, febrl4, splink")
	csvOut := flag.String("csv", "", "write the synthetic lists as interchange CSV to this file and exit")
	truthOut := flag.String("truth", "", "with -csv: write source,record,person truth to this file")
	upper := flag.Float64("upper", 0, "auto-link threshold (0: default)")
	lower := flag.Float64("lower", 0, "review threshold (0: default)")
	explain := flag.Bool("explain", false, "print the learned model")
	posterior := flag.Float64("posterior", 0, "minimum posterior for automatic links when -upper and -lower are 0 (0: default)")
	flag.IntVar(&showErrors, "errors", 0, "print this many missed and this many false pairs with their evidence")
	seeds := flag.Int("seeds", 1, "synthetic lists: run this many seeds, from -seed on")
	flag.BoolVar(&withReview, "review", false, "also simulate the review: learned name forms accepted when right, every queued pair and person answered correctly")
	flag.Parse()
	opt := linkage.Options{Upper: *upper, Lower: *lower, MinPosterior: *posterior}

	if *csvOut != "" {
		d := synth.Generate(synth.Config{Persons: *persons, Sources: *sources, Seed: *seed})
		must(writeFile(*csvOut, d.WriteCSV))
		if *truthOut != "" {
			must(writeFile(*truthOut, d.WriteTruth))
		}
		fmt.Printf("wrote %d records of %d persons\n", len(d.Entries), len(d.Persons))
		return
	}
	if *scale > 0 {
		// about 2.4 records per person with the default coverage
		d := synth.Generate(synth.Config{Persons: *scale * 10 / 24, Sources: *sources, Seed: *seed})
		title := fmt.Sprintf("synthetic %d records (speed)", len(d.Entries))
		recs := d.Records()
		persons := make([]string, len(d.Entries))
		for i := range d.Entries {
			persons[i] = d.Entries[i].Person
		}
		d = nil // what linkage does not see should not count against its memory
		truth := func() map[string]string {
			t := make(map[string]string, len(recs))
			for i := range recs {
				t[recs[i].ID] = persons[i]
			}
			return t
		}
		runLazy(title, recs, truth, opt, *explain, true)
		return
	}
	want := func(name string) bool { return *only == "" || *only == name }
	if want("synth") {
		for k := 0; k < *seeds; k++ {
			d := synth.Generate(synth.Config{Persons: *persons, Sources: *sources, Seed: *seed + uint64(k)})
			run(fmt.Sprintf("synthetic mixed-script lists, seed %d: %d persons, %d records, %d sources", *seed+uint64(k), len(d.Persons), len(d.Entries), *sources), d.Records(), d.Truth(), opt, *explain, true)
		}
	}
	dir := eval.DataDir()
	if dir == "" {
		fmt.Fprintln(os.Stderr, "!!! reference data folder (../shared/data) not found: FEBRL and Splink SKIPPED !!!")
		return
	}
	febrl := filepath.Join(dir, "febrl")
	for _, set := range []struct {
		name  string
		files []string
	}{
		{"febrl1", []string{"dataset1.csv"}},
		{"febrl2", []string{"dataset2.csv"}},
		{"febrl3", []string{"dataset3.csv"}},
		{"febrl4", []string{"dataset4a.csv", "dataset4b.csv"}},
	} {
		if !want(set.name) {
			continue
		}
		var paths []string
		for _, f := range set.files {
			paths = append(paths, filepath.Join(febrl, f))
		}
		recs, truth, err := eval.LoadFEBRL(paths...)
		must(err)
		run("FEBRL "+set.name[5:], recs, truth, opt, *explain, false)
	}
	if want("splink") {
		recs, truth, err := eval.LoadSplink(filepath.Join(dir, "splink", "fake_1000.csv"))
		must(err)
		run("Splink fake_1000", recs, truth, opt, *explain, false)
	}
}

func run(title string, recs []linkage.Record, truth map[string]string, opt linkage.Options, explain, counts bool) {
	runLazy(title, recs, func() map[string]string { return truth }, opt, explain, counts)
}

// runLazy builds the truth only after linking: the scoring's memory is
// not linkage's.
func runLazy(title string, recs []linkage.Record, truthOf func() map[string]string, opt linkage.Options, explain, counts bool) {
	fmt.Printf("== %s\n", title)
	runtime.GC()
	start := time.Now()
	res, err := linkage.Link(recs, nil, opt)
	must(err)
	elapsed := time.Since(start)
	peak := peakRSSMB()
	truth := truthOf()
	s := eval.Pairwise(res.Clusters, truth)
	fmt.Printf("   %s\n", s)
	fmt.Printf("   decidable records only: %s\n", decidableScores(res, truth))
	fmt.Printf("   records %d, clusters %d, pairs compared %d, review %d (+%d beyond the queue's cap), undecidable %d\n",
		len(recs), len(res.Clusters), res.Compared, len(res.Review), res.ReviewDropped, len(res.Undecidable))
	fmt.Printf("   elapsed %.2fs, peak RSS %d MB (after linking), EM iterations %d, link at weight >= %.1f\n", elapsed.Seconds(), peak, res.Model.Iterations, res.Model.Upper)
	if counts {
		for _, c := range eval.Counts(recs, res.Clusters, truth) {
			fmt.Printf("   persons %-9s true %6d  linked %6d (error %+d)  naive %6d (error %+d)\n",
				c.Name, c.True, c.Linked, c.Linked-c.True, c.Naive, c.Naive-c.True)
		}
	}
	if explain {
		fmt.Println(res.Model)
	}
	if showErrors > 0 {
		printErrors(recs, truth, res)
	}
	if withReview {
		reviewed(title, recs, truth, opt)
	}
}

var (
	showErrors int
	withReview bool
)

// printErrors prints pairs of one true person left apart and pairs of
// two persons put together, with the model's evidence.
func printErrors(recs []linkage.Record, truth map[string]string, res *linkage.Result) {
	byID := map[string]*linkage.Record{}
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	cl := map[string]int{}
	for i, c := range res.Clusters {
		for _, id := range c {
			cl[id] = i
		}
	}
	undecidable := map[string]bool{}
	for _, id := range res.Undecidable {
		undecidable[id] = true
	}
	show := func(kind string, a, b *linkage.Record) {
		p := linkage.Explain(*a, *b, res.Model)
		fmt.Printf("   %s %.1f\n      %q %s %d %q %q\n      %q %s %d %q %q\n", kind, p.Weight,
			a.Names, a.BirthDate, a.BirthYear, a.Locality, a.Region, b.Names, b.BirthDate, b.BirthYear, b.Locality, b.Region)
		for _, e := range p.Evidence {
			fmt.Printf("        %-10s %+6.2f %s\n", e.Field, e.Weight, e.Comparison)
		}
	}
	byPerson := map[string][]string{}
	for _, r := range recs {
		byPerson[truth[r.ID]] = append(byPerson[truth[r.ID]], r.ID)
	}
	persons := make([]string, 0, len(byPerson))
	for p := range byPerson {
		persons = append(persons, p)
	}
	sort.Strings(persons)
	n := 0
	for _, p := range persons {
		ids := byPerson[p]
		for i := 0; i < len(ids) && n < showErrors; i++ {
			for j := i + 1; j < len(ids) && n < showErrors; j++ {
				if cl[ids[i]] != cl[ids[j]] && !undecidable[ids[i]] && !undecidable[ids[j]] {
					show("MISSED", byID[ids[i]], byID[ids[j]])
					n++
				}
			}
		}
	}
	n = 0
	for _, c := range res.Clusters {
		for i := 0; i < len(c) && n < showErrors; i++ {
			for j := i + 1; j < len(c) && n < showErrors; j++ {
				if truth[c[i]] != truth[c[j]] {
					show("FALSE", byID[c[i]], byID[c[j]])
					n++
				}
			}
		}
	}
}

// peakRSSMB is the process's peak resident set size (Linux reports KB).
func peakRSSMB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) / 1024
}

func writeFile(path string, write func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// decidableScores scores only the records that policy allows to link
// automatically (the others are listed for a person to decide).
func decidableScores(res *linkage.Result, truth map[string]string) eval.Scores {
	dec := make(map[string]string, len(truth))
	for id, p := range truth {
		dec[id] = p
	}
	for _, id := range res.Undecidable {
		delete(dec, id)
	}
	var kept [][]string
	for _, c := range res.Clusters {
		var k []string
		for _, id := range c {
			if _, ok := dec[id]; ok {
				k = append(k, id)
			}
		}
		kept = append(kept, k)
	}
	return eval.Pairwise(kept, dec)
}
