package odkcrypt_test

import (
	"bytes"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A submission made with OpenSSL alone, step by step from the spec's
// text (the AES key and the signature wrapped by `openssl pkeyutl` with
// OAEP over SHA-256 and MGF1-SHA-256, the files by `openssl enc
// -aes-256-cfb` after PKCS#7 padding, the IVs and the signed text made
// here as the spec words them), opens and verifies: a check of odkcrypt
// by an implementation that shares no code with it or with odkcrypttest.
func TestSubmissionMadeWithOpenSSLOpens(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("SKIPPING: no openssl on this machine")
	}
	priv, _ := keys(t)
	dir := t.TempDir()
	der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	pubPEM := filepath.Join(dir, "pub.pem")
	os.WriteFile(pubPEM, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
	openssl := func(stdin []byte, args ...string) []byte {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Stdin = bytes.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, errb.String())
		}
		return out.Bytes()
	}
	wrap := func(b []byte) string {
		return base64.StdEncoding.EncodeToString(openssl(b, "pkeyutl", "-encrypt", "-pubin", "-inkey", pubPEM,
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"))
	}
	pad := func(b []byte) []byte {
		n := 16 - len(b)%16
		return append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(n)}, n)...)
	}
	key := openssl(nil, "rand", "32")
	const formID, version, instanceID = "rollcall_report", "v7", "uuid:11111111-2222-4333-8444-555555555555"
	encKey := wrap(key)
	// The IV: md5(instanceID, key), then byte i%16 raised for file i.
	seed := md5.Sum(append([]byte(instanceID), key...))
	plain := map[string][]byte{
		"photo.jpg":      bytes.Repeat([]byte("a photo "), 999),
		"submission.xml": []byte(`<data id="rollcall_report"><photo>photo.jpg</photo></data>`),
	}
	files := map[string][]byte{}
	signed := formID + "\n" + version + "\n" + encKey + "\n" + instanceID + "\n"
	for i, name := range []string{"photo.jpg", "submission.xml"} {
		seed[i%16]++
		files[name+".enc"] = openssl(pad(plain[name]), "enc", "-aes-256-cfb", "-nopad", "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(seed[:]))
		sum := md5.Sum(plain[name])
		signed += name + "::" + hex.EncodeToString(sum[:]) + "\n"
	}
	sig := md5.Sum([]byte(signed))
	manifest := fmt.Sprintf(`<data xmlns="http://opendatakit.org/submissions" id="%s" encrypted="yes" version="%s"><base64EncryptedKey>%s</base64EncryptedKey><encryptedXmlFile>submission.xml.enc</encryptedXmlFile><media><file>photo.jpg.enc</file></media><base64EncryptedElementSignature>%s</base64EncryptedElementSignature><meta xmlns="http://openrosa.org/xforms"><instanceID>%s</instanceID></meta></data>`,
		formID, version, encKey, wrap(sig[:]), instanceID)
	got, err := decryptAll(priv, []byte(manifest), files)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range plain {
		if !bytes.Equal(got[name+".enc"], want) {
			t.Errorf("%s decrypted to %.60q", name, got[name+".enc"])
		}
	}
}
