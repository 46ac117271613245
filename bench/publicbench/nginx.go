package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"rollcall/internal/web"
)

// compareWithNginx serves the site on loopback as `rollcall serve` does,
// saves the people page and a person page into an nginx root, and runs wrk
// against each server in turn (alternating, so a burst of other load on
// the machine hits both), at the same concurrency. nginx is the reference
// the issue names: a static file server with sendfile, all its workers.
func compareWithNginx(site http.Handler, clients, seconds, rounds int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10, ConnContext: web.ConnContext}
	go srv.Serve(ln)
	defer srv.Close()
	ours := "http://" + ln.Addr().String()

	people, err := fetch(ours + "/en/people/")
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`href="/en/people/([0-9a-f-]{36})"`).FindSubmatch(people)
	if m == nil {
		return fmt.Errorf("no person link on the people page")
	}
	personPath := "/en/people/" + string(m[1])
	person, err := fetch(ours + personPath)
	if err != nil {
		return err
	}
	// The same paths on both servers: nginx serves the people page as
	// its folder's index.html and a person page as a file of that name.
	pages := []struct {
		name, path string
		body       []byte
	}{
		{"people `/en/people/`", "/en/people/", people},
		{"person `/en/people/{id}`", personPath, person},
	}

	// Not under the data directory, which only its owner may enter: nginx's
	// workers run as another user.
	root, err := os.MkdirTemp("", "publicbench-nginx")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	for _, pg := range pages {
		file := filepath.Join(root, "www", pg.path)
		if strings.HasSuffix(pg.path, "/") {
			file = filepath.Join(file, "index.html")
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, pg.body, 0o644); err != nil {
			return err
		}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	conf := fmt.Sprintf(`worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type text/html;
  server { listen 127.0.0.1:%[2]d; root %[1]s/www; }
}
`, root, port)
	if err := os.WriteFile(filepath.Join(root, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return err
	}
	ngx := exec.Command("nginx", "-c", filepath.Join(root, "nginx.conf"), "-e", filepath.Join(root, "error.log"))
	ngx.Stderr = os.Stderr
	if err := ngx.Start(); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	// SIGTERM, not SIGKILL: the master then stops its workers too.
	defer func() { ngx.Process.Signal(syscall.SIGTERM); ngx.Wait() }()
	theirs := fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 50 {
		if _, err := fetch(theirs + "/en/people/"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	fmt.Printf("wrk -t1 -c%d -d%ds --latency, %d alternating rounds, medians\n\n", clients, seconds, rounds)
	fmt.Println("| page | bytes | rollcall req/s | nginx req/s | ratio | rollcall p99 ms | nginx p99 ms |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, pg := range pages {
		var ourRate, ourP99, theirRate, theirP99 []float64
		for range rounds {
			r, p, err := wrk(ours+pg.path, clients, seconds)
			if err != nil {
				return err
			}
			ourRate, ourP99 = append(ourRate, r), append(ourP99, p)
			if r, p, err = wrk(theirs+pg.path, clients, seconds); err != nil {
				return err
			}
			theirRate, theirP99 = append(theirRate, r), append(theirP99, p)
		}
		a, b := median(ourRate), median(theirRate)
		fmt.Printf("| %s | %d | %.0f | %.0f | %.0f%% | %.1f | %.1f |\n", pg.name, len(pg.body), a, b, 100*a/b, median(ourP99), median(theirP99))
	}
	return nil
}

func fetch(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// wrk runs wrk and returns requests per second and the 99th percentile
// latency in milliseconds.
func wrk(u string, clients, seconds int) (rate, p99 float64, err error) {
	out, err := exec.Command("wrk", "-t1", fmt.Sprintf("-c%d", clients), fmt.Sprintf("-d%ds", seconds), "--latency", u).CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	text := string(out)
	if strings.Contains(text, "Non-2xx") {
		return 0, 0, fmt.Errorf("wrk %s: error answers:\n%s", u, text)
	}
	rm := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindStringSubmatch(text)
	pm := regexp.MustCompile(`99%\s+([0-9.]+)(us|ms|s)`).FindStringSubmatch(text)
	if rm == nil || pm == nil {
		return 0, 0, fmt.Errorf("wrk output not understood:\n%s", text)
	}
	rate, _ = strconv.ParseFloat(rm[1], 64)
	p99, _ = strconv.ParseFloat(pm[1], 64)
	switch pm[2] {
	case "us":
		p99 /= 1000
	case "s":
		p99 *= 1000
	}
	return rate, p99, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
