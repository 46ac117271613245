// Package odkcrypttest encrypts submissions as ODK Collect does
// (collect_app's EncryptionUtils: encryptSubmissionFiles and
// writeSubmissionManifest), for tests of the server side. It is written
// from the spec independently of odkcrypt's decryption, with the standard
// library's CFB and OAEP, so the two check each other.
package odkcrypttest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Phone encrypts one submission.
type Phone struct {
	pub                         *rsa.PublicKey
	formID, version, instanceID string
	block                       cipher.Block
	seed                        [16]byte
	counter                     int
	encryptedKey                string
	signed                      strings.Builder
	media                       []string
	// Namespace is the manifest's namespace: Collect's by default.
	Namespace string
}

// ParsePublicKey reads a form's base64RsaPublicKey as Collect does
// (X509EncodedKeySpec).
func ParsePublicKey(b64 string) (*rsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("not an RSA key")
	}
	return pub, nil
}

// NewPhone starts a submission: a fresh AES key, encrypted to pub.
func NewPhone(pub *rsa.PublicKey, formID, version, instanceID string) (*Phone, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return NewPhoneWithKey(pub, formID, version, instanceID, key)
}

// NewPhoneWithKey is NewPhone with a given AES key.
func NewPhoneWithKey(pub *rsa.PublicKey, formID, version, instanceID string, key []byte) (*Phone, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// RSA/NONE/OAEPWithSHA256AndMGF1Padding under Bouncy Castle: SHA-256
	// for the label hash and for MGF1.
	enc, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, key, nil)
	if err != nil {
		return nil, err
	}
	p := &Phone{pub: pub, formID: formID, version: version, instanceID: instanceID, block: block,
		encryptedKey: base64.StdEncoding.EncodeToString(enc), Namespace: "http://www.opendatakit.org/xforms/encrypted"}
	h := md5.New()
	h.Write([]byte(instanceID))
	h.Write(key)
	copy(p.seed[:], h.Sum(nil))
	p.sign(formID)
	if version != "" {
		p.sign(version)
	}
	p.sign(p.encryptedKey)
	p.sign(instanceID)
	return p, nil
}

func (p *Phone) sign(v string) { p.signed.WriteString(v); p.signed.WriteByte('\n') }

// EncryptedKey is the manifest's base64EncryptedKey.
func (p *Phone) EncryptedKey() string { return p.encryptedKey }

// cipher is Collect's getCipher: the IV seed with one more byte raised.
func (p *Phone) cipher() cipher.Stream {
	p.seed[p.counter%16]++
	p.counter++
	return cipher.NewCFBEncrypter(p.block, p.seed[:]) //nolint:staticcheck // the format's own
}

// encrypt writes src encrypted (with PKCS#7 padding) to dst, and adds
// name::md5 of the plain file to the signature.
func (p *Phone) encrypt(name string, dst io.Writer, src io.Reader) error {
	stream := p.cipher()
	sum := md5.New()
	buf := make([]byte, 64<<10)
	var total int64
	for {
		n, err := io.ReadFull(src, buf)
		total += int64(n)
		sum.Write(buf[:n])
		chunk := buf[:n]
		last := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !last {
			return err
		}
		if last {
			pad := 16 - int(total%16)
			chunk = append(chunk, bytes.Repeat([]byte{byte(pad)}, pad)...)
		}
		stream.XORKeyStream(chunk, chunk)
		if _, err := dst.Write(chunk); err != nil {
			return err
		}
		if last {
			break
		}
	}
	p.sign(name + "::" + hex.EncodeToString(sum.Sum(nil)))
	return nil
}

// Media encrypts one media file (the instance names it name; it is sent
// as name.enc). Media files come first, in the order they are listed.
func (p *Phone) Media(name string, dst io.Writer, src io.Reader) error {
	p.media = append(p.media, name+".enc")
	return p.encrypt(name, dst, src)
}

// Finish encrypts the instance (as submission.xml.enc) and writes the
// manifest, as Collect's writeSubmissionManifest lays it out.
func (p *Phone) Finish(instance []byte) (manifest, encrypted []byte, err error) {
	var enc bytes.Buffer
	if err := p.encrypt("submission.xml", &enc, bytes.NewReader(instance)); err != nil {
		return nil, nil, err
	}
	sum := md5.Sum([]byte(p.signed.String()))
	sig, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, p.pub, sum[:], nil)
	if err != nil {
		return nil, nil, err
	}
	var m bytes.Buffer
	esc := func(s string) string { var b strings.Builder; xml.EscapeText(&b, []byte(s)); return b.String() }
	m.WriteString(`<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>`)
	fmt.Fprintf(&m, `<data xmlns="%s" id="%s"`, p.Namespace, esc(p.formID))
	if p.version != "" {
		fmt.Fprintf(&m, ` version="%s"`, esc(p.version))
	}
	m.WriteString(` encrypted="yes">`)
	fmt.Fprintf(&m, `<base64EncryptedKey>%s</base64EncryptedKey>`, p.encryptedKey)
	fmt.Fprintf(&m, `<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>%s</orx:instanceID></orx:meta>`+"\n", esc(p.instanceID))
	for _, f := range p.media {
		fmt.Fprintf(&m, "<media><file>%s</file></media>\n", esc(f))
	}
	m.WriteString(`<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>`)
	fmt.Fprintf(&m, `<base64EncryptedElementSignature>%s</base64EncryptedElementSignature></data>`, base64.StdEncoding.EncodeToString(sig))
	return m.Bytes(), enc.Bytes(), nil
}

// File is a media file of a submission.
type File struct {
	Name string
	Data []byte
}

// Encrypt encrypts a whole submission in memory: the manifest, and every
// encrypted file by the name the manifest gives it.
func Encrypt(pub *rsa.PublicKey, formID, version, instanceID string, instance []byte, media ...File) (manifest []byte, files map[string][]byte, err error) {
	p, err := NewPhone(pub, formID, version, instanceID)
	if err != nil {
		return nil, nil, err
	}
	files = map[string][]byte{}
	for _, f := range media {
		var b bytes.Buffer
		if err := p.Media(f.Name, &b, bytes.NewReader(f.Data)); err != nil {
			return nil, nil, err
		}
		files[f.Name+".enc"] = b.Bytes()
	}
	manifest, enc, err := p.Finish(instance)
	if err != nil {
		return nil, nil, err
	}
	files["submission.xml.enc"] = enc
	return manifest, files, nil
}
