package evidence

import (
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"filippo.io/age"
)

// Decrypt opens a stored original (or derivative) for reading as it was
// received. Every chunk is authenticated as it is read: a damaged file
// gives an error, never bytes that were not received.
func (k *Key) Decrypt(ciphertext io.Reader) (io.Reader, error) {
	r, err := age.Decrypt(ciphertext, k.identity)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return r, nil
}

// DecryptAt gives random access to the plaintext of a stored object, for
// the metadata readers and ffmpeg; it reads and authenticates only the
// chunks asked for.
func (k *Key) DecryptAt(o Object) (io.ReaderAt, int64, error) {
	r, n, err := age.DecryptReaderAt(o, o.Size(), k.identity)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return r, n, nil
}

// ErrDamaged means a stored file does not decrypt: altered, cut or
// replaced.
var ErrDamaged = errors.New("the stored file is damaged (it does not decrypt)")

// Fixity is what reading a stored original back gave.
type Fixity struct {
	SHA256, MD5 string
	Size        int64
}

// Check decrypts a stored object to the end and hashes what comes out.
func (k *Key) Check(ciphertext io.Reader) (Fixity, error) {
	r, err := k.Decrypt(ciphertext)
	if err != nil {
		return Fixity{}, err
	}
	sha, sum5 := sha256.New(), md5.New()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		io.Copy(sum5, pr)
		close(done)
	}()
	n, err := io.CopyBuffer(io.MultiWriter(sha, pw), r, make([]byte, chunkSize))
	pw.Close()
	<-done
	if err != nil {
		return Fixity{}, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return Fixity{SHA256: hexSum(sha), MD5: hexSum(sum5), Size: n}, nil
}

// ErrNotAsReceived means a stored file decrypted, but what came out is not
// what was received (another SHA-256 or size): replaced, or recorded wrong.
var ErrNotAsReceived = errors.New("the stored file is not the one received (its SHA-256 or size differs)")

// Verified passes r through while hashing it and holds back its last byte
// until the whole has been read and its SHA-256 and size found to be
// sha256 and size: a reader of a damaged or replaced file gets an error
// (ErrNotAsReceived, or the decryption's ErrDamaged) and never the whole
// of it, so a copy with its announced length is always the right one.
func Verified(r io.Reader, sha256Hex string, size int64) io.Reader {
	return &verifiedReader{r: r, sum: sha256.New(), want: sha256Hex, size: size}
}

type verifiedReader struct {
	r    io.Reader
	sum  hash.Hash
	want string
	size int64
	n    int64 // bytes read from r and given out
	last []byte
	err  error // sticky: io.EOF after a good end
}

func (v *verifiedReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if v.n < v.size-1 {
		// Everything but the last byte passes at once.
		room := min(int64(len(p)), v.size-1-v.n)
		m, err := v.r.Read(p[:room])
		v.sum.Write(p[:m])
		v.n += int64(m)
		if err == io.EOF {
			v.err = fmt.Errorf("%w (%d of %d bytes)", ErrNotAsReceived, v.n, v.size)
			return m, v.err
		}
		if err != nil {
			v.err = err
		}
		return m, err
	}
	// The rest must be exactly the last byte, then the end.
	rest, err := io.ReadAll(io.LimitReader(v.r, 2))
	if err != nil {
		v.err = err
		return 0, err
	}
	v.sum.Write(rest)
	// ReadAll stops at the end or after 2 bytes: more than one is a file
	// longer than the one received.
	if v.n+int64(len(rest)) != v.size || hexSum(v.sum) != v.want {
		v.err = ErrNotAsReceived
		return 0, v.err
	}
	v.err = io.EOF
	if len(rest) == 0 {
		return 0, io.EOF
	}
	return copy(p, rest), nil
}
