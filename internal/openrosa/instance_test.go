package openrosa

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// An instance as ODK Collect writes it for the report form.
const collectInstance = `<?xml version='1.0' ?><data id="rollcall_report" version="abc" orx:version="abc" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"><start>2026-12-01T09:15:02.123+05:00</start><end>2026-12-01T09:20:40.004+05:00</end><name>Azamat Qurbanov &amp; co</name><name_alt /><status>detained</status><year>2022</year><photo>1733030000123.jpg</photo><meta><instanceID>uuid:6c7c3f5e-8d4a-4e1b-9a53-2f4f0e0c1a11</instanceID></meta></data>`

func TestParseCollectInstance(t *testing.T) {
	in, err := ParseInstance(strings.NewReader(collectInstance))
	if err != nil {
		t.Fatal(err)
	}
	if in.FormID != "rollcall_report" || in.Version != "abc" || in.Encrypted {
		t.Fatalf("%+v", in)
	}
	if in.Get("name") != "Azamat Qurbanov & co" || in.Get("photo") != "1733030000123.jpg" || in.Get("name_alt") != "" {
		t.Fatalf("values %v", in.Values)
	}
	if in.InstanceID() != "uuid:6c7c3f5e-8d4a-4e1b-9a53-2f4f0e0c1a11" {
		t.Fatalf("instanceID %q", in.InstanceID())
	}
	if want := time.Date(2026, 12, 1, 4, 15, 2, 123e6, time.UTC); !in.PhoneTime("start").Equal(want) {
		t.Fatalf("start %v, want %v", in.PhoneTime("start"), want)
	}
}

func TestParseEncryptedEnvelope(t *testing.T) {
	env := `<data id="rollcall_report" version="abc" encrypted="yes" xmlns="http://www.opendatakit.org/xforms/encrypted"><base64EncryptedKey>QUJD</base64EncryptedKey><meta xmlns="http://openrosa.org/xforms"><instanceID>uuid:1</instanceID></meta><media><file>a.jpg.enc</file></media><media><file>b.mp4.enc</file></media><encryptedXmlFile>submission.xml.enc</encryptedXmlFile><base64EncryptedElementSignature>U0lH</base64EncryptedElementSignature></data>`
	in, err := ParseInstance(strings.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Encrypted || in.InstanceID() != "uuid:1" || len(in.Values["media/file"]) != 2 || in.Get("encryptedXmlFile") != "submission.xml.enc" {
		t.Fatalf("%+v", in)
	}
}

func TestParseRefusesBadXML(t *testing.T) {
	for name, doc := range map[string]string{
		"xxe":         `<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]><data id="rollcall_report"><name>&x;</name></data>`,
		"laughs":      `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><data id="f">&lol2;</data>`,
		"lower case":  `<!doctype data><data id="f"/>`,
		"entity only": `<data id="f"><name>&nbsp;</name></data>`,
		"malformed":   `<data id="f"><name>x</data>`,
		"two roots":   `<data id="f"/><data id="g"/>`,
		"no form id":  `<data><name>x</name></data>`,
		"empty":       ``,
		"latin1":      `<?xml version="1.0" encoding="ISO-8859-1"?><data id="f"/>`,
		"not utf8":    "<data id=\"f\"><name>\xff</name></data>",
		"too deep":    `<data id="f">` + strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20) + `</data>`,
		"too large":   `<data id="f"><name>` + strings.Repeat("x", MaxInstanceBytes) + `</name></data>`,
	} {
		if _, err := ParseInstance(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(name, "xxe") && !errors.Is(err, ErrDoctype) {
			t.Errorf("%s: %v, want the DTD refused before parsing", name, err)
		}
	}
	// A comment and CDATA are not declarations.
	if in, err := ParseInstance(strings.NewReader(`<!-- by Collect --><data id="f"><name><![CDATA[a<b]]></name></data>`)); err != nil || in.Get("name") != "a<b" {
		t.Fatalf("%v %v", err, in.Values)
	}
}
