package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rollcall/internal/auth"
)

var csrfFieldRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// fromAddress is an HTTP client whose connections leave from ip (any
// 127.x.y.z on Linux), so that the server counts it as a client of its
// own; it follows no redirect.
func fromAddress(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// formToken reads the form token of the page at url.
func formToken(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfFieldRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("GET %s: %d, no form token", url, resp.StatusCode)
	}
	return string(m[1])
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// Issue 14, item 1, against the real server: 200 clients sign in at once
// (wrong passwords for one account, unknown addresses, and the right
// password once the account's free failures are used), each from an
// address of its own so that the account's limit alone decides, the wrong
// ones sending again whenever refused. No more
// guesses are checked for the account than Throttle.MostIn allows for the
// time the burst took, the right password inside the burst does not sign
// in, and the server's peak memory stays under 200 MB.
func TestSignInBurstAgainstRunningServer(t *testing.T) {
	const email, password = "burst@example.org", "the right password of the burst"
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	r := rollcall(t, env, "user", "add", "--role", "viewer", email)
	m := oneTimeLinkRE.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("user add: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	run := startServeWithPass(t, dir, nil)
	if run.base == "" {
		t.Fatalf("serve: exit %d\n%s", run.code, run.stderr)
	}
	base := strings.TrimSuffix(run.base, "/")
	setup := fromAddress("127.0.0.1")
	tok := formToken(t, setup, base+"/admin/setup?token="+m[2])
	resp, err := setup.PostForm(base+"/admin/setup", url.Values{"csrf": {tok}, "token": {m[2]}, "password": {password}, "password2": {password}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting the password: %v %v", err, resp)
	}
	resp.Body.Close()
	signIn := func(c *http.Client, token, email, password string) int {
		resp, err := c.PostForm(base+"/admin/signin", url.Values{"csrf": {token}, "email": {email}, "password": {password}})
		if err != nil {
			t.Error(err)
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	token := formToken(t, setup, base+"/admin/signin")
	if code := signIn(fromAddress("127.0.0.2"), token, email, password); code != http.StatusSeeOther {
		t.Fatalf("the right password before the burst: %d", code)
	}
	idle := peakRSS(t, run.proc.Pid)
	st := openStore(t, env)
	defer st.Close()
	u, err := st.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := st.AuditHead(context.Background())

	// The burst: 199 clients with wrong passwords, released together, each
	// sending again at once whenever it is refused (429), as an attacker
	// ignoring Retry-After would (20 ms later, not the second it asks),
	// for burstFor; the right password goes
	// once, as soon as the account's free failures have come back as 401.
	const burstFor = 5 * time.Second
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]map[int]int{"target": {}, "unknown": {}, "right": {}}
	sent := 0
	start := make(chan struct{})
	targetFailed := make(chan struct{}, 10000)
	began := time.Now()
	for i := range 199 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := fromAddress(fmt.Sprintf("127.0.%d.%d", 1+i/200, 10+i%200))
			who, addr := "target", email
			if i%3 == 0 {
				who, addr = "unknown", fmt.Sprintf("nobody-%d@example.org", i%7)
			}
			<-start
			for {
				code := signIn(c, token, addr, fmt.Sprintf("wrong guess %d", i))
				mu.Lock()
				answers[who][code]++
				sent++
				mu.Unlock()
				if who == "target" && code == http.StatusUnauthorized {
					targetFailed <- struct{}{}
				}
				if code != http.StatusTooManyRequests || time.Since(began) > burstFor {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := fromAddress("127.0.9.9")
		for range auth.AccountFree {
			select {
			case <-targetFailed:
			case <-time.After(30 * time.Second):
				t.Error("the account's free failures never came back as 401")
				return
			}
		}
		code := signIn(c, token, email, password)
		mu.Lock()
		answers["right"][code]++
		sent++
		mu.Unlock()
	}()
	close(start)
	wg.Wait()
	took := time.Since(began)
	peak := peakRSS(t, run.proc.Pid)

	entries, err := st.AuditEntries(context.Background(), head.Seq, 100000)
	if err != nil {
		t.Fatal(err)
	}
	checked, sessions := 0, 0
	for _, e := range entries {
		switch {
		case e.Object == u.ID && e.Action == "signin.fail":
			checked++
		case e.Object == u.ID && e.Action == "session.start":
			sessions++
		}
	}
	most := auth.NewThrottle(auth.AccountFree).MostIn(took)
	t.Logf("burst of 200 clients, %d sign-ins, took %v; answers %v; the account's guesses checked: %d (at most %d in %v); peak RSS idle %d MiB, after the burst %d MiB",
		sent, took.Round(time.Millisecond), answers, checked, most, took.Round(time.Millisecond), idle>>20, peak>>20)
	if checked > most || checked < auth.AccountFree {
		t.Errorf("%d guesses checked for the account in %v; at most %d allowed, and the %d free ones should have been", checked, took, most, auth.AccountFree)
	}
	if answers["right"][http.StatusSeeOther] != 0 || sessions != 0 {
		t.Errorf("the right password inside the burst signed in: %v, %d sessions", answers["right"], sessions)
	}
	if answers["right"][http.StatusTooManyRequests] != 1 {
		t.Errorf("the right password inside the burst: %v, want 429", answers["right"])
	}
	if answers["target"][http.StatusTooManyRequests] == 0 || answers["target"][http.StatusOK] != 0 {
		t.Errorf("the wrong guesses were answered %v", answers["target"])
	}
	if peak > 200<<20 {
		t.Errorf("peak RSS %d MiB, want under 200 MiB", peak>>20)
	}
}
