// Command publicbench measures the public side over synthetic data: the
// refresh of the public list, the static mirror in every language, and
// the latency of the people page, a person page and a name search served
// over loopback HTTP with many clients at once.
//
//	go run ./bench/publicbench -people 10000 -mirror
//	go run ./bench/publicbench -people 100000 -clients 64 -seconds 10
//	go run ./bench/publicbench -people 100000 -dir /tmp/pb100k -nginx -seconds 8
//	go run ./bench/publicbench -people 20000 -preview -seconds 0
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"rollcall/internal/intake"
	"rollcall/internal/names"
	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func main() {
	people := flag.Int("people", 10000, "synthetic people to generate")
	dir := flag.String("dir", "", "data directory to reuse (default: a new temporary one)")
	mirror := flag.Bool("mirror", false, "time the static mirror")
	clients := flag.Int("clients", 64, "concurrent clients")
	seconds := flag.Int("seconds", 5, "seconds per latency measurement (0: none)")
	nginx := flag.Bool("nginx", false, "serve the people page and a person page side by side with nginx serving the same bytes as static files, and compare them with wrk (needs nginx and wrk on PATH)")
	preview := flag.Bool("preview", false, "time the publish preview (publish.MakePreview) before and after a snapshot, and the snapshot itself")
	rounds := flag.Int("rounds", 3, "with -nginx: wrk runs per server and page, alternating; the median is reported")
	refreshes := flag.Int("refreshes", 1, "rebuilds of the public list to time (the first after an import anchors every listed id; later ones anchor none)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the rebuilds to this file")
	flag.Parse()
	ctx := context.Background()
	if *dir == "" {
		d, err := os.MkdirTemp("", "publicbench")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	st, err := store.Open(ctx, *dir, os.Getenv("ROLLCALL_DB"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if tot, _ := st.Totals(ctx); tot.Records == 0 {
		csvPath := filepath.Join(*dir, "demo.csv")
		f, err := os.Create(csvPath)
		if err != nil {
			log.Fatal(err)
		}
		if err := intake.WriteDemo(f, *people, 1); err != nil {
			log.Fatal(err)
		}
		f.Close()
		start := time.Now()
		if _, err := intake.ImportFile(ctx, st, csvPath, intake.Options{}); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("import: %.1f s\n", time.Since(start).Seconds())
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	for range max(1, *refreshes) {
		start := time.Now()
		sum, err := st.RefreshPublic(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("refresh public list: %d people (%d withheld, %d new), %.1f s\n", sum.People, sum.Withheld, sum.New, time.Since(start).Seconds())
		for _, step := range sum.Steps {
			fmt.Printf("  %-20s %.3f s\n", step.Name, step.Took.Seconds())
		}
	}
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	site, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		log.Fatal(err)
	}
	if *mirror {
		out := filepath.Join(*dir, "mirror")
		os.RemoveAll(out)
		start := time.Now()
		var roots []string
		for _, l := range site.Languages() {
			roots = append(roots, "/"+l+"/", "/"+l+"/people/", "/"+l+"/feed.atom")
		}
		roots = append(roots, "/data/rollcall-people.csv", "/data/rollcall-people.json")
		m, err := publish.Mirror(ctx, site, out, publish.MirrorOptions{Roots: roots, Languages: site.Languages()})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("mirror: %d files, %.0f MB, %d broken links %v, %.1f s\n", m.Files, float64(m.Bytes)/1e6, len(m.Broken), m.Broken, time.Since(start).Seconds())
	}
	if *preview {
		if err := timePreview(ctx, st, *dir); err != nil {
			log.Fatal(err)
		}
	}
	if *nginx {
		if err := compareWithNginx(site, *clients, *seconds, *rounds); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *seconds == 0 {
		return
	}
	page, err := st.PublicPeople(ctx, store.PeopleFilter{PerPage: store.MaxPerPage, Page: 3})
	if err != nil || len(page.People) == 0 {
		log.Fatalf("no people: %v", err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	rng := rand.New(rand.NewPCG(2, 3))
	// Searches for the names of listed people (so mostly not yet cached),
	// in the other script half of the time.
	var queries []string
	for _, p := range page.People {
		if !p.Withheld {
			queries = append(queries, p.Name, names.ToCyrillic(names.ToLatin(p.Name, names.RussianICAO), names.RussianICAO))
		}
	}
	for _, b := range []struct {
		name string
		url  func() string
	}{
		{"people page", func() string { return fmt.Sprintf("/en/people/?page=%d", 1+rng.IntN(page.Pages)) }},
		{"person page", func() string { return "/ru/people/" + page.People[rng.IntN(len(page.People))].ID }},
		{"name search", func() string { return "/en/people/?q=" + url.QueryEscape(queries[rng.IntN(len(queries))]) }},
	} {
		run(srv.URL, b.name, b.url, *clients, time.Duration(*seconds)*time.Second)
	}
}

// run requests URLs from clients goroutines for d and prints the rate and
// latency percentiles.
func run(base, name string, next func() string, clients int, d time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	var urls []string
	for range 10000 {
		urls = append(urls, base+next())
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := c; time.Now().Before(deadline); i += clients {
				t := time.Now()
				resp, err := client.Get(urls[i%len(urls)])
				if err != nil {
					log.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					log.Fatalf("%s: %d", urls[i%len(urls)], resp.StatusCode)
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("%-12s %6.0f req/s  p50 %5.1f ms  p95 %5.1f ms  p99 %5.1f ms  (%d clients)\n", name, float64(len(lat))/d.Seconds(),
		ms(pct(0.5)), ms(pct(0.95)), ms(pct(0.99)), clients)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// timePreview times what the workspace's publish page computes on a
// preview (the whole projection, the counts, and against the last
// snapshot its list and the persons changed since), first with no
// snapshot, then after one: the preview costs about what publishing does.
func timePreview(ctx context.Context, st *store.Store, dir string) error {
	// The demo's lists published their names, as `serve --demo` records.
	sources, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	for _, src := range sources {
		if src.Key != store.PublicReportsSource {
			if err := st.SetSourceBasis(ctx, store.ActorCLI, src.Key, "the demo's invented list", false); err != nil && !errors.Is(err, store.ErrDuplicate) {
				return err
			}
		}
	}
	day := registry.DayOf(st.Now())
	start := time.Now()
	p, err := publish.MakePreview(ctx, st, day)
	if err != nil {
		return err
	}
	fmt.Printf("preview, no snapshot yet: %d people, %d named, %.1f s\n", p.People, p.Named, time.Since(start).Seconds())
	start = time.Now()
	if _, err := publish.PublishRecorded(ctx, st, dir, store.ActorCLI, publish.PublishOptions{AsOf: day}); err != nil {
		return err
	}
	fmt.Printf("publish: %.1f s\n", time.Since(start).Seconds())
	start = time.Now()
	if p, err = publish.MakePreview(ctx, st, day); err != nil {
		return err
	}
	fmt.Printf("preview against that snapshot: %d enter, %d leave, %d changed, %.1f s\n", len(p.Enter), len(p.Leave), len(p.Warnings.Changed), time.Since(start).Seconds())
	return nil
}
