package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17, item 8: 'mirror --sign' adds a manifest of every file signed
// with the snapshot key; 'verify DIR' on a copy received by hand says it
// is whole, and names a changed, a removed and an added file, each.
func TestMirrorSignedAndVerified(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03"); r.code != 0 {
		t.Fatalf("publish: %s%s", r.stdout, r.stderr)
	}
	out := filepath.Join(t.TempDir(), "mirror")
	r := rollcall(t, env, "mirror", "--out", out, "--sign")
	if r.code != 0 || !strings.Contains(r.stdout, "signed: rollcall-manifest.sha256 lists") {
		t.Fatalf("mirror --sign: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	manifest, err := os.ReadFile(filepath.Join(out, "rollcall-manifest.sha256"))
	if err != nil || !strings.Contains(string(manifest), "  en/people/index.html\n") || !strings.Contains(string(manifest), "  data/snapshot-signing.pub\n") {
		t.Fatalf("manifest: %v\n%.300s", err, manifest)
	}
	pub := filepath.Join(t.TempDir(), "snapshot-signing.pub")
	b, _ := os.ReadFile(filepath.Join(dir, "keys", "snapshot-signing.pub"))
	os.WriteFile(pub, b, 0o644)
	// Someone far away, with the key from the site and no data directory.
	stranger := []string{"ROLLCALL_DATA=" + t.TempDir()}
	if r := rollcall(t, stranger, "verify", "--key", pub, out); r.code != 0 || !strings.Contains(r.stdout, "files as signed by SHA256:") {
		t.Fatalf("verify an untouched mirror: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without --key: the key inside the folder, said so.
	if r := rollcall(t, stranger, "verify", out); r.code != 0 || !strings.Contains(r.stdout, "the key that came inside the folder") {
		t.Errorf("verify with the folder's key: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	var person string
	filepath.WalkDir(filepath.Join(out, "ru", "people"), func(p string, d os.DirEntry, err error) error {
		if person == "" && err == nil && !d.IsDir() && filepath.Base(p) != "index.html" {
			person = p
		}
		return nil
	})
	rel := func(p string) string { r, _ := filepath.Rel(out, p); return filepath.ToSlash(r) }
	body, _ := os.ReadFile(person)
	os.WriteFile(person, append(body, []byte("<!-- changed -->")...), 0o644)
	os.Remove(filepath.Join(out, "data", "rollcall-people.csv"))
	os.WriteFile(filepath.Join(out, "en", "news.html"), []byte("<p>not ours</p>"), 0o644)
	r = rollcall(t, stranger, "verify", "--key", pub, out)
	for _, want := range []string{"changed: " + rel(person) + "\n", "missing: data/rollcall-people.csv\n", "added:   en/news.html\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify does not say %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 1 || !strings.Contains(r.stderr, "NOT VALID: 1 changed, 1 missing, 1 added") {
		t.Errorf("a tampered mirror: exit %d\n%s", r.code, r.stderr)
	}
	// A manifest made to match: the signature no longer does.
	m := strings.Replace(string(manifest), "  data/rollcall-people.csv\n", "  data/gone.csv\n", 1)
	os.WriteFile(filepath.Join(out, "rollcall-manifest.sha256"), []byte(m), 0o644)
	if r := rollcall(t, stranger, "verify", "--key", pub, out); r.code != 1 || !strings.Contains(r.stderr, "the signature does not match") {
		t.Errorf("a rewritten manifest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A mirror made without --sign says what is missing.
	plain := filepath.Join(t.TempDir(), "plain")
	rollcall(t, env, "mirror", "--out", plain)
	if r := rollcall(t, stranger, "verify", "--key", pub, plain); r.code != 1 || !strings.Contains(r.stderr, "mirror --sign") {
		t.Errorf("an unsigned mirror: exit %d\n%s", r.code, r.stderr)
	}
}
