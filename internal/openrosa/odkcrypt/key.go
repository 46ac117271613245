// Package odkcrypt reads submissions that ODK Collect (and Tella, and
// Enketo) encrypted on the phone, following ODK's encryption spec
// (getodk.github.io/xforms-spec/encryption, checked against Collect's
// EncryptionUtils and ODK Central's lib/util/crypto.js):
//
//   - the form carries Rollcall's RSA public key (base64RsaPublicKey, the
//     base64 of the X.509 SubjectPublicKeyInfo);
//   - for each submission the phone makes a random 256-bit AES key, and
//     sends it RSA-encrypted with OAEP, SHA-256 for both the hash and MGF1
//     (Java's "RSA/NONE/OAEPWithSHA256AndMGF1Padding" under Bouncy Castle;
//     not the JCE's "OAEPWithSHA-256", which keeps MGF1 on SHA-1);
//   - every file (the media files in the manifest's order, then the
//     instance XML) is AES-256-CFB (128-bit feedback) with PKCS#7 padding,
//     the IV of the n-th file being MD5(instanceID || key) with byte i%16
//     incremented for each file i = 0..n;
//   - the submission manifest (a small XML, sent as xml_submission_file)
//     names the files and carries a signature: the RSA-OAEP encryption of
//     the MD5 of form id, version, encrypted key, instance id and, per file,
//     "name::md5hex" of the plain file, each followed by "\n".
//
// The signature is no proof of who sent it (the key that makes it is
// public): it says the files are whole and belong together. Who sent it is
// the device credential's job.
//
// Decryption streams: a 500 MB video passes through a 64 KiB buffer.
package odkcrypt

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
)

// KeyBits is the size of the RSA key, as ODK Central makes them: every
// submission costs two private-key operations (the AES key and the
// signature), about 1.5 ms each at 2048 bits against 5 ms at 3072.
const KeyBits = 2048

// keyPrefix marks the text form of Rollcall's private key, so that a
// value of another kind is never read as one.
const keyPrefix = "odkrsa1:"

// NewKeyText makes a fresh RSA key and returns it as text (to be sealed by
// the store; see store.OpenRosaKey).
func NewKeyText() (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	return keyPrefix + base64.StdEncoding.EncodeToString(der), nil
}

// ParseKey reads what NewKeyText wrote.
func ParseKey(text string) (*rsa.PrivateKey, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(text), keyPrefix)
	if !ok {
		return nil, errors.New("odkcrypt: not an OpenRosa key")
	}
	der, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return nil, errors.New("odkcrypt: OpenRosa key is not base64")
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("odkcrypt: OpenRosa key does not parse")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("odkcrypt: OpenRosa key is not RSA")
	}
	return rk, nil
}

// PublicKeyBase64 is the form's base64RsaPublicKey: the base64 DER of the
// SubjectPublicKeyInfo, which Collect reads with X509EncodedKeySpec.
func PublicKeyBase64(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only unsupported key types fail, and an *rsa.PublicKey is one
		// it supports.
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}
