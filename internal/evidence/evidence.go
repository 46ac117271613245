// Package evidence holds the rules for photos, videos, audio and documents
// kept as evidence: intake that hashes (SHA-256 and MD5) and encrypts (age's
// streaming format) while the bytes stream in, the type read from the bytes,
// metadata read from images and videos, public derivatives made from pixels
// only, and BagIt bags for courts. It keeps no database: the store records
// what this package computes.
//
// The original is kept exactly as it came, encrypted with age to the
// evidence key (an X25519 identity kept sealed under the data key) and to
// any offline recipients the operator added; the server's disk holds only
// ciphertext.
package evidence

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// NewIdentity makes a new evidence key (an age X25519 identity, in the
// AGE-SECRET-KEY-1… form).
func NewIdentity() (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// Key is the evidence key opened: the identity that decrypts originals and
// the recipients every new original is encrypted to (the key's own and the
// offline ones).
type Key struct {
	identity   *age.X25519Identity
	recipients []age.Recipient
}

// OpenKey parses the evidence identity and the offline recipients (age1…
// strings).
func OpenKey(identity string, offline []string) (*Key, error) {
	id, err := age.ParseX25519Identity(strings.TrimSpace(identity))
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	k := &Key{identity: id, recipients: []age.Recipient{id.Recipient()}}
	for _, s := range offline {
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, err
		}
		k.recipients = append(k.recipients, r)
	}
	return k, nil
}

// Recipient is the evidence key's own public recipient (age1…).
func (k *Key) Recipient() string { return k.identity.Recipient().String() }

// ParseRecipient checks an offline recipient: an age X25519 public key
// (age1…), as `age-keygen` prints it.
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("recipient %q: want an age public key (age1…, as age-keygen prints it): %w", s, err)
	}
	return r, nil
}

// ParseRecipients reads recipients one a line, # starting a comment.
func ParseRecipients(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := ParseRecipient(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// ErrTooLarge means the bytes ran past the limit; nothing was kept.
var ErrTooLarge = errors.New("the file is larger than the upload limit")

// ErrTruncated means fewer bytes came than were announced; nothing was kept.
var ErrTruncated = errors.New("the upload ended before all its bytes arrived")
