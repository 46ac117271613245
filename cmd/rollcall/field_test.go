package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 17, item 6: 'field wipe' asks before it does anything, then
// destroys the data key first and every file after, in place: a copy of
// the key file or the database taken before (a hard link: the same blocks
// on the disk, as a thief reading the disk would find them) holds no key
// and no name afterwards, and no command can open it.
func TestFieldWipe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatalf("import: %d %s", r.code, r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-01"); r.code != 0 {
		t.Fatalf("publish: %d %s", r.code, r.stderr)
	}
	names := []string{"Каллыханова", "Kallykhanova", "Azamat Qurbanov", "Mambetov"}
	// The blocks as they are on the disk, by another name.
	disk := t.TempDir()
	before := map[string][]byte{}
	for _, name := range []string{"seal.key", "rollcall.db", filepath.Join("keys", "snapshot-signing.key")} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s before the wipe: %v", name, err)
		}
		before[name] = b
		if err := os.Link(filepath.Join(dir, name), filepath.Join(disk, filepath.Base(name))); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Contains(before["rollcall.db"], []byte("Azamat Qurbanov")) {
		t.Fatal("the name is not in the database before the wipe: the check after proves nothing")
	}

	// Not confirmed: nothing changes.
	for _, answer := range []string{"", "no\n", "wipe\n"} {
		r := rollcallIn(t, env, answer, "field", "wipe")
		if r.code == 0 || !strings.Contains(r.stderr, "Type WIPE") || !strings.Contains(r.stderr, "nothing was wiped") {
			t.Errorf("answer %q: exit %d %s", answer, r.code, r.stderr)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "seal.key")); err != nil || !bytes.Equal(b, before["seal.key"]) {
			t.Fatalf("answer %q changed the key: %v", answer, err)
		}
	}
	// A folder that is no data directory is not wiped.
	stranger := t.TempDir()
	os.WriteFile(filepath.Join(stranger, "letter.txt"), []byte("mine"), 0o600)
	if r := rollcall(t, []string{"ROLLCALL_DATA=" + stranger}, "field", "wipe", "--yes"); r.code == 0 || !strings.Contains(r.stderr, "nothing was wiped") {
		t.Errorf("a folder without a database: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(stranger, "letter.txt")); err != nil {
		t.Errorf("a folder without a database lost its files: %v", err)
	}

	start := time.Now()
	r := rollcallIn(t, env, "WIPE\n", "field", "wipe")
	if r.code != 0 || !strings.Contains(r.stdout, "key files destroyed first") {
		t.Fatalf("wipe: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the wipe took %v", took)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the data directory is still there: %v", err)
	}
	for name, b := range before {
		after, err := os.ReadFile(filepath.Join(disk, filepath.Base(name)))
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(b) || bytes.Equal(after, b) {
			t.Errorf("%s: its blocks were not overwritten (%d bytes, were %d)", name, len(after), len(b))
		}
		for _, n := range names {
			if bytes.Contains(after, []byte(n)) {
				t.Errorf("%s: %q is still readable on the disk", name, n)
			}
		}
	}
	// The database's old blocks open as no database.
	if r := rollcall(t, []string{"ROLLCALL_DATA=" + disk}, "source", "list"); r.code == 0 {
		t.Errorf("the wiped database still opens: %s", r.stdout)
	}
}
