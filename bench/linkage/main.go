// Command linkage measures the quality and speed of internal/linkage.
//
//	go run ./bench/linkage                    # synthetic lists, FEBRL, Splink
//	go run ./bench/linkage -scale 100000      # speed: 100,000 synthetic records
//	go run ./bench/linkage -persons 500 -csv lists.csv -truth truth.csv
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
	flag.Parse()
	opt := linkage.Options{Upper: *upper, Lower: *lower}

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
		run(fmt.Sprintf("synthetic %d records (speed)", len(d.Entries)), d.Records(), d.Truth(), opt, *explain, true)
		return
	}
	want := func(name string) bool { return *only == "" || *only == name }
	if want("synth") {
		d := synth.Generate(synth.Config{Persons: *persons, Sources: *sources, Seed: *seed})
		run(fmt.Sprintf("synthetic mixed-script lists: %d persons, %d records, %d sources", len(d.Persons), len(d.Entries), *sources), d.Records(), d.Truth(), opt, *explain, true)
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
	fmt.Printf("== %s\n", title)
	runtime.GC()
	start := time.Now()
	res, err := linkage.Link(recs, nil, opt)
	must(err)
	elapsed := time.Since(start)
	s := eval.Pairwise(res.Clusters, truth)
	fmt.Printf("   %s\n", s)
	fmt.Printf("   records %d, clusters %d, pairs compared %d, review %d, undecidable %d\n",
		len(recs), len(res.Clusters), res.Compared, len(res.Review), len(res.Undecidable))
	fmt.Printf("   elapsed %.2fs, peak RSS %d MB, EM iterations %d\n", elapsed.Seconds(), peakRSSMB(), res.Model.Iterations)
	if counts {
		for _, c := range eval.Counts(recs, res.Clusters, truth) {
			fmt.Printf("   persons %-9s true %6d  linked %6d (error %+d)  naive %6d (error %+d)\n",
				c.Name, c.True, c.Linked, c.Linked-c.True, c.Naive, c.Naive-c.True)
		}
	}
	if explain {
		fmt.Println(res.Model)
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
