package evidence

import (
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
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
