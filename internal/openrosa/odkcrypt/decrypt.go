package odkcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// The reasons a submission is refused. Their messages are shown to the
// person holding the phone, so they say what happened in plain words.
var (
	// ErrWrongKey: the AES key does not open with Rollcall's private key
	// (the form was fetched from another server, or before a new key).
	ErrWrongKey = errors.New("the submission was not encrypted with this server's key: fetch the form again and send a new copy")
	// ErrCiphertext: a file does not decrypt (cut, altered, or not of this
	// submission).
	ErrCiphertext = errors.New("an encrypted file of the submission is damaged or incomplete: send it again")
	// ErrSignature: the files decrypt, but they are not the ones the
	// phone signed (one was swapped, altered or left out).
	ErrSignature = errors.New("the submission's signature does not match its files: send it again")
)

// Submission is an encrypted submission opened with Rollcall's key: it
// decrypts the manifest's files and checks their signature.
type Submission struct {
	m      *Manifest
	block  cipher.Block
	ivSeed [aes.BlockSize]byte
	priv   *rsa.PrivateKey
	// sums holds the MD5 of each plain file decrypted whole so far.
	sums map[string]string
}

// oaepDecrypt undoes the phone's RSA/NONE/OAEPWithSHA256AndMGF1Padding
// (Go's OAEP uses the one hash for MGF1 too, as Bouncy Castle does).
func oaepDecrypt(priv *rsa.PrivateKey, b64 string) ([]byte, error) {
	// base64's decoder skips \r and \n, so a client that wraps its lines
	// is read too (TestWrappedBase64KeyOpens).
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	return rsa.DecryptOAEP(sha256.New(), nil, priv, ct, nil)
}

// Open decrypts the submission's AES key with Rollcall's private key.
func Open(priv *rsa.PrivateKey, m *Manifest) (*Submission, error) {
	key, err := oaepDecrypt(priv, m.EncryptedKey)
	if err != nil || len(key) != 32 {
		return nil, ErrWrongKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, ErrWrongKey
	}
	s := &Submission{m: m, block: block, priv: priv, sums: map[string]string{}}
	h := md5.New()
	io.WriteString(h, m.InstanceID)
	h.Write(key)
	copy(s.ivSeed[:], h.Sum(nil))
	return s, nil
}

// Manifest is the manifest the submission was opened with.
func (s *Submission) Manifest() *Manifest { return s.m }

// iv is the IV of the index-th file: the seed with bytes 0..index
// incremented in turn (byte i%16 once for each file i), as Collect's
// getCipher does for every file it encrypts.
func (s *Submission) iv(index int) []byte {
	iv := s.ivSeed
	for i := 0; i <= index; i++ {
		iv[i%aes.BlockSize]++
	}
	return iv[:]
}

func (s *Submission) index(name string) (int, bool) {
	for i, f := range s.m.Files() {
		if f == name {
			return i, true
		}
	}
	return 0, false
}

// File decrypts the named file of the manifest from its ciphertext as it
// is read. At the end of the ciphertext it checks the padding: a damaged
// file ends in ErrCiphertext instead of io.EOF. Once read whole, the
// plain file's MD5 is remembered for Verify.
func (s *Submission) File(name string, ciphertext io.Reader) (*File, error) {
	i, ok := s.index(name)
	if !ok {
		return nil, fmt.Errorf("the file %q is not named in the submission's manifest", name)
	}
	return &File{
		src:    ciphertext,
		stream: cipher.NewCFBDecrypter(s.block, s.iv(i)), //nolint:staticcheck // ODK's format fixes CFB
		sum:    md5.New(),
		buf:    make([]byte, 64<<10),
		done: func(sum string) {
			s.sums[name] = sum
		},
	}, nil
}

// Verify checks the signature over every file; each must have been read
// whole through File first.
func (s *Submission) Verify() error {
	var src strings.Builder
	line := func(v string) { src.WriteString(v); src.WriteByte('\n') }
	line(s.m.FormID)
	if s.m.Version != "" {
		line(s.m.Version)
	}
	line(s.m.EncryptedKey)
	line(s.m.InstanceID)
	for _, name := range s.m.Files() {
		sum, ok := s.sums[name]
		if !ok {
			return fmt.Errorf("odkcrypt: %s was not decrypted before the signature was checked", name)
		}
		line(strings.TrimSuffix(name, ".enc") + "::" + sum)
	}
	want := md5.Sum([]byte(src.String()))
	got, err := oaepDecrypt(s.priv, s.m.Signature)
	if err != nil || subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return ErrSignature
	}
	return nil
}

// File is one file of a submission being decrypted.
type File struct {
	src    io.Reader
	stream cipher.Stream
	sum    hash.Hash
	// buf[r:w] is decrypted and not given out yet; the last block is
	// held back until the ciphertext ends, since it carries the padding.
	buf   []byte
	r, w  int
	total int64
	final bool
	err   error
	done  func(md5hex string)
	md5   string
}

// Read gives out the plain file.
func (f *File) Read(p []byte) (int, error) {
	for {
		hold := aes.BlockSize
		if f.final {
			hold = 0
		}
		if ready := f.w - f.r - hold; ready > 0 {
			n := copy(p, f.buf[f.r:f.r+min(ready, len(p))])
			f.sum.Write(p[:n])
			f.r += n
			return n, nil
		}
		if f.err != nil {
			return 0, f.err
		}
		if f.final {
			if f.md5 == "" {
				f.md5 = hex.EncodeToString(f.sum.Sum(nil))
				f.done(f.md5)
			}
			return 0, io.EOF
		}
		// Keep the held-back bytes at the front and fill the rest.
		f.w = copy(f.buf, f.buf[f.r:f.w])
		f.r = 0
		n, err := f.src.Read(f.buf[f.w:])
		f.stream.XORKeyStream(f.buf[f.w:f.w+n], f.buf[f.w:f.w+n])
		f.w += n
		f.total += int64(n)
		switch {
		case err == io.EOF:
			f.unpad()
		case err != nil:
			f.err = err
		}
	}
}

// unpad checks and removes the PKCS#7 padding at the end of the file.
// The check takes the same steps whatever the padding holds.
func (f *File) unpad() {
	f.final = true
	if f.total == 0 || f.total%aes.BlockSize != 0 || f.w-f.r < aes.BlockSize {
		f.err = ErrCiphertext
		f.w = f.r
		return
	}
	last := f.buf[f.w-aes.BlockSize : f.w]
	pad := last[aes.BlockSize-1]
	good := subtle.ConstantTimeLessOrEq(1, int(pad)) & subtle.ConstantTimeLessOrEq(int(pad), aes.BlockSize)
	for i := 0; i < aes.BlockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(aes.BlockSize-int(pad), i)
		same := subtle.ConstantTimeByteEq(last[i], pad)
		good &= same | (inPad ^ 1)
	}
	if good != 1 {
		f.err = ErrCiphertext
		f.w = f.r
		return
	}
	f.w -= int(pad)
}

// Damaged says whether the ciphertext failed its check at the end
// (ErrCiphertext), for a reader whose own error hides the cause.
func (f *File) Damaged() bool { return errors.Is(f.err, ErrCiphertext) }

// MD5 is the plain file's MD5 (hex) once read whole; empty before.
func (f *File) MD5() string { return f.md5 }
