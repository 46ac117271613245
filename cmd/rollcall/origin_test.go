package main

import (
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
