// Command openrosabench measures phones' submissions (docs/benchmarks.md,
// issue 18) against the real site on a loopback port, as served with
// --https-proxy (web.BehindTLSProxy: the proxy's TLS is not measured):
//
//  1. one report with a large video attachment (ChaCha8 noise made as it
//     is sent, so the client holds none of it), POSTed chunked as ODK
//     Collect sends it; the process's peak RSS (VmHWM: server and client)
//     after it;
//
//  2. small reports, each with a photo, offered at a steady rate for a
//     while (open loop, bounded in flight): the rate achieved, latencies,
//     failures.
//
//     go run ./bench/openrosabench [-video 500MB] [-rate 100] [-for 60s] [-photo 20000] [-dir /var/tmp]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/openrosa"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func main() {
	video := flag.Int64("video", 500_000_000, "bytes of the video attachment (0 skips it)")
	rate := flag.Int("rate", 100, "submissions offered per second")
	dur := flag.Duration("for", time.Minute, "how long to offer them (0 skips it)")
	photo := flag.Int("photo", 20_000, "bytes of each small submission's photo")
	base := flag.String("dir", os.TempDir(), "where the store goes (needs the video's size free, twice)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	work, err := os.MkdirTemp(*base, "openrosabench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	url, closeAll, err := serve(work)
	if err != nil {
		log.Fatal(err)
	}
	defer closeAll()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

	if *video > 0 {
		t0 := time.Now()
		status, msg, err := submit(client, url, "uuid:video-1", "video.mp4", &noise{left: *video, rng: rand.NewChaCha8([32]byte{7})}, true)
		if err != nil || status != http.StatusCreated {
			log.Fatalf("video: %d %s %v", status, msg, err)
		}
		d := time.Since(t0)
		fmt.Printf("video: %d bytes in %.1f s (%.1f MB/s), answer %d %q\n", *video, d.Seconds(), float64(*video)/1e6/d.Seconds(), status, msg)
		fmt.Printf("peak RSS after the video (VmHWM, server and client): %.1f MiB\n", float64(peakRSS())/(1<<20))
	}
	if *dur > 0 {
		steady(client, url, *rate, *dur, *photo)
	}
}

// serve starts the site with the workspace and evidence over a fresh
// SQLite store, registers one phone and returns its server URL.
func serve(work string) (string, func(), error) {
	ctx := context.Background()
	data := filepath.Join(work, "data")
	st, err := store.Open(ctx, data, "")
	if err != nil {
		return "", nil, err
	}
	keys, err := seal.Open(data, nil)
	if err != nil {
		return "", nil, err
	}
	st.SetKeys(keys)
	site, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", nil, err
	}
	a := auth.New(st)
	site.EnableWorkspace(a, data)
	blobs, err := evidence.NewDir(filepath.Join(data, "evidence"))
	if err != nil {
		return "", nil, err
	}
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs}); err != nil {
		return "", nil, err
	}
	u, _, err := a.AddUser(ctx, store.ActorCLI, "bench-volunteer@example.org", auth.Volunteer)
	if err != nil {
		return "", nil, err
	}
	token := openrosa.NewToken()
	if _, err := st.AddPhone(ctx, store.ActorCLI, "bench-phone", u.ID, openrosa.TokenHash(token)); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	// The timeouts of 'rollcall serve'.
	srv := &http.Server{Handler: web.BehindTLSProxy(site, 0), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	go srv.Serve(ln)
	return openrosa.ServerURL("http://"+ln.Addr().String(), token), func() { srv.Close(); site.Wait(); st.Close() }, nil
}

const instance = `<?xml version='1.0' ?><data id="rollcall_report" version="bench"><start>2026-12-01T09:15:02.123+05:00</start><end>2026-12-01T09:20:40.004+05:00</end>` +
	`<name>Bench Person %s</name><status>detained</status><year>2022</year><month>7</month><place>Nukus</place><%s>%s</%s><meta><instanceID>%s</instanceID></meta></data>`

// submit POSTs one report with one attachment, chunked, as Collect does.
func submit(c *http.Client, url, instanceID, file string, body io.Reader, video bool) (int, string, error) {
	field, ctype := "photo", "image/jpeg"
	if video {
		field, ctype = "video", "video/mp4"
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="xml_submission_file"; filename="submission.xml"`)
		h.Set("Content-Type", "text/xml")
		part, _ := mw.CreatePart(h)
		fmt.Fprintf(part, instance, strings.TrimPrefix(instanceID, "uuid:"), field, file, field, instanceID)
		h = textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, file, file))
		h.Set("Content-Type", ctype)
		part, _ = mw.CreatePart(h)
		if _, err := io.Copy(part, body); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, url+"/submission", pr)
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-OpenRosa-Version", "1.0")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}

// steady offers rate submissions a second for d, at most 256 in flight,
// and prints what was achieved.
func steady(c *http.Client, url string, rate int, d time.Duration, photoBytes int) {
	photo := make([]byte, photoBytes)
	rand.NewChaCha8([32]byte{9}).Read(photo)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failed    atomic.Int64
		dropped   atomic.Int64
		wg        sync.WaitGroup
	)
	slots := make(chan struct{}, 256)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	t0 := time.Now()
	n := 0
	for time.Since(t0) < d {
		<-tick.C
		n++
		select {
		case slots <- struct{}{}:
		default:
			dropped.Add(1) // the server is behind by 256: this one is not offered
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-slots }()
			s := time.Now()
			status, _, err := submit(c, url, "uuid:steady-"+strconv.Itoa(i), "p"+strconv.Itoa(i)+".jpg", strings.NewReader(string(photo)), false)
			if err != nil || status != http.StatusCreated {
				failed.Add(1)
				return
			}
			mu.Lock()
			latencies = append(latencies, time.Since(s))
			mu.Unlock()
		}(n)
	}
	wg.Wait()
	total := time.Since(t0)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	q := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	fmt.Printf("steady: offered %d at %d/s for %s; accepted %d in %.1f s = %.1f/s; failed %d; not offered (256 in flight) %d\n",
		n, rate, d, len(latencies), total.Seconds(), float64(len(latencies))/total.Seconds(), failed.Load(), dropped.Load())
	fmt.Printf("latency p50 %s p95 %s p99 %s max %s\n", q(0.5).Round(time.Millisecond), q(0.95).Round(time.Millisecond), q(0.99).Round(time.Millisecond), q(1).Round(time.Millisecond))
	fmt.Printf("peak RSS (VmHWM): %.1f MiB\n", float64(peakRSS())/(1<<20))
}

// noise is left bytes of ChaCha8 output, as incompressible as video.
type noise struct {
	left int64
	rng  *rand.ChaCha8
}

func (n *noise) Read(p []byte) (int, error) {
	if n.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > n.left {
		p = p[:n.left]
	}
	n.rng.Read(p)
	n.left -= int64(len(p))
	return len(p), nil
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
