package web

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// An uploaded list is streamed to a sealed temporary file: AES-256-CTR
// under a key made for that file and held only in this process's memory.
// The names of detained people never sit in clear on the disk, and a file
// left behind by a crash cannot be read by anyone (the key died with the
// process); leftovers are removed at the next start. Integrity needs no
// tag here: the import hashes what it reads, and the file never leaves
// the machine.

// sealedTemp is one uploaded file, sealed at rest.
type sealedTemp struct {
	path string
	key  [32]byte
	iv   [aes.BlockSize]byte
	size int64 // bytes of the upload (clear text)
}

// stream is the file's key stream, from its start.
func (t *sealedTemp) stream() cipher.Stream {
	block, err := aes.NewCipher(t.key[:])
	if err != nil {
		panic(err) // a 32-byte key is always accepted
	}
	return cipher.NewCTR(block, t.iv[:])
}

// open reads the upload back in clear text.
func (t *sealedTemp) open() (io.ReadCloser, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{cipher.StreamReader{S: t.stream(), R: bufio.NewReaderSize(f, 1<<16)}, f}, nil
}

func (t *sealedTemp) remove() { os.Remove(t.path) }

// uploadRefusal is why an upload was refused before anything was kept: a
// message id of the workspace's catalogue, and the line where it applies.
type uploadRefusal struct {
	Reason string
	Line   int
}

func (e *uploadRefusal) Error() string { return e.Reason }

var errUploadTooLarge = &uploadRefusal{Reason: "admin.import.err.too_large"}

// sealUpload streams r into a new sealed file in dir, checking as it goes
// that it is text a CSV can be (no known binary format, no NUL byte),
// valid UTF-8, and at most limit bytes. Refused, nothing is left behind.
func sealUpload(dir string, r io.Reader, limit int64) (*sealedTemp, error) {
	t := &sealedTemp{}
	if _, err := rand.Read(t.key[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(t.iv[:]); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "import-*.sealed")
	if err != nil {
		return nil, err
	}
	t.path = f.Name()
	check := &textCheck{line: 1}
	sealed := cipher.StreamWriter{S: t.stream(), W: f}
	buf := make([]byte, 1<<16)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			t.size += int64(n)
			if t.size > limit {
				err = errUploadTooLarge
				break
			}
			if err = check.write(buf[:n]); err != nil {
				break
			}
			if _, err = sealed.Write(buf[:n]); err != nil {
				break
			}
		}
		if rerr == io.EOF {
			err = check.end()
			break
		}
		if rerr != nil {
			var tooBig *http.MaxBytesError
			if errors.As(rerr, &tooBig) {
				err = errUploadTooLarge
			} else {
				err = rerr
			}
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.remove()
		return nil, err
	}
	return t, nil
}

// binaryFormats are the starts of files people send instead of a CSV,
// with the message saying what to do.
var binaryFormats = []struct {
	magic  string
	reason string
}{
	{"PK\x03\x04", "admin.import.err.spreadsheet"},       // XLSX, ODS (zip)
	{"\xd0\xcf\x11\xe0", "admin.import.err.spreadsheet"}, // XLS (OLE)
	{"%PDF", "admin.import.err.pdf"},
	{"\xff\xfe", "admin.import.err.utf16"},
	{"\xfe\xff", "admin.import.err.utf16"},
	{"\x1f\x8b", "admin.import.err.binary"}, // gzip
}

// textCheck checks a stream is UTF-8 text, keeping the first bytes until
// the file's format can be told from them, and the bytes of a character
// split across two reads.
type textCheck struct {
	started bool
	head    []byte // the first bytes, until there are enough to tell the format
	carry   []byte
	line    int
}

// magicLen is how many bytes tell every format of binaryFormats.
const magicLen = 4

func (c *textCheck) write(p []byte) error {
	if !c.started {
		c.head = append(c.head, p...)
		if len(c.head) < magicLen {
			return nil
		}
		return c.start()
	}
	return c.check(p)
}

// start tells the format from the first bytes, then checks them as text.
func (c *textCheck) start() error {
	c.started = true
	for _, b := range binaryFormats {
		if bytes.HasPrefix(c.head, []byte(b.magic)) {
			return &uploadRefusal{Reason: b.reason}
		}
	}
	head := c.head
	c.head = nil
	return c.check(head)
}

func (c *textCheck) check(p []byte) error {
	if len(c.carry) > 0 {
		need := utf8.UTFMax - len(c.carry)
		if need > len(p) {
			need = len(p)
		}
		joined := append(append([]byte(nil), c.carry...), p[:need]...)
		r, size := utf8.DecodeRune(joined)
		if r == utf8.RuneError && size <= 1 && utf8.FullRune(joined) {
			return &uploadRefusal{Reason: "admin.import.err.not_utf8", Line: c.line}
		}
		if !utf8.FullRune(joined) {
			c.carry = joined
			return nil
		}
		p = p[size-len(c.carry):]
		c.carry = nil
	}
	for i := 0; i < len(p); {
		b := p[i]
		if b < utf8.RuneSelf {
			switch b {
			case 0:
				return &uploadRefusal{Reason: "admin.import.err.binary", Line: c.line}
			case '\n':
				c.line++
			}
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			c.carry = append([]byte(nil), p[i:]...)
			return nil
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size <= 1 {
			return &uploadRefusal{Reason: "admin.import.err.not_utf8", Line: c.line}
		}
		i += size
	}
	return nil
}

func (c *textCheck) end() error {
	if !c.started {
		if len(c.head) == 0 {
			return &uploadRefusal{Reason: "admin.import.err.empty"}
		}
		if err := c.start(); err != nil {
			return err
		}
	}
	if len(c.carry) > 0 {
		return &uploadRefusal{Reason: "admin.import.err.not_utf8", Line: c.line}
	}
	return nil
}

// importTempDir is where sealed uploads wait for their import: the data
// directory's import-tmp (0700), emptied of what an earlier run left.
func importTempDir(dataDir string) (string, error) {
	if dataDir == "" {
		dataDir = os.TempDir()
	}
	dir := filepath.Join(dataDir, "import-tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "import-*.sealed"))
	for _, f := range old {
		os.Remove(f) // unreadable: its key died with the process that wrote it
	}
	return dir, nil
}
