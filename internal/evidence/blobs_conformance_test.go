package evidence

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"slices"
	"testing"

	"rollcall/internal/evidence/s3test"
)

// eachStore runs f on every kind of store: a directory and S3.
func eachStore(t *testing.T, f func(t *testing.T, s Store)) {
	t.Run("dir", func(t *testing.T) {
		s, err := OpenStore(t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		f(t, s)
	})
	t.Run("s3", func(t *testing.T) {
		spec, _ := s3test.Spec(t)
		s, err := OpenStore(spec, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		f(t, s)
	})
}

func put(t *testing.T, s Store, name string, body []byte) {
	t.Helper()
	tmp, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Commit(name); err != nil {
		t.Fatal(err)
	}
}

func readBack(t *testing.T, s Store, name string) []byte {
	t.Helper()
	o, err := s.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	if o.Size() != int64(len(b)) {
		t.Fatalf("Size %d, read %d", o.Size(), len(b))
	}
	return b
}

// TestBlobStoreConformance is what every store must do, run on each.
func TestBlobStoreConformance(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		t.Run("an object is what was written, read whole or at any offset", func(t *testing.T) {
			body := make([]byte, 3<<20+17)
			rand.Read(body)
			put(t, s, "a.age", body)
			if got := readBack(t, s, "a.age"); !bytes.Equal(got, body) {
				t.Fatal("read back differs")
			}
			o, err := s.Open("a.age")
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			buf := make([]byte, 1000)
			if n, err := o.ReadAt(buf, 2<<20); n != 1000 || err != nil || !bytes.Equal(buf, body[2<<20:2<<20+1000]) {
				t.Fatalf("ReadAt: %d %v", n, err)
			}
			if n, err := o.ReadAt(buf, int64(len(body))-10); n != 10 || !errors.Is(err, io.EOF) {
				t.Fatalf("ReadAt past the end: %d %v", n, err)
			}
		})
		t.Run("nothing is visible before Commit, nor after Abort", func(t *testing.T) {
			tmp, err := s.Create()
			if err != nil {
				t.Fatal(err)
			}
			tmp.Write([]byte("half of it"))
			if _, err := s.Open("pending.age"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("before commit: %v", err)
			}
			tmp.Abort()
			tmp.Abort() // twice is safe
			if _, err := s.Open("pending.age"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("after abort: %v", err)
			}
			if names, _ := s.Names("pending"); len(names) != 0 {
				t.Fatalf("names after abort: %q", names)
			}
		})
		t.Run("missing, removed, names", func(t *testing.T) {
			if _, err := s.Open("never.age"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("missing: %v", err)
			}
			if err := s.Remove("never.age"); err != nil {
				t.Fatalf("removing a missing object: %v", err)
			}
			put(t, s, "upload-x.state", []byte("s"))
			put(t, s, "upload-x.0", []byte("0"))
			put(t, s, "other.age", nil)
			names, err := s.Names("upload-")
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(names)
			if !slices.Equal(names, []string{"upload-x.0", "upload-x.state"}) {
				t.Fatalf("names: %q", names)
			}
			if got := readBack(t, s, "other.age"); len(got) != 0 {
				t.Fatalf("an empty object read back as %d bytes", len(got))
			}
			if err := s.Remove("upload-x.0"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Open("upload-x.0"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("after remove: %v", err)
			}
		})
		t.Run("names stay plain", func(t *testing.T) {
			for _, bad := range []string{"", "../x", "a/b", ".hidden"} {
				if _, err := s.Open(bad); err == nil || errors.Is(err, os.ErrNotExist) {
					t.Errorf("Open(%q): %v", bad, err)
				}
				tmp, _ := s.Create()
				if err := tmp.Commit(bad); err == nil {
					t.Errorf("Commit(%q) accepted", bad)
				}
			}
		})
		t.Run("a crash's temporary objects are cleaned", func(t *testing.T) {
			tmp, err := s.Create()
			if err != nil {
				t.Fatal(err)
			}
			tmp.Write([]byte("left by a crash"))
			if err := s.CleanTemp(); err != nil {
				t.Fatal(err)
			}
			tmp.Abort()
			if st, err := os.Stat(s.TempDir()); err != nil || !st.IsDir() {
				t.Fatalf("TempDir: %v", err)
			}
		})
		t.Run("intake and check through the store", func(t *testing.T) {
			id, _ := NewIdentity()
			key, err := OpenKey(id, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Larger than an S3 part, so the upload has several.
			body := bytes.Repeat([]byte("frame of a witness video "), (s3PartSize+5<<20)/25)
			rec, err := Intake(bytes.NewReader(body), key, s, 0, int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			if err := rec.Keep("item.age"); err != nil {
				t.Fatal(err)
			}
			raw := readBack(t, s, "item.age")
			if bytes.Contains(raw, []byte("witness")) {
				t.Fatal("plaintext in the store")
			}
			o, _ := s.Open("item.age")
			defer o.Close()
			fx, err := key.Check(o)
			sum := sha256.Sum256(body)
			if err != nil || fx.SHA256 != hex.EncodeToString(sum[:]) || fx.Size != int64(len(body)) {
				t.Fatalf("check: %+v %v", fx, err)
			}
			// A truncated upload leaves nothing.
			before, _ := s.Names("")
			if _, err := Intake(bytes.NewReader(body[:1000]), key, s, 0, int64(len(body))); !errors.Is(err, ErrTruncated) {
				t.Fatalf("truncated: %v", err)
			}
			if names, _ := s.Names(""); len(names) != len(before) {
				t.Fatalf("objects after a truncated intake: %q", names)
			}
		})
	})
}
