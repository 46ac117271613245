package evidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"
	xslog "golang.org/x/exp/slog"
)

func testUploads(t testing.TB) (*Uploads, *Dir) {
	t.Helper()
	dir, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := NewIdentity()
	key, err := OpenKey(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewUploads(dir, key), dir
}

// cutReader gives n bytes of data, then fails as a dropped connection.
type cutReader struct {
	r io.Reader
}

func (c cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// TestUploadSegmentsResumeAndReadBack writes an upload in three requests,
// one cut off, and reads the whole back; the state survives a new
// Uploads over the same store (a restarted server).
func TestUploadSegmentsResumeAndReadBack(t *testing.T) {
	u, dir := testUploads(t)
	ctx := context.Background()
	data := bytes.Repeat([]byte("evidence bytes "), 10000)
	up, err := u.NewUpload(ctx, handler.FileInfo{Size: int64(len(data)), MetaData: handler.MetaData{"filename": "secret-name.jpg"}, Storage: map[string]string{"owner": "u1"}})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := up.GetInfo(ctx)
	n, err := up.WriteChunk(ctx, 0, cutReader{bytes.NewReader(data[:50000])})
	if n != 50000 || err != nil {
		t.Fatalf("cut chunk: %d %v", n, err)
	}
	if _, err := up.WriteChunk(ctx, 1, bytes.NewReader(data)); !errors.Is(err, handler.ErrMismatchOffset) {
		t.Fatalf("wrong offset: %v", err)
	}
	// A restart: a new Uploads over the same directory and key.
	u2 := NewUploads(dir, u.key)
	up2, err := u2.GetUpload(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := up2.GetInfo(ctx); i.Offset != 50000 || i.MetaData["filename"] != "secret-name.jpg" || i.Storage["owner"] != "u1" {
		t.Fatalf("state after restart: %+v", i)
	}
	if _, err := u2.Reader(info.ID); err == nil {
		t.Fatal("a partial upload was readable as whole")
	}
	if _, err := up2.WriteChunk(ctx, 50000, bytes.NewReader(data[50000:100000])); err != nil {
		t.Fatal(err)
	}
	if _, err := up2.WriteChunk(ctx, 100000, bytes.NewReader(append(data[100000:], "past the end"...))); err != nil {
		t.Fatal(err)
	}
	r, err := u2.Reader(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v), sent %d", len(got), err, len(data))
	}
	filepath.WalkDir(dir.root, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(path)
			if bytes.Contains(b, []byte("evidence bytes")) || bytes.Contains(b, []byte("secret-name")) {
				t.Errorf("plaintext in %s", path)
			}
		}
		return nil
	})
	if err := u2.Remove(info.ID); err != nil {
		t.Fatal(err)
	}
	if names, _ := dir.Names(uploadPrefix); len(names) != 0 {
		t.Errorf("left after Remove: %v", names)
	}
}

// TestUploadsExpireWhenIdle: an upload no byte reached for longer than
// the idle time goes with its segments; a fresh one and a held one stay;
// orphan segments go.
func TestUploadsExpireWhenIdle(t *testing.T) {
	u, dir := testUploads(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u.Now = func() time.Time { return now }
	mk := func() string {
		up, err := u.NewUpload(ctx, handler.FileInfo{Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		up.WriteChunk(ctx, 0, strings.NewReader("half of it"))
		i, _ := up.GetInfo(ctx)
		return i.ID
	}
	old, held := mk(), mk()
	now = now.Add(25 * time.Hour)
	fresh := mk()
	lock, _ := u.Locker.NewLock(held)
	if err := lock.Lock(ctx, func() {}); err != nil {
		t.Fatal(err)
	}
	// An orphan segment (its state gone in a crash).
	temp, _ := dir.Create()
	temp.Write([]byte("x"))
	temp.Commit(segmentName("0123456789abcdef0123456789abcdef", 0))
	n, err := u.ExpireIdle(ctx, 24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("expired %d: %v", n, err)
	}
	for id, want := range map[string]bool{old: false, held: true, fresh: true} {
		if _, err := u.Info(id); (err == nil) != want {
			t.Errorf("upload %s kept=%v, want %v", id, err == nil, want)
		}
	}
	names, _ := dir.Names(uploadPrefix)
	for _, name := range names {
		if strings.Contains(name, old) || strings.Contains(name, "0123456789abcdef") {
			t.Errorf("left: %s", name)
		}
	}
	lock.Unlock()
}

// FuzzTusHandler drives tusd's handler over Uploads with any creation
// headers (Upload-Length, Upload-Metadata), any PATCH offset and body:
// nothing panics, the offset never passes the size, and an upload whose
// PATCH was taken reads back as exactly the bytes sent.
func FuzzTusHandler(f *testing.F) {
	f.Add("11", "filename aGVsbG8=,filetype aW1hZ2UvanBlZw==", "0", []byte("hello world"))
	f.Add("5", "filename", "0", []byte("hello world"))
	f.Add("-1", "a b,c", "3", []byte{})
	f.Add("99999999999999999999", "filename !!!", "0", []byte("x"))
	f.Add("4", "person MDEyMw==, incident", "1", []byte("abcd"))
	id, _ := NewIdentity()
	key, _ := OpenKey(id, nil)
	u := NewUploads(newMemBlobs(), key)
	composer := handler.NewStoreComposer()
	u.UseIn(composer)
	h, err := handler.NewUnroutedHandler(handler.Config{BasePath: "/u/", StoreComposer: composer, MaxSize: 1 << 20, DisableDownload: true,
		DisableConcatenation: true, Logger: xslog.New(xslog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, length, meta, offset string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/u/", nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", length)
		req.Header.Set("Upload-Metadata", meta)
		w := httptest.NewRecorder()
		h.PostFile(w, req)
		if w.Code != http.StatusCreated {
			return
		}
		id := strings.TrimPrefix(w.Header().Get("Location"), "http://example.com/u/")
		size, _ := strconv.ParseInt(length, 10, 64)
		req = httptest.NewRequest(http.MethodPatch, "/"+id, bytes.NewReader(body))
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", offset)
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		w = httptest.NewRecorder()
		h.PatchFile(w, req)
		info, err := u.Info(id)
		if err != nil {
			t.Fatalf("upload %q: %v", id, err)
		}
		if info.Offset < 0 || info.Offset > info.Size || info.Size != size {
			t.Fatalf("offset %d of %d (declared %q)", info.Offset, info.Size, length)
		}
		if w.Code == http.StatusNoContent && info.Offset == info.Size {
			r, err := u.Reader(id)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			r.Close()
			if sha256.Sum256(got) != sha256.Sum256(body[:size]) {
				t.Fatalf("read back %q, sent %q", got, body[:size])
			}
		}
		u.Remove(id)
	})
}

// memBlobs is a Blobs in memory: uploads need nothing of a directory
// (and the fuzz target runs without fsyncs).
type memBlobs struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{objects: map[string][]byte{}} }

type memTemp struct {
	m   *memBlobs
	buf bytes.Buffer
}

func (t *memTemp) Write(p []byte) (int, error) { return t.buf.Write(p) }
func (t *memTemp) Sync() error                 { return nil }
func (t *memTemp) Abort()                      {}
func (t *memTemp) Commit(name string) error {
	if err := validName(name); err != nil {
		return err
	}
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	t.m.objects[name] = bytes.Clone(t.buf.Bytes())
	return nil
}

type memObject struct{ *bytes.Reader }

func (memObject) Close() error { return nil }

func (m *memBlobs) Create() (Temp, error) { return &memTemp{m: m}, nil }
func (m *memBlobs) Open(name string) (Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, os.ErrNotExist)
	}
	return memObject{bytes.NewReader(b)}, nil
}
func (m *memBlobs) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, name)
	return nil
}
func (m *memBlobs) Names(prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out, nil
}

// TestUploadOntoAFullDisk: a PATCH that fills the disk is refused with
// 507 and the plain sentence; nothing of it stays (no temporary file, no
// segment), and the upload's offset is where it was.
func TestUploadOntoAFullDisk(t *testing.T) {
	root := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", root).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs (not root?): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", root).Run() })
	dir, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := NewIdentity()
	key, _ := OpenKey(id, nil)
	u := NewUploads(dir, key)
	ctx := context.Background()
	up, err := u.NewUpload(ctx, handler.FileInfo{Size: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := up.WriteChunk(ctx, 0, bytes.NewReader(make([]byte, 100000))); err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 3<<20)
	rand.Read(noise)
	_, err = up.WriteChunk(ctx, 100000, bytes.NewReader(noise))
	var tusErr handler.Error
	if !errors.As(err, &tusErr) || tusErr.HTTPResponse.StatusCode != 507 || !strings.Contains(tusErr.Error(), "disk") {
		t.Fatalf("PATCH onto a full disk: %v", err)
	}
	info, _ := up.GetInfo(ctx)
	if tmp, _ := os.ReadDir(filepath.Join(root, "tmp")); len(tmp) != 0 || info.Offset != 100000 {
		t.Fatalf("after the full disk: tmp %v, offset %d", tmp, info.Offset)
	}
	if names, _ := dir.Names(uploadPrefix); len(names) != 2 { // the state and the first segment
		t.Fatalf("objects after the full disk: %v", names)
	}
}
