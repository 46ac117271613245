package odkcrypt_test

import (
	"strings"
	"testing"

	"rollcall/internal/openrosa/odkcrypt"
)

// FuzzParseManifest: whatever a phone sends as a manifest, the parser
// answers without panicking, and what it accepts is whole (every element
// the decryption needs, plain file names, none twice).
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(specExample))
	f.Add([]byte(`<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><data xmlns="http://www.opendatakit.org/xforms/encrypted" id="report" version="ab12" encrypted="yes"><base64EncryptedKey>AA==</base64EncryptedKey><orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>uuid:1</orx:instanceID></orx:meta>
<media><file>a.jpg.enc</file></media>
<encryptedXmlFile>submission.xml.enc</encryptedXmlFile><base64EncryptedElementSignature>AA==</base64EncryptedElementSignature></data>`))
	f.Add([]byte(`<!DOCTYPE data [<!ENTITY x "y">]><data encrypted="yes" id="&x;"/>`))
	f.Add([]byte(`<data encrypted="yes" id="a"><media><file>../x.enc</file></media></data>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		_ = odkcrypt.IsManifest(doc)
		m, err := odkcrypt.ParseManifest(doc)
		if err != nil {
			return
		}
		if m.FormID == "" || m.EncryptedKey == "" || m.InstanceID == "" || m.Signature == "" || m.XMLFile == "" {
			t.Fatalf("accepted an incomplete manifest: %+v", m)
		}
		seen := map[string]bool{}
		for _, name := range m.Files() {
			if seen[name] || !strings.HasSuffix(name, ".enc") || strings.ContainsAny(name, "/\\") {
				t.Fatalf("accepted file name %q in %v", name, m.Files())
			}
			seen[name] = true
		}
	})
}
