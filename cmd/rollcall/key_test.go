package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyPassphraseAndRotation(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "user", "add", "--role", "viewer", "v@example.org"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	info, err := os.Stat(filepath.Join(dir, "seal.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key made at first start: %v %v", info, err)
	}
	const pass = "a passphrase of some length\n"
	if r := rollcallIn(t, env, "short\n", "key", "passphrase", "--new-passphrase-fd", "0"); r.code != 1 || !strings.Contains(r.stderr, "at least 12") {
		t.Errorf("short passphrase: %d %s", r.code, r.stderr)
	}
	if r := rollcallIn(t, env, pass, "key", "passphrase", "--new-passphrase-fd", "0"); r.code != 0 {
		t.Fatalf("key passphrase: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "seal.key")); !os.IsNotExist(err) {
		t.Fatalf("the plain key file is still there: %v", err)
	}
	// Without the passphrase (stdin is no terminal) nothing opens.
	if r := rollcall(t, env, "user", "list"); r.code != 1 || !strings.Contains(r.stderr, "not a terminal") {
		t.Errorf("locked key without passphrase: %d %s", r.code, r.stderr)
	}
	if r := rollcallIn(t, env, "wrong passphrase\n", "user", "list", "--passphrase-fd", "0"); r.code != 1 || !strings.Contains(r.stderr, "wrong passphrase") {
		t.Errorf("wrong passphrase: %d %s", r.code, r.stderr)
	}
	if r := rollcallIn(t, env, pass, "user", "list", "--passphrase-fd", "0"); r.code != 0 || !strings.Contains(r.stdout, "v@example.org") {
		t.Fatalf("user list with the passphrase: %d %s %s", r.code, r.stdout, r.stderr)
	}
	before := rollcallIn(t, env, pass, "key", "status", "--passphrase-fd", "0")
	if !strings.Contains(before.stdout, "under a passphrase") {
		t.Errorf("key status: %s %s", before.stdout, before.stderr)
	}
	r := rollcallIn(t, env, pass, "key", "rotate", "--passphrase-fd", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "1 accounts") {
		t.Fatalf("key rotate: %d %s %s", r.code, r.stdout, r.stderr)
	}
	after := rollcallIn(t, env, pass, "key", "status", "--passphrase-fd", "0")
	if after.stdout == before.stdout || strings.Contains(after.stdout, "older keys") {
		t.Errorf("key status after rotation: %q (before %q)", after.stdout, before.stdout)
	}
	// Still sealed under the same passphrase, and the account still found.
	if r := rollcallIn(t, env, pass, "user", "disable", "v@example.org", "--passphrase-fd", "0"); r.code != 0 {
		t.Errorf("after rotation: %d %s", r.code, r.stderr)
	}
	if r := rollcallIn(t, env, pass, "key", "passphrase", "--remove", "--passphrase-fd", "0"); r.code != 0 {
		t.Fatalf("remove passphrase: %s", r.stderr)
	}
	if r := rollcall(t, env, "user", "list"); r.code != 0 || !strings.Contains(r.stdout, "disabled") {
		t.Errorf("plain again: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := rollcall(t, env, "audit", "list"); !strings.Contains(r.stdout, "key.rotate") || !strings.Contains(r.stdout, "key.passphrase") {
		t.Errorf("key changes not audited:\n%s", r.stdout)
	}
}

func TestRefusesNewOrWrongKeyForSealedData(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "user", "add", "--role", "viewer", "v@example.org"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	keyFile := filepath.Join(dir, "seal.key")
	if err := os.Rename(keyFile, keyFile+".elsewhere"); err != nil {
		t.Fatal(err)
	}
	r := rollcall(t, env, "user", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "no key file") || !strings.Contains(r.stderr, "restore") {
		t.Errorf("missing key: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Fatal("a new key was made for a database sealed under another")
	}
	// Another directory's key.
	other := t.TempDir()
	rollcall(t, []string{"ROLLCALL_DATA=" + other}, "key", "status")
	body, err := os.ReadFile(filepath.Join(other, "seal.key"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(keyFile, body, 0o600)
	if r := rollcall(t, env, "user", "add", "--role", "viewer", "w@example.org"); r.code != 1 || !strings.Contains(r.stderr, "does not have") {
		t.Errorf("wrong key: %d %s", r.code, r.stderr)
	}
	os.Rename(keyFile+".elsewhere", keyFile)
	if r := rollcall(t, env, "user", "list"); r.code != 0 || !strings.Contains(r.stdout, "v@example.org") || strings.Contains(r.stdout, "w@example.org") {
		t.Errorf("the right key back: %d %s %s", r.code, r.stdout, r.stderr)
	}
}
