package publish_test

import (
	"crypto/ed25519"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"rollcall/internal/publish"
)

func signedFolder(t *testing.T) (dir string, pub ed25519.PublicKey) {
	t.Helper()
	data := t.TempDir()
	key, err := publish.SigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	for name, body := range map[string]string{"index.html": "<p>home</p>", "en/people/0191-a.html": "<p>Azamat</p>", "data/rollcall-people.csv": "id,name\n1,A\n"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := publish.SignMirror(dir, key); err != nil || n != 3 {
		t.Fatalf("signed %d files: %v", n, err)
	}
	return dir, key.Public().(ed25519.PublicKey)
}

// Issue 17, item 8: a mirror's signed manifest lists every file with its
// SHA-256; the check names each changed, missing and added file, and a
// changed manifest, or another key, fails the signature before anything
// else is believed.
func TestSignedMirrorManifest(t *testing.T) {
	dir, pub := signedFolder(t)
	if c, err := publish.VerifyMirror(dir, pub); err != nil || !c.OK() || c.Files != 3 {
		t.Fatalf("untouched: %+v %v", c, err)
	}
	// sha256sum reads the manifest as its own.
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--strict", "-c", publish.ManifestFile)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil || strings.Count(string(out), ": OK") != 3 {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
	os.WriteFile(filepath.Join(dir, "en/people/0191-a.html"), []byte("<p>Someone else</p>"), 0o644)
	os.Remove(filepath.Join(dir, "data/rollcall-people.csv"))
	os.WriteFile(filepath.Join(dir, "en/extra.html"), []byte("<p>added</p>"), 0o644)
	c, err := publish.VerifyMirror(dir, pub)
	if err != nil || c.OK() || !reflect.DeepEqual(c.Changed, []string{"en/people/0191-a.html"}) || !reflect.DeepEqual(c.Missing, []string{"data/rollcall-people.csv"}) ||
		!reflect.DeepEqual(c.Extra, []string{"en/extra.html"}) {
		t.Fatalf("tampered: %+v %v", c, err)
	}

	// The manifest itself changed to match the tampering: the signature fails.
	dir, pub = signedFolder(t)
	m, _ := os.ReadFile(filepath.Join(dir, publish.ManifestFile))
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>forged</p>"), 0o644)
	forged := strings.Replace(string(m), string(m[:64]), strings.Repeat("0", 64), 1)
	os.WriteFile(filepath.Join(dir, publish.ManifestFile), []byte(forged), 0o644)
	if _, err := publish.VerifyMirror(dir, pub); !errors.Is(err, publish.ErrBadSignature) {
		t.Errorf("a changed manifest: %v", err)
	}
	os.WriteFile(filepath.Join(dir, publish.ManifestFile), m, 0o644)
	other, _ := publish.SigningKey(t.TempDir())
	if _, err := publish.VerifyMirror(dir, other.Public().(ed25519.PublicKey)); !errors.Is(err, publish.ErrBadSignature) {
		t.Errorf("another key: %v", err)
	}
	os.Remove(filepath.Join(dir, publish.ManifestSignatureFile))
	if _, err := publish.VerifyMirror(dir, pub); !errors.Is(err, publish.ErrNoManifest) {
		t.Errorf("no signature: %v", err)
	}
}

// A manifest from a folder someone handed over is outside input: any bytes
// give entries or an error, never a crash, and no entry leads outside the
// folder.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(strings.Repeat("a", 64) + "  index.html\n" + strings.Repeat("b", 64) + "  en/people/x.html\n"))
	f.Add([]byte(strings.Repeat("a", 64) + "  ../etc/passwd\n"))
	f.Add([]byte(strings.Repeat("a", 64) + "  /abs\n"))
	f.Add([]byte(strings.Repeat("A", 64) + "  x\n" + strings.Repeat("a", 64) + "  x\n"))
	f.Add([]byte("\\" + strings.Repeat("a", 64) + "  a\\nb\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := publish.ParseManifest(b)
		if err != nil {
			return
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Path, "/") || strings.Contains("/"+e.Path+"/", "/../") || len(e.SHA256) != 64 {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}
