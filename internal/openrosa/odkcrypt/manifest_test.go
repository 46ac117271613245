package odkcrypt_test

import (
	"errors"
	"strings"
	"testing"

	"rollcall/internal/openrosa/odkcrypt"
)

// specExample is the submission manifest of ODK's encryption spec, in the
// spec's namespace and layout (Collect's own layout is what
// odkcrypttest writes).
const specExample = `<data xmlns="http://opendatakit.org/submissions" id="mysurvey" encrypted="yes" version="2014083101">
    <base64EncryptedKey>sHXUut13/res3S3uJkwgfhABOc74aXGnCTxTcRTplS9kflomxA==</base64EncryptedKey>
    <encryptedXmlFile>submission.xml.enc</encryptedXmlFile>
    <media>
        <file>myimage.jpg.enc</file>
    </media>
    <media>
        <file>myaudio.mp3.enc</file>
    </media>
    <base64EncryptedElementSignature>OU7rbZl0uFy7xv/HnSl1juVrdf2fQpzcfjwetgl==</base64EncryptedElementSignature>
    <meta xmlns="http://openrosa.org/xforms">
        <instanceID>uuid:5b9cf8d1-106f-4004-844f-c072d76762ed</instanceID>
    </meta>
</data>`

func TestParseManifestOfTheSpec(t *testing.T) {
	m, err := odkcrypt.ParseManifest([]byte(specExample))
	if err != nil {
		t.Fatal(err)
	}
	if m.FormID != "mysurvey" || m.Version != "2014083101" || m.InstanceID != "uuid:5b9cf8d1-106f-4004-844f-c072d76762ed" ||
		m.EncryptedKey != "sHXUut13/res3S3uJkwgfhABOc74aXGnCTxTcRTplS9kflomxA==" ||
		strings.Join(m.Files(), " ") != "myimage.jpg.enc myaudio.mp3.enc submission.xml.enc" {
		t.Errorf("read as %+v", m)
	}
}

func TestParseManifestRefusals(t *testing.T) {
	cases := map[string]string{
		"a DTD":               `<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + specExample,
		"an unknown entity":   strings.Replace(specExample, "mysurvey", "&x;", 1),
		"not encrypted":       strings.Replace(specExample, `encrypted="yes"`, `encrypted="no"`, 1),
		"another root":        strings.Replace(strings.Replace(specExample, "<data ", "<manifest ", 1), "</data>", "</manifest>", 1),
		"no form id":          strings.Replace(specExample, `id="mysurvey"`, "", 1),
		"no key":              strings.Replace(specExample, "sHXUut13/res3S3uJkwgfhABOc74aXGnCTxTcRTplS9kflomxA==", "", 1),
		"two keys":            strings.Replace(specExample, "<encryptedXmlFile>", "<base64EncryptedKey>AA==</base64EncryptedKey><encryptedXmlFile>", 1),
		"no instance id":      strings.Replace(specExample, "uuid:5b9cf8d1-106f-4004-844f-c072d76762ed", "", 1),
		"no xml file":         strings.Replace(specExample, "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>", "", 1),
		"a path as file name": strings.Replace(specExample, "myimage.jpg.enc", "../../seal.key.enc", 1),
		"a file not .enc":     strings.Replace(specExample, "myimage.jpg.enc", "myimage.jpg", 1),
		"a file named twice":  strings.Replace(specExample, "myaudio.mp3.enc", "myimage.jpg.enc", 1),
		"no signature":        strings.Replace(specExample, "OU7rbZl0uFy7xv/HnSl1juVrdf2fQpzcfjwetgl==", "", 1),
		"malformed":           strings.TrimSuffix(specExample, "</data>"),
		"content after root":  specExample + "<data/>",
		"too large":           strings.Replace(specExample, "<media>", "<media>"+strings.Repeat(" ", odkcrypt.MaxManifestSize), 1),
		"too many files":      strings.Replace(specExample, "<media>", strings.Repeat("<media><file>a.enc</file></media>", odkcrypt.MaxMediaFiles+1)+"<media>", 1),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if doc == specExample {
				t.Fatal("the change did not apply")
			}
			if _, err := odkcrypt.ParseManifest([]byte(doc)); !errors.Is(err, odkcrypt.ErrManifest) {
				t.Fatalf("got %v, want it refused", err)
			}
		})
	}
}
