package odkcrypt_test

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"rollcall/internal/openrosa/odkcrypt"
	"rollcall/internal/openrosa/odkcrypt/odkcrypttest"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	other   *rsa.PrivateKey
)

// keys makes Rollcall's key through its own text form (as the store keeps
// it), and another server's key.
func keys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		for _, k := range []**rsa.PrivateKey{&testKey, &other} {
			text, err := odkcrypt.NewKeyText()
			if err != nil {
				t.Fatal(err)
			}
			if *k, err = odkcrypt.ParseKey(text); err != nil {
				t.Fatal(err)
			}
		}
	})
	return testKey, other
}

// formPublicKey is the key as a phone gets it: from the form's
// base64RsaPublicKey.
func formPublicKey(t *testing.T, k *rsa.PrivateKey) *rsa.PublicKey {
	t.Helper()
	pub, err := odkcrypttest.ParsePublicKey(odkcrypt.PublicKeyBase64(&k.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

const instanceID = "uuid:5b9cf8d1-106f-4004-844f-c072d76762ed"

var instance = []byte(`<?xml version="1.0"?><data id="report" version="ab12" xmlns:orx="http://openrosa.org/xforms"><name>Ақылбек Сапаров</name><photo>1700000000.jpg</photo><orx:meta><orx:instanceID>` + instanceID + `</orx:instanceID></orx:meta></data>`)

func media() []odkcrypttest.File {
	video := make([]byte, 200<<10+7) // several buffers and an uneven end
	rand.Read(video)
	return []odkcrypttest.File{
		{Name: "1700000000.jpg", Data: []byte("\xff\xd8\xff\xe0 a small photo")},
		{Name: "clip.mp4", Data: video},
		{Name: "empty.m4a", Data: nil},
	}
}

// decryptAll decrypts every file of a submission as the server would, and
// checks the signature; it returns the plain files by encrypted name.
func decryptAll(priv *rsa.PrivateKey, manifest []byte, files map[string][]byte) (map[string][]byte, error) {
	m, err := odkcrypt.ParseManifest(manifest)
	if err != nil {
		return nil, err
	}
	s, err := odkcrypt.Open(priv, m)
	if err != nil {
		return nil, err
	}
	plain := map[string][]byte{}
	for _, name := range m.Files() {
		f, err := s.File(name, bytes.NewReader(files[name]))
		if err != nil {
			return nil, err
		}
		// A small reader buffer, so the held-back last block and the
		// refills are exercised.
		var out bytes.Buffer
		if _, err := io.CopyBuffer(struct{ io.Writer }{&out}, struct{ io.Reader }{f}, make([]byte, 1000)); err != nil {
			return nil, err
		}
		plain[name] = out.Bytes()
	}
	return plain, s.Verify()
}

func TestEncryptedSubmissionRoundTrip(t *testing.T) {
	priv, _ := keys(t)
	manifest, files, err := odkcrypttest.Encrypt(formPublicKey(t, priv), "report", "ab12", instanceID, instance, media()...)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := decryptAll(priv, manifest, files)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain["submission.xml.enc"], instance) {
		t.Errorf("instance decrypted to %q", plain["submission.xml.enc"])
	}
	for _, f := range media() {
		got := plain[f.Name+".enc"]
		if f.Name == "clip.mp4" {
			// random: compare sizes and the MD5 the signature covered
			if len(got) != len(f.Data) {
				t.Errorf("%s: %d bytes, want %d", f.Name, len(got), len(f.Data))
			}
			continue
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("%s decrypted to %q, want %q", f.Name, got, f.Data)
		}
	}
	m, _ := odkcrypt.ParseManifest(manifest)
	if m.FormID != "report" || m.Version != "ab12" || m.InstanceID != instanceID ||
		strings.Join(m.Files(), ",") != "1700000000.jpg.enc,clip.mp4.enc,empty.m4a.enc,submission.xml.enc" {
		t.Errorf("manifest read as %+v", m)
	}
	if !odkcrypt.IsManifest(manifest) || odkcrypt.IsManifest(instance) {
		t.Error("IsManifest does not tell the manifest from the plain instance")
	}
}

// A client that wraps the base64 of the key at 76 characters (MIME
// style) is read: the signature covers the text as sent.
func TestWrappedBase64KeyOpens(t *testing.T) {
	priv, _ := keys(t)
	pub := formPublicKey(t, priv)
	p, err := odkcrypttest.NewPhone(pub, "report", "ab12", instanceID)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("<data/>")
	manifest, enc, err := p.Finish(plain)
	if err != nil {
		t.Fatal(err)
	}
	k := p.EncryptedKey()
	wrapped := k[:76] + "\n" + k[76:152] + "\n" + k[152:]
	// The phone signed the wrapped text: sign again over it.
	m, _ := odkcrypt.ParseManifest(manifest)
	plainSum := md5.Sum(plain)
	src := "report\nab12\n" + wrapped + "\n" + instanceID + "\nsubmission.xml::" + hexOf(plainSum[:]) + "\n"
	sig := md5.Sum([]byte(src))
	sigEnc, _ := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, sig[:], nil)
	changed := strings.Replace(string(manifest), k, wrapped, 1)
	changed = strings.Replace(changed, m.Signature, base64.StdEncoding.EncodeToString(sigEnc), 1)
	got, err := decryptAll(priv, []byte(changed), map[string][]byte{"submission.xml.enc": enc})
	if err != nil || !bytes.Equal(got["submission.xml.enc"], plain) {
		t.Fatalf("wrapped key: %v %q", err, got["submission.xml.enc"])
	}
}

func hexOf(b []byte) string { return fmt.Sprintf("%x", b) }

func TestEncryptedSubmissionWithoutMediaOrVersion(t *testing.T) {
	priv, _ := keys(t)
	manifest, files, err := odkcrypttest.Encrypt(formPublicKey(t, priv), "record", "", instanceID, instance)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := decryptAll(priv, manifest, files)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain["submission.xml.enc"], instance) {
		t.Errorf("instance decrypted to %q", plain["submission.xml.enc"])
	}
}

func TestTamperedFileRefused(t *testing.T) {
	priv, _ := keys(t)
	manifest, files, err := odkcrypttest.Encrypt(formPublicKey(t, priv), "report", "ab12", instanceID, instance, media()...)
	if err != nil {
		t.Fatal(err)
	}
	clone := func() map[string][]byte {
		c := map[string][]byte{}
		for k, v := range files {
			c[k] = append([]byte(nil), v...)
		}
		return c
	}
	cases := map[string]struct {
		change func(map[string][]byte)
		want   error
	}{
		// CFB: a flipped bit flips the plain bit; only the MD5 notices.
		"one bit of the video":    {func(f map[string][]byte) { f["clip.mp4.enc"][1000] ^= 1 }, odkcrypt.ErrSignature},
		"one bit of the instance": {func(f map[string][]byte) { f["submission.xml.enc"][3] ^= 0x20 }, odkcrypt.ErrSignature},
		"the video cut short":     {func(f map[string][]byte) { f["clip.mp4.enc"] = f["clip.mp4.enc"][:len(f["clip.mp4.enc"])-5] }, odkcrypt.ErrCiphertext},
		"the video cut by a block": {func(f map[string][]byte) {
			f["clip.mp4.enc"] = f["clip.mp4.enc"][:len(f["clip.mp4.enc"])-16]
		}, nil},
		"the photo's padding altered": {func(f map[string][]byte) { p := f["1700000000.jpg.enc"]; p[len(p)-1] ^= 0x40 }, odkcrypt.ErrCiphertext},
		"an empty file":               {func(f map[string][]byte) { f["empty.m4a.enc"] = nil }, odkcrypt.ErrCiphertext},
		"two files swapped": {func(f map[string][]byte) {
			f["1700000000.jpg.enc"], f["empty.m4a.enc"] = f["empty.m4a.enc"], f["1700000000.jpg.enc"]
		}, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := clone()
			c.change(f)
			_, err := decryptAll(priv, manifest, f)
			if err == nil {
				t.Fatal("accepted")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("refused with %v, want %v", err, c.want)
			}
			if c.want == nil && !errors.Is(err, odkcrypt.ErrCiphertext) && !errors.Is(err, odkcrypt.ErrSignature) {
				t.Fatalf("refused with %v", err)
			}
		})
	}
}

func TestTamperedSignatureRefused(t *testing.T) {
	priv, _ := keys(t)
	pub := formPublicKey(t, priv)
	manifest, files, err := odkcrypttest.Encrypt(pub, "report", "ab12", instanceID, instance, media()...)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := odkcrypt.ParseManifest(manifest)
	// A signature that opens, over other content (the version left out).
	sum := md5.Sum([]byte("report\n" + m.EncryptedKey + "\n" + instanceID + "\n"))
	forged, _ := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, sum[:], nil)
	for name, change := range map[string]func(string) string{
		"signature over other content": func(s string) string {
			return strings.Replace(s, m.Signature, base64.StdEncoding.EncodeToString(forged), 1)
		},
		"signature not RSA":        func(s string) string { return strings.Replace(s, m.Signature, "bm8=", 1) },
		"signature not base64":     func(s string) string { return strings.Replace(s, m.Signature, "no!", 1) },
		"form version changed":     func(s string) string { return strings.Replace(s, `version="ab12"`, `version="ab13"`, 1) },
		"form id changed":          func(s string) string { return strings.Replace(s, `id="report"`, `id="record"`, 1) },
		"file renamed in manifest": func(s string) string { return strings.Replace(s, "clip.mp4.enc", "clip.mov.enc", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			changed := change(string(manifest))
			if changed == string(manifest) {
				t.Fatal("the change did not apply")
			}
			f := map[string][]byte{}
			for k, v := range files {
				if strings.Contains(changed, "clip.mov.enc") {
					k = strings.Replace(k, "clip.mp4.enc", "clip.mov.enc", 1)
				}
				f[k] = v
			}
			_, err := decryptAll(priv, []byte(changed), f)
			if !errors.Is(err, odkcrypt.ErrSignature) {
				t.Fatalf("got %v, want the signature refused", err)
			}
		})
	}
	t.Run("signature missing", func(t *testing.T) {
		i := bytes.Index(manifest, []byte("<base64EncryptedElementSignature>"))
		cut := append(append([]byte(nil), manifest[:i]...), "</data>"...)
		if _, err := odkcrypt.ParseManifest(cut); !errors.Is(err, odkcrypt.ErrManifest) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestWrongKeyRefused(t *testing.T) {
	priv, otherKey := keys(t)
	manifest, files, err := odkcrypttest.Encrypt(formPublicKey(t, otherKey), "report", "ab12", instanceID, instance)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decryptAll(priv, manifest, files); !errors.Is(err, odkcrypt.ErrWrongKey) {
		t.Fatalf("got %v, want ErrWrongKey", err)
	}
}

// Java's JCE reads "OAEPWithSHA-256AndMGF1Padding" as SHA-256 with MGF1
// over SHA-1; Collect asks Bouncy Castle for SHA-256 in both places. A key
// wrapped the JCE way must not open by accident.
func TestKeyWrappedWithMGF1SHA1Refused(t *testing.T) {
	priv, _ := keys(t)
	m, _ := odkcrypt.ParseManifest(mustManifest(t, priv))
	enc, err := rsa.EncryptOAEPWithOptions(rand.Reader, &priv.PublicKey, make([]byte, 32), &rsa.OAEPOptions{Hash: 5 /* SHA256 */, MGFHash: 3 /* SHA1 */})
	if err != nil {
		t.Fatal(err)
	}
	_ = sha1.New
	m.EncryptedKey = base64.StdEncoding.EncodeToString(enc)
	if _, err := odkcrypt.Open(priv, m); !errors.Is(err, odkcrypt.ErrWrongKey) {
		t.Fatalf("got %v, want ErrWrongKey", err)
	}
}

func mustManifest(t *testing.T, priv *rsa.PrivateKey) []byte {
	t.Helper()
	manifest, _, err := odkcrypttest.Encrypt(formPublicKey(t, priv), "report", "ab12", instanceID, instance)
	if err != nil {
		t.Fatal(err)
	}
	return manifest
}

func TestFileNotInManifestRefused(t *testing.T) {
	priv, _ := keys(t)
	m, _ := odkcrypt.ParseManifest(mustManifest(t, priv))
	s, err := odkcrypt.Open(priv, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.File("other.jpg.enc", strings.NewReader("")); err == nil {
		t.Fatal("a file the manifest does not name was accepted")
	}
	if err := s.Verify(); err == nil {
		t.Fatal("the signature was checked before the files were read")
	}
}

func TestParseKeyRefusesOtherText(t *testing.T) {
	for _, text := range []string{"", "AGE-SECRET-KEY-1XYZ", "odkrsa1:!!", "odkrsa1:" + base64.StdEncoding.EncodeToString([]byte("not der"))} {
		if _, err := odkcrypt.ParseKey(text); err == nil {
			t.Errorf("%q read as a key", text)
		}
	}
}
