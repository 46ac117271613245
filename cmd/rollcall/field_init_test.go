package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17, item 1: 'field init' makes a field instance whose data key is
// under a passphrase from the start: no clear key on the disk, nothing
// opens without the passphrase, everything does with it; and a field
// instance whose key is plain makes no identity and no bundle unless
// --no-passphrase says so.
func TestFieldInitSealedByDefault(t *testing.T) {
	const pass = "a field passphrase of some length\n"
	dir := filepath.Join(t.TempDir(), "laptop")
	laptop := []string{"ROLLCALL_DATA=" + dir}

	// A short passphrase: refused before anything is written.
	if r := rollcallIn(t, laptop, "short\n", "field", "init", "--passphrase-fd", "0"); r.code != 1 || !strings.Contains(r.stderr, "at least 12") {
		t.Fatalf("short passphrase: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a refused field init left a data directory: %v", err)
	}

	r := rollcallIn(t, laptop, pass, "field", "init", "--passphrase-fd", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "data key under a passphrase") || !strings.Contains(r.stdout, "rollcall-device1:") {
		t.Fatalf("field init: %d %s %s", r.code, r.stdout, r.stderr)
	}
	identity := strings.TrimSpace(r.stdout[strings.Index(r.stdout, "rollcall-device1:"):])
	if _, err := os.Stat(filepath.Join(dir, "seal.key")); !os.IsNotExist(err) {
		t.Errorf("a clear key file is on the disk: %v", err)
	}
	wrapped, err := os.ReadFile(filepath.Join(dir, "seal.key.age"))
	if err != nil {
		t.Fatalf("no passphrase-wrapped key file: %v", err)
	}
	if !bytes.HasPrefix(wrapped, []byte("age-encryption.org/v1\n-> scrypt ")) {
		t.Errorf("the key file is not age under a passphrase (scrypt): %q", wrapped[:min(len(wrapped), 60)])
	}
	for _, name := range []string{"seal.key.age", "rollcall.db"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if bytes.Contains(b, []byte("AGE-SECRET-KEY-")) || bytes.Contains(b, []byte("Rollcall data key")) {
			t.Errorf("%s holds the clear data key", name)
		}
	}
	if r := rollcallIn(t, laptop, pass, "field", "init", "--passphrase-fd", "0"); r.code != 1 || !strings.Contains(r.stderr, "data directory already") {
		t.Errorf("field init over a field instance: %d %s", r.code, r.stderr)
	}

	// Without the passphrase (no terminal here), or with a wrong one: a plain refusal.
	if r := rollcall(t, laptop, "bundle", "key"); r.code != 1 || !strings.Contains(r.stderr, "not a terminal: give the passphrase on a file descriptor (--passphrase-fd)") {
		t.Errorf("bundle key without the passphrase: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := rollcallIn(t, laptop, "not the passphrase\n", "import", "--passphrase-fd", "0", writeFile(t, "list.csv", list)); r.code != 1 || !strings.Contains(r.stderr, "wrong passphrase") {
		t.Errorf("import with a wrong passphrase: %d %s", r.code, r.stderr)
	}
	// With it: the same identity, an import, a bundle.
	if r := rollcallIn(t, laptop, pass, "bundle", "key", "--passphrase-fd", "0"); r.code != 0 || strings.TrimSpace(r.stdout) != identity || r.stderr != "" {
		t.Fatalf("bundle key with the passphrase: %d %q (init printed %q) %s", r.code, r.stdout, identity, r.stderr)
	}
	if r := rollcallIn(t, laptop, pass, "import", "--passphrase-fd", "0", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatalf("import with the passphrase: %d %s", r.code, r.stderr)
	}
	hq := []string{"ROLLCALL_DATA=" + t.TempDir()}
	hqKey := strings.TrimSpace(rollcall(t, hq, "bundle", "key").stdout)
	out := filepath.Join(t.TempDir(), "b1")
	if r := rollcall(t, laptop, "bundle", "export", "--to", hqKey, "--out", out); r.code != 1 || !strings.Contains(r.stderr, "not a terminal") {
		t.Errorf("bundle export without the passphrase: %d %s", r.code, r.stderr)
	}
	if r := rollcallIn(t, laptop, pass, "bundle", "export", "--passphrase-fd", "0", "--to", hqKey, "--out", out); r.code != 0 || !strings.Contains(r.stdout, "rows for headquarters") || strings.Contains(r.stderr, "warning") {
		t.Fatalf("bundle export with the passphrase: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := rollcall(t, laptop, "audit", "list"); !strings.Contains(r.stdout, "field.init") {
		t.Errorf("field init not audited:\n%s%s", r.stdout, r.stderr)
	}

	// The passphrase taken off: a field instance refuses to make an
	// identity or a bundle until --no-passphrase acknowledges it.
	if r := rollcallIn(t, laptop, pass, "key", "passphrase", "--remove", "--passphrase-fd", "0"); r.code != 0 {
		t.Fatalf("key passphrase --remove: %s", r.stderr)
	}
	const refusal = "this field instance's data key is not under a passphrase: run 'rollcall key passphrase' first, or give --no-passphrase"
	if r := rollcall(t, laptop, "bundle", "key"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, refusal) {
		t.Errorf("bundle key on a plain field instance: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := rollcall(t, laptop, "bundle", "export", "--to", hqKey, "--out", out+"b"); r.code != 1 || !strings.Contains(r.stderr, refusal) {
		t.Errorf("bundle export on a plain field instance: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out + "b"); !os.IsNotExist(err) {
		t.Errorf("a refused export wrote a bundle: %v", err)
	}
	r = rollcall(t, laptop, "bundle", "key", "--no-passphrase")
	if r.code != 0 || strings.TrimSpace(r.stdout) != identity || !strings.Contains(r.stderr, "warning: --no-passphrase") {
		t.Errorf("bundle key --no-passphrase: %d %q %s", r.code, r.stdout, r.stderr)
	}
	// A headquarters (no 'field init') is not asked for --no-passphrase.
	if r := rollcall(t, hq, "bundle", "key"); r.code != 0 || r.stderr != "" {
		t.Errorf("bundle key at headquarters: %d %s", r.code, r.stderr)
	}
}

// 'field init --no-passphrase' keeps the key plain, says so, and the
// bundle commands then need --no-passphrase too.
func TestFieldInitNoPassphraseWarns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "laptop")
	laptop := []string{"ROLLCALL_DATA=" + dir}
	r := rollcall(t, laptop, "field", "init", "--no-passphrase")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: --no-passphrase: the data key is kept plain") || !strings.Contains(r.stdout, "data key plain") {
		t.Fatalf("field init --no-passphrase: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "seal.key")); err != nil {
		t.Fatalf("no plain key: %v", err)
	}
	identity := strings.TrimSpace(r.stdout[strings.Index(r.stdout, "rollcall-device1:"):])
	if r := rollcall(t, laptop, "bundle", "key"); r.code != 1 || !strings.Contains(r.stderr, "not under a passphrase") {
		t.Errorf("bundle key without --no-passphrase: %d %s", r.code, r.stderr)
	}
	if r := rollcall(t, laptop, "bundle", "key", "--no-passphrase"); r.code != 0 || strings.TrimSpace(r.stdout) != identity || !strings.Contains(r.stderr, "warning") {
		t.Errorf("bundle key --no-passphrase: %d %q %s", r.code, r.stdout, r.stderr)
	}
	// Sealing it later is enough: no flag needed after.
	const pass = "sealed after all, at length\n"
	if r := rollcallIn(t, laptop, pass, "key", "passphrase", "--new-passphrase-fd", "0"); r.code != 0 {
		t.Fatalf("key passphrase: %s", r.stderr)
	}
	if r := rollcallIn(t, laptop, pass, "bundle", "key", "--passphrase-fd", "0"); r.code != 0 || strings.TrimSpace(r.stdout) != identity || r.stderr != "" {
		t.Errorf("bundle key once sealed: %d %q %s", r.code, r.stdout, r.stderr)
	}
}
