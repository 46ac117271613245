package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// fieldEnv is a field instance's environment: a SQLite data directory of
// its own (a laptop runs the embedded database).
func fieldEnv(t *testing.T) []string {
	return []string{"ROLLCALL_DATA=" + filepath.Join(t.TempDir(), "field")}
}

func TestBundleKeyAndDevices(t *testing.T) {
	laptop := fieldEnv(t)
	r := rollcall(t, laptop, "bundle", "key")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "rollcall-device1:") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("bundle key: %d %q %s", r.code, r.stdout, r.stderr)
	}
	identity := strings.TrimSpace(r.stdout)
	if again := rollcall(t, laptop, "bundle", "key"); strings.TrimSpace(again.stdout) != identity {
		t.Fatalf("the identity changed between two runs: %q then %q", identity, again.stdout)
	}
	if !strings.Contains(identity, ":age1") {
		t.Errorf("no age recipient in %q", identity)
	}
	eachDatabase(t, func(t *testing.T, hq []string) {
		if r := rollcall(t, hq, "device", "add", "laptop-1", "rollcall-device1:nonsense"); r.code != 1 {
			t.Errorf("a broken identity accepted: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, hq, "device", "add", "laptop-1", identity); r.code != 0 || !strings.Contains(r.stdout, "laptop-1 added") {
			t.Fatalf("device add: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, hq, "device", "add", "laptop-2", identity); r.code != 1 || !strings.Contains(r.stderr, "registered already") {
			t.Errorf("the same key under a second name: %d %s", r.code, r.stderr)
		}
		r := rollcall(t, hq, "device", "list")
		if r.code != 0 || !strings.Contains(r.stdout, "laptop-1\tfield") || !strings.Contains(r.stdout, "accepted") {
			t.Fatalf("device list: %s %s", r.stdout, r.stderr)
		}
		if r := rollcall(t, hq, "device", "revoke", "laptop-1"); r.code != 0 {
			t.Fatalf("device revoke: %s", r.stderr)
		}
		if r := rollcall(t, hq, "device", "revoke", "nobody"); r.code != 1 || !strings.Contains(r.stderr, `no device named "nobody"`) {
			t.Errorf("revoking an unknown device: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, hq, "device", "list"); !strings.Contains(r.stdout, "revoked") {
			t.Errorf("device list after revoke: %s", r.stdout)
		}
		audit := rollcall(t, hq, "audit", "list")
		if !strings.Contains(audit.stdout, "device.add") || !strings.Contains(audit.stdout, "device.revoke") {
			t.Errorf("device add and revoke not audited:\n%s%s", audit.stdout, audit.stderr)
		}
	})
}
