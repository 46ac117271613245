package seal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirstStartMakesPrivateKeyFile(t *testing.T) {
	dir := t.TempDir()
	k, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, PlainKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	sealed, err := k.SealString("users.email:1", "canary@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "canary") || !IsSealed(sealed) {
		t.Fatalf("sealed value %q", sealed)
	}
	// The same key is read back at the next start.
	k2, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.UnsealString("users.email:1", sealed); err != nil || got != "canary@example.org" {
		t.Fatalf("reopened key: %q, %v", got, err)
	}
}

func TestSealedValueOpensOnlyInItsPlace(t *testing.T) {
	k, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := k.SealString("users.email:1", "a@example.org")
	if _, err := k.UnsealString("users.email:2", sealed); !errors.Is(err, ErrCorrupt) {
		t.Errorf("moved to another row: %v, want ErrCorrupt", err)
	}
	// Flip one character of the ciphertext.
	b := []byte(sealed)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	if _, err := k.UnsealString("users.email:1", string(b)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("altered value: %v, want ErrCorrupt", err)
	}
	other, _ := Open(t.TempDir(), nil)
	if _, err := other.UnsealString("users.email:1", sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("other key: %v, want ErrUnknownKey", err)
	}
	if _, err := k.UnsealString("x", "plain text"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("plain text: %v", err)
	}
}

func TestRefusesKeyFileOthersCanRead(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, PlainKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("open with mode 0644: %v", err)
	}
}

func TestPassphraseSealedKey(t *testing.T) {
	dir := t.TempDir()
	k, err := Open(dir, Fixed([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PlainKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a plain key file exists beside the sealed one: %v", err)
	}
	body, err := os.ReadFile(filepath.Join(dir, SealedKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "AGE-SECRET-KEY") {
		t.Fatal("sealed key file holds the key in clear")
	}
	sealed, _ := k.SealString("n", "note")
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("no passphrase: %v, want ErrLocked", err)
	}
	if _, err := Open(dir, Fixed([]byte("wrong"))); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("wrong passphrase: %v", err)
	}
	k2, err := Open(dir, Fixed([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := k2.UnsealString("n", sealed); got != "note" {
		t.Errorf("got %q", got)
	}
	// Back to a plain key file.
	if err := k2.SetPassphrase(dir, nil); err != nil {
		t.Fatal(err)
	}
	k3, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := k3.UnsealString("n", sealed); got != "note" {
		t.Errorf("after removing the passphrase: %q", got)
	}
}

func TestPassphraseFromDescriptor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("from a pipe\nignored\n")
	w.Close()
	p, err := FD(r.Fd())()
	if err != nil || string(p) != "from a pipe" {
		t.Fatalf("got %q, %v", p, err)
	}
	if _, err := Terminal(int(r.Fd()))(); err == nil {
		t.Error("a pipe was taken for a terminal")
	}
}

func TestRotationKeepsOldKeyUntilFinished(t *testing.T) {
	dir := t.TempDir()
	k, _ := Open(dir, nil)
	oldID := k.KeyID()
	oldLookup := k.Lookup("a@example.org")
	sealed, _ := k.SealString("w", "secret")
	if err := k.BeginRotation(dir); err != nil {
		t.Fatal(err)
	}
	if k.KeyID() == oldID || len(k.KeyIDs()) != 2 {
		t.Fatalf("keys after begin: %v", k.KeyIDs())
	}
	// A crash now: the key file still opens the old values.
	mid, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := mid.UnsealString("w", sealed); got != "secret" {
		t.Fatal("old value unreadable in the middle of a rotation")
	}
	resealed, err := k.Reseal("w", sealed)
	if err != nil {
		t.Fatal(err)
	}
	if k.Lookup("a@example.org") == oldLookup {
		t.Error("lookup hash unchanged by the new key")
	}
	if err := k.FinishRotation(dir); err != nil {
		t.Fatal(err)
	}
	after, _ := Open(dir, nil)
	if got, err := after.UnsealString("w", resealed); err != nil || got != "secret" {
		t.Fatalf("resealed: %q %v", got, err)
	}
	if _, err := after.UnsealString("w", sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old key still present after rotation: %v", err)
	}
}

// How much sealing a field costs (claims' notes on a million-row import
// would pay this per row).
func BenchmarkSealNote(b *testing.B) {
	k, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	note := []byte("seen at the Nukus police station on 2 July by his brother")
	for b.Loop() {
		if _, err := k.Seal("claims.note:0190a1b2-0000-7000-8000-000000000000", note); err != nil {
			b.Fatal(err)
		}
	}
}
