package evidence

import (
	"bufio"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"sync/atomic"
	"syscall"

	"filippo.io/age"
)

// Received is an upload that arrived whole: its hashes, size and type, and
// its ciphertext in a temporary object of the store, not yet kept. The
// caller keeps it under a name (Keep) or throws it away (Discard), for
// example when the same file is there already.
type Received struct {
	SHA256 string // hex, of the bytes as received
	MD5    string // hex
	Size   int64
	Type   string // media type read from the bytes, never from the name
	temp   Temp
}

// Keep moves the ciphertext to its final name; after an error nothing is
// kept.
func (r *Received) Keep(name string) error { return r.temp.Commit(name) }

// Discard throws the ciphertext away.
func (r *Received) Discard() { r.temp.Abort() }

// sniffBytes is how much of the start the type is read from.
const sniffBytes = 4096

// chunkSize is the size of one buffer of the intake's pipeline; memory is a
// few of them whatever the file's size.
const chunkSize = 1 << 20

// Intake streams src into a new temporary object of blobs, encrypted to
// key's recipients, computing SHA-256 and MD5 on the way, and reads the
// type from the first bytes. It refuses more than limit bytes (ErrTooLarge;
// limit <= 0: no limit) and, when want >= 0, fewer or more than want
// (ErrTruncated, ErrTooLarge). On any error, a read that failed midway or a
// full disk included, nothing is left behind.
func Intake(src io.Reader, key *Key, blobs Blobs, limit, want int64) (*Received, error) {
	if want >= 0 && limit > 0 && want > limit {
		return nil, ErrTooLarge
	}
	temp, err := blobs.Create()
	if err != nil {
		return nil, plainDiskError(err)
	}
	rec, err := intake(src, key, temp, limit, want)
	if err != nil {
		temp.Abort()
		return nil, err
	}
	rec.temp = temp
	return rec, nil
}

func intake(src io.Reader, key *Key, temp Temp, limit, want int64) (*Received, error) {
	bw := bufio.NewWriterSize(temp, 256<<10)
	enc, err := age.Encrypt(bw, key.recipients...)
	if err != nil {
		return nil, err
	}
	sha, sum5 := sha256.New(), md5.New()
	head := &headWriter{max: sniffBytes}
	max := int64(-1)
	if limit > 0 {
		max = limit
	}
	if want >= 0 && (max < 0 || want < max) {
		max = want
	}
	n, err := fanOut(src, max, []io.Writer{sha, sum5, writers{head, enc}})
	if err != nil {
		return nil, err
	}
	if max >= 0 && n > max {
		if want >= 0 && (limit <= 0 || want < limit) {
			return nil, fmt.Errorf("%w: more bytes came than the %d announced", ErrTooLarge, want)
		}
		return nil, ErrTooLarge
	}
	if want >= 0 && n < want {
		return nil, fmt.Errorf("%w (%d of %d bytes)", ErrTruncated, n, want)
	}
	if err := enc.Close(); err != nil {
		return nil, plainDiskError(err)
	}
	if err := bw.Flush(); err != nil {
		return nil, plainDiskError(err)
	}
	if err := temp.Sync(); err != nil {
		return nil, plainDiskError(err)
	}
	return &Received{SHA256: hexSum(sha), MD5: hexSum(sum5), Size: n, Type: Sniff(head.buf)}, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// ErrDiskFull is the plain error for a full disk.
var ErrDiskFull = errors.New("the disk holding the evidence is full: nothing of this file was kept; free some space and send it again")

// plainDiskError turns ENOSPC (and EDQUOT) into ErrDiskFull.
func plainDiskError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return ErrDiskFull
	}
	return err
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (h *headWriter) Write(p []byte) (int, error) {
	if room := h.max - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// writers writes to each in turn (io.MultiWriter without the allocation
// per call).
type writers []io.Writer

func (ws writers) Write(p []byte) (int, error) {
	for _, w := range ws {
		if _, err := w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// fanOut reads src (at most max+1 bytes when max >= 0, so that one byte
// too many is seen) in chunks and gives each chunk to every writer, each
// writer in a goroutine of its own, so that hashing and encrypting use
// every core. Memory is a fixed number of chunks.
func fanOut(src io.Reader, max int64, dst []io.Writer) (int64, error) {
	if max >= 0 {
		src = io.LimitReader(src, max+1)
	}
	const depth = 4
	type chunk struct {
		buf  []byte
		n    int
		left sync.WaitGroup
	}
	pool := make(chan *chunk, depth)
	for range depth {
		pool <- &chunk{buf: make([]byte, chunkSize)}
	}
	var failed atomic.Bool
	chans := make([]chan *chunk, len(dst))
	errs := make([]error, len(dst))
	var wg sync.WaitGroup
	for i, w := range dst {
		chans[i] = make(chan *chunk, depth)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chans[i] {
				if errs[i] == nil {
					if _, errs[i] = w.Write(c.buf[:c.n]); errs[i] != nil {
						failed.Store(true)
					}
				}
				c.left.Done()
			}
		}()
	}
	var total int64
	var readErr error
	for readErr == nil && !failed.Load() {
		c := <-pool
		c.left.Wait()
		n := 0
		for n < len(c.buf) && readErr == nil {
			var m int
			m, readErr = src.Read(c.buf[n:])
			n += m
		}
		if n == 0 {
			pool <- c
			continue
		}
		total += int64(n)
		c.n = n
		c.left.Add(len(dst))
		for _, ch := range chans {
			ch <- c
		}
		pool <- c
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return total, plainDiskError(err)
		}
	}
	if readErr != io.EOF {
		return total, fmt.Errorf("%w: %v", ErrTruncated, readErr)
	}
	return total, nil
}
