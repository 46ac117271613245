package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// NewToken makes a random 256-bit token (43 characters, URL-safe) and the
// hash under which it is stored: the token itself is never stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how a token (session, one-time link, recovery code) is
// looked up. Tokens carry 256 bits (recovery codes 80), so a plain SHA-256
// suffices: there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}
