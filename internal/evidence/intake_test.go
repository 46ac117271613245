package evidence

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func testKey(t testing.TB) *Key {
	t.Helper()
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	k, err := OpenKey(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testDir(t testing.TB) *Dir {
	t.Helper()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// randomReader gives n pseudo-random bytes without holding them.
type randomReader struct {
	r *rand.ChaCha8
	n int64
}

func newRandom(seed byte, n int64) *randomReader {
	var s [32]byte
	s[0] = seed
	return &randomReader{r: rand.NewChaCha8(s), n: n}
}

func (r *randomReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	r.r.Read(p)
	r.n -= int64(len(p))
	return len(p), nil
}

func sums(t testing.TB, r io.Reader) (string, string, int64) {
	sha, m := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(sha, m), r)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(sha.Sum(nil)), hex.EncodeToString(m.Sum(nil)), n
}

func files(t *testing.T, d *Dir, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(d.root, sub))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestIntakeHashesEncryptsAndDecryptsToTheSameBytes(t *testing.T) {
	k, d := testKey(t), testDir(t)
	const size = 5<<20 + 12345 // not a multiple of any chunk
	wantSHA, wantMD5, _ := sums(t, newRandom(1, size))
	rec, err := Intake(newRandom(1, size), k, d, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if rec.SHA256 != wantSHA || rec.MD5 != wantMD5 || rec.Size != size {
		t.Fatalf("intake says %s %s %d; the bytes are %s %s %d", rec.SHA256, rec.MD5, rec.Size, wantSHA, wantMD5, size)
	}
	if len(files(t, d, "objects")) != 0 {
		t.Fatal("an object is visible before Keep")
	}
	if err := rec.Keep("item1"); err != nil {
		t.Fatal(err)
	}
	if got := files(t, d, "tmp"); len(got) != 0 {
		t.Fatalf("temporary files left: %v", got)
	}
	// The disk holds ciphertext only: the plaintext's first bytes are
	// nowhere in it.
	raw, err := os.ReadFile(d.Path("item1"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("age-encryption.org/v1\n")) {
		t.Fatal("the stored file is not an age file")
	}
	plainStart := make([]byte, 64)
	io.ReadFull(newRandom(1, 64), plainStart)
	if bytes.Contains(raw, plainStart) {
		t.Fatal("plaintext found in the stored file")
	}
	o, err := d.Open("item1")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	fx, err := k.Check(o)
	if err != nil {
		t.Fatal(err)
	}
	if fx.SHA256 != wantSHA || fx.MD5 != wantMD5 || fx.Size != size {
		t.Fatalf("decrypted original hashes to %s %s %d, want %s %s %d", fx.SHA256, fx.MD5, fx.Size, wantSHA, wantMD5, size)
	}
}

func TestIntakeEncryptsToOfflineRecipientsToo(t *testing.T) {
	offline, _ := NewIdentity()
	offKey, _ := OpenKey(offline, nil)
	main, _ := NewIdentity()
	k, err := OpenKey(main, []string{offKey.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	d := testDir(t)
	rec, err := Intake(bytes.NewReader([]byte("a small file")), k, d, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Keep("x"); err != nil {
		t.Fatal(err)
	}
	// The offline key alone (the operator's, kept off the server) opens it.
	o, _ := d.Open("x")
	defer o.Close()
	r, err := offKey.Decrypt(o)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); string(b) != "a small file" {
		t.Fatalf("offline recipient reads %q", b)
	}
	if _, err := ParseRecipient("age1notakey"); err == nil {
		t.Fatal("a bad recipient was accepted")
	}
}

// failingReader gives n bytes, then fails like a dropped connection.
type failingReader struct {
	r io.Reader
}

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestTruncatedOrOversizedUploadLeavesNothing(t *testing.T) {
	k, d := testKey(t), testDir(t)
	cases := []struct {
		name        string
		src         io.Reader
		limit, want int64
		err         error
	}{
		{"connection dropped", failingReader{newRandom(2, 3<<20)}, 0, -1, ErrTruncated},
		{"fewer bytes than announced", newRandom(2, 3<<20), 0, 4 << 20, ErrTruncated},
		{"more bytes than announced", newRandom(2, 3<<20), 0, 2 << 20, ErrTooLarge},
		{"over the limit", newRandom(2, 3<<20), 2 << 20, -1, ErrTooLarge},
		{"announced over the limit", newRandom(2, 3<<20), 2 << 20, 3 << 20, ErrTooLarge},
	}
	for _, c := range cases {
		rec, err := Intake(c.src, k, d, c.limit, c.want)
		if !errors.Is(err, c.err) || rec != nil {
			t.Errorf("%s: got %v, %v; want %v", c.name, rec, err, c.err)
		}
	}
	if got := append(files(t, d, "tmp"), files(t, d, "objects")...); len(got) != 0 {
		t.Fatalf("files left behind: %v", got)
	}
	// Exactly at the limit is fine.
	rec, err := Intake(newRandom(2, 2<<20), k, d, 2<<20, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	rec.Discard()
}

// TestFullDiskGivesPlainErrorAndLeavesNothing fills a small tmpfs (needs
// root, as scripts/test runs; skipped otherwise).
func TestFullDiskGivesPlainErrorAndLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs (not root?): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Intake(newRandom(3, 8<<20), testKey(t), d, 0, -1)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("intake onto a full disk: %v, want ErrDiskFull", err)
	}
	if got := append(files(t, d, "tmp"), files(t, d, "objects")...); len(got) != 0 {
		t.Fatalf("files left behind: %v", got)
	}
}

func TestIntakeMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	k, d := testKey(t), testDir(t)
	alloc := func(size int64) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec, err := Intake(newRandom(4, size), k, d, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		rec.Discard()
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(8<<20), alloc(256<<20)
	t.Logf("allocated %d KiB for 8 MiB, %d KiB for 256 MiB", small>>10, large>>10)
	if large > 24<<20 {
		t.Fatalf("intake of 256 MiB allocated %d MiB in all: memory grows with the file", large>>20)
	}
}

func TestSniffReadsBytesNotNames(t *testing.T) {
	cases := map[string][]byte{
		"image/jpeg":      {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0},
		"image/png":       []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"video/quicktime": []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "),
		"video/mp4":       []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"),
		"image/heic":      []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
		"image/tiff":      []byte("II*\x00\x08\x00\x00\x00"),
		"application/pdf": []byte("%PDF-1.7\n"),
		"text/plain":      []byte("just words"),
	}
	for want, head := range cases {
		if got := Sniff(head); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", head, got, want)
		}
	}
}
