package evidence

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Blobs keeps ciphertext objects by name: originals and derivatives.
type Blobs interface {
	// Create starts a temporary object; nothing is visible under a name
	// until Commit.
	Create() (Temp, error)
	// Open reads an object; os.ErrNotExist (wrapped) when it is missing.
	Open(name string) (Object, error)
	// Remove deletes an object; a missing one is not an error.
	Remove(name string) error
}

// Temp is an object being written.
type Temp interface {
	io.Writer
	Sync() error
	// Commit makes the object visible under name, atomically.
	Commit(name string) error
	// Abort throws the object away; safe after Commit (it does nothing).
	Abort()
}

// Object is a stored object opened for reading.
type Object interface {
	io.Reader
	io.ReaderAt
	io.Closer
	Size() int64
}

// Dir keeps objects as files in a directory: objects/NAME, temporary ones
// in tmp/ on the same file system, so that Commit is a rename.
type Dir struct{ root string }

// NewDir opens (making it if needed, mode 0700) the directory dir.
func NewDir(dir string) (*Dir, error) {
	for _, sub := range []string{"objects", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, plainDiskError(err)
		}
	}
	return &Dir{root: dir}, nil
}

// validName keeps object names to plain file names.
func validName(name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasPrefix(name, ".") {
		return fmt.Errorf("object name %q", name)
	}
	return nil
}

// Path is where the object name is (or would be) kept.
func (d *Dir) Path(name string) string { return filepath.Join(d.root, "objects", name) }

// Create starts tmp/RANDOM.part, mode 0600.
func (d *Dir) Create() (Temp, error) {
	var b [12]byte
	rand.Read(b[:])
	path := filepath.Join(d.root, "tmp", hex.EncodeToString(b[:])+".part")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &dirTemp{d: d, f: f, path: path}, nil
}

// TempDir is where temporary files of this store are made (the same file
// system as the objects).
func (d *Dir) TempDir() string { return filepath.Join(d.root, "tmp") }

// CleanTemp removes temporary objects left by a crash.
func (d *Dir) CleanTemp() error {
	entries, err := os.ReadDir(filepath.Join(d.root, "tmp"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") || strings.Contains(e.Name(), ".derive") {
			os.Remove(filepath.Join(d.root, "tmp", e.Name()))
		}
	}
	return nil
}

func (d *Dir) Open(name string) (Object, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(d.Path(name))
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &fileObject{File: f, size: info.Size()}, nil
}

func (d *Dir) Remove(name string) error {
	if err := validName(name); err != nil {
		return err
	}
	err := os.Remove(d.Path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

type fileObject struct {
	*os.File
	size int64
}

func (o *fileObject) Size() int64 { return o.size }

type dirTemp struct {
	d    *Dir
	f    *os.File
	path string
	done bool
}

func (t *dirTemp) Write(p []byte) (int, error) { return t.f.Write(p) }
func (t *dirTemp) Sync() error                 { return t.f.Sync() }

func (t *dirTemp) Commit(name string) error {
	if err := validName(name); err != nil {
		t.Abort()
		return err
	}
	if err := t.f.Sync(); err != nil {
		t.Abort()
		return plainDiskError(err)
	}
	if err := t.f.Close(); err != nil {
		t.Abort()
		return plainDiskError(err)
	}
	if err := os.Rename(t.path, t.d.Path(name)); err != nil {
		os.Remove(t.path)
		t.done = true
		return plainDiskError(err)
	}
	t.done = true
	// The rename itself must reach the disk.
	if dir, err := os.Open(filepath.Join(t.d.root, "objects")); err == nil {
		err = dir.Sync()
		dir.Close()
		if err != nil {
			return plainDiskError(err)
		}
	}
	return nil
}

func (t *dirTemp) Abort() {
	if t.done {
		return
	}
	t.done = true
	t.f.Close()
	os.Remove(t.path)
}
