package openrosa

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A phone's credential is a token in its server URL, as ODK Central's app
// users have (/openrosa/key/TOKEN/): Collect and Tella need only the URL,
// and a URL can be handed over as a QR code. 32 random bytes; the server
// keeps only TokenHash.

// NewToken makes a phone's token.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is what the server keeps of a token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ServerURL is the URL to enter in Collect or Tella for a token: formList
// and submission lie under it.
func ServerURL(origin, token string) string {
	return strings.TrimRight(origin, "/") + "/openrosa/key/" + token
}
