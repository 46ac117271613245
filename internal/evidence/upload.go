package evidence

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
)

// Uploads keeps resumable (tus 1.0) uploads in flight in a Blobs store, as
// a tusd DataStore. Every PATCH becomes one segment object, encrypted with
// age to the evidence key while the bytes arrive, and the upload's state
// (size, offset, the sender's metadata, its owner) is one more encrypted
// object: the disk never holds a plaintext byte of an upload, whole or
// partial, nor its file name. A PATCH cut off midway keeps the bytes that
// arrived (the segment is closed and committed), so the upload resumes
// from its last byte. Only the store's Create, Commit, Open and Remove are
// used, so any Blobs (a directory, object storage) holds uploads too;
// expiry of abandoned uploads also needs the store to list names
// (NameLister).
//
// When an upload is whole, the caller reads it back (Reader) into the
// sealed intake and removes it (Remove).
type Uploads struct {
	blobs Blobs
	key   *Key
	// Locker serialises requests on one upload; the tus handler and
	// ExpireIdle share it.
	Locker *memorylocker.MemoryLocker
	// Now is the clock (tests move it).
	Now func() time.Time
}

// NameLister is a Blobs that can list its object names by prefix.
type NameLister interface {
	Names(prefix string) ([]string, error)
}

// uploadPrefix starts the name of every object of an upload in flight.
const uploadPrefix = "upload-"

// NewUploads keeps uploads in blobs, encrypted to key.
func NewUploads(blobs Blobs, key *Key) *Uploads {
	return &Uploads{blobs: blobs, key: key, Locker: memorylocker.New(), Now: time.Now}
}

// UseIn registers the store (with its locker and termination) in a tusd
// composer.
func (u *Uploads) UseIn(c *handler.StoreComposer) {
	c.UseCore(u)
	c.UseTerminater(u)
	c.UseLocker(u.Locker)
}

// uploadState is what is kept about an upload, encrypted.
type uploadState struct {
	ID       string            `json:"id"`
	Size     int64             `json:"size"`
	Offset   int64             `json:"offset"`
	MetaData map[string]string `json:"metadata,omitempty"`
	Storage  map[string]string `json:"storage,omitempty"`
	Segments []int64           `json:"segments,omitempty"` // sizes of the segments, in order
	Created  time.Time         `json:"created"`
	Updated  time.Time         `json:"updated"`
}

// ValidUploadID says whether id is one NewUpload could have made (32
// lower-case hex digits), so that no other object name is ever formed
// from a URL.
func ValidUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func stateName(id string) string          { return uploadPrefix + id + ".state" }
func segmentName(id string, n int) string { return uploadPrefix + id + "." + strconv.Itoa(n) }

// NewUpload starts an upload. Its length must be known (no deferred
// length): the size limit is checked before anything is written.
func (u *Uploads) NewUpload(ctx context.Context, info handler.FileInfo) (handler.Upload, error) {
	if info.SizeIsDeferred || info.Size < 0 {
		return nil, handler.NewError("ERR_LENGTH_REQUIRED", "an Upload-Length is required", 400)
	}
	var b [16]byte
	rand.Read(b[:])
	now := u.Now().UTC()
	st := &uploadState{ID: hex.EncodeToString(b[:]), Size: info.Size, MetaData: info.MetaData, Storage: info.Storage, Created: now, Updated: now}
	if err := u.save(st); err != nil {
		return nil, tusError(err)
	}
	return &upload{u: u, st: st}, nil
}

// GetUpload opens an upload by id; handler.ErrNotFound when there is none.
func (u *Uploads) GetUpload(ctx context.Context, id string) (handler.Upload, error) {
	st, err := u.load(id)
	if err != nil {
		return nil, err
	}
	return &upload{u: u, st: st}, nil
}

// Info is an upload's state as tusd sees it; handler.ErrNotFound when
// there is none.
func (u *Uploads) Info(id string) (handler.FileInfo, error) {
	st, err := u.load(id)
	if err != nil {
		return handler.FileInfo{}, err
	}
	return st.info(), nil
}

func (u *Uploads) AsTerminatableUpload(up handler.Upload) handler.TerminatableUpload {
	return up.(*upload)
}

func (u *Uploads) load(id string) (*uploadState, error) {
	if !ValidUploadID(id) {
		return nil, handler.ErrNotFound
	}
	o, err := u.blobs.Open(stateName(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, handler.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer o.Close()
	r, err := u.key.Decrypt(o)
	if err != nil {
		return nil, fmt.Errorf("upload %s: its state does not decrypt: %w", id, err)
	}
	var st uploadState
	if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&st); err != nil {
		return nil, fmt.Errorf("upload %s: its state: %w", id, err)
	}
	if st.ID != id {
		return nil, fmt.Errorf("upload %s: its state names %q", id, st.ID)
	}
	return &st, nil
}

// save writes the state through a temporary object committed over the
// old one, so a crash leaves the old state or the new, never half.
func (u *Uploads) save(st *uploadState) error {
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return u.sealed(stateName(st.ID), func(w io.Writer) error {
		_, err := w.Write(body)
		return err
	})
}

// sealed writes one object, encrypted to the evidence key's own
// recipient only (an upload in flight is not for the offline recipients:
// it becomes an original, encrypted to them too, when it is whole).
func (u *Uploads) sealed(name string, write func(io.Writer) error) error {
	temp, err := u.blobs.Create()
	if err != nil {
		return plainDiskError(err)
	}
	bw := bufio.NewWriterSize(temp, 64<<10)
	enc, err := age.Encrypt(bw, u.key.identity.Recipient())
	if err == nil {
		err = write(enc)
	}
	if err == nil {
		err = enc.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		temp.Abort()
		return plainDiskError(err)
	}
	return plainDiskError(temp.Commit(name))
}

func (st *uploadState) info() handler.FileInfo {
	return handler.FileInfo{ID: st.ID, Size: st.Size, Offset: st.Offset, MetaData: st.MetaData, Storage: st.Storage}
}

// Complete says whether every byte of the upload has arrived.
func (st *uploadState) complete() bool { return st.Offset == st.Size }

// Reader gives the bytes of a whole upload, decrypted segment after
// segment (memory stays a few buffers whatever the size). It refuses an
// upload that is not whole.
func (u *Uploads) Reader(id string) (io.ReadCloser, error) {
	st, err := u.load(id)
	if err != nil {
		return nil, err
	}
	if !st.complete() {
		return nil, fmt.Errorf("%w (%d of %d bytes)", ErrTruncated, st.Offset, st.Size)
	}
	return &segmentReader{u: u, st: st}, nil
}

// segmentReader reads the segments of an upload in order, each checked
// against its recorded size.
type segmentReader struct {
	u    *Uploads
	st   *uploadState
	next int
	cur  io.Reader
	obj  Object
	left int64
}

func (r *segmentReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if r.next >= len(r.st.Segments) {
				return 0, io.EOF
			}
			o, err := r.u.blobs.Open(segmentName(r.st.ID, r.next))
			if err != nil {
				return 0, fmt.Errorf("upload %s: segment %d: %w", r.st.ID, r.next, err)
			}
			d, err := r.u.key.Decrypt(o)
			if err != nil {
				o.Close()
				return 0, fmt.Errorf("upload %s: segment %d does not decrypt: %w", r.st.ID, r.next, err)
			}
			r.obj, r.cur, r.left = o, d, r.st.Segments[r.next]
			r.next++
		}
		n, err := r.cur.Read(p)
		r.left -= int64(n)
		if r.left < 0 {
			return 0, fmt.Errorf("upload %s: segment %d is longer than recorded", r.st.ID, r.next-1)
		}
		if err == io.EOF {
			if r.left != 0 {
				return 0, fmt.Errorf("%w: upload %s: segment %d is shorter than recorded", ErrTruncated, r.st.ID, r.next-1)
			}
			r.obj.Close()
			r.cur, r.obj = nil, nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (r *segmentReader) Close() error {
	if r.obj != nil {
		return r.obj.Close()
	}
	return nil
}

// Remove deletes an upload's segments and state; a missing upload is not
// an error.
func (u *Uploads) Remove(id string) error {
	if !ValidUploadID(id) {
		return nil
	}
	st, err := u.load(id)
	if errors.Is(err, handler.ErrNotFound) {
		return nil
	}
	n := 0
	if err == nil {
		n = len(st.Segments)
	}
	// The state goes first: an upload without it is gone to tusd, and
	// orphan segments are swept by ExpireIdle.
	if err := u.blobs.Remove(stateName(id)); err != nil {
		return err
	}
	for i := 0; i < n+1; i++ {
		if err := u.blobs.Remove(segmentName(id, i)); err != nil {
			return err
		}
	}
	return nil
}

// ExpireIdle removes uploads no byte reached for longer than idle, and
// segments whose upload is gone; it returns how many uploads it removed.
// An upload a request holds is left alone. It needs a store that lists
// names (NameLister); others keep abandoned uploads until removed by
// hand.
func (u *Uploads) ExpireIdle(ctx context.Context, idle time.Duration) (int, error) {
	lister, ok := u.blobs.(NameLister)
	if !ok {
		return 0, nil
	}
	names, err := lister.Names(uploadPrefix)
	if err != nil {
		return 0, err
	}
	ids := map[string]bool{}
	for _, name := range names {
		rest := strings.TrimPrefix(name, uploadPrefix)
		id, suffix, _ := strings.Cut(rest, ".")
		if !ValidUploadID(id) {
			continue
		}
		if suffix == "state" {
			ids[id] = true
		} else if _, seen := ids[id]; !seen {
			ids[id] = false
		}
	}
	removed := 0
	for id, hasState := range ids {
		lock, err := u.Locker.NewLock(id)
		if err != nil {
			return removed, err
		}
		held, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		err = lock.Lock(held, func() {})
		cancel()
		if err != nil {
			continue // in use
		}
		expire := !hasState
		if hasState {
			st, err := u.load(id)
			expire = err != nil || u.Now().Sub(st.Updated) > idle
		}
		if expire {
			if err := u.removeAll(id, names); err == nil && hasState {
				removed++
			}
		}
		lock.Unlock()
	}
	return removed, nil
}

// removeAll removes every listed object of an upload.
func (u *Uploads) removeAll(id string, names []string) error {
	for _, name := range names {
		if strings.HasPrefix(name, uploadPrefix+id+".") && name != stateName(id) {
			if err := u.blobs.Remove(name); err != nil {
				return err
			}
		}
	}
	return u.blobs.Remove(stateName(id))
}

// upload is one upload as tusd holds it during a request.
type upload struct {
	u  *Uploads
	st *uploadState
}

// WriteChunk encrypts the request's bytes into a new segment while they
// arrive. A body cut off midway (tusd then ends src early) keeps what
// came: the segment is closed and committed, the offset moves by its
// size. An error writing leaves nothing of this request.
func (up *upload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	st := up.st
	if offset != st.Offset {
		return 0, handler.ErrMismatchOffset
	}
	temp, err := up.u.blobs.Create()
	if err != nil {
		return 0, plainDiskError(err)
	}
	bw := bufio.NewWriterSize(temp, 256<<10)
	enc, err := age.Encrypt(bw, up.u.key.identity.Recipient())
	if err != nil {
		temp.Abort()
		return 0, err
	}
	n, copyErr := io.Copy(taggedWriter{enc}, io.LimitReader(src, st.Size-st.Offset))
	var writeErr error
	if copyErr != nil && !isReadError(copyErr) {
		writeErr = copyErr
	}
	if writeErr == nil {
		writeErr = enc.Close()
	}
	if writeErr == nil {
		writeErr = bw.Flush()
	}
	if writeErr != nil || n == 0 {
		temp.Abort()
		if writeErr != nil {
			return 0, tusError(writeErr)
		}
		return 0, copyErr
	}
	if err := temp.Commit(segmentName(st.ID, len(st.Segments))); err != nil {
		return 0, tusError(err)
	}
	next := *st
	next.Segments = append(append([]int64(nil), st.Segments...), n)
	next.Offset += n
	next.Updated = up.u.Now().UTC()
	if err := up.u.save(&next); err != nil {
		up.u.blobs.Remove(segmentName(st.ID, len(st.Segments)))
		return 0, tusError(err)
	}
	*st = next
	return n, nil
}

// tusError gives a full disk to tus clients as 507 with the plain
// sentence (tusd answers other errors 500).
func tusError(err error) error {
	if err = plainDiskError(err); errors.Is(err, ErrDiskFull) {
		return handler.NewError("ERR_DISK_FULL", ErrDiskFull.Error(), 507)
	}
	return err
}

// isReadError tells an error of the request's body (the sender went
// away) from one of writing.
func isReadError(err error) bool {
	var w *writeError
	return !errors.As(err, &w)
}

type writeError struct{ error }

// taggedWriter marks its errors as writeErrors.
type taggedWriter struct{ w io.Writer }

func (t taggedWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

func (e *writeError) Unwrap() error { return e.error }

func (up *upload) GetInfo(ctx context.Context) (handler.FileInfo, error) { return up.st.info(), nil }

// GetReader is not offered: an upload is never served back (downloads
// are disabled in the handler).
func (up *upload) GetReader(ctx context.Context) (io.ReadCloser, error) {
	return nil, handler.ErrNotImplemented
}

// FinishUpload does nothing: the caller takes the whole upload into the
// intake (Reader) in its completion callback.
func (up *upload) FinishUpload(ctx context.Context) error { return nil }

func (up *upload) Terminate(ctx context.Context) error { return up.u.Remove(up.st.ID) }

// Names lists the objects whose names start with prefix.
func (d *Dir) Names(prefix string) ([]string, error) {
	entries, err := os.ReadDir(d.Path(""))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
