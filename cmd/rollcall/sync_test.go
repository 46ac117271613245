package main

import (
	byteorder "encoding/binary"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// cuttingProxy forwards TCP to upstream and, once limit bytes have gone
// from the client towards it, cuts every connection and stops listening:
// the network going down in the middle of a sync.
func cuttingProxy(t *testing.T, upstream string, limit int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var sent atomic.Int64
	var mu sync.Mutex
	var conns []net.Conn
	cut := func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			go io.Copy(c, up)
			go func() {
				buf := make([]byte, 256)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if sent.Add(int64(n)) >= limit {
							cut()
							return
						}
						up.Write(buf[:n])
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// socks5Listener is a minimal SOCKS5 server (RFC 1928: no authentication,
// CONNECT to a name or an IPv4 address), enough to see that sync speaks
// SOCKS5 as Tor's client port expects. It counts the connections made.
func socks5Listener(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var used atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				greet := make([]byte, 2)
				if _, err := io.ReadFull(c, greet); err != nil || greet[0] != 5 {
					return
				}
				io.ReadFull(c, make([]byte, greet[1]))
				c.Write([]byte{5, 0})
				req := make([]byte, 4)
				if _, err := io.ReadFull(c, req); err != nil || req[1] != 1 {
					return
				}
				var host string
				switch req[3] {
				case 1:
					ip := make([]byte, 4)
					io.ReadFull(c, ip)
					host = net.IP(ip).String()
				case 3:
					n := make([]byte, 1)
					io.ReadFull(c, n)
					name := make([]byte, n[0])
					io.ReadFull(c, name)
					host = string(name)
				default:
					return
				}
				port := make([]byte, 2)
				io.ReadFull(c, port)
				up, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(byteorder.BigEndian.Uint16(port)))))
				if err != nil {
					c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
					return
				}
				defer up.Close()
				used.Add(1)
				c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
				go io.Copy(up, c)
				io.Copy(c, up)
			}()
		}
	}()
	return "socks5://" + ln.Addr().String(), &used
}

func TestSyncToHeadquarters(t *testing.T) {
	laptop := fieldEnv(t)
	firstPerson(t, laptop)
	hqDir := t.TempDir()
	hq := []string{"ROLLCALL_DATA=" + hqDir}
	fieldKey := strings.TrimSpace(rollcall(t, laptop, "bundle", "key").stdout)
	hqKey := strings.TrimSpace(rollcall(t, hq, "bundle", "key").stdout)
	if r := rollcall(t, hq, "device", "add", "laptop-1", fieldKey); r.code != 0 {
		t.Fatal(r.stderr)
	}
	base := startServe(t, hqDir)
	resp, err := http.Post(base+"/field/parts", "application/octet-stream", strings.NewReader("no part at all"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "not a bundle part") {
		t.Errorf("an unsigned body: %d %s", resp.StatusCode, b)
	}
	resp.Body.Close()
	stranger := fieldEnv(t)
	if r := rollcall(t, stranger, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rollcall(t, stranger, "sync", "--hq", base, "--to", hqKey); r.code != 1 || !strings.Contains(r.stderr, "403") || !strings.Contains(r.stderr, "not registered") {
		t.Errorf("a sync from an unregistered device: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// The network goes down after the first part: the sync says so and
	// keeps what it made.
	cutURL := cuttingProxy(t, strings.TrimPrefix(base, "http://"), 2000)
	r := rollcall(t, laptop, "sync", "--hq", cutURL, "--to", hqKey, "--part-size", "1K")
	if r.code != 1 || !strings.Contains(r.stderr, "run 'rollcall sync' again") {
		t.Fatalf("a sync cut off: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if got := statsJSON(t, hq); got != statsJSON(t, []string{"ROLLCALL_DATA=" + t.TempDir()}) {
		t.Fatalf("half a bundle changed headquarters: %+v", got)
	}

	// Back, through a SOCKS5 proxy: only the parts still missing go, the
	// bundle is applied and the acknowledgement comes back.
	socks, used := socks5Listener(t)
	r = rollcall(t, laptop, "sync", "--hq", base, "--proxy", socks)
	if r.code != 0 || !strings.Contains(r.stdout, "resuming") || !strings.Contains(r.stdout, "newly acknowledged") {
		t.Fatalf("the second sync: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "; 0 were at headquarters already") {
		t.Errorf("the second sync sent every part again: %s", r.stdout)
	}
	if used.Load() == 0 {
		t.Errorf("sync --proxy did not go through the SOCKS5 proxy")
	}
	if got, want := statsJSON(t, hq), statsJSON(t, laptop); got != want {
		t.Errorf("headquarters counts %+v after sync, the field %+v", got, want)
	}
	if r := rollcall(t, laptop, "sync", "--hq", base); r.code != 0 || !strings.Contains(r.stdout, "nothing to send") {
		t.Fatalf("a sync after the acknowledgement: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// The laptop is taken: headquarters refuses what it sends.
	if r := rollcall(t, hq, "device", "revoke", "laptop-1"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	more := "source,record,name,name_alt,sex,birth_year,region,roles,status,date,verification,place,note\n" +
		"vol,9,Ержан Турсынов,,m,1980,Нукус,protester,detained,2022-07-02,verified,,\n"
	if r := rollcall(t, laptop, "import", writeFile(t, filepath.Base("more.csv"), more)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := statsJSON(t, hq)
	if r := rollcall(t, laptop, "sync", "--hq", base); r.code != 1 || !strings.Contains(r.stderr, "403") || !strings.Contains(r.stderr, "revoked") {
		t.Fatalf("a sync from a revoked device: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if statsJSON(t, hq) != before {
		t.Errorf("a revoked device's sync changed headquarters")
	}
}

// TestSyncEndpointThrottlesRefusals: after ten refused parts from one
// address the endpoint answers 429 with Retry-After instead of reading more.
func TestSyncEndpointThrottlesRefusals(t *testing.T) {
	base := startServe(t, t.TempDir())
	for i := 1; i <= 11; i++ {
		resp, err := http.Post(base+"/field/parts", "application/octet-stream", strings.NewReader("ROLLCALL-PART 1\nnonsense\n\n"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case i <= 10 && resp.StatusCode != http.StatusBadRequest:
			t.Fatalf("refusal %d: %d %s", i, resp.StatusCode, b)
		case i == 11 && (resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "wait and try again")):
			t.Fatalf("the 11th refused part in a row was not throttled: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
	}
}
