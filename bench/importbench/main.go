// Command importbench measures `rollcall import` on SQLite and PostgreSQL
// against the floor of the sqlite3 shell's .import of the same file into a
// plain table, and `rollcall stats` over many persons. Results go to
// standard output as a Markdown table for docs/benchmarks.md.
//
//	go run ./bench/importbench -rows 100000,1000000
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func main() {
	rowsFlag := flag.String("rows", "100000,1000000", "comma-separated row counts to import")
	statsPersons := flag.Int("stats-persons", 100000, "persons in the stats benchmark")
	pg := flag.String("postgres", storetest.PostgresURL(), "PostgreSQL URL ('' to skip)")
	keep := flag.Bool("keep", false, "keep the work directory")
	repeat := flag.Int("repeat", 3, "runs per measurement; the median is reported")
	write := flag.String("write", "", "only write an interchange file of the first -rows count to this path, and exit")
	flag.Parse()
	if *write != "" {
		n, err := strconv.Atoi(strings.Split(*rowsFlag, ",")[0])
		check(err)
		check(generate(*write, n))
		return
	}

	work, err := os.MkdirTemp("", "importbench")
	check(err)
	if !*keep {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "rollcall")
	build := exec.Command("go", "build", "-o", bin, "./cmd/rollcall")
	build.Stderr = os.Stderr
	check(build.Run())

	fmt.Println("| rows | target | seconds | rows/s | peak RSS MB | vs sqlite3 .import |")
	fmt.Println("| ---: | --- | ---: | ---: | ---: | ---: |")
	// SQLite first, every size, then PostgreSQL: after a large COPY the
	// PostgreSQL server goes on working (autovacuum, checkpoints) for a
	// while, on the same two cores, which would slow what runs next.
	type size struct {
		rows  int
		file  string
		shell measure // the floor the PostgreSQL import is compared with too
	}
	var sizes []size
	for _, s := range strings.Split(*rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		file := filepath.Join(work, fmt.Sprintf("list-%d.csv", n))
		check(generate(file, n))
		// Each measurement is the median of -repeat runs, each into a fresh
		// database whose schema was made beforehand (creating it is not
		// part of an import).
		shell := median(*repeat, func(i int) measure {
			return run("sqlite3", filepath.Join(work, fmt.Sprintf("plain-%d-%d.db", n, i)), "-cmd", ".mode csv", ".import "+file+" plain")
		})
		report(n, "sqlite3 shell .import (floor)", shell, shell)
		m := median(*repeat, func(i int) measure {
			dir := filepath.Join(work, fmt.Sprintf("data-sqlite-%d-%d", n, i))
			run(bin, "--data", dir, "stats", "--as-of", "2022-08-03")
			return run(bin, "--data", dir, "import", file)
		})
		report(n, "rollcall import, SQLite", m, shell)
		sizes = append(sizes, size{n, file, shell})
	}
	for _, sz := range sizes {
		if *pg == "" {
			break
		}
		m := median(*repeat, func(i int) measure {
			dsn, drop := freshSchema(*pg)
			run(bin, "--data", work, "--db", dsn, "stats", "--as-of", "2022-08-03")
			m := run(bin, "--data", work, "--db", dsn, "import", sz.file)
			drop()
			return m
		})
		report(sz.rows, "rollcall import, PostgreSQL", m, sz.shell)
	}

	// stats over many persons: rows = persons × ~1.6 claims.
	file := filepath.Join(work, "stats.csv")
	check(generateRecords(file, *statsPersons))
	dir := filepath.Join(work, "data-stats")
	_ = run(bin, "--data", dir, "import", file)
	fmt.Println()
	fmt.Println("| stats | persons | in-process Counts ms (best of 5) | `rollcall stats` command ms |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	targets := []struct{ name, dir, dsn string }{{"SQLite", dir, ""}}
	if *pg != "" {
		dsn, drop := freshSchema(*pg)
		defer drop()
		_ = run(bin, "--data", dir+"-pg", "--db", dsn, "import", file)
		targets = append(targets, struct{ name, dir, dsn string }{"PostgreSQL", dir + "-pg", dsn})
	}
	for _, tg := range targets {
		st, err := store.Open(context.Background(), tg.dir, tg.dsn)
		check(err)
		tot, err := st.Totals(context.Background())
		check(err)
		best := time.Hour
		q := registry.Query{AsOf: 20220803, KnownAt: time.Now(), MinVerification: registry.Corroborated}
		for i := 0; i < 5; i++ {
			start := time.Now()
			_, err := st.Counts(context.Background(), q)
			check(err)
			best = min(best, time.Since(start))
		}
		st.Close()
		args := []string{"--data", tg.dir, "stats", "--as-of", "2022-08-03", "--json"}
		if tg.dsn != "" {
			args = append(args, "--db", tg.dsn)
		}
		m := run(bin, args...)
		fmt.Printf("| %s | %d | %.0f | %.0f |\n", tg.name, tot.Persons, best.Seconds()*1000, m.elapsed.Seconds()*1000)
	}
}

// median runs f n times and returns the run with the median time.
func median(n int, f func(i int) measure) measure {
	ms := make([]measure, n)
	for i := range ms {
		ms[i] = f(i)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].elapsed < ms[j].elapsed })
	// Every run's time goes to standard error, to show the spread.
	for _, m := range ms {
		fmt.Fprintf(os.Stderr, " %.2f", m.elapsed.Seconds())
	}
	fmt.Fprintln(os.Stderr)
	return ms[n/2]
}

type measure struct {
	elapsed time.Duration
	rssMB   float64
}

func run(name string, args ...string) measure {
	// Each run starts with nothing left for the kernel to write back from
	// the one before (a 1,000,000-row database is ~100 MB), which would
	// otherwise slow whichever command syncs next.
	syscall.Sync()
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if out, err := cmd.Output(); err != nil {
		fmt.Fprintf(os.Stderr, "%s %v: %v\n%s", name, args, err, out)
		os.Exit(1)
	}
	m := measure{elapsed: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssMB = float64(ru.Maxrss) / 1024
	}
	return m
}

func report(rows int, target string, m, floor measure) {
	fmt.Printf("| %d | %s | %.2f | %.0f | %.0f | %.2f× |\n", rows, target, m.elapsed.Seconds(), float64(rows)/m.elapsed.Seconds(), m.rssMB,
		m.elapsed.Seconds()/floor.elapsed.Seconds())
}

// freshSchema makes an empty schema and returns a URL that uses it, and a
// function that drops it (a million rows left behind would keep the
// server vacuuming during the next measurements, and fill its disk).
func freshSchema(base string) (dsn string, drop func()) {
	db, err := sql.Open("pgx", base)
	check(err)
	defer db.Close()
	schema := fmt.Sprintf("importbench_%d", time.Now().UnixNano())
	_, err = db.Exec("CREATE SCHEMA " + schema)
	check(err)
	u, err := url.Parse(base)
	check(err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		db, err := sql.Open("pgx", base)
		check(err)
		defer db.Close()
		_, err = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		check(err)
	}
}

// generateRecords writes a file of exactly n records (so, before dedupe,
// n persons).
func generateRecords(path string, n int) error { return write(path, 1<<62, n) }

// generate writes an interchange file of n rows: records of one to three
// claims from four sources, names in Cyrillic and Latin.
func generate(path string, n int) error { return write(path, n, 1<<62) }

func write(path string, n, maxRecords int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	w := safecsv.NewWriter(f)
	w.Write(intake.Columns)
	given := []string{"Азамат", "Даулет", "Гульнара", "Jasur", "Nodira", "Ruslan", "Айгуль", "Bekzod", "Лола", "Timur"}
	surnames := []string{"Сапаров", "Qurbanov", "Каллыханова", "Mambetov", "Досжанов", "Yusupov", "Оразбаев", "Ótepbergenov"}
	regions := []string{"Нукус", "Nókis", "Chimbay", "Кунград", "Xojeli", "Beruni"}
	sources := []string{"volunteers-2022-07", "relatives", "media", "partner"}
	states := []string{"missing", "detained", "released", "sentenced", "restricted", "killed", "found", "tortured"}
	levels := []string{"unverified", "corroborated", "verified"}
	written, record := 0, 0
	for written < n && record < maxRecords {
		record++
		src := sources[record%len(sources)]
		name := surnames[rng.IntN(len(surnames))] + " " + given[rng.IntN(len(given))]
		year := strconv.Itoa(1950 + rng.IntN(55))
		region := regions[rng.IntN(len(regions))]
		claims := 1 + rng.IntN(2)
		if rng.IntN(5) == 0 {
			claims = 3
		}
		for c := 0; c < claims && written < n; c++ {
			date := fmt.Sprintf("2022-%02d-%02d", 7+rng.IntN(2), 1+rng.IntN(28))
			w.Write([]string{src, "r" + strconv.Itoa(record), name, "", "m", year, "", region, "", "protester",
				states[rng.IntN(len(states))], date, levels[rng.IntN(3)], "", ""})
			written++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
