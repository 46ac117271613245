// Package seal encrypts the sensitive fields Rollcall keeps (sources'
// identities, reporters' and relatives' contacts, private notes, e-mail
// addresses, second-factor secrets) so that a copy of the database alone
// reveals none of them.
//
// The key is an age X25519 identity kept in the data directory: in
// seal.key (mode 0600), or in seal.key.age, sealed under a passphrase with
// age's scrypt recipient, so that a seized, powered-off server holds
// nothing usable. The key file lists one identity per line, newest first;
// during a rotation it holds both, so a crash at any moment leaves every
// value readable.
//
// Fields are not encrypted with age itself: an age message per field costs
// two X25519 operations and about 200 bytes of header. Instead each field
// is sealed with XChaCha20-Poly1305 (the AEAD age uses for its payload)
// under a key derived with HKDF from the identity; the additional data
// binds a value to its place (table, column, row), so a sealed value copied
// into another row does not open.
package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// File names in the data directory.
const (
	PlainKeyFile  = "seal.key"
	SealedKeyFile = "seal.key.age"
)

// Prefix starts every sealed value, followed by the key's id, a colon and
// base64url(nonce || ciphertext).
const Prefix = "sealed1:"

// ErrLocked means the key is sealed under a passphrase and none was given.
var ErrLocked = errors.New("the data key is sealed under a passphrase: start with --unlock (from a terminal or --passphrase-fd)")

// ErrUnknownKey means a value was sealed with a key this keyring lacks.
var ErrUnknownKey = errors.New("sealed with a key that is not in the key file")

// ErrCorrupt means a sealed value failed to open: altered, or moved from
// the place it was sealed for.
var ErrCorrupt = errors.New("sealed value does not open (altered, or not sealed for this place)")

// PassphraseSource gives the passphrase that seals the key file; nil means
// none (the key is kept in plain seal.key, mode 0600).
type PassphraseSource func() ([]byte, error)

// key is one identity with the keys derived from it.
type key struct {
	identity *age.X25519Identity
	id       string // 8 hex digits naming the key inside sealed values
	aead     cipher.AEAD
	lookup   []byte // HMAC key for lookup hashes
}

// Keyring holds the current key (first) and, during a rotation, older ones.
type Keyring struct {
	keys       []*key
	passphrase []byte // kept to re-seal the key file on rotation; nil when plain
}

func newKey(id *age.X25519Identity) (*key, error) {
	secret := []byte(id.String())
	fieldKey, err := hkdf.Key(sha256.New, secret, nil, "rollcall seal fields v1", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	lookup, err := hkdf.Key(sha256.New, secret, nil, "rollcall lookup v1", 32)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(fieldKey)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(id.Recipient().String()))
	return &key{identity: id, id: hex.EncodeToString(sum[:4]), aead: aead, lookup: lookup}, nil
}

// Open loads the data key from dataDir, making one at first start. When
// the key is sealed (seal.key.age) the passphrase is read from pass, and
// ErrLocked is returned if pass is nil. When no key exists yet, a new one
// is sealed under pass if given, else written to seal.key with mode 0600.
// A plain key file that others can read is refused.
//
// serve --unlock passes Terminal(fd) or FD(n) as pass.
func Open(dataDir string, pass PassphraseSource) (*Keyring, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	sealedPath := filepath.Join(dataDir, SealedKeyFile)
	plainPath := filepath.Join(dataDir, PlainKeyFile)
	if body, err := os.ReadFile(sealedPath); err == nil {
		if pass == nil {
			return nil, ErrLocked
		}
		p, err := pass()
		if err != nil {
			return nil, fmt.Errorf("passphrase: %w", err)
		}
		id, err := age.NewScryptIdentity(string(p))
		if err != nil {
			return nil, err
		}
		r, err := age.Decrypt(bytes.NewReader(body), id)
		if err != nil {
			return nil, errors.New("wrong passphrase (or the key file is damaged)")
		}
		text, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		k, err := parse(text)
		if err != nil {
			return nil, err
		}
		k.passphrase = p
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if info, err := os.Stat(plainPath); err == nil {
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", plainPath, info.Mode().Perm())
		}
		text, err := os.ReadFile(plainPath)
		if err != nil {
			return nil, err
		}
		return parse(text)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	// First start: make a key.
	k := &Keyring{}
	if pass != nil {
		p, err := pass()
		if err != nil {
			return nil, fmt.Errorf("passphrase: %w", err)
		}
		if len(p) == 0 {
			return nil, errors.New("empty passphrase")
		}
		k.passphrase = p
	}
	if err := k.addNew(); err != nil {
		return nil, err
	}
	if err := k.Save(dataDir); err != nil {
		return nil, err
	}
	return k, nil
}

func parse(text []byte) (*Keyring, error) {
	k := &Keyring{}
	for _, line := range strings.Split(string(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := age.ParseX25519Identity(line)
		if err != nil {
			return nil, errors.New("key file: a line is not an age X25519 identity")
		}
		kk, err := newKey(id)
		if err != nil {
			return nil, err
		}
		k.keys = append(k.keys, kk)
	}
	if len(k.keys) == 0 {
		return nil, errors.New("key file holds no key")
	}
	return k, nil
}

// addNew puts a fresh identity in front: it becomes the current key.
func (k *Keyring) addNew() error {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	kk, err := newKey(id)
	if err != nil {
		return err
	}
	k.keys = append([]*key{kk}, k.keys...)
	return nil
}

func (k *Keyring) text() []byte {
	var b bytes.Buffer
	b.WriteString("# Rollcall data key (age X25519 identities, current first). Losing it loses every sealed field.\n")
	for _, kk := range k.keys {
		b.WriteString(kk.identity.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Save writes the key file: sealed under the passphrase when the keyring
// has one (and the plain file removed), else plain with mode 0600. The file
// is replaced atomically.
func (k *Keyring) Save(dataDir string) error {
	body := k.text()
	name := PlainKeyFile
	if k.passphrase != nil {
		r, err := age.NewScryptRecipient(string(k.passphrase))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		w, err := age.Encrypt(&out, r)
		if err != nil {
			return err
		}
		if _, err := w.Write(body); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		body = out.Bytes()
		name = SealedKeyFile
	}
	if err := writeAtomic(filepath.Join(dataDir, name), body); err != nil {
		return err
	}
	other := SealedKeyFile
	if name == SealedKeyFile {
		other = PlainKeyFile
	}
	if err := os.Remove(filepath.Join(dataDir, other)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func writeAtomic(path string, body []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".seal-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SetPassphrase seals the key file under p from now on (nil: keep it plain).
func (k *Keyring) SetPassphrase(dataDir string, p []byte) error {
	if p != nil && len(p) == 0 {
		return errors.New("empty passphrase")
	}
	k.passphrase = p
	return k.Save(dataDir)
}

// Sealed says whether the key file is kept under a passphrase.
func (k *Keyring) Sealed() bool { return k.passphrase != nil }

// KeyID names the current key (not secret: derived from the public key).
func (k *Keyring) KeyID() string { return k.keys[0].id }

// KeyIDs lists the keys held, current first.
func (k *Keyring) KeyIDs() []string {
	ids := make([]string, len(k.keys))
	for i, kk := range k.keys {
		ids[i] = kk.id
	}
	return ids
}

// Seal encrypts plaintext for the place named by where (e.g.
// "users.email:ID"): the value opens only with the same where.
func (k *Keyring) Seal(where string, plaintext []byte) (string, error) {
	cur := k.keys[0]
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+chacha20poly1305.Overhead)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := cur.aead.Seal(nonce, nonce, plaintext, []byte(where))
	return Prefix + cur.id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// SealString is Seal for text.
func (k *Keyring) SealString(where, plaintext string) (string, error) {
	return k.Seal(where, []byte(plaintext))
}

// Unseal opens a value sealed for where by any key of the keyring.
func (k *Keyring) Unseal(where, sealed string) ([]byte, error) {
	id, body, ok := strings.Cut(strings.TrimPrefix(sealed, Prefix), ":")
	if !IsSealed(sealed) || !ok {
		return nil, ErrCorrupt
	}
	for _, kk := range k.keys {
		if kk.id != id {
			continue
		}
		raw, err := base64.RawURLEncoding.DecodeString(body)
		if err != nil || len(raw) < chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
			return nil, ErrCorrupt
		}
		plain, err := kk.aead.Open(nil, raw[:chacha20poly1305.NonceSizeX], raw[chacha20poly1305.NonceSizeX:], []byte(where))
		if err != nil {
			return nil, ErrCorrupt
		}
		return plain, nil
	}
	return nil, ErrUnknownKey
}

// UnsealString is Unseal for text.
func (k *Keyring) UnsealString(where, sealed string) (string, error) {
	b, err := k.Unseal(where, sealed)
	return string(b), err
}

// Reseal opens a value with whichever key sealed it and seals it again
// under the current key; a value already under the current key is
// re-encrypted too (a fresh nonce costs nothing and keeps the code simple).
func (k *Keyring) Reseal(where, sealed string) (string, error) {
	p, err := k.Unseal(where, sealed)
	if err != nil {
		return "", err
	}
	return k.Seal(where, p)
}

// IsSealed says whether s looks like a sealed value.
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// Lookup is a keyed hash of data under the current key: an equality index
// for a sealed value (an e-mail address) that reveals nothing without the
// key. It changes when the key rotates.
func (k *Keyring) Lookup(data string) string {
	return k.lookupWith(0, data)
}

func (k *Keyring) lookupWith(i int, data string) string {
	m := hmac.New(sha256.New, k.keys[i].lookup)
	m.Write([]byte(data))
	return hex.EncodeToString(m.Sum(nil))
}

// BeginRotation adds a new current key and saves the key file with both
// keys, so values sealed under either open whatever happens next. Reseal
// every value, commit, then call FinishRotation.
func (k *Keyring) BeginRotation(dataDir string) error {
	if err := k.addNew(); err != nil {
		return err
	}
	return k.Save(dataDir)
}

// FinishRotation drops every key but the current one from the key file.
func (k *Keyring) FinishRotation(dataDir string) error {
	k.keys = k.keys[:1]
	return k.Save(dataDir)
}

// Locked says whether dataDir's key is sealed under a passphrase, so a
// command knows whether to ask for one before Open.
func Locked(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, SealedKeyFile))
	return err == nil
}

// Exists says whether dataDir holds a key file (plain or sealed), so a
// caller can refuse to make a new key for a database that already has
// sealed values (the old key lost or left behind in another directory).
func Exists(dataDir string) bool {
	for _, name := range []string{PlainKeyFile, SealedKeyFile} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); err == nil {
			return true
		}
	}
	return false
}

// KeyIDOf names the key a sealed value was sealed with ("" if not sealed).
func KeyIDOf(sealed string) string {
	if !IsSealed(sealed) {
		return ""
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(sealed, Prefix), ":")
	return id
}

// Has says whether the keyring holds the key with this id.
func (k *Keyring) Has(id string) bool {
	for _, kk := range k.keys {
		if kk.id == id {
			return true
		}
	}
	return false
}
