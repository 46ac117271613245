package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// lockedBuffer is a log destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ipPattern is an IPv4 address, or an IPv6 one with at least two groups.
var ipPattern = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|\b[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{0,4}){2,7}\b`)

// Sign-in flows, good and bad, and workspace requests with canary values
// leave none of them in the server's log: no address, password, name,
// e-mail address, remote address or token. The log is really captured:
// a failure on the server's side (the database gone) must appear in it.
func TestLogsHoldNoCanaries(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	logs := &lockedBuffer{}
	site, err := web.New(st, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: withoutTime})))
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(st)
	site.EnableWorkspace(a, t.TempDir())
	clk := setClock(a)
	ctx := context.Background()

	const (
		canaryEmail    = "canary.zqx7@example.org"
		canaryPassword = "canary passphrase qvw9 long"
		canaryName     = "Kanarejka Zqxova"
		canaryHost     = "203.0.113.77"
		canaryIPv6     = "2001:db8::c4a7"
	)
	var tokens []string
	u, setup, err := a.AddUser(ctx, "test", canaryEmail, auth.Editor)
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, setup)

	c := newClient(site)
	c.remote = canaryHost + ":40404"
	c.post("/admin/setup", url.Values{"token": {setup}, "password": {canaryPassword}, "password2": {canaryPassword}})
	// Bad: unknown address, wrong password, wrong code, a made-up link.
	c.post("/admin/signin", url.Values{"email": {"unknown." + canaryEmail}, "password": {canaryPassword}})
	c.post("/admin/signin", url.Values{"email": {canaryEmail}, "password": {canaryPassword + "x"}})
	c.get("/admin/reset?token=" + url.QueryEscape(canaryName))
	// Good: password, enrollment, the workspace.
	c.post("/admin/signin", url.Values{"email": {canaryEmail}, "password": {canaryPassword}})
	tokens = append(tokens, c.cookies["rollcall-pending"].Value)
	body := c.get("/admin/signin/enroll").Body.String()
	secret := enrollKey(body)
	if secret == nil {
		t.Fatalf("no key on the enroll page:\n%s", body)
	}
	tokens = append(tokens, secret[1])
	c.post("/admin/signin/enroll", url.Values{"code": {"000000"}})
	c.post("/admin/signin/enroll", url.Values{"code": {codeAt(t, secret[1], clk.now())}})
	full := c.session()
	if full == "" {
		t.Fatal("the canary account did not sign in")
	}
	tokens = append(tokens, full, site.FormToken(full), auth.HashToken(full))
	c.remote = "[" + canaryIPv6 + "]:40405"
	c.get("/admin/")
	c.get("/admin/account/")
	c.post("/admin/reauth", url.Values{"password": {canaryPassword}, "code": {"000000"}})
	c.post("/admin/users/", url.Values{"email": {canaryName + "@example.org"}, "role": {"viewer"}})
	c.get("/admin/review/?q=" + url.QueryEscape(canaryName))
	c.post("/admin/signout", nil)
	c.post("/admin/signin", url.Values{"email": {canaryEmail}, "password": {canaryPassword}})
	tokens = append(tokens, c.cookies["rollcall-pending"].Value, u.ID)

	// The database goes away: every request now fails on our side, and
	// that must be logged, still without the request's secrets.
	st.Close()
	c.post("/admin/signin", url.Values{"email": {canaryEmail}, "password": {canaryPassword}})
	req := c.request(http.MethodGet, "/admin/", "")
	req.AddCookie(&http.Cookie{Name: "rollcall", Value: full})
	// The visitor gets a plain sentence, never the error itself.
	if w := c.send(req); w.Code != 500 || strings.TrimSpace(w.Body.String()) != "Something went wrong on our side." {
		t.Errorf("a failure on our side answered %d %q", w.Code, w.Body.String())
	}

	out := logs.String()
	if !strings.Contains(out, "level=ERROR") {
		t.Fatalf("the server logged nothing of its failure; is the log captured?\n%s", out)
	}
	for _, canary := range append([]string{canaryEmail, "canary.zqx7", canaryPassword, canaryName, "Zqxova", canaryHost, canaryIPv6}, tokens...) {
		if canary != "" && strings.Contains(strings.ToLower(out), strings.ToLower(canary)) {
			t.Errorf("the log holds %q:\n%s", canary, out)
		}
	}
	if m := ipPattern.FindString(out); m != "" {
		t.Errorf("the log holds an address-like %q:\n%s", m, out)
	}
}
