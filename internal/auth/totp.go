package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: those every authenticator app understands (RFC 6238
// defaults). One step either side is accepted for clock drift.
const (
	totpPeriod = 30
	totpSkew   = 1
	issuer     = "Rollcall"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrollment is a second factor being set up: the secret to type in and
// the otpauth URL, drawn as a QR code by QRPNG.
type Enrollment struct {
	Secret string // base32, as authenticator apps take it
	URL    string // otpauth://totp/…
}

func newTOTPSecret() (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: "account", Period: totpPeriod, SecretSize: 20, Rand: rand.Reader})
	if err != nil {
		return "", err
	}
	return key.Secret(), nil
}

// enrollmentFor builds the otpauth URL for a secret; account is what the
// authenticator app shows (the web passes the address the user typed).
func enrollmentFor(secret, account string) (Enrollment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return Enrollment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: raw})
	if err != nil {
		return Enrollment{}, err
	}
	return Enrollment{Secret: key.Secret(), URL: key.URL()}, nil
}

// QRPNG draws the enrollment's URL as a QR code, size×size pixels, in PNG:
// drawn by the server (pquerna/otp renders it with boombuler/barcode), so
// the page needs no script.
func (e Enrollment) QRPNG(size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// matchTOTP returns the time step whose code matches, checking the steps
// around now; ok is false when none does. The caller must still refuse a
// step at or before the last one used.
func matchTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for s := cur + totpSkew; s >= cur-totpSkew; s-- {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// recoveryCodes makes n single-use recovery codes of 80 bits each, written
// xxxx-xxxx-xxxx-xxxx (lower-case base32), and their hashes.
func recoveryCodes(n int) (codes, hashes []string) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range n {
		b := make([]byte, 10)
		rand.Read(b)
		s := strings.ToLower(enc.EncodeToString(b))
		codes = append(codes, s[0:4]+"-"+s[4:8]+"-"+s[8:12]+"-"+s[12:16])
		hashes = append(hashes, HashToken(normalizeRecoveryCode(s)))
	}
	return codes, hashes
}

// normalizeRecoveryCode forgives case, dashes and spaces.
func normalizeRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// looksLikeRecoveryCode tells a recovery code from a six-digit TOTP code.
func looksLikeRecoveryCode(s string) bool { return len(normalizeRecoveryCode(s)) == 16 }
