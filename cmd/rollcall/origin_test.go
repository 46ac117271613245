package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// An origin that is not scheme://host[:port] is refused, by serve before
// it listens and by user add before any account is made; a good one is
// taken by serve, from the flag or from ROLLCALL_ORIGIN.
func TestOriginRefusedWhenMalformed(t *testing.T) {
	for _, bad := range []string{"rollcall.example.org", "https://rollcall.example.org/admin", "ftp://x.example"} {
		startServeWithPass(t, t.TempDir(), nil, "--origin", bad).mustRefuse(t, "--origin", bad)
	}
	if r := startServeWithPass(t, t.TempDir(), nil, "--origin", "https://rollcall.example.org"); r.base == "" {
		t.Fatalf("serve --origin with a good origin: exit %d\n%s", r.code, r.stderr)
	}
	eachDatabase(t, func(t *testing.T, env []string) {
		r := rollcall(t, append(env, "ROLLCALL_ORIGIN=https://x.example/path"), "user", "add", "--role", "viewer", "v@example.org")
		if r.code == 0 || !strings.Contains(r.stderr, "ROLLCALL_ORIGIN") || strings.Contains(r.stdout, "token=") {
			t.Errorf("user add with a malformed origin: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "user", "list", "--json"); strings.Contains(r.stdout, "v@example.org") {
			t.Error("an account was made although the origin was refused")
		}
	})
}

// serve --contact (repeated) and --onion fill the contact page and the
// footer; ROLLCALL_CONTACT's lines when no --contact is given; a malformed
// onion address or contact line stops serve before it listens.
func TestServeContactAndOnion(t *testing.T) {
	const onion = "rollcallexampleonionaddressforthetestsuite234567abcdefgh.onion"
	startServeWithPass(t, t.TempDir(), nil, "--onion", "example.onion").mustRefuse(t, "--contact/--onion", "v3 name")
	startServeWithPass(t, t.TempDir(), nil, "--contact", strings.Repeat("x", 301)).mustRefuse(t, "--contact/--onion")
	r := startServeWithPass(t, t.TempDir(), nil, "--onion", onion, "--contact", "Signal: +998 90 000 00 00", "--contact", "E-mail: team@example.org")
	if r.base == "" {
		t.Fatalf("serve --onion --contact: exit %d\n%s", r.code, r.stderr)
	}
	resp, err := http.Get(r.base + "ru/contact/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Связаться с группой", "<li>Signal: &#43;998 90 000 00 00</li>", "<li>E-mail: team@example.org</li>", "<code>http://" + onion + "/</code>"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/ru/contact/ lacks %q", want)
		}
	}
}
