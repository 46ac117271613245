// Package field is what a field instance and headquarters exchange when
// there is no network (docs/operations.md, "Through a shutdown"): each
// instance's identity (an ed25519 signing key and an age X25519 key), and
// messages (bundles and acknowledgements) encrypted to the receiver's age
// key, cut into parts that are each signed by the sender and say which
// message they belong to, which part of how many they are and their
// hash. Pure: bytes in, bytes out; imports nothing of ours.
package field

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
)

// PublicPrefix starts an instance's public identity:
// rollcall-device1:<base64url ed25519 public key>:<age1… recipient>.
const PublicPrefix = "rollcall-device1:"

const secretPrefix = "rollcall-device-secret1:"

// Identity is an instance's private keys.
type Identity struct {
	Sign ed25519.PrivateKey
	Age  *age.X25519Identity
}

// Public is what others know of an instance: the key its parts are
// signed with and the recipient messages to it are encrypted to.
type Public struct {
	Sign ed25519.PublicKey
	Age  *age.X25519Recipient
}

// NewIdentity makes a fresh identity.
func NewIdentity() (*Identity, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	a, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	return &Identity{Sign: priv, Age: a}, nil
}

// String is the private text form, kept sealed in the data directory's
// database (never printed).
func (id *Identity) String() string {
	return secretPrefix + base64.RawURLEncoding.EncodeToString(id.Sign.Seed()) + ":" + id.Age.String()
}

// ParseIdentity reads what String wrote.
func ParseIdentity(s string) (*Identity, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), secretPrefix)
	seedText, ageText, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return nil, errors.New("not an instance identity")
	}
	seed, err := base64.RawURLEncoding.DecodeString(seedText)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("instance identity: bad signing key")
	}
	a, err := age.ParseX25519Identity(ageText)
	if err != nil {
		return nil, fmt.Errorf("instance identity: %w", err)
	}
	return &Identity{Sign: ed25519.NewKeyFromSeed(seed), Age: a}, nil
}

// Public gives the identity's public part.
func (id *Identity) Public() Public {
	return Public{Sign: id.Sign.Public().(ed25519.PublicKey), Age: id.Age.Recipient()}
}

// String is the one-line form `rollcall bundle key` prints and `rollcall
// device add` reads.
func (p Public) String() string {
	return PublicPrefix + SignKeyText(p.Sign) + ":" + p.Age.String()
}

// SignKeyText is how a signing key is written in identities and parts.
func SignKeyText(k ed25519.PublicKey) string { return base64.RawURLEncoding.EncodeToString(k) }

// ParseSignKey reads a signing key written by SignKeyText.
func ParseSignKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not an ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// Fingerprint is a short name of a signing key for people to compare
// (the first 8 bytes of its SHA-256, in hex).
func Fingerprint(k ed25519.PublicKey) string {
	s := sha256.Sum256(k)
	return hex.EncodeToString(s[:8])
}

// ParsePublic reads a public identity line.
func ParsePublic(s string) (Public, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), PublicPrefix)
	signText, ageText, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return Public{}, fmt.Errorf("not an instance identity (it starts %q): copy the whole line 'rollcall bundle key' printed", PublicPrefix)
	}
	k, err := ParseSignKey(signText)
	if err != nil {
		return Public{}, fmt.Errorf("identity: %w", err)
	}
	r, err := age.ParseX25519Recipient(ageText)
	if err != nil {
		return Public{}, fmt.Errorf("identity: not an age recipient: %w", err)
	}
	return Public{Sign: k, Age: r}, nil
}
